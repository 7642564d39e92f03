//! Access Record Structured, served from its own root `/{ODS}/STU3/1/gpconnect/structured`:
//! the structured CapabilityStatement, `$gpc.getstructuredrecord` and (1.6.0+)
//! `$gpc.migratestructuredrecord`.
//!
//! Behaviour follows `ProviderSettings::structured_version`, so one binary can play a 1.2.7 provider
//! (allergies and medications only, no Bundle.id) or a 1.6.2 one; the version rules themselves are the
//! tables of [`crate::gpconnect::structured`].
//!
//! Migrate a patient's structured record: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_migrate_patient_record.html>
//! Access Record Structured: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured.html>

pub mod bundle;
pub mod params;
pub mod record;
pub mod render;

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde_json::{json, Value};

use super::guard::guarded;
use super::negotiate::FhirBody;
use super::outcome::ApiError;
use super::respond::Fhir;
use super::state::{PatientRecord, ProviderState, RegistrationType};
use crate::config::{DataAliases, MIGRATION_PRACTICE_ALIAS};
use crate::gpconnect::capability as cap;
use crate::gpconnect::headers::{AUTHORIZATION, SSP_TRACE_ID};
use crate::gpconnect::structured::{self as gs, since, Version};
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::{jwt, ErrorCode, Interaction};

/// Routes relative to the structured service root.
pub fn routes(state: &Arc<ProviderState>) -> Router<Arc<ProviderState>> {
    Router::new()
        .route(
            Interaction::StructuredMetadata.spec().path,
            guarded(state, &[Interaction::StructuredMetadata], get(metadata)),
        )
        .route(
            Interaction::GetStructuredRecord.spec().path,
            guarded(state, &[Interaction::GetStructuredRecord], post(get_record)),
        )
        .route(
            Interaction::MigrateStructuredRecord.spec().path,
            guarded(
                state,
                &[Interaction::MigrateStructuredRecord],
                post(migrate),
            ),
        )
}

/// The structured version the provider plays (an unparsable setting falls back to the latest).
pub fn version(state: &ProviderState) -> Version {
    gs::version(&state.settings.structured_version).unwrap_or(gs::LATEST)
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// `GET /metadata` on the structured root.
async fn metadata(State(state): State<Arc<ProviderState>>) -> Fhir {
    let v = version(&state);
    let operations: Vec<Value> = cap::structured_operations(v)
        .into_iter()
        .map(|o| json!({"name": o.name, "definition": {"reference": cap::definition_reference(o, cap::structured_pin(o, v))}}))
        .collect();
    let listed_profiles: Vec<Value> = cap::structured_statement_profiles(v)
        .iter()
        .map(|p| json!({"reference": p}))
        .collect();
    Fhir::ok(json!({
        "resourceType": "CapabilityStatement",
        "version": state.settings.structured_version,
        "name": cap::STRUCTURED_NAME,
        "status": "active",
        "date": "2024-03-01",
        "publisher": "gpc-assure",
        "kind": "capability",
        "software": {"name": "gpc-assure reference provider", "version": env!("CARGO_PKG_VERSION")},
        "fhirVersion": cap::FHIR_VERSION,
        "acceptUnknown": "both",
        "format": state.settings.formats(),
        "profile": listed_profiles,
        "rest": [{"mode": "server", "security": {"cors": true}, "operation": operations}],
    }))
}

/// The trace id of the request (the Bundle id from 1.5.0).
fn trace_id(headers: &HeaderMap) -> String {
    headers
        .get(SSP_TRACE_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// `POST /Patient/$gpc.getstructuredrecord`.
async fn get_record(
    State(state): State<Arc<ProviderState>>,
    headers: HeaderMap,
    FhirBody(body): FhirBody,
) -> Result<Fhir, ApiError> {
    let v = version(&state);
    let today = today();
    let query = params::get_query(&body, v, today)?;
    let patient = shareable_patient(&state, &query.nhs_number, false)?;
    respond(&state, &headers, &query, &patient, v, false)
}

/// `POST /Patient/$gpc.migratestructuredrecord` (1.6.0+): every area, the migrate JWT rules.
async fn migrate(
    State(state): State<Arc<ProviderState>>,
    headers: HeaderMap,
    FhirBody(body): FhirBody,
) -> Result<Fhir, ApiError> {
    let v = version(&state);
    if v < since::MIGRATE {
        return Err(ApiError::new(
            ErrorCode::NoRecordFound,
            format!(
                "$gpc.migratestructuredrecord does not exist in GP Connect {}",
                state.settings.structured_version
            ),
        ));
    }
    let query = params::migrate_query(&body)?;
    let claims = headers
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| jwt::decode_authorization(h).ok())
        .unwrap_or_default();
    let scope = claims
        .get("requested_scope")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let restricted = scope.split_whitespace().any(|t| t == "conf/R");
    if query.include_sensitive != restricted {
        return Err(ApiError::new(
            ErrorCode::ConflictingValues,
            format!(
                "includeSensitiveInformation is {} but requested_scope {scope:?} {} conf/R",
                query.include_sensitive,
                if restricted { "has" } else { "lacks" }
            ),
        ));
    }
    let patient = shareable_patient(&state, &query.nhs_number, true)?;
    let org_ods = claims
        .get("requesting_organization")
        .and_then(|o| o.get("identifier"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|i| i.get("system").and_then(Value::as_str) == Some(systems::ODS_ORGANIZATION_CODE))
        .and_then(|i| i.get("value").and_then(Value::as_str))
        .unwrap_or_default()
        .to_string();
    let aliases = DataAliases::default();
    let new_practice = aliases
        .organizations
        .get(MIGRATION_PRACTICE_ALIAS)
        .cloned()
        .unwrap_or_default();
    if org_ods != new_practice {
        return Err(ApiError::new(
            ErrorCode::NoRelationship,
            format!("the requesting organisation {org_ods:?} is not the patient's registered practice on PDS"),
        ));
    }
    let mut answer = respond(
        &state,
        &headers,
        &query,
        &patient,
        v,
        query.include_sensitive,
    )?;
    // The patient's documents come with the record, each with the URL Migrate a document fetches.
    super::documents::add_to_migrate(
        &state,
        &headers,
        &patient,
        &mut answer.body,
        query.include_sensitive,
    );
    Ok(answer)
}

/// The practice's patient for `nhs`, if structured data may be shared (migrate also serves inactive
/// patients): otherwise PATIENT_NOT_FOUND, or NO_PATIENT_CONSENT for a dissent.
fn shareable_patient(
    state: &ProviderState,
    nhs: &str,
    migrate: bool,
) -> Result<PatientRecord, ApiError> {
    let not_found = |why: &str| {
        ApiError::new(
            ErrorCode::PatientNotFound,
            format!("no shareable patient with NHS number {nhs}: {why}"),
        )
    };
    let store = state.read();
    let p = store
        .patient_by_nhs_number(nhs)
        .ok_or_else(|| not_found("not registered at this practice"))?;
    if p.sensitive {
        return Err(not_found("sensitive"));
    }
    if p.deceased.is_some() {
        return Err(not_found("deceased"));
    }
    if !migrate && (!p.is_active() || p.registration_type != RegistrationType::Regular) {
        return Err(not_found("not an active regular registration"));
    }
    if record::record_for(nhs, today()).dissent {
        return Err(ApiError::new(
            ErrorCode::NoPatientConsent,
            format!("patient {nhs} has dissented from sharing their record"),
        ));
    }
    Ok(p.clone())
}

fn respond(
    state: &ProviderState,
    headers: &HeaderMap,
    query: &params::Query,
    patient: &PatientRecord,
    v: Version,
    include_confidential: bool,
) -> Result<Fhir, ApiError> {
    let today = today();
    let store = state.read();
    let practice = store
        .organizations
        .iter()
        .find(|o| o.ods_code == state.settings.ods_code)
        .or_else(|| store.organizations.first());
    let practice = practice.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InternalServerError,
            "the practice has no Organization",
        )
    })?;
    let recipient = store
        .organizations
        .iter()
        .find(|o| o.id != practice.id)
        .unwrap_or(practice);
    let gp = store.practitioners.first().ok_or_else(|| {
        ApiError::new(
            ErrorCode::InternalServerError,
            "the practice has no Practitioner",
        )
    })?;
    let organization = super::foundations::organisation::to_fhir;
    let mut patient_json = super::foundations::patient::to_fhir(patient);
    patient_json["generalPractitioner"] = json!([{"reference": format!("Practitioner/{}", gp.id)}]);
    patient_json["managingOrganization"] =
        json!({"reference": format!("Organization/{}", practice.id)});
    let practitioner = json!({"resourceType": "Practitioner", "id": gp.id, "meta": {"versionId": gp.version_id, "profile": [profiles::PRACTITIONER]},
        "identifier": [{"system": systems::SDS_USER_ID, "value": gp.sds_user_id}],
        "name": [{"use": "usual", "family": gp.name.family, "given": gp.name.given, "prefix": gp.name.prefix}]});
    let role = super::foundations::practitioner::usual_gp_role(&gp.id, &practice.id);
    let mut base = vec![patient_json, organization(practice), practitioner, role];
    let branch = patient
        .preferred_branch
        .as_ref()
        .and_then(|id| store.locations.iter().find(|l| &l.id == id));
    if let Some(l) = branch {
        let mut location = json!({"resourceType": "Location", "id": l.id, "meta": {"versionId": l.version_id, "profile": [profiles::LOCATION]},
            "name": l.name, "managingOrganization": {"reference": format!("Organization/{}", l.managing_organization)}});
        if let Some(code) = &l.site_code {
            location["identifier"] = json!([{"system": systems::ODS_SITE_CODE, "value": code}]);
        }
        base.push(location);
        if let Some(o) = store
            .organizations
            .iter()
            .find(|o| o.id == l.managing_organization)
        {
            base.push(organization(o));
        }
    }
    let registration_date = NaiveDate::parse_from_str(&patient.registration_start, "%Y-%m-%d")
        .map(|d| d.format("%d-%b-%Y").to_string())
        .unwrap_or_default();
    let record = record::record_for(&patient.nhs_number, today);
    let input = bundle::Input {
        ctx: render::Ctx {
            version: v,
            patient_id: patient.id.clone(),
            practitioner_id: gp.id.clone(),
            organization_id: practice.id.clone(),
            referral_recipient_id: recipient.id.clone(),
            identifier_system: format!(
                "https://fhir.gpc-assure.test/{}/Id/clinical-item",
                state.settings.ods_code
            ),
            label_confidential: include_confidential,
        },
        record: &record,
        today,
        trace_id: trace_id(headers),
        base,
        referral_recipient: organization(recipient),
        registration_date,
        include_confidential,
        faults: &state.faults,
    };
    Ok(Fhir::ok(bundle::build(query, &input)))
}
