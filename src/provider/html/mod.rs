//! Access Record HTML (GP Connect 0.x, FHIR DSTU2), served from its own DSTU2 service root
//! `/{ODS}/DSTU2/0/gpconnect`: the Conformance at `/metadata` and `POST /Patient/$gpc.getcarerecord`,
//! answering a Bundle whose Composition holds the section's HTML view ([`view`]), or a 0.x
//! OperationOutcome.
//!
//! This root does its own negotiation (DSTU2 media types), SSP and 0.x JWT checks and error bodies: the
//! STU3 roots' middleware speaks 1.x.
//!
//! Retrieve a care record section: <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html>
//! Error handling: <https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_error_handling_guidance.html>
//! Cross-organisation audit and provenance: <https://developer.nhs.uk/apis/gpconnect-0-7-2/integration_cross_organisation_audit_and_provenance.html>

pub mod view;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use chrono::NaiveDate;
use serde_json::{json, Value};

use super::faults::Fault;
use super::negotiate::{self, Format};
use super::state::ProviderState;
use crate::gpconnect::headers::{
    AUTHORIZATION, NO_STORE, SSP_FROM, SSP_INTERACTION_ID, SSP_TO, SSP_TRACE_ID,
};
use crate::gpconnect::html::{self as gh, param, profiles, systems, ErrorCode0, Section};
use crate::gpconnect::{jwt, nhs_number, Interaction};

/// Path segments of the DSTU2 service root after the ODS code.
pub const ROOT_SEGMENTS: &str = "DSTU2/0/gpconnect";

/// The id of the patients' usual GP in the care record Bundle.
const USUAL_GP_ID: &str = "1";

/// The service root path, e.g. `/B82617/DSTU2/0/gpconnect`.
pub fn root_path(ods_code: &str) -> String {
    format!("/{ods_code}/{ROOT_SEGMENTS}")
}

/// The Access Record HTML application, complete with its own negotiation and error bodies.
pub fn router(state: Arc<ProviderState>) -> Router {
    let root = root_path(&state.settings.ods_code);
    Router::new()
        .route(&format!("{root}/{{*rest}}"), any(dispatch))
        .layer(axum::extract::DefaultBodyLimit::max(
            negotiate::MAX_BODY_BYTES,
        ))
        .with_state(state)
}

/// A 0.x error: status, code and the text for `diagnostics`.
#[derive(Debug, Clone)]
pub struct Error0 {
    pub status: StatusCode,
    pub code: ErrorCode0,
    pub diagnostics: String,
}

impl Error0 {
    fn new(code: ErrorCode0, diagnostics: impl Into<String>) -> Error0 {
        Error0 {
            status: StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
            code,
            diagnostics: diagnostics.into(),
        }
    }

    fn bad_request(diagnostics: impl Into<String>) -> Error0 {
        Error0::new(ErrorCode0::BadRequest, diagnostics)
    }

    fn with_status(mut self, status: StatusCode) -> Error0 {
        self.status = status;
        self
    }

    /// The 0.x OperationOutcome.
    pub fn outcome(&self) -> Value {
        json!({
            "resourceType": "OperationOutcome",
            "meta": {"profile": [profiles::OPERATION_OUTCOME]},
            "issue": [{
                "severity": "error",
                "code": self.code.issue_type(),
                "details": {"coding": [{
                    "system": systems::ERROR_OR_WARNING_CODE,
                    "code": self.code.code(),
                    "display": self.code.code(),
                }]},
                "diagnostics": self.diagnostics,
            }]
        })
    }
}

/// The response format a request asks for, in DSTU2 media types: `_format`, then `Accept`, then the
/// request's `Content-Type`; JSON by default.
fn format_of(query: Option<&str>, headers: &HeaderMap) -> Result<Format, Error0> {
    let media = |v: &str| -> Option<Option<Format>> {
        let essence = v
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            gh::mime::JSON | "json" | "application/json" => Some(Some(Format::Json)),
            gh::mime::XML | "xml" | "application/xml" => Some(Some(Format::Xml)),
            "*/*" | "application/*" => Some(None),
            _ => None,
        }
    };
    let unsupported = |what: &str, v: &str| {
        Error0::bad_request(format!(
            "{what} {v:?} is not a supported format: use {} or {}",
            gh::mime::JSON,
            gh::mime::XML
        ))
        .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
    };
    let pairs = super::query::pairs(query);
    if let Some(f) = super::query::values(&pairs, "_format").first() {
        return match media(f) {
            Some(Some(format)) => Ok(format),
            _ => Err(unsupported("_format", f)),
        };
    }
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(accept) = header(ACCEPT).filter(|a| !a.trim().is_empty()) {
        let mut any = false;
        for range in accept.split(',') {
            match media(range) {
                Some(Some(format)) => return Ok(format),
                Some(None) => any = true,
                None => {}
            }
        }
        if !any {
            return Err(unsupported("Accept", accept));
        }
    }
    if let Some(Some(Some(format))) = header(CONTENT_TYPE).map(media) {
        return Ok(format);
    }
    Ok(Format::Json)
}

fn respond(status: StatusCode, body: &Value, format: Format, state: &ProviderState) -> Response {
    let content_type = match format {
        Format::Json => gh::mime::JSON,
        Format::Xml => gh::mime::XML,
    };
    let mut res = Response::new(Body::from(negotiate::render(body, format)));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if !state.faults.has(Fault::OmitCacheControl) {
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    }
    res
}

/// Every request under the DSTU2 root: route, guard, answer.
async fn dispatch(
    State(state): State<Arc<ProviderState>>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let format = match format_of(query.as_deref(), &headers) {
        Ok(_) if state.faults.has(Fault::HtmlXmlIgnored) => Format::Json,
        Ok(f) => f,
        Err(e) => return respond(e.status, &e.outcome(), Format::Json, &state),
    };
    let root = root_path(&state.settings.ods_code);
    let path = uri.path().strip_prefix(root.as_str()).unwrap_or_default();
    let interaction = Interaction::ALL.iter().copied().find(|i| {
        let s = i.spec();
        s.capability == crate::gpconnect::Capability::Html && s.path == path
    });
    let result = match interaction {
        None => Err(Error0::bad_request(format!(
            "there is no resource or operation at {}",
            uri.path()
        ))
        .with_status(StatusCode::NOT_FOUND)),
        Some(i) if i.spec().method.as_str() != method.as_str() => Err(Error0::bad_request(
            format!("{method} is not a valid verb for {}", uri.path()),
        )
        .with_status(StatusCode::METHOD_NOT_ALLOWED)),
        Some(i) => match guard(&state, &headers, i) {
            Err(e) => Err(e),
            Ok(claims) => match i {
                Interaction::GetCareRecord => request_json(&headers, &body)
                    .and_then(|body| care_record(&state, &claims, &body)),
                _ => Ok(conformance(&state)),
            },
        },
    };
    match result {
        Ok(body) => respond(StatusCode::OK, &body, format, &state),
        Err(e) => respond(e.status, &e.outcome(), format, &state),
    }
}

/// The request body as JSON: a body sent as `application/xml+fhir` (both DSTU2 formats are accepted)
/// is read as FHIR XML.
fn request_json(headers: &HeaderMap, body: &[u8]) -> Result<Vec<u8>, Error0> {
    let xml = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| {
            let essence = c.split(';').next().unwrap_or("").trim();
            essence.eq_ignore_ascii_case(gh::mime::XML)
                || essence.eq_ignore_ascii_case("application/xml")
        });
    if !xml || body.iter().all(u8::is_ascii_whitespace) {
        return Ok(body.to_vec());
    }
    let text =
        std::str::from_utf8(body).map_err(|_| Error0::bad_request("the XML body is not UTF-8"))?;
    let value = crate::fhir::xml::from_xml(text)
        .map_err(|e| Error0::bad_request(format!("the body is not FHIR XML: {e}")))?;
    Ok(value.to_string().into_bytes())
}

/// The SSP headers and the 0.x JWT.
fn guard(
    state: &ProviderState,
    headers: &HeaderMap,
    interaction: Interaction,
) -> Result<serde_json::Map<String, Value>, Error0> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    for name in [SSP_TRACE_ID, SSP_FROM, SSP_TO, SSP_INTERACTION_ID] {
        if header(name).is_none_or(|v| v.trim().is_empty()) {
            return Err(Error0::bad_request(format!("the {name} header is missing")));
        }
    }
    if header(SSP_TO) != Some(state.settings.asid.as_str()) {
        return Err(Error0::bad_request(format!(
            "Ssp-To is not this provider's ASID {}",
            state.settings.asid
        )));
    }
    let spec = interaction.spec();
    if header(SSP_INTERACTION_ID) != Some(spec.id) {
        return Err(Error0::bad_request(format!(
            "Ssp-InteractionID {:?} is not {} for this request",
            header(SSP_INTERACTION_ID).unwrap_or_default(),
            spec.id
        )));
    }
    let authorization = header(AUTHORIZATION)
        .ok_or_else(|| Error0::bad_request("the Authorization header is missing"))?;
    let claims =
        jwt::decode_authorization(authorization).map_err(|e| Error0::bad_request(e.to_string()))?;
    for claim in gh::REQUIRED_CLAIMS {
        if claims.get(*claim).is_none_or(Value::is_null) {
            return Err(Error0::bad_request(format!("the JWT has no {claim} claim")));
        }
    }
    if claims["aud"] != gh::jwt::AUDIENCE {
        return Err(Error0::bad_request(format!(
            "the JWT aud is {}, not {}",
            claims["aud"],
            gh::jwt::AUDIENCE
        )));
    }
    if claims["reason_for_request"] != jwt::REASON_DIRECT_CARE {
        return Err(Error0::bad_request("reason_for_request is not directcare"));
    }
    if claims["requested_scope"] != spec.scope {
        return Err(Error0::bad_request(format!(
            "requested_scope is {}, not {} for this request",
            claims["requested_scope"], spec.scope
        )));
    }
    let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else {
        return Err(Error0::bad_request("iat and exp are integer seconds"));
    };
    if exp - iat != jwt::LIFETIME_SECONDS {
        return Err(Error0::bad_request("exp is not 300 seconds after iat"));
    }
    if exp <= chrono::Utc::now().timestamp() {
        return Err(Error0::bad_request("the JWT has expired"));
    }
    if claims["sub"] != claims["requesting_practitioner"]["id"] {
        return Err(Error0::bad_request("sub is not requesting_practitioner.id"));
    }
    for (claim, ty) in [
        (gh::claim::DEVICE, "Device"),
        (gh::claim::ORGANIZATION, "Organization"),
        (gh::claim::PRACTITIONER, "Practitioner"),
    ] {
        if claims[claim]["resourceType"] != ty {
            return Err(Error0::bad_request(format!("{claim} is not a {ty}")));
        }
        claim_resource_valid(&claims, claim)?;
    }
    claim_identities(state, &claims)?;
    Ok(claims)
}

/// A claim resource must be a valid base DSTU2 resource, its elements all DSTU2's and of their types
/// (no GP Connect profile applies inside the token): an invalid requesting_device is 422
/// INVALID_RESOURCE, the other claims' faults 400 BAD_REQUEST (the error spreadsheet of Error
/// handling).
fn claim_resource_valid(
    claims: &serde_json::Map<String, Value>,
    claim: &str,
) -> Result<(), Error0> {
    let Ok(validator) = crate::fhir::validator() else {
        return Ok(());
    };
    let errors: Vec<String> = validator
        .validate(&claims[claim], None, crate::fhir::ProfileSet::Dstu2)
        .into_iter()
        .filter(|i| i.severity == crate::fhir::Severity::Error)
        // The token guidance's minimal resources leave out elements DSTU2 requires (Device.type):
        // a missing element is no fault of the token, an unknown or mistyped one is.
        .filter(|i| !i.message.starts_with("Missing '"))
        .map(|i| format!("{}: {}", i.location, i.message))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let code = if claim == gh::claim::DEVICE {
        ErrorCode0::InvalidResource
    } else {
        ErrorCode0::BadRequest
    };
    Err(Error0::new(
        code,
        format!(
            "the JWT claim {claim} is not a valid FHIR DSTU2 resource: {}",
            errors.join("; ")
        ),
    ))
}

/// Who is asking: the organisation by its ODS code, the practitioner by an SDS user id (`UNK` when
/// the user has none) and a name. A local user id and a job role may be missing.
fn claim_identities(
    state: &ProviderState,
    claims: &serde_json::Map<String, Value>,
) -> Result<(), Error0> {
    let identifiers = |claim: &str, system: &str| -> Vec<String> {
        claims[claim]["identifier"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|id| id["system"] == system)
            .filter_map(|id| id["value"].as_str())
            .filter(|v| !v.trim().is_empty())
            .map(str::to_string)
            .collect()
    };
    if identifiers(gh::claim::ORGANIZATION, systems::ODS_ORGANIZATION_CODE).is_empty() {
        return Err(Error0::bad_request(format!(
            "requesting_organization has no identifier with an ODS code ({})",
            systems::ODS_ORGANIZATION_CODE
        )));
    }
    if state.faults.has(Fault::HtmlJwtPractitionerUnchecked) {
        return Ok(());
    }
    let sds = identifiers(gh::claim::PRACTITIONER, systems::JWT_SDS_USER_ID);
    if sds.is_empty() {
        return Err(Error0::bad_request(format!(
            "requesting_practitioner has no identifier with an SDS user id ({}; UNK when unknown)",
            systems::JWT_SDS_USER_ID
        )));
    }
    if state.faults.has(Fault::HtmlJwtUnkRefused) && sds.iter().any(|v| v == gh::UNKNOWN_SDS_ID) {
        return Err(Error0::bad_request(
            "requesting_practitioner's SDS user id is UNK",
        ));
    }
    let name = &claims[gh::claim::PRACTITIONER]["name"];
    let named = |n: &Value| {
        ["family", "given"]
            .iter()
            .any(|k| n[k].as_array().is_some_and(|a| !a.is_empty()) || n[k].is_string())
    };
    let has_name = match name {
        Value::Array(names) => names.iter().any(named),
        Value::Object(_) => named(name),
        _ => false,
    };
    if !has_name {
        return Err(Error0::bad_request(
            "requesting_practitioner has no name (family or given)",
        ));
    }
    Ok(())
}

/// The Conformance of the DSTU2 root.
fn conformance(state: &ProviderState) -> Value {
    json!({
        "resourceType": "Conformance",
        "version": state.settings.html_version,
        "name": "gpc-assure reference provider, Access Record HTML",
        "status": "active",
        "date": "2026-01-01",
        "publisher": "gpc-assure",
        "kind": "instance",
        "software": {"name": "gpc-assure", "version": env!("CARGO_PKG_VERSION")},
        "fhirVersion": gh::FHIR_VERSION,
        "acceptUnknown": "both",
        "format": [gh::mime::JSON, gh::mime::XML],
        "rest": [{
            "mode": "server",
            "operation": [{
                "name": "gpc.getcarerecord",
                "definition": {"reference": "OperationDefinition/gpc.getcarerecord"}
            }]
        }]
    })
}

/// The validated `$gpc.getcarerecord` parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct CareRecordRequest {
    pub nhs_number: String,
    pub section: Section,
    pub period: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
}

/// Read and validate the Parameters body (the request-validation rules of Get care record).
pub fn parse_request(
    body: &[u8],
    faults: &super::faults::FaultSet,
) -> Result<CareRecordRequest, Error0> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error0::bad_request("the request has no body"));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Error0::bad_request(format!("the body is not FHIR JSON: {e}")))?;
    if value["resourceType"] != "Parameters" {
        return Err(Error0::new(
            ErrorCode0::InvalidResource,
            "the body is not a Parameters resource",
        ));
    }
    let parameters = value["parameter"].as_array().cloned().unwrap_or_default();
    let known = [
        param::PATIENT_NHS_NUMBER,
        param::RECORD_SECTION,
        param::TIME_PERIOD,
    ];
    for p in &parameters {
        let name = p["name"].as_str().unwrap_or_default();
        if !known.contains(&name) {
            return Err(Error0::new(
                ErrorCode0::InvalidParameter,
                format!("unknown parameter {name:?} (names are case-sensitive)"),
            ));
        }
    }
    let one = |name: &str| -> Result<Option<&Value>, Error0> {
        let found: Vec<&Value> = parameters.iter().filter(|p| p["name"] == name).collect();
        match found.len() {
            0 => Ok(None),
            1 => Ok(Some(found[0])),
            _ => Err(Error0::bad_request(format!(
                "{name} is given more than once"
            ))),
        }
    };
    let nhs = one(param::PATIENT_NHS_NUMBER)?
        .ok_or_else(|| Error0::bad_request(format!("{} is missing", param::PATIENT_NHS_NUMBER)))?;
    let section = one(param::RECORD_SECTION)?
        .ok_or_else(|| Error0::bad_request(format!("{} is missing", param::RECORD_SECTION)))?;
    let period = one(param::TIME_PERIOD)?;

    let identifier = nhs
        .get("valueIdentifier")
        .ok_or_else(|| Error0::bad_request("patientNHSNumber is not a valueIdentifier"))?;
    if identifier["system"] != systems::NHS_NUMBER {
        return Err(Error0::new(
            ErrorCode0::InvalidIdentifierSystem,
            format!("the identifier system is not {}", systems::NHS_NUMBER),
        ));
    }
    let nhs_number = identifier["value"].as_str().unwrap_or_default().to_string();
    if !nhs_number::is_valid(&nhs_number) {
        return Err(Error0::new(
            ErrorCode0::InvalidNhsNumber,
            format!("{nhs_number:?} is not a valid NHS number"),
        ));
    }

    let concept = section
        .get("valueCodeableConcept")
        .ok_or_else(|| Error0::bad_request("recordSection is not a valueCodeableConcept"))?;
    let coding = &concept["coding"][0];
    match coding["system"].as_str() {
        Some(systems::RECORD_SECTION) => {}
        Some("") => {
            return Err(Error0::new(
                ErrorCode0::InvalidParameter,
                "the record section system is empty",
            ))
        }
        _ => {
            return Err(Error0::bad_request(format!(
                "the record section system is not {}",
                systems::RECORD_SECTION
            )))
        }
    }
    let code = coding["code"].as_str().unwrap_or_default();
    let lenient = faults.has(Fault::HtmlSectionCodeCaseIgnored);
    let section = Section::from_code(code)
        .or_else(|| {
            lenient
                .then(|| Section::from_code(&code.to_ascii_uppercase()))
                .flatten()
        })
        .ok_or_else(|| {
            Error0::new(
                ErrorCode0::InvalidParameter,
                format!("{code:?} is not a record section code (codes are upper case)"),
            )
        })?;

    let period = match period {
        None => None,
        Some(p) => {
            let value = p
                .get("valuePeriod")
                .ok_or_else(|| Error0::bad_request("timePeriod is not a valuePeriod"))?;
            if !section.accepts_period() {
                return Err(Error0::new(
                    ErrorCode0::InvalidParameter,
                    format!("the {} section takes no timePeriod", section.code()),
                )
                .with_status(StatusCode::BAD_REQUEST));
            }
            let start = value.get("start").map(|v| v.as_str().unwrap_or("?"));
            let end = value.get("end").map(|v| v.as_str().unwrap_or("?"));
            if start.is_none() && end.is_none() {
                return Err(Error0::new(
                    ErrorCode0::InvalidParameter,
                    "timePeriod has neither start nor end",
                ));
            }
            let mut days = crate::checks::html::period_days(start, end)
                .map_err(|e| Error0::new(ErrorCode0::InvalidParameter, e))?;
            if faults.has(Fault::HtmlPeriodEndNotWidened) {
                days.1 = end.and_then(gh::date_bounds).map(|(first, _)| first);
            }
            if let (Some(s), Some(e)) = days {
                if s > e {
                    return Err(Error0::new(
                        ErrorCode0::InvalidParameter,
                        "timePeriod starts after it ends",
                    ));
                }
            }
            Some(days)
        }
    };
    Ok(CareRecordRequest {
        nhs_number,
        section,
        period,
    })
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// `$gpc.getcarerecord`.
fn care_record(
    state: &ProviderState,
    claims: &serde_json::Map<String, Value>,
    body: &[u8],
) -> Result<Value, Error0> {
    let req = parse_request(body, &state.faults)?;
    let requested = claims[gh::jwt::REQUESTED_RECORD]["identifier"][0]["value"].as_str();
    if requested != Some(req.nhs_number.as_str()) {
        return Err(Error0::bad_request(
            "the JWT requested_record is not the patient of patientNHSNumber",
        ));
    }
    let today = today();
    let store = state.read();
    let not_found = || {
        Error0::new(
            ErrorCode0::PatientNotFound,
            "no patient with this NHS number is registered here",
        )
    };
    // A deceased patient is looked at below: their record stays available for a while after death.
    let patient = store
        .patient_by_nhs_number(&req.nhs_number)
        .filter(|p| {
            p.registration_status == crate::provider::state::RegistrationStatus::Active
                && !p.sensitive
        })
        .ok_or_else(not_found)?;
    if state.pds.retrieve(&req.nhs_number).is_none() {
        return Err(not_found());
    }
    if let Some(died) = patient
        .deceased
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok())
    {
        let served_after_death =
            crate::gpconnect::version::parse_version(&state.settings.html_version)
                >= crate::gpconnect::version::parse_version(gh::DECEASED_ACCESS_SINCE);
        let beyond = (today - died).num_days() > gh::DECEASED_WINDOW_DAYS
            && !state.faults.has(Fault::HtmlDeceasedWindowIgnored);
        if !served_after_death || beyond {
            return Err(not_found());
        }
    }
    let record = super::structured::record::record_for(&req.nhs_number, today);
    if record.dissent && !state.faults.has(Fault::HtmlDissentIgnored) {
        return Err(Error0::new(
            ErrorCode0::NoPatientConsent,
            "the patient has dissented from sharing their record",
        ));
    }
    let div = view::render(
        &record,
        &view::ViewRequest {
            section: req.section,
            version: &state.settings.html_version,
            period: req.period,
            today,
        },
        &state.faults,
    );
    let org = store
        .organizations
        .iter()
        .find(|o| o.ods_code == state.settings.ods_code);
    let org_name = org.map(|o| o.name.clone()).unwrap_or_default();
    let meta = |profile: &str| json!({"versionId": "1", "profile": [profile]});
    let entry = |resource: Value| {
        json!({
            "fullUrl": format!("{}/{}", resource["resourceType"].as_str().unwrap_or_default(), resource["id"].as_str().unwrap_or_default()),
            "resource": resource,
        })
    };
    let composition = json!({
        "resourceType": "Composition",
        "id": format!("care-record-{}", req.section.code().to_ascii_lowercase()),
        "meta": {"profile": [profiles::COMPOSITION]},
        "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S+00:00").to_string(),
        "type": {"coding": [{"system": systems::SNOMED, "code": gh::composition::TYPE_CODE, "display": gh::composition::TYPE_DISPLAY}]},
        "class": {"coding": [{"system": systems::SNOMED, "code": gh::composition::CLASS_CODE, "display": gh::composition::CLASS_DISPLAY}]},
        "title": gh::composition::TITLE,
        "status": "final",
        "subject": {"reference": format!("Patient/{}", patient.id)},
        "author": [{"reference": "Device/1"}],
        "custodian": {"reference": if state.faults.has(Fault::HtmlDanglingReference) { "Organization/0" } else { "Organization/1" }},
        "section": [{
            "title": req.section.title(),
            "code": {
                "coding": [{"system": systems::RECORD_SECTION, "code": req.section.code(), "display": req.section.title()}],
                "text": req.section.title()
            },
            "text": {"status": "generated", "div": div}
        }]
    });
    let mut patient_resource = json!({
        "resourceType": "Patient",
        "id": patient.id,
        "meta": meta(profiles::PATIENT),
        "identifier": [{"system": systems::NHS_NUMBER, "value": patient.nhs_number}],
        "name": [{"use": "usual", "family": [patient.name.family], "given": patient.name.given, "prefix": patient.name.prefix}],
        "gender": patient.gender,
        "birthDate": patient.birth_date,
        "careProvider": [{"reference": format!("Practitioner/{USUAL_GP_ID}")}],
        "managingOrganization": {"reference": "Organization/1"}
    });
    if let Some(died) = &patient.deceased {
        patient_resource["deceasedDateTime"] = Value::from(died.as_str());
    }
    let practitioner = json!({
        "resourceType": "Practitioner",
        "id": USUAL_GP_ID,
        "meta": meta(profiles::PRACTITIONER),
        "identifier": [{"system": systems::SDS_USER_ID, "value": "G13579135"}],
        "name": {"use": "usual", "family": ["Gilbert"], "given": ["Anne"], "prefix": ["Dr"]},
        "gender": "female",
        "practitionerRole": [{
            "managingOrganization": {"reference": "Organization/1"},
            "role": {"coding": [{"system": systems::SDS_JOB_ROLE, "code": "R0260", "display": "General Medical Practitioner"}]}
        }]
    });
    if state.faults.has(Fault::HtmlPatientWithStu3Element) {
        patient_resource["generalPractitioner"] = json!([{"reference": "Organization/1"}]);
    }
    let organization = json!({
        "resourceType": "Organization",
        "id": "1",
        "meta": meta(profiles::ORGANIZATION),
        "identifier": [{"system": systems::ODS_ORGANIZATION_CODE, "value": state.settings.ods_code}],
        "name": org_name
    });
    let device = json!({
        "resourceType": "Device",
        "id": "1",
        "meta": meta(profiles::DEVICE),
        "type": {"coding": [{"system": systems::SNOMED, "code": gh::composition::DEVICE_TYPE_CODE, "display": gh::composition::DEVICE_TYPE_DISPLAY}]},
        "model": "gpc-assure",
        "version": env!("CARGO_PKG_VERSION")
    });
    Ok(json!({
        "resourceType": "Bundle",
        "meta": {"profile": [profiles::SEARCHSET_BUNDLE]},
        "type": "searchset",
        "entry": [entry(composition), entry(patient_resource), entry(practitioner), entry(organization), entry(device)]
    }))
}
