//! Durations as people write them in settings and options: `90s`, `30m`, `1h`, `1h 30m`.

use std::time::Duration;

/// Parse a duration such as `90s`, `30m`, `1h` or `1h 30m`; a bare number is seconds. Zero is refused
/// (a run that may not take any time cannot run).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let parsed = match text.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => humantime::parse_duration(text).map_err(|e| {
            format!("{text:?} is not a duration ({e}); write it like 90s, 30m or 1h")
        })?,
    };
    if parsed.is_zero() {
        return Err(format!("{text:?} is zero; give a duration such as 30m"));
    }
    Ok(parsed)
}

/// Read a duration setting written as text (`"30m"`) or as a number of seconds (`1800`), as an
/// environment variable's digits arrive.
pub(super) fn text_or_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Seconds(u64),
    }
    Ok(match serde::Deserialize::deserialize(d)? {
        Raw::Text(t) => t,
        Raw::Seconds(n) => format!("{n}s"),
    })
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn seconds_minutes_hours_and_bare_numbers() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration(" 1h 30m "), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn nonsense_and_zero_are_refused_with_an_example() {
        let e = parse_duration("soon").unwrap_err();
        assert!(e.contains("\"soon\"") && e.contains("30m"), "{e}");
        assert!(parse_duration("0s").unwrap_err().contains("zero"));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("-5m").is_err());
    }

    #[test]
    fn the_setting_takes_text_or_seconds_and_is_checked() {
        use crate::config::Config;
        let env = |v: &str| vec![("GPC_ASSURE_HTTP_MAX_DURATION".to_string(), v.to_string())];
        assert_eq!(Config::default().http.max_duration, "30m");
        let c = Config::load(None, env("90")).unwrap();
        assert_eq!(
            parse_duration(&c.http.max_duration),
            Ok(Duration::from_secs(90))
        );
        let c = Config::from_toml_str("[http]\nmax_duration = \"1h\"\n", "t.toml").unwrap();
        assert_eq!(c.http.max_duration, "1h");
        let mut c = Config::load(None, env("forever")).unwrap();
        c.target.foundations_url = "https://p.example/B82617/STU3/1/gpconnect".into();
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains("http.max_duration") && e.contains("forever"),
            "{e}"
        );
    }
}
