//! Proof that the appointment checks have teeth: the reference provider started with one deliberate fault
//! makes the scenarios that guard that rule go red (by requirement id), and the faultless provider stays
//! green when the appointment features run twice against one instance, at concurrency 1 and 8, leaving its
//! diary as it found it.

use std::path::PathBuf;

use gpc_assure::gpconnect::appointments as apt;
use gpc_assure::gpconnect::{systems, Interaction};
use gpc_assure::http::{Client, RequestSpec};
use gpc_assure::provider::{self, Fault, ProviderSettings, RunningProvider};
use gpc_assure::report::RunReport;
use gpc_assure::runner::{self, Progress, RunOptions};

fn features() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("features")
        .join("appointments")
}

async fn start(faults: &[Fault]) -> RunningProvider {
    let settings = ProviderSettings {
        faults: faults.to_vec(),
        ..ProviderSettings::default()
    };
    provider::start(settings, ([127, 0, 0, 1], 0).into())
        .await
        .expect("provider starts")
}

async fn run(p: &RunningProvider, tags: Option<&str>, concurrency: usize) -> RunReport {
    let mut config = p.config();
    config.http.concurrency = concurrency;
    let options = RunOptions {
        config,
        features: features(),
        tags: tags.map(str::to_string),
        concurrency,
        embedded: true,
        max_duration: None,
        stop: Default::default(),
        out: None,
        evidence_sidecar: None,
        selection: Default::default(),
    };
    runner::run(options, Progress::Silent)
        .await
        .expect("the run starts")
}

/// Start the provider with `fault`, run the scenarios matching `tags`, and assert every requirement in
/// `expected` has a red scenario.
async fn caught(fault: Fault, tags: &str, expected: &[&str]) {
    let p = start(&[fault]).await;
    let report = run(&p, Some(tags), 8).await;
    p.shutdown().await;
    let red = report.failed_requirements();
    for req in expected {
        assert!(
            red.iter().any(|r| r == req),
            "{fault}: no {req} scenario failed; red requirements: {red:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slot_search_dropping_the_last_day_is_caught_by_its_completeness_check() {
    caught(Fault::SlotSearchDropsLastDay, "@slots", &["APT-SLOT-01"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retrieve_missing_the_latest_booking_or_cancelled_ones_is_caught() {
    caught(
        Fault::RetrieveOmitsNewBooking,
        "@retrieve",
        &["APT-RETR-01", "APT-RETR-04"],
    )
    .await;
    caught(Fault::RetrieveOmitsCancelled, "@retrieve", &["APT-RETR-03"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn double_booking_accepted_is_caught() {
    caught(
        Fault::AcceptDoubleBooking,
        "@book or @concurrency",
        &["APT-BOOK-09", "APT-CONC-05"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stale_if_match_accepted_is_caught() {
    caught(
        Fault::AcceptStaleIfMatch,
        "@concurrency",
        &["APT-CONC-02", "APT-CONC-03"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_without_reason_accepted_is_caught() {
    caught(Fault::CancelWithoutReason, "@cancel", &["APT-CANCEL-03"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slots_outside_the_window_are_caught() {
    caught(Fault::SlotsOutsideWindow, "@slots", &["APT-SLOT-01"]).await;
}

/// The requirements with a red scenario (sorted, once each) when the appointment scenarios matching
/// `tags` run against the provider started with `fault`.
async fn red(fault: Fault, tags: &str) -> Vec<String> {
    let p = start(&[fault]).await;
    let report = run(&p, Some(tags), 8).await;
    p.shutdown().await;
    report.failed_requirements()
}

/// An appointment whose serviceCategory is not its schedule's type is caught on Book, Read, Retrieve and
/// Cancel, and by nothing else: the other scenarios of those interactions do not look at the types.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_service_category_not_taken_from_the_schedule_is_caught_by_the_type_checks_alone() {
    let red = red(
        Fault::ServiceCategoryNotFromSchedule,
        "(@book or @read or @retrieve or @cancel) and not @xml",
    )
    .await;
    assert_eq!(
        red,
        [
            "APT-BOOK-16",
            "APT-CANCEL-08",
            "APT-CANCEL-09",
            "APT-READ-06",
            "APT-RETR-09"
        ]
    );
}

/// A cancel that takes the types from the request wipes them when a consumer built before 1.2.7 leaves
/// them out: only the backward-compatible cancel notices, since every other cancel sends them back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_dropping_the_types_is_caught_by_the_backward_compatible_cancel() {
    let red = red(Fault::CancelDropsServiceTypes, "@cancel and not @xml").await;
    assert_eq!(red, ["APT-CANCEL-09"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn missing_etag_is_caught() {
    caught(
        Fault::OmitEtag,
        "@appointments",
        &[
            "APT-BOOK-01",
            "APT-READ-01",
            "APT-CONC-01",
            "APT-AMEND-01",
            "APT-CANCEL-01",
        ],
    )
    .await;
}

/// Ids of the free slots of the next fortnight, as the consumer in `p.config()` sees them.
async fn free_slots(p: &RunningProvider) -> Vec<String> {
    let config = p.config();
    let client = Client::new(&config).expect("client");
    let today = gpc_assure::gpconnect::appointments::time::today();
    let mut spec = RequestSpec::new(&config, Interaction::SearchFreeSlots, None);
    spec.add_query("status", "free");
    spec.add_query("start", &format!("ge{}", today.format("%Y-%m-%d")));
    spec.add_query(
        "end",
        &format!(
            "le{}",
            (today + chrono::Duration::days(14)).format("%Y-%m-%d")
        ),
    );
    spec.add_query("_include", apt::INCLUDE_SCHEDULE);
    spec.add_query(
        "searchFilter",
        &format!(
            "{}|{}",
            systems::ODS_ORGANIZATION_CODE,
            config.consumer.organization_ods_code
        ),
    );
    let ex = client.send(&spec).await;
    let body: serde_json::Value =
        serde_json::from_str(&ex.response.expect("a response").body).expect("JSON");
    let mut ids: Vec<String> = body["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["resource"]["resourceType"] == "Slot")
        .filter_map(|e| e["resource"]["id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appointments_pass_twice_against_one_provider_at_concurrency_1_and_8() {
    let p = start(&[]).await;
    let before = free_slots(&p).await;
    assert!(!before.is_empty());
    for concurrency in [1, 8] {
        let report = run(&p, None, concurrency).await;
        let f = report.failure_lines();
        assert!(
            f.is_empty(),
            "concurrency {concurrency}: {} failed:\n{}",
            f.len(),
            f.join("\n")
        );
        assert!(report.run_errors.is_empty(), "{:?}", report.run_errors);
        assert!(
            report.totals().scenarios >= 300,
            "only {} appointment scenario executions",
            report.totals().scenarios
        );
        assert_eq!(
            free_slots(&p).await,
            before,
            "concurrency {concurrency}: the run did not leave the diary as it found it"
        );
    }
    p.shutdown().await;
}
