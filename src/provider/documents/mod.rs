//! Access Document, served from its own root `/{ODS}/STU3/1/gpconnect/documents`: the Access Document
//! CapabilityStatement, Find a patient (Access Document rules), Search for a patient's documents,
//! Retrieve a document and (1.6.0+) Migrate a document, both on `GET /Binary/{id}` and told apart by
//! the interaction id.
//!
//! The rules themselves (mandatory includes, `created`/`author`/`description`, the 5 MB limit, the
//! confidentiality scopes) are the tables and functions of [`crate::gpconnect::documents`].
//!
//! Find a patient (Access Document): <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_use_case_find_a_patient.html>
//! Search for a patient's documents: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_search_patient_documents.html>
//! Retrieve a document: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_retrieve_patient_documents.html>
//! Migrate a document: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_migrate_patient_documents.html>

pub mod library;

use std::sync::Arc;

use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Router;
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use super::faults::Fault;
use super::guard::guarded;
use super::outcome::ApiError;
use super::query;
use super::respond::Fhir;
use super::state::{PatientRecord, ProviderState, RegistrationType, Store};
use crate::config::{DataAliases, MIGRATION_PRACTICE_ALIAS, PRACTICE_ALIAS};
use crate::gpconnect::capability as cap;
use crate::gpconnect::documents::{self as gd, confidentiality, param, since};
use crate::gpconnect::headers::{AUTHORIZATION, SSP_TRACE_ID};
use crate::gpconnect::structured::Version;
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::{jwt, nhs_number, ErrorCode, Interaction};
use library::{Document, Ids};

/// Routes relative to the documents service root.
pub fn routes(state: &Arc<ProviderState>) -> Router<Arc<ProviderState>> {
    Router::new()
        .route(
            Interaction::DocumentsMetadata.spec().path,
            guarded(state, &[Interaction::DocumentsMetadata], get(metadata)),
        )
        .route(
            Interaction::DocumentsFindPatient.spec().path,
            guarded(
                state,
                &[Interaction::DocumentsFindPatient],
                get(find_patient),
            ),
        )
        .route(
            Interaction::SearchDocuments.spec().path,
            guarded(state, &[Interaction::SearchDocuments], get(search)),
        )
        .route(
            Interaction::RetrieveDocument.spec().path,
            guarded(
                state,
                &[Interaction::RetrieveDocument, Interaction::MigrateDocument],
                get(binary),
            ),
        )
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The Access Document version played: the structured version (they ship together since 1.5.0).
fn version(state: &ProviderState) -> Version {
    crate::gpconnect::structured::version(&state.settings.structured_version)
        .unwrap_or(crate::gpconnect::structured::LATEST)
}

/// ACCESS DENIED while the practice has the Access Document capability switched off.
fn enabled(state: &ProviderState) -> Result<(), ApiError> {
    if state.settings.documents_enabled {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::AccessDenied,
            "the Access Document capability is not enabled at this practice",
        ))
    }
}

/// The logical id of the organisation with the test-data alias `alias` (the practice under test is
/// this provider's own ODS code).
fn organization_id(state: &ProviderState, store: &Store, alias: &str) -> Option<String> {
    let ods = if alias == PRACTICE_ALIAS {
        state.settings.ods_code.clone()
    } else {
        DataAliases::default().organizations.remove(alias)?
    };
    store
        .organizations
        .iter()
        .find(|o| o.ods_code == ods)
        .map(|o| o.id.clone())
}

/// The absolute URL of the documents service root, as the consumer addressed it (its Host header),
/// over HTTPS when the provider serves TLS.
fn public_root(state: &ProviderState, headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.settings.tls.is_some() {
        "https"
    } else {
        "http"
    };
    format!(
        "{scheme}://{host}{}/{}",
        state.settings.foundations_path(),
        super::DOCUMENTS_SEGMENT
    )
}

fn trace_id(headers: &HeaderMap) -> String {
    headers
        .get(SSP_TRACE_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// `GET /metadata` on the documents root.
async fn metadata(State(state): State<Arc<ProviderState>>) -> Fhir {
    let listed: Vec<Value> = gd::CAPABILITY_PROFILES
        .iter()
        .map(|(url, v)| json!({"reference": format!("{url}/_history/{v}")}))
        .collect();
    let search_params: Vec<Value> = gd::CAPABILITY_SEARCH_PARAMS
        .iter()
        .map(|(name, ty)| json!({"name": name, "type": ty}))
        .collect();
    Fhir::ok(json!({
        "resourceType": "CapabilityStatement",
        "version": state.settings.structured_version,
        "name": gd::CAPABILITY_NAME,
        "status": "active",
        "date": "2024-03-01",
        "publisher": "gpc-assure",
        "kind": "capability",
        "software": {"name": "gpc-assure reference provider", "version": env!("CARGO_PKG_VERSION")},
        "fhirVersion": cap::FHIR_VERSION,
        "acceptUnknown": "both",
        "format": state.settings.formats(),
        "profile": listed,
        "rest": [{"mode": "server", "security": {"cors": true}, "resource": [
            {"type": "Patient", "interaction": [{"code": "read"}, {"code": "search-type"}],
             "searchParam": [{"name": "identifier", "type": "token"}]},
            {"type": "DocumentReference", "interaction": [{"code": "search-type"}],
             "searchInclude": gd::CAPABILITY_SEARCH_INCLUDES, "searchParam": search_params},
            {"type": "Binary", "interaction": [{"code": "read"}]},
        ]}],
    }))
}

/// Whether the documents of `p` may be shared on `today`: an active Regular (GMS) registration, not
/// PDS-sensitive; from 1.6.1 a patient who died within the access period after a GMS registration.
fn documents_shareable(p: &PatientRecord, v: Version, today: NaiveDate) -> bool {
    if p.sensitive || p.registration_type != RegistrationType::Regular {
        return false;
    }
    match &p.deceased {
        None => p.is_active(),
        Some(died) => {
            v >= since::DECEASED_ACCESS
                && NaiveDate::parse_from_str(died, "%Y-%m-%d")
                    .is_ok_and(|d| today - d <= Duration::days(gd::DECEASED_ACCESS_DAYS))
        }
    }
}

/// A searchset Bundle of the documents root: `Bundle.id` is the trace id, every entry has an absolute
/// `fullUrl`.
fn searchset(state: &ProviderState, headers: &HeaderMap, resources: Vec<Value>) -> Value {
    let root = public_root(state, headers);
    let relative = state.faults.has(Fault::DocumentsRelativeFullUrl);
    let id = if state.faults.has(Fault::DocumentsBundleIdNotTraceId) {
        uuid::Uuid::new_v4().to_string()
    } else {
        trace_id(headers)
    };
    let mut bundle = json!({
        "resourceType": "Bundle",
        "id": id,
        "meta": {"profile": [profiles::SEARCHSET_BUNDLE]},
        "type": "searchset",
    });
    if !resources.is_empty() {
        bundle["entry"] = resources
            .into_iter()
            .map(|r| {
                let path = format!(
                    "{}/{}",
                    r["resourceType"].as_str().unwrap_or_default(),
                    r["id"].as_str().unwrap_or_default()
                );
                let full_url = if relative {
                    path
                } else {
                    format!("{root}/{path}")
                };
                json!({"fullUrl": full_url, "resource": r})
            })
            .collect();
    }
    bundle
}

/// `GET /Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|<n>`: Find a patient with the Access
/// Document rules (identifier problems are INVALID_PARAMETER; only Regular/GMS registrations).
async fn find_patient(
    State(state): State<Arc<ProviderState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Fhir, ApiError> {
    enabled(&state)?;
    let pairs = query::pairs(raw.as_deref());
    let values = query::values(&pairs, "identifier");
    let token = match values.as_slice() {
        [] => {
            return Err(ApiError::invalid_parameter(
                "the identifier search parameter is required",
            ))
        }
        [one] => *one,
        _ => {
            return Err(ApiError::bad_request(
                "the identifier search parameter may be given only once",
            ))
        }
    };
    let (system, value) = token.split_once('|').unwrap_or(("", token));
    if system != systems::NHS_NUMBER {
        return Err(ApiError::invalid_parameter(format!(
            "identifier {token:?} has a missing or unrecognised system; expected {}|<NHS number>",
            systems::NHS_NUMBER
        )));
    }
    if value.trim().is_empty() {
        return Err(ApiError::invalid_parameter(format!(
            "identifier {token:?} has an empty value"
        )));
    }
    if let Err(e) = nhs_number::validate(value) {
        return Err(ApiError::new(
            ErrorCode::InvalidNhsNumber,
            format!("NHS number {value:?} is invalid: {e}"),
        ));
    }
    let v = version(&state);
    let today = today();
    let found: Vec<Value> = {
        let store = state.read();
        store
            .patients
            .iter()
            .filter(|p| p.nhs_number == value && documents_shareable(p, v, today))
            .map(super::foundations::patient::to_fhir)
            .collect()
    };
    Ok(Fhir::ok(searchset(&state, &headers, found)))
}

/// The search parameters of one Search for a patient's documents.
#[derive(Debug, Default)]
struct Search {
    created: Vec<gd::CreatedBound>,
    author: Option<String>,
    description: Option<String>,
}

/// Read and check the query: the five mandatory includes, then the optional parameters; anything
/// else is INVALID_PARAMETER.
fn search_query(state: &ProviderState, raw: Option<&str>) -> Result<Search, ApiError> {
    let pairs = query::pairs(raw);
    if !state.faults.has(Fault::DocumentsIncludesNotRequired) {
        for (name, value) in gd::MANDATORY_INCLUDES {
            if !pairs.iter().any(|(k, v)| k == name && v == value) {
                return Err(ApiError::invalid_parameter(format!(
                    "the mandatory parameter {name}={value} is missing"
                )));
            }
        }
    }
    for (k, v) in &pairs {
        let known = gd::MANDATORY_INCLUDES
            .iter()
            .any(|(name, value)| k == name && v == value)
            || [
                param::CREATED,
                param::AUTHOR,
                param::DESCRIPTION,
                param::FORMAT,
            ]
            .contains(&k.as_str());
        if !known {
            return Err(ApiError::invalid_parameter(format!(
                "{k}={v} is not a parameter of Search for a patient's documents"
            )));
        }
    }
    let created = gd::parse_created_bounds(&query::values(&pairs, param::CREATED))
        .map_err(ApiError::invalid_parameter)?;
    let single = |name: &str| -> Result<Option<String>, ApiError> {
        match query::values(&pairs, name).as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.to_string())),
            _ => Err(ApiError::invalid_parameter(format!(
                "{name} may be given only once"
            ))),
        }
    };
    let author = single(param::AUTHOR)?
        .map(|a| gd::parse_author(&a))
        .transpose()
        .map_err(ApiError::invalid_parameter)?;
    let description = single(param::DESCRIPTION)?;
    Ok(Search {
        created,
        author,
        description,
    })
}

/// Whether `doc` (rendered) is selected by the search, the faults that break a filter applied.
fn selected(state: &ProviderState, search: &Search, d: &Document, rendered: &Value) -> bool {
    let faults = &state.faults;
    let created_ok = if search.created.is_empty() {
        true
    } else {
        match gd::document_date(rendered) {
            // A document the system holds no creation date for is dated by `indexed`; the fault
            // forgets that and drops it.
            _ if faults.has(Fault::DocumentsCreatedFilterDropsIndexed) && d.created.is_none() => {
                false
            }
            Some(when) => gd::created_admits(&search.created, when),
            None => true,
        }
    };
    let author_ok = match &search.author {
        None => true,
        Some(_) if faults.has(Fault::DocumentsAuthorFilterIgnored) => true,
        Some(ods) => library::author_has_ods(d, ods),
    };
    let description_ok = search
        .description
        .as_deref()
        .is_none_or(|k| gd::description_matches(k, rendered));
    created_ok && author_ok && description_ok
}

/// `GET /Patient/{id}/DocumentReference?...`.
async fn search(
    State(state): State<Arc<ProviderState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Fhir, ApiError> {
    enabled(&state)?;
    let search = search_query(&state, raw.as_deref())?;
    let v = version(&state);
    let today = today();
    let store = state.read();
    let patient = store.patients.iter().find(|p| p.id == id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::PatientNotFound,
            format!("no patient with logical id {id:?}"),
        )
    })?;
    if !documents_shareable(patient, v, today) {
        return Err(ApiError::new(
            ErrorCode::PatientNotFound,
            format!(
                "patient {id} is not an active, regular, non-sensitive patient of this practice"
            ),
        ));
    }
    dissent_check(&patient.nhs_number, today)?;
    let practice = store
        .organizations
        .iter()
        .find(|o| o.ods_code == state.settings.ods_code)
        .or_else(|| store.organizations.first())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InternalServerError,
                "the practice has no Organization",
            )
        })?;
    let gp = store.practitioners.first().ok_or_else(|| {
        ApiError::new(
            ErrorCode::InternalServerError,
            "the practice has no Practitioner",
        )
    })?;
    let org_id = |alias: &str| organization_id(&state, &store, alias);
    let identifier_system = library::identifier_system(&state.settings.ods_code);
    let ids = Ids {
        patient: &patient.id,
        organization: &org_id,
        practice: &practice.id,
        identifier_system: &identifier_system,
    };
    let root = public_root(&state, &headers);
    let mut documents = Vec::new();
    let mut authors: Vec<String> = Vec::new();
    for d in library::of_patient(&patient.nhs_number, today) {
        if d.confidential {
            continue;
        }
        let oversize =
            d.size > gd::MAX_RETRIEVE_BYTES && !state.faults.has(Fault::DocumentsOversizeServed);
        let url = format!("{root}/Binary/{}", d.binary_id);
        let rendered =
            library::document_reference(&d, &ids, (!oversize).then_some(url.as_str()), false);
        if selected(&state, &search, &d, &rendered) {
            if let Some(a) = library::author_reference(&d, &ids) {
                if !authors.contains(&a) {
                    authors.push(a);
                }
            }
            documents.push(rendered);
        }
    }
    let organization = super::foundations::organisation::to_fhir;
    let practitioner = |p: &super::state::PractitionerRecord| {
        json!({"resourceType": "Practitioner", "id": p.id, "meta": {"versionId": p.version_id, "profile": [profiles::PRACTITIONER]},
            "identifier": [{"system": systems::SDS_USER_ID, "value": p.sds_user_id}],
            "name": [{"use": "usual", "family": p.name.family, "given": p.name.given, "prefix": p.name.prefix}]})
    };
    let mut patient_json = super::foundations::patient::to_fhir(patient);
    patient_json["generalPractitioner"] = json!([{"reference": format!("Practitioner/{}", gp.id)}]);
    patient_json["managingOrganization"] =
        json!({"reference": format!("Organization/{}", practice.id)});
    let role = super::foundations::practitioner::usual_gp_role(&gp.id, &practice.id);
    let mut resources = vec![patient_json, organization(practice), practitioner(gp), role];
    for a in &authors {
        let (ty, aid) = a.split_once('/').unwrap_or_default();
        let already = resources
            .iter()
            .any(|r| r["resourceType"] == ty && r["id"] == aid);
        if already {
            continue;
        }
        match ty {
            "Organization" => resources.extend(
                store
                    .organizations
                    .iter()
                    .filter(|o| o.id == aid)
                    .map(organization),
            ),
            "Practitioner" => resources.extend(
                store
                    .practitioners
                    .iter()
                    .filter(|p| p.id == aid)
                    .map(practitioner),
            ),
            _ => {}
        }
    }
    resources.extend(documents);
    Ok(Fhir::ok(searchset(&state, &headers, resources)))
}

/// NO_PATIENT_CONSENT for a patient who dissented from sharing their record.
fn dissent_check(nhs: &str, today: NaiveDate) -> Result<(), ApiError> {
    if super::structured::record::record_for(nhs, today).dissent {
        return Err(ApiError::new(
            ErrorCode::NoPatientConsent,
            format!("patient {nhs} has dissented from sharing their record"),
        ));
    }
    Ok(())
}

/// The JWT claims of the request (already checked by the guard).
fn claims(headers: &HeaderMap) -> serde_json::Map<String, Value> {
    headers
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| jwt::decode_authorization(h).ok())
        .unwrap_or_default()
}

/// `GET /Binary/{id}`: Retrieve a document (direct care, at most 5 MB, never a confidential one) or,
/// with the migrate interaction id, Migrate a document (no size limit, confidential documents with the
/// restricted scope only, for the practice the patient has moved to).
async fn binary(
    State(state): State<Arc<ProviderState>>,
    Extension(interaction): Extension<Interaction>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Fhir, ApiError> {
    let v = version(&state);
    let today = today();
    let not_found = || {
        ApiError::new(
            ErrorCode::NoRecordFound,
            format!("there is no document with Binary id {id:?}"),
        )
    };
    let migrate = interaction == Interaction::MigrateDocument;
    if migrate && v < since::MIGRATE_DOCUMENT {
        return Err(ApiError::bad_request(format!(
            "Migrate a document does not exist in GP Connect {}",
            state.settings.structured_version
        )));
    }
    if !migrate {
        enabled(&state)?;
    }
    let d = library::by_binary_id(&id, today).ok_or_else(not_found)?;
    let nhs = DataAliases::default()
        .patients
        .get(d.patient_alias)
        .cloned()
        .unwrap_or_default();
    if migrate {
        let claims = claims(&headers);
        let scope = claims
            .get("requested_scope")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if d.confidential
            && !confidentiality::is_restricted(scope)
            && !state.faults.has(Fault::DocumentsConfidentialWithoutScope)
        {
            // The page names NOT_AUTHORISED, which Spine-ErrorOrWarningCode-1 (a required binding of
            // GPConnect-OperationOutcome-1) does not hold: the code system's ACCESS DENIED is sent.
            return Err(ApiError::new(
                ErrorCode::AccessDenied,
                format!(
                    "the document is confidential and requested_scope {scope:?} lacks {}",
                    confidentiality::RESTRICTED
                ),
            ));
        }
        let ods = claims
            .get("requesting_organization")
            .and_then(|o| o.get("identifier"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|i| {
                i.get("system").and_then(Value::as_str) == Some(systems::ODS_ORGANIZATION_CODE)
            })
            .and_then(|i| i.get("value").and_then(Value::as_str))
            .unwrap_or_default()
            .to_string();
        let new_practice = DataAliases::default()
            .organizations
            .get(MIGRATION_PRACTICE_ALIAS)
            .cloned()
            .unwrap_or_default();
        if ods != new_practice {
            // NOT_AUTHORISED on the page; NO_RELATIONSHIP in the code system (as Migrate structured record).
            return Err(ApiError::new(
                ErrorCode::NoRelationship,
                format!("the requesting organisation {ods:?} is not the patient's registered practice on PDS"),
            ));
        }
    } else {
        if d.confidential {
            return Err(not_found());
        }
        {
            let store = state.read();
            let p = store.patient_by_nhs_number(&nhs).ok_or_else(not_found)?;
            if !documents_shareable(p, v, today) {
                return Err(ApiError::new(
                    ErrorCode::PatientNotFound,
                    "the document's patient is not an active, regular, non-sensitive patient of this practice",
                ));
            }
        }
        dissent_check(&nhs, today)?;
        if d.size > gd::MAX_RETRIEVE_BYTES && !state.faults.has(Fault::DocumentsOversizeServed) {
            return Err(ApiError::new(
                ErrorCode::NoRecordFound,
                format!(
                    "the document is {} bytes, over the {} bytes Retrieve a document serves",
                    d.size,
                    gd::MAX_RETRIEVE_BYTES
                ),
            ));
        }
    }
    let mut b = library::binary(&d);
    if state.faults.has(Fault::DocumentsBinaryWithoutContentType) {
        if let Some(o) = b.as_object_mut() {
            o.remove("contentType");
        }
    }
    Ok(Fhir::resource(b))
}

/// Adds the patient's DocumentReferences to a Migrate structured record Bundle (`bundle`, built for
/// `patient`): every document with the absolute URL of its Binary (Migrate a document has no size
/// limit), confidential ones only with sensitive information and then labelled NOPAT, and the
/// Organizations that wrote them when the Bundle lacks them.
pub fn add_to_migrate(
    state: &ProviderState,
    headers: &HeaderMap,
    patient: &PatientRecord,
    bundle: &mut Value,
    include_sensitive: bool,
) {
    let today = today();
    let store = state.read();
    let Some(practice) = store
        .organizations
        .iter()
        .find(|o| o.ods_code == state.settings.ods_code)
    else {
        return;
    };
    let org_id = |alias: &str| organization_id(state, &store, alias);
    let identifier_system = library::identifier_system(&state.settings.ods_code);
    let ids = Ids {
        patient: &patient.id,
        organization: &org_id,
        practice: &practice.id,
        identifier_system: &identifier_system,
    };
    let root = public_root(state, headers);
    let Some(entries) = bundle.get_mut("entry").and_then(Value::as_array_mut) else {
        return;
    };
    let present = |entries: &Vec<Value>, ty: &str, id: &str| {
        entries.iter().any(|e| {
            e.pointer("/resource/resourceType") == Some(&json!(ty))
                && e.pointer("/resource/id") == Some(&json!(id))
        })
    };
    for d in library::of_patient(&patient.nhs_number, today) {
        if d.confidential && !include_sensitive {
            continue;
        }
        if let Some(author) = library::author_reference(&d, &ids) {
            let (ty, id) = author.split_once('/').unwrap_or_default();
            if ty == "Organization" && !present(entries, ty, id) {
                if let Some(o) = store.organizations.iter().find(|o| o.id == id) {
                    entries.push(json!({"resource": {"resourceType": "Organization", "id": o.id,
                        "meta": {"versionId": o.version_id, "profile": [profiles::ORGANIZATION]},
                        "identifier": [{"system": systems::ODS_ORGANIZATION_CODE, "value": o.ods_code}],
                        "name": o.name, "telecom": o.telecom, "address": o.address}}));
                }
            }
        }
        let url = format!("{root}/Binary/{}", d.binary_id);
        entries.push(
            json!({"resource": library::document_reference(&d, &ids, Some(&url), d.confidential)}),
        );
    }
}

#[cfg(test)]
mod tests;
