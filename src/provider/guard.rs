//! The checks every request passes before a handler runs (Security guidance; Cross-organisation audit and provenance: JWT): SSP headers, the
//! provider ASID, the interaction id for this endpoint and verb, and the JWT claims.
//!
//! Installed per route with [`guarded`], which names the interaction(s) the route serves; the matched
//! [`Interaction`] is put in the request extensions for handlers that serve more than one (amend/cancel).
//!
//! Security guidance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_api_security_guidance.html>
//! Cross-organisation audit and provenance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_cross_organisation_audit_and_provenance.html>

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::MethodRouter;
use serde_json::{Map, Value};

use super::departures::{Departure, IAT_LEEWAY_SECONDS};
use super::faults::Fault;
use super::outcome::ApiError;
use super::state::ProviderState;
use crate::gpconnect::headers::{AUTHORIZATION, SSP_FROM, SSP_HEADERS, SSP_INTERACTION_ID, SSP_TO};
use crate::gpconnect::interactions::Capability;
use crate::gpconnect::jwt::{self, REQUIRED_CLAIMS};
use crate::gpconnect::{systems, Interaction};

/// Wrap a route so that it only runs for requests that pass the guard for one of `interactions`.
pub fn guarded(
    state: &Arc<ProviderState>,
    interactions: &[Interaction],
    route: MethodRouter<Arc<ProviderState>>,
) -> MethodRouter<Arc<ProviderState>> {
    let interactions: Arc<[Interaction]> = interactions.into();
    route.route_layer(middleware::from_fn_with_state(
        state.clone(),
        move |State(state): State<Arc<ProviderState>>, mut req: Request, next: Next| {
            let interactions = interactions.clone();
            async move {
                match check(&state, req.headers(), &interactions) {
                    Ok(interaction) => {
                        req.extensions_mut().insert(interaction);
                        next.run(req).await
                    }
                    Err(e) => e.into_response(),
                }
            }
        },
    ))
}

/// Run every check; the interaction the request asked for on success.
pub fn check(
    state: &ProviderState,
    headers: &HeaderMap,
    interactions: &[Interaction],
) -> Result<Interaction, ApiError> {
    let faults = &state.faults;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };

    let capability = interactions.first().map(|i| i.spec().capability);
    let ssp_ignored = ssp_ignored_on(faults, capability);
    let jwt_ignored =
        capability == Some(Capability::Structured) && faults.has(Fault::StructuredIgnoresJwt);
    if !faults.has(Fault::AcceptMissingSspHeader) {
        let ssp: &[&str] = if ssp_ignored { &[] } else { &SSP_HEADERS };
        let auth: &[&str] = if jwt_ignored { &[] } else { &[AUTHORIZATION] };
        for name in ssp.iter().chain(auth) {
            if header(name).is_none() {
                return Err(ApiError::bad_request(format!(
                    "the {name} header is missing or empty"
                )));
            }
        }
        if let Some(from) = header(SSP_FROM).filter(|_| !ssp_ignored) {
            if !from.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ApiError::bad_request(format!(
                    "{SSP_FROM} {from:?} is not a numeric ASID"
                )));
            }
        }
    }
    if !faults.has(Fault::AcceptWrongAsid) && !ssp_ignored {
        if let Some(to) = header(SSP_TO) {
            if to != state.settings.asid {
                return Err(ApiError::bad_request(format!(
                    "{SSP_TO} {to:?} is not this provider's ASID {}",
                    state.settings.asid
                )));
            }
        }
    }
    let asked = header(SSP_INTERACTION_ID);
    let matched = asked.and_then(|id| interactions.iter().copied().find(|i| i.spec().id == id));
    let lenient = faults.has(Fault::IgnoreInteractionId) || asked.is_none() || ssp_ignored;
    let interaction =
        match (matched, interactions.first()) {
            (Some(i), _) => i,
            (None, Some(first)) if lenient => *first,
            _ => {
                return Err(ApiError::bad_request(format!(
                "{SSP_INTERACTION_ID} {:?} is not valid for this endpoint and verb (expected {})",
                asked.unwrap_or_default(),
                interactions.iter().map(|i| i.spec().id).collect::<Vec<_>>().join(" or ")
            )))
            }
        };
    match header(AUTHORIZATION) {
        _ if jwt_ignored => {}
        Some(auth) => check_jwt(state, auth, interaction)?,
        None if faults.has(Fault::AcceptMissingSspHeader) => {}
        None => {
            return Err(ApiError::bad_request(format!(
                "the {AUTHORIZATION} header is missing"
            )))
        }
    }
    Ok(interaction)
}

/// Whether a fault switches the SSP header checks off on the endpoints of `capability`.
fn ssp_ignored_on(faults: &super::faults::FaultSet, capability: Option<Capability>) -> bool {
    match capability {
        Some(Capability::Appointments) => faults.has(Fault::AppointmentsIgnoreSspHeaders),
        Some(Capability::Structured) => faults.has(Fault::StructuredIgnoresSspHeaders),
        _ => false,
    }
}

/// The JWT claims rules of Cross-organisation audit and provenance and the JWT table of NHS Digital's provider test suite.
fn check_jwt(
    state: &ProviderState,
    authorization: &str,
    interaction: Interaction,
) -> Result<(), ApiError> {
    let claims = jwt::decode_authorization(authorization)
        .map_err(|e| ApiError::bad_request(format!("the bearer token is invalid: {e}")))?;
    // Migrate structured record (1.6.0+) is made by a system: requesting_practitioner is a SHOULD there.
    let practitioner_optional = interaction == Interaction::MigrateStructuredRecord
        && !state.faults.has(Fault::MigrateRequiresPractitioner);
    let absent = |claim: &str| claims.get(claim).is_none_or(Value::is_null);
    for claim in REQUIRED_CLAIMS {
        if *claim == "requesting_practitioner" && practitioner_optional {
            continue;
        }
        if absent(claim) {
            return Err(ApiError::bad_request(format!(
                "the JWT claim {claim} is missing"
            )));
        }
    }
    non_empty_string(&claims, "iss")?;
    non_empty_string(&claims, "aud")?;
    let sub = non_empty_string(&claims, "sub")?;

    let exp = integer(&claims, "exp")?;
    let iat = integer(&claims, "iat")?;
    if exp - iat != jwt::LIFETIME_SECONDS {
        return Err(ApiError::bad_request(format!(
            "JWT exp - iat is {} seconds; it must be exactly {}",
            exp - iat,
            jwt::LIFETIME_SECONDS
        )));
    }
    let now = chrono::Utc::now().timestamp();
    if state.settings.departs(Departure::ValidateIat) && iat > now + IAT_LEEWAY_SECONDS {
        return Err(ApiError::bad_request(format!(
            "the JWT was issued at {iat}, {} seconds in the future",
            iat - now
        )));
    }
    if exp < now && !state.faults.has(Fault::AcceptExpiredJwt) {
        return Err(ApiError::bad_request(format!(
            "the JWT expired at {exp} (exp is in the past)"
        )));
    }

    let reason = non_empty_string(&claims, "reason_for_request")?;
    let expected_reason = required_reason(interaction);
    if reason != expected_reason {
        return Err(ApiError::bad_request(format!(
            "JWT reason_for_request {reason:?} is not valid here; expected {expected_reason:?}"
        )));
    }

    let scope = non_empty_string(&claims, "requested_scope")?;
    if !state.faults.has(Fault::IgnoreScope) {
        check_scope(scope, interaction)?;
    }

    embedded(&claims, "requesting_device", "Device")?;
    let organization = embedded(&claims, "requesting_organization", "Organization")?;
    if !has_ods_identifier(organization) {
        return Err(ApiError::invalid_resource(
            "JWT requesting_organization has no identifier with an ODS organisation code",
        ));
    }
    if practitioner_optional && absent("requesting_practitioner") {
        return Ok(());
    }
    let practitioner = embedded(&claims, "requesting_practitioner", "Practitioner")?;
    let practitioner_id = practitioner
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if practitioner_id != sub {
        return Err(ApiError::bad_request(format!(
            "JWT sub {sub:?} does not equal requesting_practitioner.id {practitioner_id:?}"
        )));
    }
    Ok(())
}

/// `directcare`, except the GP2GP migrate interactions which use `migration` (1.6.0+).
fn required_reason(interaction: Interaction) -> &'static str {
    match interaction {
        Interaction::MigrateStructuredRecord | Interaction::MigrateDocument => {
            jwt::REASON_MIGRATION
        }
        _ => jwt::REASON_DIRECT_CARE,
    }
}

/// The first token must be the interaction's scope; confidentiality scopes (`conf/N`, `conf/R`) may
/// follow on capabilities that use them.
fn check_scope(scope: &str, interaction: Interaction) -> Result<(), ApiError> {
    let expected = interaction.spec().scope;
    let mut tokens = scope.split_whitespace();
    let first = tokens.next().unwrap_or_default();
    let confidentiality_ok = |t: &str| {
        matches!(
            interaction.spec().capability,
            Capability::Structured | Capability::Documents
        ) && (t == "conf/N" || t == "conf/R")
    };
    if first != expected || !tokens.all(confidentiality_ok) {
        return Err(ApiError::bad_request(format!(
            "JWT requested_scope {scope:?} is not valid for {interaction}; expected {expected:?}"
        )));
    }
    Ok(())
}

fn non_empty_string<'a>(claims: &'a Map<String, Value>, claim: &str) -> Result<&'a str, ApiError> {
    match claims.get(claim).and_then(Value::as_str).map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ApiError::bad_request(format!(
            "the JWT claim {claim} must be a non-empty string"
        ))),
    }
}

fn integer(claims: &Map<String, Value>, claim: &str) -> Result<i64, ApiError> {
    claims.get(claim).and_then(Value::as_i64).ok_or_else(|| {
        ApiError::bad_request(format!(
            "the JWT claim {claim} must be an integer (Unix seconds)"
        ))
    })
}

/// An embedded FHIR resource claim: an object with the given `resourceType` (422 INVALID_RESOURCE
/// otherwise, as the official suite expects).
fn embedded<'a>(
    claims: &'a Map<String, Value>,
    claim: &str,
    resource_type: &str,
) -> Result<&'a Value, ApiError> {
    let value = claims.get(claim).filter(|v| v.is_object()).ok_or_else(|| {
        ApiError::invalid_resource(format!(
            "the JWT claim {claim} is not a FHIR {resource_type} resource"
        ))
    })?;
    let actual = value
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if actual != resource_type {
        return Err(ApiError::invalid_resource(format!(
            "the JWT claim {claim} has resourceType {actual:?}; expected {resource_type:?}"
        )));
    }
    if value.get("identifier").is_some_and(|i| !i.is_array()) {
        return Err(ApiError::invalid_resource(format!(
            "the JWT claim {claim}.identifier is not an array"
        )));
    }
    // A claim resource must be a valid base STU3 resource (the spec's resource-validation rule:
    // INVALID_RESOURCE); it need not conform to any GP Connect profile.
    if let Ok(validator) = crate::fhir::validator() {
        let errors: Vec<String> = validator
            .validate(value, None, crate::fhir::ProfileSet::Latest)
            .into_iter()
            .filter(|i| i.severity == crate::fhir::Severity::Error)
            .map(|i| format!("{}: {}", i.location, i.message))
            .collect();
        if !errors.is_empty() {
            return Err(ApiError::invalid_resource(format!(
                "the JWT claim {claim} is not a valid FHIR {resource_type}: {}",
                errors.join("; ")
            )));
        }
    }
    Ok(value)
}

/// Whether an Organization carries an ODS code (the DSTU2 system is still accepted: the suite's "RC5
/// backward compatibility" case).
fn has_ods_identifier(organization: &Value) -> bool {
    organization
        .get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|id| {
            let system = id.get("system").and_then(Value::as_str).unwrap_or_default();
            let value = id.get("value").and_then(Value::as_str).unwrap_or_default();
            (system == systems::ODS_ORGANIZATION_CODE
                || system == systems::ODS_ORGANIZATION_CODE_DSTU2)
                && !value.trim().is_empty()
        })
}
