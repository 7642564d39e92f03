//! A request under construction: built from the interaction table and the configuration, then mutated by
//! steps (a header removed, a claim changed, a format asked for) before it is sent.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

use crate::config::Config;
use crate::gpconnect::headers::{
    AUTHORIZATION, SSP_FROM, SSP_INTERACTION_ID, SSP_TO, SSP_TRACE_ID,
};
use crate::gpconnect::interactions::{Capability, Interaction, Method};
use crate::gpconnect::jwt::{self, Claims};

/// The body of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A FHIR resource, serialised at send time in the format of the Content-Type header.
    Resource(Value),
    /// Raw bytes sent verbatim (malformed bodies).
    Raw(String),
}

/// How the token goes on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// Encode these claims.
    Claims(Claims),
    /// Send this Authorization value verbatim.
    Raw(String),
    /// Send no Authorization header.
    Absent,
}

/// A request about to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestSpec {
    pub interaction: Option<Interaction>,
    pub method: String,
    /// Service root the path is appended to.
    pub base: String,
    /// Path below the service root, starting with `/`.
    pub path: String,
    /// Query parameters, in order, unencoded.
    pub query: Vec<(String, String)>,
    /// Headers other than Authorization, in order; `None` values are removed headers.
    pub headers: Vec<(String, String)>,
    pub token: Token,
    pub body: Option<Body>,
}

impl RequestSpec {
    /// A fully valid request for `interaction`, with `id` substituted into its path.
    pub fn new(config: &Config, interaction: Interaction, id: Option<&str>) -> RequestSpec {
        let spec = interaction.spec();
        let now = chrono::Utc::now().timestamp();
        let reason = if matches!(
            interaction,
            Interaction::MigrateStructuredRecord | Interaction::MigrateDocument
        ) {
            jwt::REASON_MIGRATION
        } else {
            jwt::REASON_DIRECT_CARE
        };
        // Access Record HTML (0.x) writes the claim resources the DSTU2 way, with a `requested_record`.
        let html = spec.capability == Capability::Html;
        let dialect = if html {
            jwt::Dialect::DSTU2
        } else {
            jwt::Dialect::STU3
        };
        let mut claims = Claims::new_in(
            &dialect,
            &config.consumer,
            &config.audience(spec.capability),
            spec.scope,
            reason,
            now,
        );
        if html {
            crate::gpconnect::html::request_organisation(
                &mut claims,
                &config.target.provider_ods_code,
            );
        }
        let media = spec.capability.json_media_type();
        let mut headers = vec![
            (SSP_TRACE_ID.to_string(), uuid::Uuid::new_v4().to_string()),
            (SSP_FROM.to_string(), config.target.consumer_asid.clone()),
            (SSP_TO.to_string(), config.target.provider_asid.clone()),
            (SSP_INTERACTION_ID.to_string(), spec.id.to_string()),
            ("Accept".to_string(), media.to_string()),
        ];
        if spec.method != Method::Get {
            headers.push(("Content-Type".to_string(), media.to_string()));
        }
        RequestSpec {
            interaction: Some(interaction),
            method: spec.method.as_str().to_string(),
            base: config.request_root(spec.capability),
            path: interaction.path_for(id),
            query: Vec::new(),
            headers,
            token: Token::Claims(claims),
            body: None,
        }
    }

    /// Current value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Set (replace) a header. `Authorization` replaces the token with a raw value.
    pub fn set_header(&mut self, name: &str, value: &str) {
        if name.eq_ignore_ascii_case(AUTHORIZATION) {
            self.token = Token::Raw(value.to_string());
            return;
        }
        self.remove_header(name);
        self.headers.push((name.to_string(), value.to_string()));
    }

    /// Remove a header. `Authorization` removes the token.
    pub fn remove_header(&mut self, name: &str) {
        if name.eq_ignore_ascii_case(AUTHORIZATION) {
            self.token = Token::Absent;
            return;
        }
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }

    /// Add a query parameter (keeps existing ones with the same name).
    pub fn add_query(&mut self, name: &str, value: &str) {
        self.query.push((name.to_string(), value.to_string()));
    }

    /// Remove every query parameter with this name.
    pub fn remove_query(&mut self, name: &str) {
        self.query.retain(|(k, _)| k != name);
    }

    /// The JWT claims, when the token is still built from claims.
    pub fn claims_mut(&mut self) -> Option<&mut Claims> {
        match &mut self.token {
            Token::Claims(c) => Some(c),
            _ => None,
        }
    }

    /// The full URL with the query percent-encoded (RFC 3986; `|` as `%7C`).
    pub fn url(&self) -> String {
        let mut url = format!("{}{}", self.base, self.path);
        if !self.query.is_empty() {
            url.push('?');
            let parts: Vec<String> = self
                .query
                .iter()
                .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
                .collect();
            url.push_str(&parts.join("&"));
        }
        url
    }

    /// The Authorization header value that will be sent, if any.
    pub fn authorization(&self) -> Option<String> {
        match &self.token {
            Token::Claims(c) => Some(format!("Bearer {}", c.encode())),
            Token::Raw(v) => Some(v.clone()),
            Token::Absent => None,
        }
    }
}

/// What a query component leaves unescaped: RFC 3986 unreserved characters, plus `$`, `:` and `/`,
/// which the specification's own example URLs carry literally. Everything else, `|` included, is
/// percent-encoded (upper-case hex).
const QUERY_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':')
    .remove(b'/')
    .remove(b'$');

/// Percent-encode a query component (see [`QUERY_COMPONENT`]).
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, QUERY_COMPONENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let mut c = Config::default();
        c.target.foundations_url = "http://127.0.0.1:1/B82617/STU3/1/gpconnect".into();
        c
    }

    #[test]
    fn builds_all_ssp_headers_and_a_token() {
        let r = RequestSpec::new(&config(), Interaction::ReadPatient, Some("2"));
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.url(),
            "http://127.0.0.1:1/B82617/STU3/1/gpconnect/Patient/2"
        );
        assert_eq!(
            r.header("Ssp-InteractionID"),
            Some("urn:nhs:names:services:gpconnect:fhir:rest:read:patient-1")
        );
        assert_eq!(r.header("ssp-from"), Some("200000000359"));
        assert!(r.header("Ssp-TraceID").unwrap().len() == 36);
        assert!(r.header("Content-Type").is_none());
        let auth = r.authorization().unwrap();
        let claims = jwt::decode_authorization(&auth).unwrap();
        assert_eq!(claims["requested_scope"], "patient/*.read");
    }

    #[test]
    fn components_keep_unreserved_characters_and_escape_the_rest() {
        assert_eq!(
            encode_component("a-b.c_d~e:f/g$h"),
            "a-b.c_d~e:f/g$h",
            "unreserved, `:`, `/` and `$` stay as they are"
        );
        assert_eq!(
            encode_component("x y|z&w=v+u%é"),
            "x%20y%7Cz%26w%3Dv%2Bu%25%C3%A9",
            "everything else is escaped as UTF-8 bytes in upper-case hex"
        );
    }

    #[test]
    fn query_is_percent_encoded() {
        let mut r = RequestSpec::new(&config(), Interaction::FindPatient, None);
        r.add_query("identifier", "https://fhir.nhs.uk/Id/nhs-number|9476719931");
        assert!(r
            .url()
            .ends_with("/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C9476719931"));
    }

    #[test]
    fn header_mutations() {
        let mut r = RequestSpec::new(&config(), Interaction::RegisterPatient, None);
        assert!(r.header("Content-Type").is_some());
        r.remove_header("Ssp-From");
        assert!(r.header("Ssp-From").is_none());
        r.set_header("Ssp-To", "1");
        assert_eq!(r.header("Ssp-To"), Some("1"));
        r.remove_header("Authorization");
        assert!(r.authorization().is_none());
        r.set_header("Authorization", "Bearer x");
        assert_eq!(r.authorization().as_deref(), Some("Bearer x"));
    }
}
