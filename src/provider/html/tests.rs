//! In-process tests of the DSTU2 root: the Conformance, every section's view against the checks of
//! [`crate::checks::html`], the request-validation rules, the patient rules and each deliberate fault.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::checks::html as ch;
use crate::config::DataAliases;
use crate::gpconnect::headers::{
    AUTHORIZATION, SSP_FROM, SSP_INTERACTION_ID, SSP_TO, SSP_TRACE_ID,
};
use crate::gpconnect::html::{self as gh, ErrorCode0, Section};
use crate::gpconnect::jwt::{Claims, ConsumerIdentity, Dialect, REASON_DIRECT_CARE};
use crate::gpconnect::Interaction;
use crate::provider::faults::Fault;
use crate::provider::state::ProviderState;
use crate::provider::{router, ProviderSettings};

fn state(faults: &[Fault]) -> Arc<ProviderState> {
    Arc::new(ProviderState::new(ProviderSettings {
        faults: faults.to_vec(),
        ..ProviderSettings::default()
    }))
}

fn nhs(alias: &str) -> String {
    DataAliases::default().patients[alias].clone()
}

fn parameters(nhs: &str, section: &str, period: Option<Value>) -> Value {
    let mut p = vec![
        json!({"name": "patientNHSNumber", "valueIdentifier": {"system": gh::systems::NHS_NUMBER, "value": nhs}}),
        json!({"name": "recordSection", "valueCodeableConcept": {"coding": [{"system": gh::systems::RECORD_SECTION, "code": section}]}}),
    ];
    if let Some(period) = period {
        p.push(json!({"name": "timePeriod", "valuePeriod": period}));
    }
    json!({"resourceType": "Parameters", "parameter": p})
}

async fn send(
    state: &Arc<ProviderState>,
    interaction: Interaction,
    body: Option<&Value>,
    requested: &str,
) -> (u16, Value) {
    let (status, _, bytes) = send_raw(
        state,
        interaction,
        body.map(Value::to_string),
        requested,
        &[],
    )
    .await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Send with `headers` replacing the defaults (Accept and Content-Type JSON), answering the status,
/// the Content-Type and the body as sent.
async fn send_raw(
    state: &Arc<ProviderState>,
    interaction: Interaction,
    body: Option<String>,
    requested: &str,
    headers: &[(&str, &str)],
) -> (u16, String, Vec<u8>) {
    let spec = interaction.spec();
    let mut claims = Claims::new_in(
        &Dialect::DSTU2,
        &ConsumerIdentity::default(),
        gh::jwt::AUDIENCE,
        spec.scope,
        REASON_DIRECT_CARE,
        chrono::Utc::now().timestamp(),
    );
    gh::request_patient(&mut claims, requested);
    let uri = format!(
        "{}{}",
        super::root_path(&state.settings.ods_code),
        spec.path
    );
    let req = Request::builder()
        .method(spec.method.as_str())
        .uri(uri)
        .header(SSP_TRACE_ID, "9b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3")
        .header(SSP_FROM, "200000000359")
        .header(SSP_TO, state.settings.asid.clone())
        .header(SSP_INTERACTION_ID, spec.id)
        .header(AUTHORIZATION, format!("Bearer {}", claims.encode()));
    let mut req = req;
    for (name, default) in [("Accept", gh::mime::JSON), ("Content-Type", gh::mime::JSON)] {
        let value = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
            .unwrap_or(default);
        req = req.header(name, value);
    }
    let req = req.body(body.map(Body::from).unwrap_or_default()).unwrap();
    let res = router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, content_type, bytes.to_vec())
}

async fn care_record(
    state: &Arc<ProviderState>,
    alias: &str,
    section: &str,
    period: Option<Value>,
) -> (u16, Value) {
    let n = nhs(alias);
    send(
        state,
        Interaction::GetCareRecord,
        Some(&parameters(&n, section, period)),
        &n,
    )
    .await
}

/// Every check of the view, for `section` of `body`.
fn check_view(
    body: &Value,
    section: Section,
    period: Option<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)>,
) -> Result<(), String> {
    let record = ch::care_record(body, section)?;
    ch::no_formatting_characters(&record.div)?;
    let root = ch::parse_div(&record.div)?;
    ch::in_xhtml_namespace(&root)?;
    ch::is_safe(&root)?;
    let expected = ch::Expected {
        section,
        version: gh::DEFAULT_VERSION.into(),
        period,
    };
    ch::headings(&root, &expected)?;
    ch::tables(&root, &expected)?;
    ch::columns(&root, &expected)?;
    ch::date_cells(&root, &expected)?;
    ch::banners(&root, &expected)
}

#[tokio::test]
async fn the_conformance_is_dstu2() {
    let s = state(&[]);
    let (status, body) = send(&s, Interaction::HtmlMetadata, None, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["resourceType"], "Conformance");
    assert_eq!(body["fhirVersion"], gh::FHIR_VERSION);
    assert_eq!(body["rest"][0]["operation"][0]["name"], "gpc.getcarerecord");
}

#[tokio::test]
async fn every_section_passes_every_check_with_and_without_data() {
    let s = state(&[]);
    for alias in ["patient1", "patient2", "patient13"] {
        for section in Section::ALL {
            let (status, body) = care_record(&s, alias, section.code(), None).await;
            assert_eq!(status, 200, "{alias} {}: {body}", section.code());
            check_view(&body, *section, None)
                .unwrap_or_else(|e| panic!("{alias} {}: {e}", section.code()));
        }
    }
}

#[tokio::test]
async fn periods_shape_the_banners() {
    let s = state(&[]);
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    for section in Section::ALL.iter().filter(|s| s.accepts_period()) {
        for (period, days) in [
            (
                json!({"start": "2014-05", "end": "2016"}),
                (d(2014, 5, 1), d(2016, 12, 31)),
            ),
            (json!({"start": "2015-10-23"}), (d(2015, 10, 23), None)),
            (json!({"end": "2016-02"}), (None, d(2016, 2, 29))),
        ] {
            let (status, body) =
                care_record(&s, "patient2", section.code(), Some(period.clone())).await;
            assert_eq!(status, 200, "{period}: {body}");
            check_view(&body, *section, Some(days))
                .unwrap_or_else(|e| panic!("{} {period}: {e}", section.code()));
        }
    }
}

#[tokio::test]
async fn the_transfer_banner_shows_for_a_record_in_transit() {
    let s = state(&[]);
    let (_, body) = care_record(&s, "patient13", "ENC", None).await;
    let div = ch::care_record(&body, Section::Enc).unwrap().div;
    assert!(ch::transfer_banner(&ch::parse_div(&div).unwrap()).is_ok());
    let (_, body) = care_record(&s, "patient2", "ENC", None).await;
    let div = ch::care_record(&body, Section::Enc).unwrap().div;
    assert!(ch::transfer_banner(&ch::parse_div(&div).unwrap()).is_err());
}

#[tokio::test]
async fn bad_requests_get_their_0x_errors() {
    let s = state(&[]);
    let n = nhs("patient2");
    let err = |status: u16, body: &Value, want: u16, code: Option<ErrorCode0>| {
        ch::error_0x(want, body, status, code).unwrap_or_else(|e| panic!("{e}: {body}"))
    };
    let cases: Vec<(Value, u16, Option<ErrorCode0>)> = vec![
        (
            json!({"resourceType": "Patient"}),
            422,
            Some(ErrorCode0::InvalidResource),
        ),
        (
            parameters(&n, "ZZZ", None),
            422,
            Some(ErrorCode0::InvalidParameter),
        ),
        (
            parameters(&n, "enc", None),
            422,
            Some(ErrorCode0::InvalidParameter),
        ),
        (
            parameters("1234567891", "ENC", None),
            400,
            Some(ErrorCode0::InvalidNhsNumber),
        ),
        (
            parameters(&n, "ENC", Some(json!({}))),
            422,
            Some(ErrorCode0::InvalidParameter),
        ),
        (
            parameters(&n, "ENC", Some(json!({"start": "abcd"}))),
            422,
            Some(ErrorCode0::InvalidParameter),
        ),
        (
            parameters(&n, "ENC", Some(json!({"start": "2015-10-23T11:08:32"}))),
            422,
            Some(ErrorCode0::InvalidParameter),
        ),
        (
            parameters(&n, "ENC", Some(json!({"start": "2016", "end": "2015"}))),
            422,
            Some(ErrorCode0::InvalidParameter),
        ),
        (
            parameters(&n, "SUM", Some(json!({"start": "2015"}))),
            400,
            None,
        ),
        (
            json!({"resourceType": "Parameters", "parameter": [{"name": "RecordSection", "valueString": "x"}]}),
            422,
            Some(ErrorCode0::InvalidParameter),
        ),
        (
            json!({"resourceType": "Parameters", "parameter": [{"name": "recordSection", "valueCodeableConcept": {"coding": [{"system": gh::systems::RECORD_SECTION, "code": "ENC"}]}}]}),
            400,
            None,
        ),
    ];
    for (body, want, code) in cases {
        let (status, answer) = send(&s, Interaction::GetCareRecord, Some(&body), &n).await;
        err(status, &answer, want, code);
    }
    let mut wrong_system = parameters(&n, "ENC", None);
    wrong_system["parameter"][0]["valueIdentifier"]["system"] = json!("http://example.org/nhs");
    let (status, answer) = send(&s, Interaction::GetCareRecord, Some(&wrong_system), &n).await;
    err(
        status,
        &answer,
        400,
        Some(ErrorCode0::InvalidIdentifierSystem),
    );
    let (status, answer) = send(
        &s,
        Interaction::GetCareRecord,
        Some(&parameters(&n, "ENC", None)),
        &nhs("patient3"),
    )
    .await;
    err(status, &answer, 400, Some(ErrorCode0::BadRequest));
}

#[tokio::test]
async fn patient_rules_refuse_the_record() {
    let s = state(&[]);
    for (alias, status, code) in [
        ("patient9", 404, ErrorCode0::PatientNotFound),
        ("patient14", 404, ErrorCode0::PatientNotFound),
        ("patient15", 403, ErrorCode0::NoPatientConsent),
    ] {
        let (got, body) = care_record(&s, alias, "SUM", None).await;
        ch::error_0x(status, &body, got, Some(code)).unwrap_or_else(|e| panic!("{alias}: {e}"));
    }
    let unknown = "9999999999";
    let (got, body) = send(
        &s,
        Interaction::GetCareRecord,
        Some(&parameters(unknown, "SUM", None)),
        unknown,
    )
    .await;
    ch::error_0x(404, &body, got, Some(ErrorCode0::PatientNotFound)).unwrap();
}

#[tokio::test]
async fn each_fault_breaks_its_check() {
    let view =
        |body: &Value| ch::parse_div(&ch::care_record(body, Section::Enc).unwrap().div).unwrap();
    let expected = ch::Expected {
        section: Section::Enc,
        version: gh::DEFAULT_VERSION.into(),
        period: None,
    };
    let (_, body) = care_record(&state(&[Fault::HtmlScriptInView]), "patient2", "ENC", None).await;
    assert!(ch::is_safe(&view(&body)).is_err());
    let (_, body) = care_record(
        &state(&[Fault::HtmlDateBannerMissing]),
        "patient2",
        "ENC",
        None,
    )
    .await;
    assert!(ch::banners(&view(&body), &expected).is_err());
    let (_, body) = care_record(
        &state(&[Fault::HtmlColumnsOutOfOrder]),
        "patient2",
        "ENC",
        None,
    )
    .await;
    assert!(ch::columns(&view(&body), &expected).is_err());
    assert!(ch::tables(&view(&body), &expected).is_ok());
    let (status, _) = care_record(
        &state(&[Fault::HtmlSectionCodeCaseIgnored]),
        "patient2",
        "enc",
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn every_section_is_served_and_read_in_dstu2_xml() {
    let s = state(&[]);
    let n = nhs("patient2");
    for section in Section::ALL {
        let body = parameters(&n, section.code(), None);
        // Asked for by Accept, with the request itself in XML.
        let (status, ct, bytes) = send_raw(
            &s,
            Interaction::GetCareRecord,
            Some(crate::fhir::xml::to_xml(&body)),
            &n,
            &[("Accept", gh::mime::XML), ("Content-Type", gh::mime::XML)],
        )
        .await;
        let text = String::from_utf8_lossy(&bytes).to_string();
        assert_eq!(status, 200, "{}: {text}", section.code());
        assert!(ct.starts_with(gh::mime::XML), "{ct}");
        let bundle = crate::fhir::parse_body(&bytes, Some(&ct))
            .unwrap_or_else(|e| panic!("{}: {e}: {text}", section.code()));
        check_view(&bundle, *section, None).unwrap_or_else(|e| panic!("{}: {e}", section.code()));
        crate::checks::html_record::bundle_entries(&bundle).unwrap();
        crate::checks::html_record::references_resolve(&bundle).unwrap();
        crate::checks::html_record::patient_values(&bundle).unwrap();
        crate::checks::html_record::practitioner_values(&bundle).unwrap();
        crate::checks::html_record::organization_values(&bundle).unwrap();
        crate::checks::html_record::device_values(&bundle).unwrap();
        crate::checks::html_record::composition_values(&bundle, *section).unwrap();
    }
    let (_, ct, _) = send_raw(
        &s,
        Interaction::GetCareRecord,
        Some(parameters(&n, "ENC", None).to_string()),
        &n,
        &[("Accept", gh::mime::XML)],
    )
    .await;
    assert!(ct.starts_with(gh::mime::XML), "{ct}");
    let (_, ct, _) = send_raw(
        &state(&[Fault::HtmlXmlIgnored]),
        Interaction::GetCareRecord,
        Some(parameters(&n, "ENC", None).to_string()),
        &n,
        &[("Accept", gh::mime::XML)],
    )
    .await;
    assert!(ct.starts_with(gh::mime::JSON), "{ct}");
}

#[tokio::test]
async fn the_medication_views_agree_and_the_fault_breaks_them() {
    let view =
        |body: &Value| ch::parse_div(&ch::care_record(body, Section::Med).unwrap().div).unwrap();
    for alias in ["patient2", "patient3", "patient13", "patient16"] {
        let (_, body) = care_record(&state(&[]), alias, "MED", None).await;
        ch::medication_grouping(&view(&body), gh::DEFAULT_VERSION)
            .unwrap_or_else(|e| panic!("{alias}: {e}"));
    }
    let (_, body) = care_record(
        &state(&[Fault::HtmlMedicationLastIssueFirst]),
        "patient2",
        "MED",
        None,
    )
    .await;
    assert!(ch::medication_grouping(&view(&body), gh::DEFAULT_VERSION).is_err());
}

#[tokio::test]
async fn filtered_tables_hold_the_rows_of_the_period() {
    let today = chrono::Utc::now().date_naive();
    let day = |n: i64| {
        (today + chrono::Duration::days(n))
            .format("%Y-%m-%d")
            .to_string()
    };
    for section in [
        Section::Adm,
        Section::Cli,
        Section::Enc,
        Section::Obs,
        Section::Ref,
    ] {
        let period = json!({"start": day(-800), "end": day(-10)});
        let expected = ch::Expected {
            section,
            version: gh::DEFAULT_VERSION.into(),
            period: Some((
                Some(today - chrono::Duration::days(800)),
                Some(today - chrono::Duration::days(10)),
            )),
        };
        let view =
            |body: &Value| ch::parse_div(&ch::care_record(body, section).unwrap().div).unwrap();
        let (_, all) = care_record(&state(&[]), "patient2", section.code(), None).await;
        let (_, some) = care_record(
            &state(&[]),
            "patient2",
            section.code(),
            Some(period.clone()),
        )
        .await;
        ch::filtered_rows(&view(&some), &view(&all), &expected)
            .unwrap_or_else(|e| panic!("{}: {e}", section.code()));
    }
    let enc = ch::Expected {
        section: Section::Enc,
        version: gh::DEFAULT_VERSION.into(),
        period: Some((
            Some(today - chrono::Duration::days(800)),
            Some(today - chrono::Duration::days(10)),
        )),
    };
    let view =
        |body: &Value| ch::parse_div(&ch::care_record(body, Section::Enc).unwrap().div).unwrap();
    let (_, all) = care_record(&state(&[]), "patient2", "ENC", None).await;
    let (_, some) = care_record(
        &state(&[Fault::HtmlPeriodEndExclusive]),
        "patient2",
        "ENC",
        Some(json!({"start": day(-800), "end": day(-10)})),
    )
    .await;
    assert!(ch::filtered_rows(&view(&some), &view(&all), &enc).is_err());
}

#[tokio::test]
async fn deceased_dissenting_and_dangling_faults_show() {
    let (status, body) = care_record(&state(&[]), "patientRecentlyDeceased", "SUM", None).await;
    assert_eq!(status, 200, "{body}");
    crate::checks::html_record::deceased_within(
        &body,
        chrono::Utc::now().date_naive(),
        gh::DECEASED_WINDOW_DAYS,
    )
    .unwrap();
    let (status, _) = care_record(&state(&[]), "patient18", "SUM", None).await;
    assert_eq!(status, 404);
    let (status, _) = care_record(
        &state(&[Fault::HtmlDeceasedWindowIgnored]),
        "patient18",
        "SUM",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = care_record(
        &state(&[Fault::HtmlDissentIgnored]),
        "patient15",
        "SUM",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, body) = care_record(
        &state(&[Fault::HtmlDanglingReference]),
        "patient2",
        "SUM",
        None,
    )
    .await;
    assert!(crate::checks::html_record::references_resolve(&body).is_err());
    let (_, body) = care_record(
        &state(&[Fault::HtmlPeriodEndNotWidened]),
        "patient2",
        "ENC",
        Some(json!({"start": "2015", "end": "2099"})),
    )
    .await;
    let root = ch::parse_div(&ch::care_record(&body, Section::Enc).unwrap().div).unwrap();
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let expected = ch::Expected {
        section: Section::Enc,
        version: gh::DEFAULT_VERSION.into(),
        period: Some((d(2015, 1, 1), d(2099, 12, 31))),
    };
    let err = ch::banners(&root, &expected).unwrap_err();
    assert!(err.contains("31-Dec-2099"), "{err}");
}

/// Send a care record request for patient2's Summary with `change` made to the token.
async fn with_token_change(state: &Arc<ProviderState>, change: gh::TokenChange) -> (u16, Value) {
    let spec = Interaction::GetCareRecord.spec();
    let n = nhs("patient2");
    let mut claims = Claims::new_in(
        &Dialect::DSTU2,
        &ConsumerIdentity::default(),
        gh::jwt::AUDIENCE,
        spec.scope,
        REASON_DIRECT_CARE,
        chrono::Utc::now().timestamp(),
    );
    gh::request_patient(&mut claims, &n);
    change.apply(&mut claims, chrono::Utc::now().timestamp());
    let req = Request::builder()
        .method(spec.method.as_str())
        .uri(format!(
            "{}{}",
            super::root_path(&state.settings.ods_code),
            spec.path
        ))
        .header(SSP_TRACE_ID, "9b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3")
        .header(SSP_FROM, "200000000359")
        .header(SSP_TO, state.settings.asid.clone())
        .header(SSP_INTERACTION_ID, spec.id)
        .header(AUTHORIZATION, format!("Bearer {}", change.encode(&claims)))
        .header("Accept", gh::mime::JSON)
        .header("Content-Type", gh::mime::JSON)
        .body(Body::from(parameters(&n, "SUM", None).to_string()))
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

#[tokio::test]
async fn every_token_change_is_answered_as_the_token_rules_say() {
    let s = state(&[]);
    for change in gh::TokenChange::ALL {
        let (status, body) = with_token_change(&s, *change).await;
        ch::token_answer(change.answer(), &body, status)
            .unwrap_or_else(|e| panic!("{}: {e}", change.wording()));
    }
}

#[tokio::test]
async fn the_token_faults_break_their_rules() {
    use gh::TokenChange as T;
    let unchecked = state(&[Fault::HtmlJwtPractitionerUnchecked]);
    for change in [
        T::PractitionerWithoutSdsUserId,
        T::PractitionerWithoutIdentifier,
        T::PractitionerWithoutName,
    ] {
        let (status, body) = with_token_change(&unchecked, change).await;
        assert!(
            ch::token_answer(change.answer(), &body, status).is_err(),
            "{}",
            change.wording()
        );
    }
    let unk = state(&[Fault::HtmlJwtUnkRefused]);
    let (status, body) = with_token_change(&unk, T::SdsUserIdUnk).await;
    let err = ch::token_answer(T::SdsUserIdUnk.answer(), &body, status).unwrap_err();
    assert!(err.contains("must be accepted"), "{err}");
    // The other changes are still answered right under either fault.
    let (status, body) = with_token_change(&unk, T::PractitionerWithoutName).await;
    ch::token_answer(T::PractitionerWithoutName.answer(), &body, status).unwrap();
}

fn state_at(version: &str, faults: &[Fault]) -> Arc<ProviderState> {
    Arc::new(ProviderState::new(ProviderSettings {
        faults: faults.to_vec(),
        html_version: version.into(),
        ..ProviderSettings::default()
    }))
}

/// The 0.5.x checks of `section`'s view.
fn check_view_05(
    body: &Value,
    section: Section,
    version: &str,
    period: Option<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)>,
) -> Result<(), String> {
    let record = ch::care_record(body, section)?;
    ch::no_formatting_characters(&record.div)?;
    let root = ch::parse_div(&record.div)?;
    ch::in_xhtml_namespace(&root)?;
    ch::is_safe(&root)?;
    let expected = ch::Expected {
        section,
        version: version.into(),
        period,
    };
    ch::layout_05(&root, &expected)?;
    ch::banners_05(&root, &expected)
}

#[tokio::test]
async fn the_0_5_views_are_laid_out_as_0_5_lays_them_out() {
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    for version in ["0.5.0", "0.5.1", "0.5.2", "0.5.3"] {
        let s = state_at(version, &[]);
        for alias in ["patient1", "patient2", "patient13"] {
            for section in Section::ALL {
                let (status, body) = care_record(&s, alias, section.code(), None).await;
                assert_eq!(status, 200, "{version} {alias} {}: {body}", section.code());
                check_view_05(&body, *section, version, None)
                    .unwrap_or_else(|e| panic!("{version} {alias} {}: {e}", section.code()));
            }
        }
        for (section, period, days) in [
            (
                Section::Adm,
                json!({"start": "2015-05-01", "end": "2016-07-01"}),
                (day(2015, 5, 1), day(2016, 7, 1)),
            ),
            (
                Section::Med,
                json!({"start": "2015"}),
                (day(2015, 1, 1), None),
            ),
            (
                Section::Prb,
                json!({"end": "2016-02"}),
                (None, day(2016, 2, 29)),
            ),
        ] {
            let (status, body) = care_record(&s, "patient2", section.code(), Some(period)).await;
            assert_eq!(status, 200, "{body}");
            check_view_05(&body, section, version, Some(days))
                .unwrap_or_else(|e| panic!("{version} {}: {e}", section.code()));
        }
    }
}

#[tokio::test]
async fn the_0_5_checks_catch_the_0_7_layout_ids_wording_and_missing_tables() {
    // A 0.7.4 view judged as 0.5.2: ids and classes, other subsections and columns.
    let (_, body) = care_record(&state(&[]), "patient2", "MED", None).await;
    let err = check_view_05(&body, Section::Med, "0.5.2", None).unwrap_err();
    for found in ["id=", "class=", "Past Medications", "heads its tables"] {
        assert!(err.contains(found), "{found}: {err}");
    }
    // Ids and classes alone (the 0.7 ids kept in an otherwise 0.5.x view).
    let s = state_at("0.5.2", &[]);
    let (_, body) = care_record(&s, "patient2", "ENC", None).await;
    let div = ch::care_record(&body, Section::Enc).unwrap().div;
    let marked = div.replacen("<table>", "<table id=\"enc-tab\">", 1);
    let expected = ch::Expected {
        section: Section::Enc,
        version: "0.5.2".into(),
        period: None,
    };
    let err = ch::layout_05(&ch::parse_div(&marked).unwrap(), &expected).unwrap_err();
    assert!(err.contains("no attribute but xmlns"), "{err}");
    // The 0.7.2 wording of an open-ended period is not the 0.5.x one.
    let (_, body) = care_record(&s, "patient2", "REF", Some(json!({"start": "2015-05-01"}))).await;
    let record = ch::care_record(&body, Section::Ref).unwrap();
    let reworded = record.div.replace("All data items from", "Data items from");
    let root = ch::parse_div(&reworded).unwrap();
    let expected = ch::Expected {
        section: Section::Ref,
        version: "0.5.2".into(),
        period: Some((chrono::NaiveDate::from_ymd_opt(2015, 5, 1), None)),
    };
    let err = ch::banners_05(&root, &expected).unwrap_err();
    assert!(err.contains("All data items from '01-May-2015'"), "{err}");
    // A table replaced by nothing at all, and a column moved.
    let (_, body) = care_record(&s, "patient2", "OBS", None).await;
    let div = ch::care_record(&body, Section::Obs).unwrap().div;
    let start = div.find("<table>").unwrap();
    let end = div.find("</table>").unwrap() + "</table>".len();
    let dropped = format!("{}{}", &div[..start], &div[end..]);
    let expected = ch::Expected {
        section: Section::Obs,
        version: "0.5.2".into(),
        period: None,
    };
    let err = ch::layout_05(&ch::parse_div(&dropped).unwrap(), &expected).unwrap_err();
    assert!(err.contains("neither a table nor the fragment"), "{err}");
    let moved = div.replacen(
        "<th>Entry</th><th>Value</th>",
        "<th>Value</th><th>Entry</th>",
        1,
    );
    let err = ch::layout_05(&ch::parse_div(&moved).unwrap(), &expected).unwrap_err();
    assert!(err.contains("columns"), "{err}");
    // Without a period a filterable table must say All relevant items.
    let silent = div.replace("<div><p>All relevant items</p></div>", "");
    let err = ch::banners_05(&ch::parse_div(&silent).unwrap(), &expected).unwrap_err();
    assert!(err.contains("All relevant items"), "{err}");
}
