//! The GP Connect JWT (Cross-organisation audit and provenance: JWT): an unsecured token (`alg: none`, empty signature) carrying the
//! audit claims of the requesting user, organisation and device.
//!
//! Cross-organisation audit and provenance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_cross_organisation_audit_and_provenance.html>

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::systems;

/// Lifetime of a token: `exp` is exactly 300 s after `iat`.
pub const LIFETIME_SECONDS: i64 = 300;
/// Reason for request for direct care.
pub const REASON_DIRECT_CARE: &str = "directcare";
/// Reason for request for the migrate interactions (1.6.0+).
pub const REASON_MIGRATION: &str = "migration";

/// Every claim a 1.x token SHALL carry.
pub const REQUIRED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "reason_for_request",
    "requested_scope",
    "requesting_device",
    "requesting_organization",
    "requesting_practitioner",
];

/// Who is asking: the values a consumer system puts in the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsumerIdentity {
    /// `iss`: the consumer system's Spine endpoint URL.
    pub issuer: String,
    /// ODS code of the requesting organisation.
    pub organization_ods_code: String,
    /// Name of the requesting organisation.
    pub organization_name: String,
    /// Local user id (also `sub` and `requesting_practitioner.id`).
    pub practitioner_id: String,
    /// SDS user id, or `UNK`.
    pub practitioner_sds_user_id: String,
    /// SDS role profile id, or `UNK`.
    pub practitioner_sds_role_profile_id: String,
    pub practitioner_family: String,
    pub practitioner_given: String,
    pub practitioner_prefix: String,
    /// System of the consumer's local user identifier.
    pub practitioner_local_system: String,
    pub device_system: String,
    pub device_id: String,
    pub device_model: String,
    pub device_version: String,
}

impl Default for ConsumerIdentity {
    fn default() -> Self {
        ConsumerIdentity {
            issuer: "https://consumer.gpc-assure.test/".into(),
            organization_ods_code: "A1001".into(),
            organization_name: "gpc-assure Test Hospital".into(),
            practitioner_id: "10019".into(),
            practitioner_sds_user_id: "111222333444".into(),
            practitioner_sds_role_profile_id: "444555666777".into(),
            practitioner_family: "Jones".into(),
            practitioner_given: "Claire".into(),
            practitioner_prefix: "Dr".into(),
            practitioner_local_system: "https://consumer.gpc-assure.test/Id/user-guid".into(),
            device_system: "https://consumer.gpc-assure.test/Id/device-identifier".into(),
            device_id: "GPC-ASSURE".into(),
            device_model: "gpc-assure".into(),
            device_version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

impl ConsumerIdentity {
    /// The `requesting_device` claim.
    pub fn device(&self) -> Value {
        json!({
            "resourceType": "Device",
            "identifier": [{"system": self.device_system, "value": self.device_id}],
            "model": self.device_model,
            "version": self.device_version,
        })
    }

    /// The `requesting_organization` claim.
    pub fn organization(&self) -> Value {
        self.organization_in(&Dialect::STU3)
    }

    /// The `requesting_organization` claim in `dialect`.
    pub fn organization_in(&self, dialect: &Dialect) -> Value {
        let mut o = json!({
            "resourceType": "Organization",
            "identifier": [{"system": dialect.ods_code, "value": self.organization_ods_code}],
            "name": self.organization_name,
        });
        if dialect.resource_ids {
            o["id"] = json!("1");
        }
        o
    }

    /// The `requesting_practitioner` claim.
    pub fn practitioner(&self) -> Value {
        self.practitioner_in(&Dialect::STU3)
    }

    /// The `requesting_practitioner` claim in `dialect`.
    pub fn practitioner_in(&self, dialect: &Dialect) -> Value {
        let mut identifier =
            vec![json!({"system": dialect.sds_user_id, "value": self.practitioner_sds_user_id})];
        if let Some(system) = dialect.sds_role_profile_id {
            identifier
                .push(json!({"system": system, "value": self.practitioner_sds_role_profile_id}));
        }
        identifier
            .push(json!({"system": self.practitioner_local_system, "value": self.practitioner_id}));
        let name = if dialect.dstu2_names {
            // DSTU2: one HumanName, `family` a list.
            json!({
                "family": [self.practitioner_family],
                "given": [self.practitioner_given],
                "prefix": [self.practitioner_prefix],
            })
        } else {
            json!([{
                "family": self.practitioner_family,
                "given": [self.practitioner_given],
                "prefix": [self.practitioner_prefix],
            }])
        };
        let mut p = json!({
            "resourceType": "Practitioner",
            "id": self.practitioner_id,
            "identifier": identifier,
            "name": name,
        });
        if let Some(system) = dialect.job_role {
            p["practitionerRole"] =
                json!([{"role": {"coding": [{"system": system, "code": "UNK"}]}}]);
        }
        p
    }

    /// The `requesting_device` claim in `dialect`.
    pub fn device_in(&self, dialect: &Dialect) -> Value {
        let mut d = self.device();
        if dialect.resource_ids {
            d["id"] = json!("1");
        }
        d
    }
}

/// How one generation of GP Connect writes the resources inside a token: the identifier systems, and the
/// shapes that differ between FHIR STU3 (1.x) and DSTU2 (0.x).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub ods_code: &'static str,
    pub sds_user_id: &'static str,
    /// The SDS role profile identifier (1.x only).
    pub sds_role_profile_id: Option<&'static str>,
    /// The job-role coding system of `practitionerRole` (0.x only).
    pub job_role: Option<&'static str>,
    /// DSTU2 HumanName (`name` one object, `family` a list).
    pub dstu2_names: bool,
    /// The claim resources carry logical ids (0.x).
    pub resource_ids: bool,
}

impl Dialect {
    /// GP Connect 1.x (FHIR STU3).
    pub const STU3: Dialect = Dialect {
        ods_code: systems::ODS_ORGANIZATION_CODE,
        sds_user_id: systems::SDS_USER_ID,
        sds_role_profile_id: Some(systems::SDS_ROLE_PROFILE_ID),
        job_role: None,
        dstu2_names: false,
        resource_ids: false,
    };
    /// GP Connect 0.x, Access Record HTML (FHIR DSTU2).
    pub const DSTU2: Dialect = Dialect {
        ods_code: super::html::systems::ODS_ORGANIZATION_CODE,
        sds_user_id: super::html::systems::JWT_SDS_USER_ID,
        sds_role_profile_id: None,
        job_role: Some(super::html::systems::SDS_JOB_ROLE),
        dstu2_names: true,
        resource_ids: true,
    };
}

/// The claims of one token, editable before encoding (steps mutate them to build bad tokens).
#[derive(Debug, Clone, PartialEq)]
pub struct Claims(pub Map<String, Value>);

impl Claims {
    /// A complete, valid claim set issued at `iat` (Unix seconds) for a request to `audience` with `scope`.
    pub fn new(
        identity: &ConsumerIdentity,
        audience: &str,
        scope: &str,
        reason: &str,
        iat: i64,
    ) -> Claims {
        Claims::new_in(&Dialect::STU3, identity, audience, scope, reason, iat)
    }

    /// As [`Claims::new`], with the claim resources written in `dialect`.
    pub fn new_in(
        dialect: &Dialect,
        identity: &ConsumerIdentity,
        audience: &str,
        scope: &str,
        reason: &str,
        iat: i64,
    ) -> Claims {
        let mut m = Map::new();
        m.insert("iss".into(), json!(identity.issuer));
        m.insert("sub".into(), json!(identity.practitioner_id));
        // Credentials in a service root are for reaching it, never for the provider to read in a claim.
        m.insert(
            "aud".into(),
            json!(crate::redact::without_userinfo(audience)),
        );
        m.insert("exp".into(), json!(iat + LIFETIME_SECONDS));
        m.insert("iat".into(), json!(iat));
        m.insert("reason_for_request".into(), json!(reason));
        m.insert("requested_scope".into(), json!(scope));
        m.insert("requesting_device".into(), identity.device_in(dialect));
        m.insert(
            "requesting_organization".into(),
            identity.organization_in(dialect),
        );
        m.insert(
            "requesting_practitioner".into(),
            identity.practitioner_in(dialect),
        );
        Claims(m)
    }

    pub fn get(&self, claim: &str) -> Option<&Value> {
        self.0.get(claim)
    }

    pub fn set(&mut self, claim: &str, value: Value) {
        self.0.insert(claim.to_string(), value);
    }

    pub fn remove(&mut self, claim: &str) {
        self.0.remove(claim);
    }

    /// Encode as `base64url(header).base64url(payload).` with the empty signature.
    pub fn encode(&self) -> String {
        let payload = serde_json::to_string(&self.0).unwrap_or_default();
        format!("{UNSECURED_HEADER}.{}.", URL_SAFE_NO_PAD.encode(payload))
    }
}

/// `{"alg":"none","typ":"JWT"}`, base64url-encoded: the header of every token [`Claims::encode`] writes.
const UNSECURED_HEADER: &str = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";

/// Encode any header and payload as an unsecured JWT. Built by hand (with the `base64` crate) because
/// JWT crates refuse to write or read `alg: none` tokens, and scenarios must also send malformed ones.
pub fn encode_parts(header: &Value, payload: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    )
}

/// Why a bearer token could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Not `Bearer <token>`.
    NotBearer,
    /// Not three dot-separated parts.
    WrongShape,
    /// A part is not base64url.
    NotBase64,
    /// A part is not a JSON object.
    NotJson,
    /// The header is not `alg: none`.
    NotUnsecured,
    /// A signature is present.
    Signed,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotBearer => "the Authorization header is not of the form 'Bearer <token>'",
            Self::WrongShape => {
                "the token is not three dot-separated parts ending with an empty signature"
            }
            Self::NotBase64 => "a part of the token is not base64url encoded",
            Self::NotJson => "a part of the token is not a JSON object",
            Self::NotUnsecured => "the token header is not {\"alg\":\"none\",\"typ\":\"JWT\"}",
            Self::Signed => "the token carries a signature; GP Connect tokens are unsigned",
        })
    }
}

/// Decode the claims of an `Authorization` header value.
pub fn decode_authorization(header: &str) -> Result<Map<String, Value>, DecodeError> {
    let token = header
        .strip_prefix("Bearer ")
        .ok_or(DecodeError::NotBearer)?;
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(DecodeError::WrongShape);
    }
    if !parts[2].is_empty() {
        return Err(DecodeError::Signed);
    }
    let decode = |p: &str| -> Result<Map<String, Value>, DecodeError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(p.trim_end_matches('='))
            .map_err(|_| DecodeError::NotBase64)?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(DecodeError::NotJson),
        }
    };
    let header = decode(parts[0])?;
    if header.get("alg").and_then(Value::as_str) != Some("none") {
        return Err(DecodeError::NotUnsecured);
    }
    decode(parts[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_unsigned_token_with_all_claims() {
        let c = Claims::new(
            &ConsumerIdentity::default(),
            "https://p/GP1/STU3/1",
            "patient/*.read",
            REASON_DIRECT_CARE,
            1000,
        );
        let token = c.encode();
        assert!(token.ends_with('.'));
        assert_eq!(token.matches('.').count(), 2);
        let decoded = decode_authorization(&format!("Bearer {token}")).unwrap();
        for claim in REQUIRED_CLAIMS {
            assert!(decoded.contains_key(*claim), "{claim}");
        }
        assert_eq!(
            decoded["exp"].as_i64().unwrap() - decoded["iat"].as_i64().unwrap(),
            300
        );
        assert_eq!(decoded["sub"], decoded["requesting_practitioner"]["id"]);
        assert_eq!(Value::Object(decoded), Value::Object(c.0.clone()));
        assert_eq!(
            token.split('.').next(),
            Some(
                URL_SAFE_NO_PAD
                    .encode(json!({"alg": "none", "typ": "JWT"}).to_string())
                    .as_str()
            ),
            "the header is alg none"
        );
    }

    #[test]
    fn the_audience_never_carries_url_credentials() {
        let c = Claims::new(
            &ConsumerIdentity::default(),
            "https://user:pa55@p.example/B82617/STU3/1/gpconnect",
            "patient/*.read",
            REASON_DIRECT_CARE,
            1000,
        );
        assert_eq!(
            c.get("aud").unwrap(),
            "https://p.example/B82617/STU3/1/gpconnect"
        );
        assert!(!c.encode().contains("pa55"));
    }

    #[test]
    fn rejects_malformed_tokens() {
        assert_eq!(
            decode_authorization("Basic abc"),
            Err(DecodeError::NotBearer)
        );
        assert_eq!(
            decode_authorization("Bearer abc"),
            Err(DecodeError::WrongShape)
        );
        assert_eq!(
            decode_authorization("Bearer a.b.c"),
            Err(DecodeError::Signed)
        );
        assert_eq!(
            decode_authorization("Bearer !!.??."),
            Err(DecodeError::NotBase64)
        );
        let signed_header = encode_parts(&json!({"alg": "HS256"}), &json!({}));
        assert_eq!(
            decode_authorization(&format!("Bearer {signed_header}")),
            Err(DecodeError::NotUnsecured)
        );
    }
}
