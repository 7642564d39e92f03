//! The whole feature suite against the reference provider, as a user runs it, measured from outside.
//!
//! Run: `cargo bench --bench run_suite` (release build; default grid below), or name the cases:
//! `cargo bench --bench run_suite -- 0:1 0:4 50:32` (LATENCY_MS:CONCURRENCY, repeat a case to
//! measure it again). `BENCH_HARNESS=path/to/gpc-assure` measures another build of the harness
//! (an earlier commit's) against the same provider and shim, and `BENCH_FEATURES=DIR` runs the
//! features of DIR (that commit's), for both builds to run the same scenarios.
//!
//! Each case starts a fresh reference provider (mutual TLS, in this process), puts a latency shim in
//! front of it (a TCP relay in this process that holds every byte the harness sends for LATENCY ms
//! before passing it on, so each request, and each TLS handshake flight, pays the delay once), and
//! runs the `gpc-assure` binary of this build against the relay as a separate process, with a
//! configuration file like a user's. What is printed per case:
//!
//! - `requests`: exchanges recorded in results.json (teardown and TLS probes included);
//! - `cpu/req`: the harness process's CPU time (user + system, from `wait4`) over the requests: the
//!   provider and the relay run in this process, so none of theirs is counted;
//! - `peer/req`: this process's CPU time over the same run and requests: the reference provider's
//!   and the relay's, the yardstick measured beside the harness (a machine's speed varies from day
//!   to day; the two ratios to it do not);
//! - `in-run` and `bound`: the run's own duration (results.json `duration_ms`, first scenario to
//!   last) against the time the added latency alone costs, `requests x latency / concurrency`;
//! - `start`: from spawning the process to the run's `started_at`;
//! - `tail`: from the run's `finished_at` (last scenario over) to the process's exit (reports
//!   written);
//! - `rss`: the harness's peak resident memory (`ru_maxrss`);
//! - `conns`: TCP connections the relay accepted from the harness (TLS probes, which open one
//!   connection each by design, included), and `pooled`: those the harness's own client says it
//!   opened (results.json `connections_opened`, when present).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gpc_assure::provider::{self, CertSource, ProviderSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The cases run when none is named: the quick ones without latency, then behind 50 ms.
const DEFAULT_CASES: &[(u64, usize)] = &[(0, 1), (0, 4), (50, 8), (50, 32), (50, 64)];

fn main() {
    let cases: Vec<(u64, usize)> = {
        let named: Vec<(u64, usize)> = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with("--"))
            .filter_map(|a| {
                let (l, c) = a.split_once(':')?;
                Some((l.parse().ok()?, c.parse().ok()?))
            })
            .collect();
        if named.is_empty() {
            DEFAULT_CASES.to_vec()
        } else {
            named
        }
    };
    // Another build of the harness (an earlier commit's, to compare) may be named in BENCH_HARNESS.
    let binary = std::env::var_os("BENCH_HARNESS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_gpc-assure")));
    println!("harness: {}", binary.display());
    // Another tree's features (BENCH_FEATURES), so an earlier build runs the scenarios it knows.
    let features = std::env::var_os("BENCH_FEATURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("features"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    println!(
        "{:>7} {:>5} {:>8} {:>8} {:>8} {:>9} {:>9} {:>6} {:>7} {:>7} {:>8} {:>6} {:>7}",
        "latency",
        "conc",
        "requests",
        "cpu/req",
        "peer/req",
        "in-run",
        "bound",
        "ratio",
        "start",
        "tail",
        "rss",
        "conns",
        "pooled"
    );
    for (latency, concurrency) in cases {
        let m = runtime.block_on(measure(&binary, &features, latency, concurrency));
        let bound = m.requests as f64 * latency as f64 / concurrency as f64 / 1000.0;
        println!(
            "{:>5}ms {:>5} {:>8} {:>6.2}ms {:>6.2}ms {:>8.2}s {:>8.2}s {:>6} {:>6.2}s {:>6.2}s {:>6}MB {:>6} {:>7}",
            latency,
            concurrency,
            m.requests,
            m.cpu.as_secs_f64() * 1000.0 / m.requests.max(1) as f64,
            m.peer.as_secs_f64() * 1000.0 / m.requests.max(1) as f64,
            m.in_run.as_secs_f64(),
            bound,
            if latency == 0 {
                "-".to_string()
            } else {
                format!("{:.2}", m.in_run.as_secs_f64() / bound)
            },
            m.start.as_secs_f64(),
            m.tail.as_secs_f64(),
            m.peak_rss_kb / 1024,
            m.accepted,
            m.pooled
                .map(|p| p.to_string())
                .unwrap_or_else(|| "-".into()),
        );
        if m.exit != 0 {
            println!(
                "        (the run exited with status {}: {})",
                m.exit, m.verdict
            );
            for line in &m.not_passed {
                println!("        {line}");
            }
        }
    }
}

/// User and system CPU time in a `rusage`.
fn cpu_of(usage: &libc::rusage) -> Duration {
    let t = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    t(usage.ru_utime) + t(usage.ru_stime)
}

/// This process's CPU time so far (all its threads).
fn own_cpu() -> Duration {
    // SAFETY: an all-zero rusage is a valid value, and getrusage writes a complete one.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid pointer to a rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    cpu_of(&usage)
}

struct Measured {
    requests: usize,
    cpu: Duration,
    /// This process's CPU over the run: the provider's and the relay's.
    peer: Duration,
    in_run: Duration,
    start: Duration,
    tail: Duration,
    peak_rss_kb: i64,
    accepted: usize,
    pooled: Option<u64>,
    exit: i32,
    verdict: String,
    /// The first scenarios that did not pass (not applicable ones aside), with their failure.
    not_passed: Vec<String>,
}

async fn measure(binary: &Path, features: &Path, latency_ms: u64, concurrency: usize) -> Measured {
    let settings = ProviderSettings {
        tls: Some(CertSource::Fresh),
        ..ProviderSettings::default()
    };
    let running = provider::start(settings, ([127, 0, 0, 1], 0).into())
        .await
        .expect("the reference provider starts");
    let relay = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a relay port");
    let relay_addr = relay.local_addr().expect("the relay's address");
    let accepted = Arc::new(AtomicUsize::new(0));
    let relay_task = tokio::spawn(serve_relay(
        relay,
        running.addr,
        Duration::from_millis(latency_ms),
        Arc::clone(&accepted),
    ));

    // Every service root (the DSTU2 one is named explicitly) goes through the relay.
    let mut config = running.config();
    let (provider, relay) = (running.addr.to_string(), relay_addr.to_string());
    config.target.foundations_url = config.target.foundations_url.replace(&provider, &relay);
    config.target.html_url = config
        .target
        .html_url
        .map(|url| url.replace(&provider, &relay));
    config.http.concurrency = concurrency;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config_file = dir.path().join("target.toml");
    std::fs::write(
        &config_file,
        toml::to_string(&config).expect("the configuration renders"),
    )
    .expect("the configuration is written");
    let out = dir.path().join("report");

    let mut command = std::process::Command::new(binary);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("GPC_ASSURE_") {
            command.env_remove(k);
        }
    }
    command
        .arg("run")
        .arg("--config")
        .arg(&config_file)
        .arg("--features")
        .arg(features)
        .arg("--out")
        .arg(&out)
        .arg("--concurrency")
        .arg(concurrency.to_string())
        .arg("--quiet")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("stderr.txt")).expect("a file for stderr"));
    let spawned_at = chrono::Utc::now();
    let peer_before = own_cpu();
    let child = command.spawn().expect("gpc-assure starts");
    let pid = child.id() as libc::pid_t;
    let (status, usage) = tokio::task::spawn_blocking(move || {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value, and wait4 writes a complete one.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our own child, not yet reaped (the Child handle is never waited on).
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(r, pid, "wait4 on the harness");
        (status, usage)
    })
    .await
    .expect("the wait");
    let peer = own_cpu().saturating_sub(peer_before);
    let exited_at = chrono::Utc::now();
    drop(child);
    let stderr = std::fs::read_to_string(dir.path().join("stderr.txt")).unwrap_or_default();
    relay_task.abort();
    running.shutdown().await;

    let results: serde_json::Value = std::fs::read(out.join("results.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| panic!("the run wrote no results.json: {stderr}"));
    let time = |key: &str| {
        chrono::DateTime::parse_from_rfc3339(results[key].as_str().unwrap_or_default())
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|_| panic!("results.json has no {key}"))
    };
    let requests = results["features"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["scenarios"].as_array().into_iter().flatten())
        .map(|s| s["evidence"].as_array().map_or(0, |e| e.len()))
        .sum();
    let positive = |d: chrono::TimeDelta| d.to_std().unwrap_or_default();
    Measured {
        requests,
        cpu: cpu_of(&usage),
        peer,
        in_run: Duration::from_secs_f64(results["duration_ms"].as_f64().unwrap_or(0.0) / 1000.0),
        start: positive(time("started_at") - spawned_at),
        tail: positive(exited_at - time("finished_at")),
        peak_rss_kb: usage.ru_maxrss,
        accepted: accepted.load(Ordering::SeqCst),
        pooled: results["connections_opened"].as_u64(),
        exit: libc::WEXITSTATUS(status),
        verdict: results["verdict"].as_str().unwrap_or("").to_string(),
        not_passed: not_passed(&results, 5),
    }
}

/// The first `n` scenarios of a run that neither passed nor were not applicable, each as
/// "status path:line: failure".
fn not_passed(results: &serde_json::Value, n: usize) -> Vec<String> {
    results["features"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["scenarios"].as_array().into_iter().flatten())
        .filter(|s| !matches!(s["status"].as_str(), Some("passed" | "not_applicable")))
        .take(n)
        .map(|s| {
            let failure = s["failure"].as_str().unwrap_or("");
            format!(
                "{} {}:{}: {}",
                s["status"].as_str().unwrap_or("?"),
                s["feature_path"].as_str().unwrap_or("?"),
                s["line"],
                failure
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(400)
                    .collect::<String>()
            )
        })
        .collect()
}

/// Accept connections and relay each to `upstream`, holding what the client sends for `delay`.
async fn serve_relay(
    listener: TcpListener,
    upstream: std::net::SocketAddr,
    delay: Duration,
    accepted: Arc<AtomicUsize>,
) {
    while let Ok((client, _)) = listener.accept().await {
        accepted.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            if let Ok(server) = TcpStream::connect(upstream).await {
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                relay(client, server, delay).await;
            }
        });
    }
}

async fn relay(client: TcpStream, server: TcpStream, delay: Duration) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    // Client to server: each chunk is passed on `delay` after it arrived (in order; chunks arriving
    // together leave together, so a pipelined burst pays the delay once).
    let reading = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let due = tokio::time::Instant::now() + delay;
                    if tx.send((due, buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    };
    let forwarding = async move {
        while let Some((due, bytes)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if server_write.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = server_write.shutdown().await;
    };
    let answering = async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
        let _ = client_write.shutdown().await;
    };
    tokio::join!(reading, forwarding, answering);
}
