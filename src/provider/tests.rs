//! In-process tests of the reference provider (router + `tower::ServiceExt::oneshot`).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::*;
use crate::config::default_register_pool;
use crate::gpconnect::headers::{
    AUTHORIZATION, SSP_FROM, SSP_INTERACTION_ID, SSP_TO, SSP_TRACE_ID,
};
use crate::gpconnect::jwt::{Claims, ConsumerIdentity, REASON_DIRECT_CARE};
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::Interaction;

const NHS: &str = "https://fhir.nhs.uk/Id/nhs-number";

fn app_with(faults: &[Fault]) -> Router {
    let settings = ProviderSettings {
        faults: faults.to_vec(),
        ..ProviderSettings::default()
    };
    router(Arc::new(ProviderState::new(settings)))
}

fn app() -> Router {
    app_with(&[])
}

fn root() -> String {
    ProviderSettings::default().foundations_path()
}

fn alias(name: &str) -> String {
    crate::config::DataAliases::default().patients[name].clone()
}

/// A request for `interaction` with valid headers and token; tests then break one thing.
struct Call {
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    claims: Claims,
    body: Option<Vec<u8>>,
}

impl Call {
    fn new(interaction: Interaction, id: Option<&str>, query: &str) -> Call {
        let spec = interaction.spec();
        let path = format!("{}{}{}", root(), interaction.path_for(id), query);
        let now = chrono::Utc::now().timestamp();
        let claims = Claims::new(
            &ConsumerIdentity::default(),
            "https://authorize.fhir.nhs.net/token",
            spec.scope,
            REASON_DIRECT_CARE,
            now,
        );
        let settings = ProviderSettings::default();
        Call {
            method: Method::from_bytes(spec.method.as_str().as_bytes()).unwrap(),
            path,
            headers: vec![
                (SSP_TRACE_ID.into(), uuid::Uuid::new_v4().to_string()),
                (SSP_FROM.into(), "200000000359".into()),
                (SSP_TO.into(), settings.asid),
                (SSP_INTERACTION_ID.into(), spec.id.into()),
            ],
            claims,
            body: None,
        }
    }

    fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
        self
    }

    fn without(mut self, name: &str) -> Call {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self
    }

    fn claim(mut self, name: &str, value: Value) -> Call {
        self.claims.set(name, value);
        self
    }

    fn json(mut self, body: Value) -> Call {
        self.body = Some(body.to_string().into_bytes());
        self.header("Content-Type", "application/fhir+json;charset=utf-8")
    }

    fn request(self) -> Request<Body> {
        let mut b = Request::builder().method(self.method).uri(self.path);
        let has_auth = self.headers.iter().any(|(k, _)| k == AUTHORIZATION);
        for (k, v) in &self.headers {
            b = b.header(k, v);
        }
        if !has_auth {
            b = b.header(AUTHORIZATION, format!("Bearer {}", self.claims.encode()));
        }
        b.body(self.body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap()
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    raw: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.raw).unwrap_or(Value::Null)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn code(&self) -> String {
        self.json()["issue"][0]["details"]["coding"][0]["code"]
            .as_str()
            .unwrap_or("<none>")
            .to_string()
    }

    fn entries(&self) -> Vec<Value> {
        self.json()["entry"].as_array().cloned().unwrap_or_default()
    }
}

async fn send_to(app: &Router, call: Call) -> Reply {
    send_raw(app, call.request()).await
}

async fn send_raw(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let raw = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        headers,
        raw,
    }
}

async fn send(call: Call) -> Reply {
    send_to(&app(), call).await
}

fn find_patient(nhs: &str) -> Call {
    Call::new(
        Interaction::FindPatient,
        None,
        &format!("?identifier={NHS}%7C{nhs}"),
    )
}

fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(
        r.status.as_u16(),
        status,
        "body: {}",
        String::from_utf8_lossy(&r.raw)
    );
    assert_eq!(r.code(), code);
    let oo = r.json();
    assert_eq!(oo["resourceType"], "OperationOutcome");
    assert_eq!(oo["meta"]["profile"][0], profiles::OPERATION_OUTCOME);
    assert_eq!(
        oo["issue"][0]["details"]["coding"][0]["system"],
        systems::SPINE_ERROR_OR_WARNING_CODE
    );
    assert!(oo["issue"][0]["diagnostics"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(
        r.header("content-type"),
        Some("application/fhir+json;charset=utf-8")
    );
}

// ---- metadata, headers, routing -------------------------------------------------------------

#[tokio::test]
async fn metadata_is_a_capability_statement() {
    let r = send(Call::new(Interaction::Metadata, None, "")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(
        r.header("content-type"),
        Some("application/fhir+json;charset=utf-8")
    );
    let cs = r.json();
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "3.0.1");
    assert_eq!(cs["version"], "1.2.7");
    assert_eq!(
        cs["format"],
        json!(["application/fhir+json", "application/fhir+xml"])
    );
    assert_eq!(cs["rest"][0]["security"]["cors"], true);
    let ops = cs["rest"][0]["operation"].to_string();
    assert!(
        ops.contains(profiles::REGISTER_PATIENT_OPERATION)
            && ops.contains(profiles::GET_STRUCTURED_RECORD_OPERATION)
    );
}

#[tokio::test]
async fn each_missing_header_is_bad_request() {
    for h in [SSP_TRACE_ID, SSP_FROM, SSP_TO, SSP_INTERACTION_ID] {
        let r = send(Call::new(Interaction::Metadata, None, "").without(h)).await;
        assert_error(&r, 400, "BAD_REQUEST");
    }
    let r = send(Call::new(Interaction::Metadata, None, "").header(AUTHORIZATION, "")).await;
    assert_error(&r, 400, "BAD_REQUEST");
}

#[tokio::test]
async fn wrong_asid_interaction_or_from_is_bad_request() {
    let r = send(Call::new(Interaction::Metadata, None, "").header(SSP_TO, "111111111111")).await;
    assert_error(&r, 400, "BAD_REQUEST");
    let wrong = Interaction::ReadPractitioner.spec().id;
    let r = send(
        Call::new(Interaction::FindOrganization, None, "?identifier=x%7Cy")
            .header(SSP_INTERACTION_ID, wrong),
    )
    .await;
    assert_error(&r, 400, "BAD_REQUEST");
    let r = send(Call::new(Interaction::Metadata, None, "").header(SSP_FROM, "abc")).await;
    assert_error(&r, 400, "BAD_REQUEST");
}

#[tokio::test]
async fn unknown_paths_and_verbs_get_operation_outcomes() {
    let app = app();
    let r = send_to(
        &app,
        Call {
            path: format!("{}/Metadata", root()),
            ..Call::new(Interaction::Metadata, None, "")
        },
    )
    .await;
    assert_error(&r, 404, "NO_RECORD_FOUND");
    let r = send_to(
        &app,
        Call {
            path: format!("{}/metadatas", root()),
            ..Call::new(Interaction::Metadata, None, "")
        },
    )
    .await;
    assert_error(&r, 404, "NO_RECORD_FOUND");
    for m in [
        Method::DELETE,
        Method::PATCH,
        Method::POST,
        Method::PUT,
        Method::OPTIONS,
    ] {
        let r = send_to(
            &app,
            Call {
                method: m,
                ..Call::new(Interaction::Metadata, None, "")
            },
        )
        .await;
        assert_error(&r, 400, "BAD_REQUEST");
    }
    let r = send_raw(
        &app,
        Request::builder()
            .uri("/%ff/..//x?%zz=%")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_error(&r, 404, "NO_RECORD_FOUND");
}

// ---- JWT --------------------------------------------------------------------------------------

#[tokio::test]
async fn jwt_rules_follow_the_official_suite() {
    let meta = || Call::new(Interaction::Metadata, None, "");
    let now = chrono::Utc::now().timestamp();
    let app = app();
    assert_error(
        &send_to(&app, meta().header(AUTHORIZATION, "Bearer not-a-token")).await,
        400,
        "BAD_REQUEST",
    );
    for claim in crate::gpconnect::jwt::REQUIRED_CLAIMS {
        let mut c = meta();
        c.claims.remove(claim);
        assert_error(&send_to(&app, c).await, 400, "BAD_REQUEST");
    }
    for exp in [now + 301, now + 299, now - 1] {
        assert_error(
            &send_to(
                &app,
                meta().claim("iat", json!(now)).claim("exp", json!(exp)),
            )
            .await,
            400,
            "BAD_REQUEST",
        );
    }
    let expired = meta()
        .claim("iat", json!(now - 600))
        .claim("exp", json!(now - 300));
    assert_error(&send_to(&app, expired).await, 400, "BAD_REQUEST");
    let future = meta()
        .claim("iat", json!(now + 200))
        .claim("exp", json!(now + 500));
    assert_eq!(send_to(&app, future).await.status, StatusCode::OK);
    assert_error(
        &send_to(&app, meta().claim("reason_for_request", json!("secondary"))).await,
        400,
        "BAD_REQUEST",
    );
    assert_error(
        &send_to(&app, meta().claim("requested_scope", json!("badScope"))).await,
        400,
        "BAD_REQUEST",
    );
    assert_error(
        &send_to(
            &app,
            meta().claim("requested_scope", json!("patient/*.read")),
        )
        .await,
        400,
        "BAD_REQUEST",
    );
    assert_error(
        &send_to(&app, meta().claim("sub", json!("someone-else"))).await,
        400,
        "BAD_REQUEST",
    );
    assert_error(
        &send_to(&app, meta().claim("aud", json!(""))).await,
        400,
        "BAD_REQUEST",
    );
    let not_device = meta().claim("requesting_device", json!({"resourceType": "Patient"}));
    assert_error(&send_to(&app, not_device).await, 422, "INVALID_RESOURCE");
    let not_practitioner = meta().claim(
        "requesting_practitioner",
        json!({"resourceType": "Device", "id": "10019"}),
    );
    assert_error(
        &send_to(&app, not_practitioner).await,
        422,
        "INVALID_RESOURCE",
    );
    assert_error(
        &send_to(
            &app,
            meta().claim("requesting_organization", json!("A1001")),
        )
        .await,
        422,
        "INVALID_RESOURCE",
    );
    let no_ods = meta().claim(
        "requesting_organization",
        json!({"resourceType": "Organization", "name": "x"}),
    );
    assert_error(&send_to(&app, no_ods).await, 422, "INVALID_RESOURCE");
    let unk = meta().claim(
        "requesting_practitioner",
        json!({"resourceType": "Practitioner", "id": "10019", "identifier": [{"system": systems::SDS_USER_ID, "value": "UNK"}]}),
    );
    assert_eq!(send_to(&app, unk).await.status, StatusCode::OK);
}

#[tokio::test]
async fn register_with_a_read_scope_is_bad_request() {
    let c = Call::new(Interaction::RegisterPatient, None, "")
        .claim("requested_scope", json!("patient/*.read"));
    assert_error(&send(c).await, 400, "BAD_REQUEST");
}

// ---- content negotiation ------------------------------------------------------------------------

#[tokio::test]
async fn format_parameter_beats_accept() {
    let app = app();
    let xml = "application/fhir+xml;charset=utf-8";
    let r = send_to(
        &app,
        Call::new(
            Interaction::Metadata,
            None,
            "?_format=application/fhir%2Bxml",
        )
        .header("Accept", "application/fhir+json"),
    )
    .await;
    assert_eq!(r.header("content-type"), Some(xml));
    assert!(String::from_utf8_lossy(&r.raw)
        .trim_start()
        .starts_with('<'));
    let r = send_to(
        &app,
        Call::new(Interaction::Metadata, None, "?_format=json")
            .header("Accept", "application/fhir+xml"),
    )
    .await;
    assert_eq!(
        r.header("content-type"),
        Some("application/fhir+json;charset=utf-8")
    );
    let r = send_to(
        &app,
        Call::new(Interaction::Metadata, None, "").header("Accept", "application/xml"),
    )
    .await;
    assert_eq!(r.header("content-type"), Some(xml));
    let r = send_to(
        &app,
        Call::new(Interaction::Metadata, None, "?_format=text/plain"),
    )
    .await;
    assert_error(&r, 415, "BAD_REQUEST");
}

#[tokio::test]
async fn gzip_when_asked() {
    let r =
        send(Call::new(Interaction::Metadata, None, "").header("Accept-Encoding", "gzip")).await;
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

// ---- patients -------------------------------------------------------------------------------------

#[tokio::test]
async fn find_patient_returns_an_active_patient_without_forbidden_elements() {
    let r = send(find_patient(&alias("patient1"))).await;
    assert_eq!(r.status, StatusCode::OK);
    let bundle = r.json();
    assert_eq!(bundle["type"], "searchset");
    let entries = r.entries();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].get("fullUrl").is_none());
    let p = &entries[0]["resource"];
    assert_eq!(p["meta"]["profile"][0], profiles::PATIENT);
    assert!(p["meta"]["versionId"].is_string() && p["id"].is_string());
    assert_eq!(p["identifier"][0]["value"], alias("patient1").as_str());
    assert_eq!(
        p["identifier"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"],
        "01"
    );
    assert_eq!(p["name"][0]["use"], "official");
    assert_eq!(p["address"][0]["use"], "home");
    assert_eq!(p["managingOrganization"]["reference"], "Organization/1");
    for forbidden in systems::PATIENT_FORBIDDEN_ELEMENTS {
        assert!(p.get(*forbidden).is_none());
    }
    let text = p.to_string();
    for ext in systems::PATIENT_FORBIDDEN_EXTENSIONS {
        assert!(!text.contains(ext));
    }
}

#[tokio::test]
async fn find_patient_omits_unshareable_patients() {
    let app = app();
    for name in [
        "patient9",
        "patient10",
        "patient18",
        "patient21",
        "patient11",
        "patientNotInSystem",
    ] {
        let r = send_to(&app, find_patient(&alias(name))).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert!(r.entries().is_empty(), "{name}");
    }
    for name in [
        "patient2",
        "patient13",
        "patient14",
        "patient15",
        "patient20",
    ] {
        assert_eq!(
            send_to(&app, find_patient(&alias(name)))
                .await
                .entries()
                .len(),
            1,
            "{name}"
        );
    }
}

#[tokio::test]
async fn find_patient_errors() {
    let app = app();
    assert_error(
        &send_to(&app, find_patient("1234567890")).await,
        400,
        "INVALID_NHS_NUMBER",
    );
    let no_system = Call::new(Interaction::FindPatient, None, "?identifier=9658218873");
    assert_error(&send_to(&app, no_system).await, 422, "INVALID_PARAMETER");
    let other = Call::new(
        Interaction::FindPatient,
        None,
        "?identifier=https://example.org%7C9658218873",
    );
    assert_error(
        &send_to(&app, other).await,
        400,
        "INVALID_IDENTIFIER_SYSTEM",
    );
    let twice = Call::new(
        Interaction::FindPatient,
        None,
        &format!("?identifier={NHS}%7C9690937278&identifier={NHS}%7C9690937278"),
    );
    assert_error(&send_to(&app, twice).await, 400, "BAD_REQUEST");
    let extra = Call::new(
        Interaction::FindPatient,
        None,
        &format!("?_count=1&identifier={NHS}%7C9690937278&_sort=status"),
    );
    assert_eq!(send_to(&app, extra).await.entries().len(), 1);
}

#[tokio::test]
async fn read_patient_has_matching_etag_and_hides_sensitive() {
    let app = app();
    let r = send_to(&app, Call::new(Interaction::ReadPatient, Some("1"), "")).await;
    assert_eq!(r.status, StatusCode::OK);
    let p = r.json();
    assert_eq!(p["id"], "1");
    let etag = crate::gpconnect::headers::weak_etag(p["meta"]["versionId"].as_str().unwrap());
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    assert_error(
        &send_to(&app, Call::new(Interaction::ReadPatient, Some("9"), "")).await,
        404,
        "PATIENT_NOT_FOUND",
    );
    assert_error(
        &send_to(&app, Call::new(Interaction::ReadPatient, Some("nope"), "")).await,
        404,
        "PATIENT_NOT_FOUND",
    );
}

// ---- practitioners, organisations, locations ---------------------------------------------------------

#[tokio::test]
async fn practitioners() {
    let app = app();
    let q = |sds: &str| format!("?identifier={}%7C{sds}", systems::SDS_USER_ID);
    let r = send_to(
        &app,
        Call::new(Interaction::FindPractitioner, None, &q("G22345655")),
    )
    .await;
    let p = &r.entries()[0]["resource"];
    assert_eq!(p["identifier"].as_array().unwrap().len(), 3);
    for forbidden in systems::PRACTITIONER_FORBIDDEN_ELEMENTS {
        assert!(p.get(*forbidden).is_none());
    }
    assert!(send_to(
        &app,
        Call::new(Interaction::FindPractitioner, None, &q("G99999999"))
    )
    .await
    .entries()
    .is_empty());
    let r = send_to(
        &app,
        Call::new(
            Interaction::ReadPractitioner,
            Some(p["id"].as_str().unwrap()),
            "",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_error(
        &send_to(
            &app,
            Call::new(Interaction::ReadPractitioner, Some("99"), ""),
        )
        .await,
        404,
        "PRACTITIONER_NOT_FOUND",
    );
}

#[tokio::test]
async fn organisations_and_locations() {
    let app = app();
    let q = |ods: &str| format!("?identifier={}%7C{ods}", systems::ODS_ORGANIZATION_CODE);
    let r = send_to(
        &app,
        Call::new(Interaction::FindOrganization, None, &q("B82617")),
    )
    .await;
    assert_eq!(r.entries()[0]["resource"]["id"], "1");
    assert!(send_to(
        &app,
        Call::new(Interaction::FindOrganization, None, &q("INVOC1"))
    )
    .await
    .entries()
    .is_empty());
    assert_error(
        &send_to(&app, Call::new(Interaction::FindOrganization, None, "")).await,
        400,
        "BAD_REQUEST",
    );
    assert_eq!(
        send_to(
            &app,
            Call::new(Interaction::ReadOrganization, Some("2"), "")
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_error(
        &send_to(
            &app,
            Call::new(Interaction::ReadOrganization, Some("x"), ""),
        )
        .await,
        404,
        "ORGANISATION_NOT_FOUND",
    );
    let r = send_to(&app, Call::new(Interaction::ReadLocation, Some("3"), "")).await;
    assert_eq!(
        r.json()["managingOrganization"]["reference"],
        "Organization/2"
    );
    assert!(r.header("etag").is_some());
    assert_error(
        &send_to(&app, Call::new(Interaction::ReadLocation, Some("42"), "")).await,
        404,
        "NO_RECORD_FOUND",
    );
}

// ---- register -----------------------------------------------------------------------------------------

fn register_body(nhs: &str, family: &str, given: &str, birth_date: &str) -> Value {
    json!({"resourceType": "Parameters", "parameter": [{"name": "registerPatient", "resource": {
        "resourceType": "Patient",
        "meta": {"profile": [profiles::PATIENT]},
        "identifier": [{"system": NHS, "value": nhs}],
        "name": [{"use": "official", "family": family, "given": [given]}],
        "gender": "male",
        "birthDate": birth_date,
    }}]})
}

fn register(body: Value) -> Call {
    Call::new(Interaction::RegisterPatient, None, "").json(body)
}

fn pool_body(i: usize) -> Value {
    let p = &default_register_pool()[i];
    register_body(&p.nhs_number, &p.family, &p.given, &p.birth_date)
}

#[tokio::test]
async fn register_creates_a_temporary_registration_then_rejects_a_duplicate() {
    let app = app();
    let r = send_to(&app, register(pool_body(0))).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
    let bundle = r.json();
    assert_eq!(bundle["meta"]["profile"][0], profiles::SEARCHSET_BUNDLE);
    assert_eq!(bundle["type"], "searchset");
    let p = &bundle["entry"][0]["resource"];
    assert_eq!(p["active"], true);
    let details = p["extension"][0].to_string();
    assert!(
        details.contains("\"T\"") && details.contains("registrationPeriod"),
        "{details}"
    );
    let nhs = &default_register_pool()[0].nhs_number;
    assert_eq!(send_to(&app, find_patient(nhs)).await.entries().len(), 1);
    assert_error(
        &send_to(&app, register(pool_body(0))).await,
        409,
        "DUPLICATE_REJECTED",
    );
}

#[tokio::test]
async fn register_refusals_follow_the_official_suite() {
    let app = app();
    let seeded = |name: &str, family: &str, given: &str, dob: &str| {
        register(register_body(&alias(name), family, given, dob))
    };
    assert_error(
        &send_to(&app, seeded("patient1", "WRIGHT", "Garth", "1940-02-13")).await,
        409,
        "DUPLICATE_REJECTED",
    );
    assert_error(
        &send_to(&app, seeded("patient9", "ALDER", "Samuel", "1971-06-18")).await,
        400,
        "INVALID_PATIENT_DEMOGRAPHICS",
    );
    assert_error(
        &send_to(&app, seeded("patient11", "CROFT", "Martin", "1958-03-07")).await,
        400,
        "INVALID_NHS_NUMBER",
    );
    assert_error(
        &send_to(&app, seeded("patient14", "EVANS", "Rhys", "1987-12-12")).await,
        400,
        "INVALID_PATIENT_DEMOGRAPHICS",
    );
    assert_error(
        &send_to(&app, seeded("patient18", "IRWIN", "Sarah", "1937-01-30")).await,
        400,
        "INVALID_PATIENT_DEMOGRAPHICS",
    );
    let p = &default_register_pool()[1];
    assert_error(
        &send_to(
            &app,
            register(register_body(
                &p.nhs_number,
                "SOMEONE",
                &p.given,
                &p.birth_date,
            )),
        )
        .await,
        400,
        "BAD_REQUEST",
    );
    assert_error(
        &send_to(
            &app,
            register(register_body(&p.nhs_number, &p.family, "Zed", "1900-12-30")),
        )
        .await,
        400,
        "INVALID_PATIENT_DEMOGRAPHICS",
    );
    assert_error(
        &send_to(
            &app,
            register(register_body(
                "1234567890",
                &p.family,
                &p.given,
                &p.birth_date,
            )),
        )
        .await,
        400,
        "INVALID_NHS_NUMBER",
    );

    let mut body = pool_body(1);
    body["parameter"][0]["resource"]
        .as_object_mut()
        .unwrap()
        .remove("birthDate");
    assert_error(&send_to(&app, register(body)).await, 400, "BAD_REQUEST");
    let mut body = pool_body(1);
    body["parameter"][0]["resource"]["maritalStatus"] = json!({"text": "Single"});
    assert_error(
        &send_to(&app, register(body)).await,
        422,
        "INVALID_RESOURCE",
    );
    let mut body = pool_body(1);
    body["parameter"][0]["resource"]["address"] = json!([{"use": "work", "line": ["x"]}]);
    assert_error(
        &send_to(&app, register(body)).await,
        422,
        "INVALID_RESOURCE",
    );
    let mut body = pool_body(1);
    body["parameter"][0]["resource"]["identifier"] = json!([{"value": p.nhs_number}]);
    assert_error(&send_to(&app, register(body)).await, 400, "BAD_REQUEST");
    let mut body = pool_body(1);
    body["parameter"][0]["resource"]
        .as_object_mut()
        .unwrap()
        .remove("identifier");
    assert_error(
        &send_to(&app, register(body)).await,
        400,
        "INVALID_NHS_NUMBER",
    );
    let mut body = pool_body(1);
    let param = body["parameter"][0].clone();
    body["parameter"].as_array_mut().unwrap().push(param);
    assert_error(&send_to(&app, register(body)).await, 400, "BAD_REQUEST");
    let mut body = pool_body(1);
    body["parameter"][0]["resource"] = json!({"resourceType": "Organization"});
    assert_error(
        &send_to(&app, register(body)).await,
        422,
        "INVALID_RESOURCE",
    );

    let malformed = Call {
        body: Some(b"{not json".to_vec()),
        ..register(json!({}))
    };
    assert_error(&send_to(&app, malformed).await, 400, "BAD_REQUEST");
    let bad_utf8 = Call {
        body: Some(vec![0xff, 0xfe, 0x00]),
        ..register(json!({}))
    };
    assert_error(&send_to(&app, bad_utf8).await, 400, "BAD_REQUEST");
    let huge = Call {
        body: Some(vec![b' '; negotiate::MAX_BODY_BYTES + 10]),
        ..register(json!({}))
    };
    let r = send_to(&app, huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.code(), "BAD_REQUEST");
}

#[tokio::test]
async fn register_accepts_optional_details_and_reactivates_an_inactive_record() {
    let app = app();
    let mut body = pool_body(2);
    let res = &mut body["parameter"][0]["resource"];
    res.as_object_mut().unwrap().remove("gender");
    res["name"][0]["given"] = json!(["Owen", "Rhys"]);
    res["address"] = json!([{"use": "home", "line": ["1 Road"], "postalCode": "LS1 1AA"}, {"use": "temp", "line": ["2 Road"]}]);
    res["telecom"] = json!([{"system": "phone", "value": "0113 000", "use": "home"}, {"system": "email", "value": "a@b.c"}]);
    res["extension"] = json!([{"url": systems::EXT_NHS_COMMUNICATION, "extension": [{"url": "interpreterRequired", "valueBoolean": false}]}]);
    let r = send_to(&app, register(body)).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );

    let r = send_to(
        &app,
        register(register_body(
            &alias("patient21"),
            "LAWSON",
            "Ian",
            "1960-06-06",
        )),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.raw)
    );
    assert_eq!(r.json()["entry"][0]["resource"]["id"], "21");
    assert_eq!(
        send_to(&app, find_patient(&alias("patient21")))
            .await
            .entries()
            .len(),
        1
    );
}

#[tokio::test]
async fn concurrent_registrations_of_one_person_succeed_once() {
    let app = app();
    let calls = (0..8).map(|_| send_to(&app, register(pool_body(5))));
    let statuses: Vec<u16> = futures::future::join_all(calls)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
}

// ---- faults -------------------------------------------------------------------------------------------

/// Whether the rule `fault` breaks is visibly broken on `app`, by one probe per Foundations fault;
/// `None` for faults of other capabilities, whose own tests probe them.
async fn rule_broken(app: &Router, fault: Fault) -> Option<bool> {
    let meta = || Call::new(Interaction::Metadata, None, "");
    let read = || Call::new(Interaction::ReadPatient, Some("1"), "");
    let etag_matches = |r: &Reply| {
        let v = r.json()["meta"]["versionId"]
            .as_str()
            .map(crate::gpconnect::headers::weak_etag);
        v.is_some() && r.header("etag") == v.as_deref()
    };
    let now = chrono::Utc::now().timestamp();
    Some(match fault {
        Fault::OmitCacheControl => send_to(app, meta()).await.header("cache-control").is_none(),
        Fault::OmitEtag => send_to(app, read()).await.header("etag").is_none(),
        Fault::EtagMismatch => {
            let r = send_to(app, read()).await;
            r.header("etag").is_some() && !etag_matches(&r)
        }
        Fault::AcceptMissingSspHeader => send_to(app, meta().without(SSP_TRACE_ID))
            .await
            .status
            .is_success(),
        Fault::AcceptWrongAsid => send_to(app, meta().header(SSP_TO, "1"))
            .await
            .status
            .is_success(),
        Fault::IgnoreInteractionId => send_to(
            app,
            meta().header(SSP_INTERACTION_ID, Interaction::ReadPatient.spec().id),
        )
        .await
        .status
        .is_success(),
        Fault::AcceptExpiredJwt => {
            let c = meta()
                .claim("iat", json!(now - 600))
                .claim("exp", json!(now - 300));
            send_to(app, c).await.status.is_success()
        }
        Fault::IgnoreScope => send_to(app, meta().claim("requested_scope", json!("badScope")))
            .await
            .status
            .is_success(),
        Fault::WrongErrorCodeSystem => {
            let r = send_to(app, meta().without(SSP_TO)).await;
            r.json()["issue"][0]["details"]["coding"][0]["system"]
                != systems::SPINE_ERROR_OR_WARNING_CODE
        }
        Fault::WrongHttpStatusForErrors => {
            send_to(app, meta().without(SSP_TO)).await.status != StatusCode::BAD_REQUEST
        }
        Fault::NoOperationOutcomeBody => send_to(app, meta().without(SSP_TO)).await.raw.is_empty(),
        Fault::IgnoreFormat => {
            let r = send_to(app, Call::new(Interaction::Metadata, None, "?_format=xml")).await;
            r.header("content-type") != Some("application/fhir+xml;charset=utf-8")
        }
        Fault::WrongContentType => {
            send_to(app, meta()).await.header("content-type")
                != Some("application/fhir+json;charset=utf-8")
        }
        Fault::NoGzip => send_to(app, meta().header("Accept-Encoding", "gzip"))
            .await
            .header("content-encoding")
            .is_none(),
        Fault::FindReturnsSensitive => !send_to(app, find_patient(&alias("patient9")))
            .await
            .entries()
            .is_empty(),
        Fault::FindReturnsDeceased => !send_to(app, find_patient(&alias("patient18")))
            .await
            .entries()
            .is_empty(),
        Fault::AcceptInvalidNhsNumber => send_to(app, find_patient("1234567890"))
            .await
            .status
            .is_success(),
        Fault::PatientWithForbiddenElement => send_to(app, read())
            .await
            .json()
            .get("maritalStatus")
            .is_some(),
        Fault::BundleWithFullUrl => send_to(app, find_patient(&alias("patient1")))
            .await
            .entries()[0]
            .get("fullUrl")
            .is_some(),
        Fault::MissingMetaProfile => send_to(app, read()).await.json()["meta"]
            .get("profile")
            .is_none(),
        Fault::MissingVersionId => send_to(app, read()).await.json()["meta"]
            .get("versionId")
            .is_none(),
        Fault::ReadWrongId => send_to(app, read()).await.json()["id"] != "1",
        Fault::RegisterAllowsDuplicate => send_to(
            app,
            register(register_body(
                &alias("patient1"),
                "WRIGHT",
                "Garth",
                "1940-02-13",
            )),
        )
        .await
        .status
        .is_success(),
        Fault::RegisterAsRegular => {
            let r = send_to(app, register(pool_body(7))).await;
            !r.json()["entry"][0]["resource"]["extension"][0]
                .to_string()
                .contains("\"T\"")
        }
        _ => return None,
    })
}

#[tokio::test]
async fn each_fault_breaks_its_rule_and_only_when_on() {
    let mut probed = 0;
    for fault in Fault::ALL {
        let Some(broken_without) = rule_broken(&app(), *fault).await else {
            continue;
        };
        assert!(!broken_without, "{fault}: broken without the fault");
        let broken_with = rule_broken(&app_with(&[*fault]), *fault).await;
        assert_eq!(
            broken_with,
            Some(true),
            "{fault}: not broken with the fault"
        );
        probed += 1;
    }
    assert!(probed >= 24, "only {probed} faults probed");
}

#[tokio::test]
async fn start_serves_over_tcp_and_shuts_down() {
    let running = start(ProviderSettings::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert!(running
        .foundations_url
        .ends_with("/B82617/STU3/1/gpconnect"));
    let config = running.config();
    assert_eq!(config.target.foundations_url, running.foundations_url);
    assert_eq!(config.data.organizations["ORG1"], "B82617");
    let stream = tokio::net::TcpStream::connect(running.addr).await;
    assert!(stream.is_ok());
    running.shutdown().await;
}
