//! Closed vocabularies of the features as cucumber parameter types. A phrase outside the vocabulary
//! does not match the step at all, so `cargo test` (which matches every feature step against the
//! definitions, tests/step_definitions.rs) catches a typo before any run; at run time it would be an
//! error of the run, never a provider failure.
//!
//! Each parameter's regex lists its vocabulary literally (cucumber needs a constant); a unit test keeps
//! each list equal to its table in [`crate::gpconnect`].

use std::str::FromStr;

use crate::certs::ClientCert;
use crate::checks::response::Format;
use crate::gpconnect::transport::ProtocolVersion;
use crate::gpconnect::{ErrorCode, Interaction};

/// The text between the quotes of a quoted parameter.
fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// An interaction named in a feature, quoted: `"read patient"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InteractionName(pub Interaction);

impl cucumber::Parameter for InteractionName {
    const REGEX: &'static str = r#""(?:metadata|read patient|find patient|read practitioner|find practitioner|read organisation|find organisation|read location|register patient|search free slots|read appointment|book appointment|amend appointment|cancel appointment|retrieve appointments|get structured record|structured metadata|migrate structured record|documents metadata|documents find patient|search documents|retrieve document|migrate document|html metadata|get care record)""#;
    const NAME: &'static str = "interaction";
}

impl FromStr for InteractionName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let name = unquote(s);
        Interaction::from_name(name)
            .map(InteractionName)
            .ok_or_else(|| format!("unknown interaction {name:?}"))
    }
}

/// A GP Connect error code named in a feature, quoted: `"INVALID_NHS_NUMBER"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCodeName(pub ErrorCode);

impl cucumber::Parameter for ErrorCodeName {
    const REGEX: &'static str = r#""(?:INVALID_IDENTIFIER_SYSTEM|INVALID_IDENTIFIER_VALUE|INVALID_NHS_NUMBER|INVALID_PATIENT_DEMOGRAPHICS|ORGANISATION_NOT_FOUND|PATIENT_NOT_FOUND|PRACTITIONER_NOT_FOUND|NO_RECORD_FOUND|NO_PATIENT_CONSENT|NO_ORGANISATIONAL_CONSENT|ACCESS DENIED|NO_RELATIONSHIP|NOT_AUTHORISED|DUPLICATE_REJECTED|FHIR_CONSTRAINT_VIOLATION|INVALID_RESOURCE|INVALID_PARAMETER|REFERENCE_NOT_FOUND|BAD_REQUEST|CONFLICTING_VALUES|NOT_IMPLEMENTED|INTERNAL_SERVER_ERROR|UNSUPPORTED_MEDIA_TYPE)""#;
    const NAME: &'static str = "error";
}

impl FromStr for ErrorCodeName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let code = unquote(s);
        ErrorCode::from_code(code)
            .map(ErrorCodeName)
            .ok_or_else(|| format!("{code:?} is not a GP Connect error code"))
    }
}

/// A FHIR wire format named in a feature, bare: `JSON` or `XML`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatName(pub Format);

impl cucumber::Parameter for FormatName {
    const REGEX: &'static str = "JSON|XML";
    const NAME: &'static str = "format";
}

impl FromStr for FormatName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::parse(s)
            .map(FormatName)
            .ok_or_else(|| format!("unknown format {s:?}; use JSON or XML"))
    }
}

/// A client certificate of the test kit named in a feature, quoted: `"expired"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientCertName(pub ClientCert);

impl cucumber::Parameter for ClientCertName {
    const REGEX: &'static str =
        r#""(?:valid|expired|not yet valid|from another authority|not for client authentication)""#;
    const NAME: &'static str = "certificate";
}

impl FromStr for ClientCertName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let phrase = unquote(s);
        ClientCert::from_phrase(phrase)
            .map(ClientCertName)
            .ok_or_else(|| format!("unknown client certificate {phrase:?}"))
    }
}

/// A TLS or SSL protocol version named in a feature, quoted: `"TLS 1.1"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolName(pub ProtocolVersion);

impl cucumber::Parameter for ProtocolName {
    const REGEX: &'static str = r#""(?:SSLv2|SSLv3|TLS 1\.0|TLS 1\.1|TLS 1\.2|TLS 1\.3)""#;
    const NAME: &'static str = "protocol";
}

impl FromStr for ProtocolName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let name = unquote(s);
        ProtocolVersion::from_name(name)
            .map(ProtocolName)
            .ok_or_else(|| format!("unknown protocol version {name:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cucumber::Parameter;

    #[test]
    fn the_client_certificate_and_protocol_vocabularies_are_their_tables() {
        let mut listed = alternatives(ClientCertName::REGEX);
        let mut table: Vec<String> = ClientCert::ALL
            .iter()
            .map(|c| c.phrase().to_string())
            .collect();
        listed.sort();
        table.sort();
        assert_eq!(listed, table);
        let mut listed: Vec<String> = alternatives(ProtocolName::REGEX)
            .into_iter()
            .map(|a| a.replace("\\.", "."))
            .collect();
        let mut table: Vec<String> = ProtocolVersion::ALL
            .iter()
            .map(|v| v.name().to_string())
            .collect();
        listed.sort();
        table.sort();
        assert_eq!(listed, table);
        assert!("\"TLS 1.0\"".parse::<ProtocolName>().is_ok());
        assert!("\"expired\"".parse::<ClientCertName>().is_ok());
    }

    /// The alternatives of a parameter regex, quotes and group removed.
    fn alternatives(regex: &str) -> Vec<String> {
        regex
            .trim_matches('"')
            .trim_start_matches("(?:")
            .trim_end_matches(')')
            .split('|')
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_interaction_vocabulary_is_the_interaction_table() {
        let mut listed = alternatives(InteractionName::REGEX);
        let mut table: Vec<String> = Interaction::names().iter().map(|n| n.to_string()).collect();
        listed.sort();
        table.sort();
        assert_eq!(listed, table);
        for name in &table {
            let quoted = format!("\"{name}\"");
            assert_eq!(
                quoted.parse::<InteractionName>().unwrap().0.spec().name,
                name
            );
        }
        assert!("\"read patients\"".parse::<InteractionName>().is_err());
    }

    #[test]
    fn the_error_vocabulary_is_the_error_code_table() {
        let mut listed = alternatives(ErrorCodeName::REGEX);
        let mut table: Vec<String> = ErrorCode::ALL
            .iter()
            .map(|c| c.code().to_string())
            .collect();
        listed.sort();
        table.sort();
        assert_eq!(listed, table);
        for code in &table {
            assert!(format!("\"{code}\"").parse::<ErrorCodeName>().is_ok());
        }
        assert!("\"NOT_A_CODE\"".parse::<ErrorCodeName>().is_err());
    }

    #[test]
    fn formats_parse_and_nothing_else() {
        assert_eq!("JSON".parse::<FormatName>().unwrap().0, Format::Json);
        assert_eq!("XML".parse::<FormatName>().unwrap().0, Format::Xml);
        assert!("YAML".parse::<FormatName>().is_err());
    }
}
