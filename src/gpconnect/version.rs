//! GP Connect specification versions as `(major, minor, patch)`: the form providers declare
//! (`CapabilityStatement.version`, the target's configured versions) and the form `@since`/`@until`
//! tags and version-dependent rules compare.

/// Parse `major.minor.patch` (`1.6` is `1.6.0`; a pre-release suffix such as `-beta` is ignored).
pub fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let core = v.split('-').next()?;
    let mut it = core.split('.').map(|p| p.parse::<u32>().ok());
    let major = it.next()??;
    let minor = it.next()??;
    let patch = match it.next() {
        Some(p) => p?,
        None => 0,
    };
    if it.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    #[test]
    fn parses_two_and_three_part_versions_and_refuses_anything_else() {
        assert_eq!(parse_version("1.2.7"), Some((1, 2, 7)));
        assert_eq!(parse_version("1.6"), Some((1, 6, 0)));
        assert_eq!(parse_version("1.2.4-beta"), Some((1, 2, 4)));
        for bad in ["x", "1", "1.x", "1.2.3.4", "", "1..2"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }
}
