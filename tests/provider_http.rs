//! The reference provider over real TCP: gzip, XML in and out, and the Config it hands the harness.

use std::io::Read;

use gpc_assure::config::default_register_pool;
use gpc_assure::gpconnect::headers::{
    AUTHORIZATION, SSP_FROM, SSP_INTERACTION_ID, SSP_TO, SSP_TRACE_ID,
};
use gpc_assure::gpconnect::jwt::{Claims, REASON_DIRECT_CARE};
use gpc_assure::gpconnect::systems::{self, profiles};
use gpc_assure::gpconnect::{Capability, Interaction};
use gpc_assure::provider::{start, ProviderSettings, RunningProvider};
use serde_json::{json, Value};

async fn provider() -> RunningProvider {
    start(ProviderSettings::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .expect("provider starts")
}

/// A request for `interaction` carrying valid SSP headers and token.
fn request(
    p: &RunningProvider,
    method: reqwest::Method,
    interaction: Interaction,
    id: Option<&str>,
) -> reqwest::RequestBuilder {
    let config = p.config();
    let spec = interaction.spec();
    let url = format!(
        "{}{}",
        config.service_root(Capability::Foundations),
        interaction.path_for(id)
    );
    let token = Claims::new(
        &config.consumer,
        &config.audience(Capability::Foundations),
        spec.scope,
        REASON_DIRECT_CARE,
        chrono::Utc::now().timestamp(),
    )
    .encode();
    reqwest::Client::new()
        .request(method, url)
        .header(SSP_TRACE_ID, uuid::Uuid::new_v4().to_string())
        .header(SSP_FROM, config.target.consumer_asid)
        .header(SSP_TO, config.target.provider_asid)
        .header(SSP_INTERACTION_ID, spec.id)
        .header(AUTHORIZATION, format!("Bearer {token}"))
}

#[tokio::test]
async fn metadata_is_gzipped_when_asked() {
    let p = provider().await;
    let res = request(&p, reqwest::Method::GET, Interaction::Metadata, None)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let bytes = res.bytes().await.unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .unwrap();
    let cs: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    p.shutdown().await;
}

#[tokio::test]
async fn read_in_xml_round_trips() {
    let p = provider().await;
    let res = request(
        &p,
        reqwest::Method::GET,
        Interaction::ReadPatient,
        Some("1"),
    )
    .header("Accept", "application/fhir+xml")
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/fhir+xml;charset=utf-8"
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let patient =
        gpc_assure::fhir::xml::from_xml(&res.text().await.unwrap()).expect("valid FHIR XML");
    assert_eq!(patient["resourceType"], "Patient");
    assert_eq!(patient["id"], "1");
    assert_eq!(
        etag,
        format!("W/\"{}\"", patient["meta"]["versionId"].as_str().unwrap())
    );
    p.shutdown().await;
}

#[tokio::test]
async fn register_accepts_an_xml_body_and_answers_in_xml() {
    let p = provider().await;
    let person = &default_register_pool()[10];
    let body = json!({"resourceType": "Parameters", "parameter": [{"name": "registerPatient", "resource": {
        "resourceType": "Patient",
        "meta": {"profile": [profiles::PATIENT]},
        "identifier": [{"system": systems::NHS_NUMBER, "value": person.nhs_number}],
        "name": [{"use": "official", "family": person.family, "given": [person.given]}],
        "gender": person.gender,
        "birthDate": person.birth_date,
    }}]});
    let res = request(
        &p,
        reqwest::Method::POST,
        Interaction::RegisterPatient,
        None,
    )
    .header("Content-Type", "application/fhir+xml;charset=utf-8")
    .body(gpc_assure::fhir::xml::to_xml(&body))
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/fhir+xml;charset=utf-8"
    );
    let bundle = gpc_assure::fhir::xml::from_xml(&res.text().await.unwrap()).unwrap();
    assert_eq!(bundle["type"], "searchset");
    assert_eq!(
        bundle["entry"][0]["resource"]["identifier"][0]["value"],
        person.nhs_number.as_str()
    );

    let malformed = request(
        &p,
        reqwest::Method::POST,
        Interaction::RegisterPatient,
        None,
    )
    .header("Content-Type", "application/fhir+xml;charset=utf-8")
    .body("<Parameters xmlns=\"http://hl7.org/fhir\"><parameter>")
    .send()
    .await
    .unwrap();
    assert_eq!(malformed.status(), 400);
    p.shutdown().await;
}
