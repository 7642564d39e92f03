//! Steps of the cross-cutting features (`features/cross-cutting/`): SSP headers, the JWT, content
//! negotiation, HTTP verbs and paths, error bodies and caching headers, applied to every Foundations
//! interaction.
//!
//! The rules are the same for every interaction, so these features name an interaction and let
//! [`Assurance::start_complete_request`] fill in the test data a provider will accept; the scenario then
//! breaks exactly one thing. The generic request/response steps (`request.rs`, `response.rs`) do the rest.

use cucumber::{given, then};
use serde_json::{json, Value};

use super::request::Subject;
use super::Assurance;
use crate::checks::{self};
use crate::gpconnect::headers::AUTHORIZATION;
use crate::gpconnect::interactions::Capability;
use crate::gpconnect::jwt::{self, Claims};
use crate::gpconnect::systems;
use crate::gpconnect::{register, Interaction};
use crate::http::Body;
use crate::steps::params::{ErrorCodeName, FormatName, InteractionName};
use crate::verdict::{Problem, StepResult};

/// Test-data aliases a "complete" request uses: ordinary, shareable records every provider's test
/// practice holds (mapped per target in `[data]`).
fn default_alias(subject: Subject) -> &'static str {
    match subject {
        Subject::Patient => "patient2",
        Subject::Practitioner => "practitioner1",
        Subject::Organization => crate::config::PRACTICE_ALIAS,
        Subject::Location => "SIT1",
    }
}

impl Assurance {
    /// Start a request for a Foundations interaction that a conformant provider accepts as it is: reads
    /// and finds name the default test data, and Register carries the demographics of the default
    /// patient, who is already registered — so a provider that ignores whatever the scenario then breaks
    /// answers 409 DUPLICATE_REJECTED, and no test patient is ever registered by a negative scenario.
    pub async fn start_complete_request(&mut self, interaction: Interaction) -> StepResult {
        if interaction.spec().capability != Capability::Foundations {
            return Err(format!("complete requests are defined for Foundations interactions; {interaction} is not one").into());
        }
        match (interaction, Subject::of(interaction)) {
            (Interaction::RegisterPatient, _) => {
                let (nhs_number, patient) =
                    self.find_patient(default_alias(Subject::Patient)).await?;
                let body = register::body_from_patient(&nhs_number, &patient);
                let mut spec = self.new_request(interaction, None);
                spec.body = Some(Body::Resource(body));
                self.request = Some(spec);
                Ok(())
            }
            (_, Some(subject)) => {
                self.start_request_for(interaction, default_alias(subject))
                    .await
            }
            (_, None) => {
                self.request = Some(self.new_request(interaction, None));
                Ok(())
            }
        }
    }

    /// The Patient a Find patient returns for `alias` (failing when there is none).
    async fn find_patient(&mut self, alias: &str) -> Result<(String, Value), Problem> {
        let nhs_number = self.alias(Subject::Patient, alias)?;
        let mut spec = self.new_request(Interaction::FindPatient, None);
        spec.add_query(
            "identifier",
            &format!("{}|{nhs_number}", systems::NHS_NUMBER),
        );
        let exchange = self.send_aside(spec).await;
        checks::response::status_is(exchange, 200).map_err(|e| {
            crate::checks::response::in_context(format_args!("finding {alias} ({nhs_number})"), e)
        })?;
        let bundle = checks::response::body_as_json(exchange)?;
        let found = checks::bundle::entries(&bundle)
            .first()
            .map(|p| (*p).clone());
        let found =
            found.ok_or_else(|| format!("finding {alias} ({nhs_number}) returned no patient"))?;
        Ok((nhs_number, found))
    }
}

/// The `Authorization` value for a named malformation of a token carrying `claims`.
fn malformed_authorization(claims: &Claims, how: &str) -> Result<String, Problem> {
    let token = claims.encode();
    let header = json!({"alg": "none", "typ": "JWT"});
    let payload = Value::Object(claims.0.clone());
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    };
    Ok(match how {
        "without the Bearer prefix" => token,
        "with the Basic scheme" => format!("Basic {token}"),
        "empty" => "Bearer ".to_string(),
        "not base64url encoded" => format!("Bearer {header}.{payload}."),
        "without the trailing dot" => format!("Bearer {}", token.trim_end_matches('.')),
        "with a fourth part" => format!("Bearer {token}."),
        "with a signature" => format!("Bearer {token}{}", b64("signature")),
        "signed with HS256" => {
            let signed = jwt::encode_parts(&json!({"alg": "HS256", "typ": "JWT"}), &payload);
            format!("Bearer {signed}{}", b64("signature"))
        }
        "with a payload that is not JSON" => format!("Bearer {}.{}.", b64(&header.to_string()), b64("not json")),
        other => {
            return Err(format!(
                "unknown token malformation {other:?}; known: without the Bearer prefix, with the Basic scheme, empty, \
                 not base64url encoded, without the trailing dot, with a fourth part, with a signature, signed with HS256, \
                 with a payload that is not JSON"
            ).into())
        }
    })
}

fn claims(w: &mut Assurance) -> Result<&mut Claims, Problem> {
    Ok(w.request_mut()?.claims_mut().ok_or_else(|| {
        "the Authorization header was replaced, so there are no JWT claims to change".to_string()
    })?)
}

/// The identifiers array of an embedded resource claim.
fn claim_identifiers<'a>(
    claims: &'a mut Claims,
    claim: &str,
) -> Result<&'a mut Vec<Value>, Problem> {
    Ok(claims
        .0
        .get_mut(claim)
        .and_then(|c| c.get_mut("identifier"))
        .and_then(Value::as_array_mut)
        .ok_or_else(|| format!("the JWT claim {claim} has no identifier array"))?)
}

#[given(expr = "a complete {interaction} request")]
async fn complete_request(w: &mut Assurance, name: InteractionName) -> StepResult {
    let i = name.0;
    w.start_complete_request(i).await
}

#[given(expr = "the query parameter {string} is {string} placed first")]
async fn query_first(w: &mut Assurance, name: String, value: String) -> StepResult {
    w.request_mut()?.query.insert(0, (name, value));
    Ok(())
}

#[given(expr = "the resource type in the request path is written {string}")]
async fn path_type(w: &mut Assurance, written: String) -> StepResult {
    let r = w.request_mut()?;
    let rest = r
        .path
        .trim_start_matches('/')
        .split_once('/')
        .map(|(_, rest)| format!("/{rest}"))
        .unwrap_or_default();
    r.path = format!("/{written}{rest}");
    Ok(())
}

#[given(expr = "the bearer token is sent {string}")]
async fn token_malformed(w: &mut Assurance, how: String) -> StepResult {
    let value = malformed_authorization(claims(w)?, &how)?;
    w.request_mut()?.set_header(AUTHORIZATION, &value);
    Ok(())
}

#[given(
    expr = "the JWT was issued {int} seconds in the future and expires {int} seconds after issue"
)]
async fn issued_in_future(w: &mut Assurance, ahead: i64, lifetime: i64) -> StepResult {
    let iat = chrono::Utc::now().timestamp() + ahead;
    let c = claims(w)?;
    c.set("iat", Value::from(iat));
    c.set("exp", Value::from(iat + lifetime));
    Ok(())
}

#[given(expr = "the JWT claim {string} is sent as a string")]
async fn claim_as_string(w: &mut Assurance, claim: String) -> StepResult {
    let c = claims(w)?;
    let current = c
        .get(&claim)
        .cloned()
        .ok_or_else(|| format!("the JWT has no claim {claim}"))?;
    let text = match current {
        Value::String(s) => s,
        other => other.to_string(),
    };
    c.set(&claim, Value::String(text));
    Ok(())
}

#[given(expr = "the JWT claim {string} has an unknown element {string}")]
async fn claim_unknown_element(w: &mut Assurance, claim: String, element: String) -> StepResult {
    let target = claims(w)?
        .0
        .get_mut(&claim)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| format!("the JWT claim {claim} is not an object"))?;
    target.insert(element, json!("unexpected"));
    Ok(())
}

#[given(expr = "the JWT requesting_practitioner SDS user id and role profile id are {string}")]
async fn practitioner_sds_ids(w: &mut Assurance, value: String) -> StepResult {
    let ids = claim_identifiers(claims(w)?, "requesting_practitioner")?;
    for id in ids.iter_mut() {
        let system = id["system"].as_str().unwrap_or_default();
        if system == systems::SDS_USER_ID || system == systems::SDS_ROLE_PROFILE_ID {
            id["value"] = Value::String(value.clone());
        }
    }
    Ok(())
}

#[given("the JWT requesting_practitioner carries only its SDS user id")]
async fn practitioner_only_sds_user_id(w: &mut Assurance) -> StepResult {
    let ids = claim_identifiers(claims(w)?, "requesting_practitioner")?;
    ids.retain(|id| id["system"] == systems::SDS_USER_ID);
    Ok(())
}

#[given("the JWT requesting_organization uses the DSTU2 ODS code system")]
async fn organization_dstu2_system(w: &mut Assurance) -> StepResult {
    let ids = claim_identifiers(claims(w)?, "requesting_organization")?;
    for id in ids
        .iter_mut()
        .filter(|id| id["system"] == systems::ODS_ORGANIZATION_CODE)
    {
        id["system"] = Value::from(systems::ODS_ORGANIZATION_CODE_DSTU2);
    }
    Ok(())
}

#[given("the JWT requesting_organization has no ODS code")]
async fn organization_without_ods(w: &mut Assurance) -> StepResult {
    let ids = claim_identifiers(claims(w)?, "requesting_organization")?;
    ids.retain(|id| id["system"] != systems::ODS_ORGANIZATION_CODE);
    Ok(())
}

#[then("the response refuses the HTTP method")]
async fn method_refused(w: &mut Assurance) -> StepResult {
    Ok(checks::protocol::method_refused(w.response()?)?)
}

#[then(expr = "the response is a success or the error {error}")]
async fn success_or_error(w: &mut Assurance, code: ErrorCodeName) -> StepResult {
    Ok(checks::protocol::success_or_error(w.response()?, code.0)?)
}

#[then("the OperationOutcome diagnostics say what was wrong")]
async fn diagnostics(w: &mut Assurance) -> StepResult {
    Ok(checks::protocol::diagnostics_present(w.response()?)?)
}

#[then("the response is 415 Unsupported Media Type")]
async fn unsupported(w: &mut Assurance) -> StepResult {
    Ok(checks::negotiation::unsupported_media_type(w.response()?)?)
}

#[then(expr = "the DSTU2 media type is refused or answered in FHIR {format}")]
async fn dstu2(w: &mut Assurance, f: FormatName) -> StepResult {
    Ok(checks::negotiation::dstu2_media_type_handled(
        w.response()?,
        f.0,
    )?)
}

#[then("the response body is FHIR JSON or XML")]
async fn either_format(w: &mut Assurance) -> StepResult {
    Ok(checks::negotiation::body_is_fhir(w.response()?)?)
}

#[then("the response body was gzip-compressed")]
async fn gzip(w: &mut Assurance) -> StepResult {
    Ok(checks::negotiation::gzip_encoded(w.response()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpconnect::jwt::{decode_authorization, ConsumerIdentity, DecodeError};

    fn claims() -> Claims {
        Claims::new(
            &ConsumerIdentity::default(),
            "https://p/B82617/STU3/1/gpconnect",
            "organization/*.read",
            jwt::REASON_DIRECT_CARE,
            1000,
        )
    }

    #[test]
    fn each_malformation_breaks_the_token_the_way_it_says() {
        let c = claims();
        let decode = |how: &str| decode_authorization(&malformed_authorization(&c, how).unwrap());
        assert_eq!(
            decode("without the Bearer prefix"),
            Err(DecodeError::NotBearer)
        );
        assert_eq!(decode("with the Basic scheme"), Err(DecodeError::NotBearer));
        assert!(decode("empty").is_err());
        assert!(decode("not base64url encoded").is_err());
        assert_eq!(
            decode("without the trailing dot"),
            Err(DecodeError::WrongShape)
        );
        assert_eq!(decode("with a fourth part"), Err(DecodeError::WrongShape));
        assert_eq!(decode("with a signature"), Err(DecodeError::Signed));
        assert_eq!(decode("signed with HS256"), Err(DecodeError::Signed));
        assert_eq!(
            decode("with a payload that is not JSON"),
            Err(DecodeError::NotJson)
        );
        assert!(malformed_authorization(&c, "sideways")
            .unwrap_err()
            .message
            .contains("known"));
    }
}
