//! The reference provider's request bodies: a body nested beyond `fhir::MAX_NESTING` is a 400
//! `BAD_REQUEST` OperationOutcome (as any malformed body), and the provider keeps serving.
//!
//! The provider runs on a runtime whose worker threads have a 256 KiB stack, so a request that
//! recursed with the depth of its body would abort this test.

use gpc_assure::fhir::MAX_NESTING;
use gpc_assure::gpconnect::headers::{
    AUTHORIZATION, SSP_FROM, SSP_INTERACTION_ID, SSP_TO, SSP_TRACE_ID,
};
use gpc_assure::gpconnect::jwt::{Claims, REASON_DIRECT_CARE};
use gpc_assure::gpconnect::Interaction;
use gpc_assure::provider::{start, ProviderSettings, RunningProvider};
use serde_json::Value;

const SMALL_STACK: usize = 256 * 1024;

/// A request for `interaction` with valid SSP headers and token, on the interaction's own
/// service root.
fn request(p: &RunningProvider, interaction: Interaction) -> reqwest::RequestBuilder {
    let config = p.config();
    let spec = interaction.spec();
    let url = format!(
        "{}{}",
        config.service_root(spec.capability),
        interaction.path_for(None)
    );
    let token = Claims::new(
        &config.consumer,
        &config.audience(spec.capability),
        spec.scope,
        REASON_DIRECT_CARE,
        chrono::Utc::now().timestamp(),
    )
    .encode();
    reqwest::Client::new()
        .post(url)
        .header(SSP_TRACE_ID, uuid::Uuid::new_v4().to_string())
        .header(SSP_FROM, config.target.consumer_asid)
        .header(SSP_TO, config.target.provider_asid)
        .header(SSP_INTERACTION_ID, spec.id)
        .header(AUTHORIZATION, format!("Bearer {token}"))
}

/// `levels` nested elements inside a resource of type `root`, as FHIR XML (31 bytes a level:
/// 30,000 levels stay under the provider's 1 MiB body limit).
fn deep_xml(root: &str, levels: usize) -> String {
    let mut s = format!("<{root} xmlns=\"http://hl7.org/fhir\">");
    for _ in 0..levels {
        s.push_str("<extension url=\"x\">");
    }
    for _ in 0..levels {
        s.push_str("</extension>");
    }
    s.push_str(&format!("</{root}>"));
    s
}

/// The same in JSON.
fn deep_json(root: &str, levels: usize) -> String {
    format!(
        "{{\"resourceType\":\"{root}\",\"extension\":{}{}}}",
        "[{\"url\":\"x\",\"extension\":".repeat(levels),
        "[]}]".repeat(levels)
    )
}

#[test]
fn deeply_nested_bodies_are_bad_requests_and_the_provider_keeps_serving() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(SMALL_STACK)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let p = start(ProviderSettings::default(), "127.0.0.1:0".parse().unwrap())
            .await
            .expect("provider starts");
        let cases = [
            (Interaction::RegisterPatient, "Parameters"),
            (Interaction::BookAppointment, "Appointment"),
            (Interaction::GetStructuredRecord, "Parameters"),
        ];
        for (interaction, root) in cases {
            for (ct, body) in [
                ("application/fhir+xml", deep_xml(root, 1_000)),
                ("application/fhir+xml", deep_xml(root, 30_000)),
                ("application/fhir+json", deep_json(root, 1_000)),
            ] {
                let res = request(&p, interaction)
                    .header("Content-Type", ct)
                    .header("Accept", "application/fhir+json")
                    .body(body)
                    .send()
                    .await
                    .expect("the provider answers");
                let status = res.status().as_u16();
                let text = res.text().await.expect("a body");
                let outcome: Value = serde_json::from_str(&text).expect("an OperationOutcome");
                assert_eq!(status, 400, "{interaction:?} {ct}: {outcome:#}");
                assert_eq!(outcome["resourceType"], "OperationOutcome");
                let coding = &outcome["issue"][0]["details"]["coding"][0];
                assert_eq!(coding["code"], "BAD_REQUEST", "{outcome:#}");
                let said = outcome["issue"][0]["diagnostics"].as_str().unwrap_or("");
                assert!(
                    said.contains(&format!("more than {MAX_NESTING} levels")),
                    "{interaction:?} {ct}: {said}"
                );
            }
        }
        // still serving
        let res = request(&p, Interaction::RegisterPatient)
            .header("Content-Type", "application/fhir+xml")
            .body(deep_xml("Parameters", 10))
            .send()
            .await
            .expect("the provider answers");
        assert_ne!(res.status().as_u16(), 0);
        p.shutdown().await;
    });
}
