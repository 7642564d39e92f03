//! In-process tests of the documents root: the switch, the Regular/GMS and deceased rules, the search
//! parameters, the 5 MB limit and the confidentiality of Migrate a document.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::config::{DataAliases, MIGRATION_PRACTICE_ALIAS};
use crate::gpconnect::headers::{
    AUTHORIZATION, SSP_FROM, SSP_INTERACTION_ID, SSP_TO, SSP_TRACE_ID,
};
use crate::gpconnect::jwt::{Claims, ConsumerIdentity, REASON_DIRECT_CARE, REASON_MIGRATION};
use crate::gpconnect::{documents as gd, Interaction};
use crate::provider::state::{ProviderState, RegistrationType};
use crate::provider::{router, ProviderSettings};

const TRACE: &str = "9b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3";

fn state(settings: ProviderSettings) -> Arc<ProviderState> {
    Arc::new(ProviderState::new(settings))
}

fn nhs(alias: &str) -> String {
    DataAliases::default().patients[alias].clone()
}

/// Send `interaction` to `path` (below the documents root) with a valid token of `scope`.
async fn send(
    state: &Arc<ProviderState>,
    interaction: Interaction,
    path: &str,
    scope: Option<&str>,
    org: Option<&str>,
) -> (u16, Value) {
    let spec = interaction.spec();
    let migrate = interaction == Interaction::MigrateDocument;
    let mut claims = Claims::new(
        &ConsumerIdentity::default(),
        "https://authorize.fhir.nhs.net/token",
        scope.unwrap_or(spec.scope),
        if migrate {
            REASON_MIGRATION
        } else {
            REASON_DIRECT_CARE
        },
        chrono::Utc::now().timestamp(),
    );
    if let Some(ods) = org {
        let mut o = claims
            .get("requesting_organization")
            .cloned()
            .unwrap_or(Value::Null);
        o["identifier"] =
            json!([{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": ods}]);
        claims.set("requesting_organization", o);
    }
    let uri = format!("{}/documents{path}", state.settings.foundations_path());
    let req = Request::builder()
        .uri(uri)
        .header("Host", "provider.test")
        .header(SSP_TRACE_ID, TRACE)
        .header(SSP_FROM, "200000000359")
        .header(SSP_TO, state.settings.asid.clone())
        .header(SSP_INTERACTION_ID, spec.id)
        .header(AUTHORIZATION, format!("Bearer {}", claims.encode()))
        .body(Body::empty())
        .unwrap();
    let res = router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn code(v: &Value) -> &str {
    v.pointer("/issue/0/details/coding/0/code")
        .and_then(Value::as_str)
        .unwrap_or("<none>")
}

fn includes() -> String {
    gd::MANDATORY_INCLUDES
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn find(alias_nhs: &str) -> String {
    format!("/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C{alias_nhs}")
}

async fn patient_id(s: &Arc<ProviderState>, alias: &str) -> String {
    let (_, b) = send(
        s,
        Interaction::DocumentsFindPatient,
        &find(&nhs(alias)),
        None,
        None,
    )
    .await;
    b.pointer("/entry/0/resource/id")
        .and_then(Value::as_str)
        .unwrap()
        .to_string()
}

fn doc_ids(b: &Value) -> Vec<String> {
    b["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["resource"]["resourceType"] == "DocumentReference")
        .map(|e| e["resource"]["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn a_search_answers_a_traced_searchset_with_absolute_full_urls() {
    let s = state(ProviderSettings::default());
    let id = patient_id(&s, "patient2").await;
    let (status, b) = send(
        &s,
        Interaction::SearchDocuments,
        &format!("/Patient/{id}/DocumentReference?{}", includes()),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["id"], TRACE);
    for e in b["entry"].as_array().unwrap() {
        assert!(
            e["fullUrl"]
                .as_str()
                .unwrap()
                .starts_with("http://provider.test/"),
            "{e}"
        );
    }
    let docs = doc_ids(&b);
    assert_eq!(
        docs,
        ["d2-1", "d2-2", "d2-3", "d2-4", "d2-5"],
        "the confidential d2-6 is never offered"
    );
}

#[tokio::test]
async fn search_parameters_are_checked_and_filters_select() {
    let s = state(ProviderSettings::default());
    let id = patient_id(&s, "patient2").await;
    let base = format!("/Patient/{id}/DocumentReference?{}", includes());
    let (status, b) = send(
        &s,
        Interaction::SearchDocuments,
        &format!("/Patient/{id}/DocumentReference?_include=DocumentReference:subject:Patient"),
        None,
        None,
    )
    .await;
    assert_eq!((status, code(&b)), (422, "INVALID_PARAMETER"));
    for bad in [
        "&author=B82617",
        "&created=2020-01-01",
        "&type=x",
        "&created=ge2020-01-01&created=ge2021-01-01",
    ] {
        let (status, b) = send(
            &s,
            Interaction::SearchDocuments,
            &format!("{base}{bad}"),
            None,
            None,
        )
        .await;
        assert_eq!((status, code(&b)), (422, "INVALID_PARAMETER"), "{bad}");
    }
    let ods2 = &DataAliases::default().organizations["ORG2"];
    let (_, b) = send(
        &s,
        Interaction::SearchDocuments,
        &format!("{base}&author=https://fhir.nhs.uk/Id/ods-organization-code%7C{ods2}"),
        None,
        None,
    )
    .await;
    assert_eq!(doc_ids(&b), ["d2-1", "d2-4"]);
    // d2-3 has no `created`: its `indexed` (2022-11-20) decides.
    let (_, b) = send(
        &s,
        Interaction::SearchDocuments,
        &format!("{base}&created=ge2022-01-01&created=le2022-12-31"),
        None,
        None,
    )
    .await;
    assert_eq!(doc_ids(&b), ["d2-3"]);
    let (_, b) = send(
        &s,
        Interaction::SearchDocuments,
        &format!("{base}&description=referral"),
        None,
        None,
    )
    .await;
    assert_eq!(doc_ids(&b), ["d2-2"]);
    let (status, b) = send(
        &s,
        Interaction::SearchDocuments,
        &format!("/Patient/nope/DocumentReference?{}", includes()),
        None,
        None,
    )
    .await;
    assert_eq!((status, code(&b)), (404, "PATIENT_NOT_FOUND"));
    let dissent = patient_id(&s, "patient15").await;
    let (status, b) = send(
        &s,
        Interaction::SearchDocuments,
        &format!("/Patient/{dissent}/DocumentReference?{}", includes()),
        None,
        None,
    )
    .await;
    assert_eq!((status, code(&b)), (403, "NO_PATIENT_CONSENT"));
}

#[tokio::test]
async fn only_regular_registrations_and_recently_deceased_ones_from_1_6_1_are_found() {
    let s = state(ProviderSettings::default());
    let temporary = nhs("patient3");
    s.write()
        .patients
        .iter_mut()
        .filter(|p| p.nhs_number == temporary)
        .for_each(|p| p.registration_type = RegistrationType::Temporary);
    let (status, b) = send(
        &s,
        Interaction::DocumentsFindPatient,
        &find(&temporary),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        b.get("entry").is_none(),
        "a temporary registration is not found: {b}"
    );

    let recently = (chrono::Utc::now().date_naive() - chrono::Duration::days(10)).to_string();
    for (version, found) in [("1.6.0", false), ("1.6.1", true), ("1.6.2", true)] {
        let s = state(ProviderSettings {
            structured_version: version.into(),
            ..ProviderSettings::default()
        });
        let dead = nhs("patient5");
        s.write()
            .patients
            .iter_mut()
            .filter(|p| p.nhs_number == dead)
            .for_each(|p| p.deceased = Some(recently.clone()));
        let (_, b) = send(
            &s,
            Interaction::DocumentsFindPatient,
            &find(&dead),
            None,
            None,
        )
        .await;
        assert_eq!(b.get("entry").is_some(), found, "{version}: {b}");
    }
    let (status, b) = send(
        &s,
        Interaction::DocumentsFindPatient,
        "/Patient?identifier=https://fhir.nhs.uk/Id/ods-organization-code%7C9690937286",
        None,
        None,
    )
    .await;
    assert_eq!((status, code(&b)), (422, "INVALID_PARAMETER"));
}

#[tokio::test]
async fn the_switch_denies_direct_care_but_not_migration() {
    let s = state(ProviderSettings {
        documents_enabled: false,
        ..ProviderSettings::default()
    });
    let (status, b) = send(
        &s,
        Interaction::DocumentsFindPatient,
        &find(&nhs("patient2")),
        None,
        None,
    )
    .await;
    assert_eq!((status, code(&b)), (403, "ACCESS DENIED"));
    let (status, b) = send(
        &s,
        Interaction::SearchDocuments,
        &format!("/Patient/2/DocumentReference?{}", includes()),
        None,
        None,
    )
    .await;
    assert_eq!((status, code(&b)), (403, "ACCESS DENIED"));
    let (status, b) = send(
        &s,
        Interaction::RetrieveDocument,
        "/Binary/b2-1",
        None,
        None,
    )
    .await;
    assert_eq!((status, code(&b)), (403, "ACCESS DENIED"));
    let ods = DataAliases::default().organizations[MIGRATION_PRACTICE_ALIAS].clone();
    let (status, b) = send(
        &s,
        Interaction::MigrateDocument,
        "/Binary/b2-1",
        Some("patient/*.read conf/N"),
        Some(&ods),
    )
    .await;
    assert_eq!(status, 200, "{b}");
}

#[tokio::test]
async fn retrieve_stops_at_5_mb_and_migrate_does_not_and_guards_confidential_documents() {
    let s = state(ProviderSettings::default());
    let (status, b) = send(
        &s,
        Interaction::RetrieveDocument,
        "/Binary/b4-1",
        None,
        None,
    )
    .await;
    assert_eq!((status, code(&b)), (404, "NO_RECORD_FOUND"));
    let (status, b) = send(
        &s,
        Interaction::RetrieveDocument,
        "/Binary/b2-6",
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, code(&b)),
        (404, "NO_RECORD_FOUND"),
        "confidential documents are not for direct care"
    );
    let (status, b) = send(
        &s,
        Interaction::RetrieveDocument,
        "/Binary/b2-1",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(b["contentType"], "application/pdf");

    let ods = DataAliases::default().organizations[MIGRATION_PRACTICE_ALIAS].clone();
    let (status, b) = send(
        &s,
        Interaction::MigrateDocument,
        "/Binary/b4-1",
        Some("patient/*.read conf/N"),
        Some(&ods),
    )
    .await;
    assert_eq!(status, 200);
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b["content"].as_str().unwrap())
        .unwrap();
    assert!(bytes.len() as u64 > gd::MAX_RETRIEVE_BYTES);
    let (status, b) = send(
        &s,
        Interaction::MigrateDocument,
        "/Binary/b2-6",
        Some("patient/*.read conf/N"),
        Some(&ods),
    )
    .await;
    assert_eq!((status, code(&b)), (403, "ACCESS DENIED"));
    let (status, _) = send(
        &s,
        Interaction::MigrateDocument,
        "/Binary/b2-6",
        Some("patient/*.read conf/R"),
        Some(&ods),
    )
    .await;
    assert_eq!(status, 200);
    let (status, b) = send(
        &s,
        Interaction::MigrateDocument,
        "/Binary/b2-1",
        Some("patient/*.read conf/N"),
        Some("X99999"),
    )
    .await;
    assert_eq!((status, code(&b)), (403, "NO_RELATIONSHIP"));
}
