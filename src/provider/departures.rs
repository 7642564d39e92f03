//! SHOULDs and MAYs the reference provider can be told not to follow.
//!
//! A [`Fault`](super::Fault) breaks a MUST, and the scenarios of the rule it breaks must fail. A
//! departure leaves a SHOULD or a MAY unfollowed, which a conformant provider may do: the scenarios of
//! its rules must end as **warnings**, and a run against it must still pass when nothing else is wrong.
//! Departures show (and the tests prove) that the harness never fails a provider on a rule the
//! specification only recommends.

/// One SHOULD or MAY left unfollowed. The doc comment of each variant names the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Departure {
    /// Servers SHOULD support XML (General API guidance, Content types:
    /// <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html>). The
    /// provider offers JSON only: its CapabilityStatements declare no XML, and XML asked for (`_format`,
    /// `Accept`) or sent (`Content-Type`) is refused with 415 Unsupported Media Type, as the guidance
    /// prescribes for a format the server does not support.
    JsonOnly,
    /// `iat` SHOULD NOT be validated against the provider's clock (Cross-organisation audit and
    /// provenance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_cross_organisation_audit_and_provenance.html>).
    /// The provider refuses a token issued more than a minute in the future with 400 BAD_REQUEST.
    ValidateIat,
}

impl Departure {
    /// Every departure, in declaration order.
    pub const ALL: &'static [Departure] = &[Departure::JsonOnly, Departure::ValidateIat];

    /// The kebab-case name used on the command line (`--departure json-only`).
    pub fn name(self) -> &'static str {
        match self {
            Departure::JsonOnly => "json-only",
            Departure::ValidateIat => "validate-iat",
        }
    }

    /// The requirement ids whose scenarios this departure must turn into warnings (never failures).
    pub fn warns(self) -> &'static [&'static str] {
        match self {
            Departure::JsonOnly => &["XC-FMT-12"],
            Departure::ValidateIat => &["XC-JWT-07"],
        }
    }
}

impl std::fmt::Display for Departure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How far in the future `iat` may be before a provider with [`Departure::ValidateIat`] refuses it.
pub const IAT_LEEWAY_SECONDS: i64 = 60;

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn all_lists_every_variant_once_and_names_match_clap() {
        assert_eq!(Departure::ALL.len(), Departure::value_variants().len());
        for d in Departure::ALL {
            let clap_name = d.to_possible_value().map(|p| p.get_name().to_string());
            assert_eq!(clap_name.as_deref(), Some(d.name()));
            assert!(!d.warns().is_empty(), "{d} names no requirement");
        }
    }
}
