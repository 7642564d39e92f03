//! Transport security end to end: the @tls scenarios pass against the reference provider served over
//! TLS with mutual authentication, each TLS fault turns red exactly the requirement it breaks, and the
//! built binary writes certificates (`certs`), serves with them (`serve --tls --certs`) and tests a
//! target given by URL with the `[tls]` settings, inconclusive where a setting is missing.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use gpc_assure::proof::{self, ProofOptions};
use gpc_assure::provider::Fault;
use gpc_assure::report::{RunReport, Status, Verdict};

fn features() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("features")
}

/// The @tls scenarios against the reference provider (over TLS, as proofs run it) with `faults`.
async fn tls_run(faults: &[Fault]) -> RunReport {
    let options = ProofOptions {
        features: features(),
        tags: Some("@tls".into()),
        concurrency: 4,
        faults: vec![],
        fail_fast: false,
        restrict: false,
    };
    proof::run_with_faults(&options, faults)
        .await
        .expect("the run starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conformant_provider_passes_every_tls_scenario_and_the_evidence_names_the_session() {
    let report = tls_run(&[]).await;
    for outcome in [Status::Failed, Status::Inconclusive, Status::Error] {
        let lines = report.lines_of(outcome);
        assert!(lines.is_empty(), "{outcome}:\n{}", lines.join("\n"));
    }
    assert_eq!(report.verdict(), Verdict::Passed);
    let scenarios: Vec<_> = report.features.iter().flat_map(|f| &f.scenarios).collect();
    assert!(scenarios.len() >= 10, "{} @tls scenarios", scenarios.len());
    // The negotiated version and suite are in the evidence of the scenario that judges them.
    let negotiated = scenarios
        .iter()
        .find(|s| {
            s.name.contains("approved cipher suite") && s.name.starts_with("TLS 1.2 or later")
        })
        .expect("the negotiation scenario");
    let evidence = serde_json::to_string(&negotiated.evidence).unwrap();
    assert!(
        evidence.contains("negotiated TLS 1.3, TLS_AES_")
            || evidence.contains("negotiated TLS 1.2, TLS_ECDHE_"),
        "{evidence}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_tls_fault_turns_exactly_its_own_requirement_red() {
    for fault in [
        Fault::AcceptNoClientCert,
        Fault::AcceptExpiredClientCert,
        Fault::NoHsts,
    ] {
        let report = tls_run(&[fault]).await;
        let failed: BTreeSet<String> = report.failed_requirements().into_iter().collect();
        let declared: BTreeSet<String> = fault.breaks().iter().map(|r| r.to_string()).collect();
        assert_eq!(
            failed, declared,
            "{fault}: the @tls requirements that failed are not exactly those it declares"
        );
    }
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gpc-assure"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("GPC_ASSURE_") {
            c.env_remove(k);
        }
    }
    c
}

fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "gpc-assure-tls-test-{label}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `serve --tls --certs DIR`, and the Foundations root it prints.
fn serve_tls(certs: &Path) -> (Child, String) {
    let mut child = bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--tls", "--certs"])
        .arg(certs)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut root = None;
    while root.is_none() {
        line.clear();
        if lines.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if line.contains("Foundations/Appointments") {
            root = line
                .split_whitespace()
                .find(|w| w.starts_with("https://"))
                .map(str::to_string);
        }
    }
    let Some(root) = root else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("serve --tls printed no https Foundations root");
    };
    // Keep reading the rest of the banner in the background so serve never blocks on it.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while lines.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    (child, root)
}

fn results(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

#[test]
fn certs_serve_tls_and_a_run_by_url_work_together_and_missing_settings_are_named() {
    let dir = temp_dir("kit");
    let kit = dir.join("kit");
    let out = bin().arg("certs").arg(&kit).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "ca.pem",
        "server.pem",
        "client.pem",
        "expired-client.key",
        "README.txt",
    ] {
        assert!(kit.join(name).is_file(), "{name} not written");
    }
    // A directory that already holds a set is never overwritten.
    let again = bin().arg("certs").arg(&kit).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds certificates"));

    let (mut server, root) = serve_tls(&kit);
    let run = |out: &Path, test_certs: bool| {
        let mut c = bin();
        c.args(["run", "--tags", "@tls", "-q", "--target", &root, "--out"])
            .arg(out)
            .env("GPC_ASSURE_TLS_CA_FILE", kit.join("ca.pem"))
            .env("GPC_ASSURE_TLS_CLIENT_CERT", kit.join("client.pem"))
            .env("GPC_ASSURE_TLS_CLIENT_KEY", kit.join("client.key"));
        if test_certs {
            c.env("GPC_ASSURE_TLS_TEST_CERTS_DIR", &kit);
        }
        c.output().unwrap()
    };
    let full = run(&dir.join("full"), true);
    let without = run(&dir.join("without"), false);
    let _ = server.kill();
    let _ = server.wait();

    assert_eq!(
        full.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&full.stdout),
        String::from_utf8_lossy(&full.stderr)
    );
    assert_eq!(without.status.code(), Some(3), "inconclusive: exit 3");
    let json = results(&dir.join("without"));
    let mut inconclusive = 0;
    for f in json["features"].as_array().unwrap() {
        for s in f["scenarios"].as_array().unwrap() {
            if s["status"] == "inconclusive" {
                inconclusive += 1;
                let why = s.to_string();
                assert!(why.contains("tls.test_certs_dir"), "{why}");
            }
        }
    }
    // Expired, not yet valid, wrong usage; the certificate from another authority is made on the spot.
    assert_eq!(inconclusive, 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_tls_fault_without_tls_is_refused_with_the_reason() {
    let out = bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--fault", "no-hsts"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --tls"));
}

#[test]
fn a_run_through_the_ssp_sends_to_the_proxy_and_the_report_says_so() {
    // Nothing listens at the proxy: the run cannot start, but its report names the route.
    let dir = temp_dir("ssp");
    let out = bin()
        .args([
            "run",
            "-q",
            "--target",
            "https://provider.invalid/B82617/STU3/1/gpconnect",
            "--out",
        ])
        .arg(dir.join("r"))
        .env("GPC_ASSURE_TARGET_SSP_URL", "https://127.0.0.1:9")
        .env("GPC_ASSURE_HTTP_TIMEOUT_SECONDS", "2")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "https://127.0.0.1:9/https://provider.invalid/B82617/STU3/1/gpconnect/metadata"
        ),
        "{err}"
    );
    let json = results(&dir.join("r"));
    assert_eq!(json["target"]["ssp_url"], "https://127.0.0.1:9");
    assert_eq!(
        json["target"]["foundations_url"],
        "https://provider.invalid/B82617/STU3/1/gpconnect"
    );
    let html = std::fs::read_to_string(dir.join("r").join("index.html")).unwrap();
    assert!(html.contains("through the Spine Secure Proxy at <code>https://127.0.0.1:9</code>"));
    std::fs::remove_dir_all(&dir).unwrap();
}
