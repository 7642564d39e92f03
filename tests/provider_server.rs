//! The reference provider's server over real TCP: its limits against stalling clients, its shutdown,
//! and each chaos case as it appears on the wire.

use std::io::Read;
use std::time::{Duration, Instant};

use gpc_assure::gpconnect::headers::{
    AUTHORIZATION, SSP_FROM, SSP_INTERACTION_ID, SSP_TO, SSP_TRACE_ID,
};
use gpc_assure::gpconnect::jwt::{Claims, REASON_DIRECT_CARE};
use gpc_assure::gpconnect::{Capability, Interaction};
use gpc_assure::provider::chaos::{self, Chaos};
use gpc_assure::provider::{start, ProviderSettings, RunningProvider, ServerLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Short limits so the tests wait seconds, not the defaults' tens of seconds.
fn quick_limits() -> ServerLimits {
    ServerLimits {
        header_read_timeout: Duration::from_secs(2),
        body_read_timeout: Duration::from_secs(1),
        max_connections: 1024,
        shutdown_grace: Duration::from_secs(1),
    }
}

async fn provider_with(chaos: &[Chaos], limits: ServerLimits) -> RunningProvider {
    let settings = ProviderSettings {
        chaos: chaos.to_vec(),
        limits,
        ..ProviderSettings::default()
    };
    start(settings, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("provider starts")
}

/// A request for `interaction` carrying valid SSP headers and token, on a fresh client.
fn request(
    p: &RunningProvider,
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
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
        .get(url)
        .header(SSP_TRACE_ID, uuid::Uuid::new_v4().to_string())
        .header(SSP_FROM, config.target.consumer_asid)
        .header(SSP_TO, config.target.provider_asid)
        .header(SSP_INTERACTION_ID, spec.id)
        .header(AUTHORIZATION, format!("Bearer {token}"))
}

fn metadata(p: &RunningProvider) -> reqwest::RequestBuilder {
    request(p, Interaction::Metadata, None)
}

fn read_patient(p: &RunningProvider) -> reqwest::RequestBuilder {
    request(p, Interaction::ReadPatient, Some("1"))
}

/// Wait for the server to close `stream`: true when it did within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_half_requests_neither_block_others_nor_stay_open() {
    let p = provider_with(&[], quick_limits()).await;
    let mut stalled = Vec::new();
    for _ in 0..300 {
        let mut s = TcpStream::connect(p.addr).await.unwrap();
        s.write_all(b"GET /B82617/STU3/1/gpc").await.unwrap();
        stalled.push(s);
    }
    let started = Instant::now();
    let res = metadata(&p).send().await.expect("metadata answers");
    assert_eq!(res.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "metadata took {:?} beside 300 stalled connections",
        started.elapsed()
    );
    // Every stalled connection is closed once the 2 s header timeout has passed.
    let started = Instant::now();
    for s in &mut stalled {
        assert!(
            closed_within(s, Duration::from_secs(10)).await,
            "a stalled connection is still open after {:?}",
            started.elapsed()
        );
    }
    p.shutdown().await;
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_answered_408_and_closed() {
    let p = provider_with(&[], quick_limits()).await;
    let mut s = TcpStream::connect(p.addr).await.unwrap();
    let head = "POST /B82617/STU3/1/gpconnect/Patient/$gpc.registerpatient HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\nContent-Length: 100\r\n\r\n{\"resource";
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection stayed open");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("OperationOutcome"), "{text}");
    p.shutdown().await;
}

#[tokio::test]
async fn connections_over_the_limit_are_refused_and_the_server_recovers() {
    let limits = ServerLimits {
        max_connections: 8,
        ..quick_limits()
    };
    let p = provider_with(&[], limits).await;
    let mut stalled = Vec::new();
    for _ in 0..8 {
        let mut s = TcpStream::connect(p.addr).await.unwrap();
        s.write_all(b"GET /").await.unwrap();
        stalled.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = TcpStream::connect(p.addr).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), extra.read_to_end(&mut answer))
        .await
        .expect("refused at once")
        .unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 503"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    // Once the stalled ones time out, the server serves again.
    for s in &mut stalled {
        assert!(closed_within(s, Duration::from_secs(10)).await);
    }
    assert_eq!(metadata(&p).send().await.unwrap().status(), 200);
    p.shutdown().await;
}

#[tokio::test]
async fn shutdown_ends_despite_a_request_that_never_gets_an_answer() {
    let p = provider_with(&[Chaos::StallAfterFirst], quick_limits()).await;
    let pending = tokio::spawn(read_patient(&p).send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!pending.is_finished(), "the request was answered");
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(10), p.shutdown())
        .await
        .expect("shutdown finishes after the grace period");
    assert!(started.elapsed() >= Duration::from_millis(900));
    let outcome = tokio::time::timeout(Duration::from_secs(5), pending)
        .await
        .expect("the client sees the connection end")
        .unwrap();
    assert!(outcome.is_err(), "the stalled request got an answer");
}

#[tokio::test]
async fn metadata_answers_normally_under_every_case_but_metadata_stall() {
    for case in Chaos::ALL {
        if *case == Chaos::MetadataStall {
            continue;
        }
        let p = provider_with(&[*case], quick_limits()).await;
        let res = metadata(&p).send().await.unwrap();
        assert_eq!(res.status(), 200, "{case}");
        let bytes = res.bytes().await.unwrap();
        let body: serde_json::Value =
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(body["resourceType"], "CapabilityStatement", "{case}");
        p.shutdown().await;
    }
}

#[tokio::test]
async fn metadata_stall_never_answers_metadata() {
    let p = provider_with(&[Chaos::MetadataStall], quick_limits()).await;
    let res = tokio::time::timeout(Duration::from_secs(2), metadata(&p).send()).await;
    assert!(res.is_err(), "metadata answered");
    p.shutdown().await;
}

#[tokio::test]
async fn nested_and_many_named_bodies_replace_their_format_only() {
    let p = provider_with(&[Chaos::XmlDeepNesting], quick_limits()).await;
    let xml = read_patient(&p)
        .header("Accept", "application/fhir+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(xml.bytes().await.unwrap(), chaos::deep_xml());
    let json = read_patient(&p).send().await.unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.bytes().await.unwrap()).unwrap();
    assert_eq!(json["resourceType"], "Patient");
    p.shutdown().await;

    let p = provider_with(&[Chaos::XmlManyNames], quick_limits()).await;
    let xml = read_patient(&p)
        .header("Accept", "application/fhir+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(xml.bytes().await.unwrap(), chaos::many_names_xml());
    p.shutdown().await;

    let p = provider_with(&[Chaos::JsonDeepNesting], quick_limits()).await;
    let json = read_patient(&p).send().await.unwrap();
    assert_eq!(json.bytes().await.unwrap(), chaos::deep_json());
    p.shutdown().await;
}

#[tokio::test]
async fn stalls_send_nothing_or_half() {
    let p = provider_with(&[Chaos::StallAfterFirst], quick_limits()).await;
    let res = tokio::time::timeout(Duration::from_secs(2), read_patient(&p).send()).await;
    assert!(res.is_err(), "answered");
    p.shutdown().await;

    let p = provider_with(&[Chaos::StallMidBody], quick_limits()).await;
    let mut res = read_patient(&p).send().await.unwrap();
    let declared = res.content_length().unwrap();
    let mut got = 0;
    let rest = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(chunk) = res.chunk().await.unwrap() {
            got += chunk.len();
        }
    })
    .await;
    assert!(rest.is_err(), "the body finished");
    assert_eq!(got as u64, declared / 2);
    p.shutdown().await;
}

#[tokio::test]
async fn slow_drip_sends_a_byte_at_a_time() {
    let p = provider_with(&[Chaos::SlowDrip], quick_limits()).await;
    let mut res = read_patient(&p).send().await.unwrap();
    assert!(res.content_length().unwrap() > 100);
    let started = Instant::now();
    let mut got = Vec::new();
    while got.len() < 4 {
        got.extend_from_slice(&res.chunk().await.unwrap().unwrap());
    }
    assert_eq!(got.len(), 4, "one byte per chunk");
    assert!(started.elapsed() >= chaos::DRIP_INTERVAL * 3);
    assert_eq!(got, b"{\"re");
    p.shutdown().await;
}

#[tokio::test]
async fn huge_and_random_bodies_are_streamed_at_their_declared_size() {
    let p = provider_with(&[Chaos::HugeBody], quick_limits()).await;
    let mut res = read_patient(&p).send().await.unwrap();
    assert_eq!(res.content_length(), Some(chaos::HUGE_BODY_BYTES));
    let mut got = Vec::new();
    while got.len() < 1 << 20 {
        got.extend_from_slice(&res.chunk().await.unwrap().unwrap());
    }
    assert!(got.starts_with(b"{\"resourceType\":\"Bundle\""));
    drop(res);
    p.shutdown().await;

    let p = provider_with(&[Chaos::RandomBytesEveryFourth], quick_limits()).await;
    let client = reqwest::Client::new();
    let mut lengths = Vec::new();
    for _ in 0..4 {
        let req = read_patient(&p).build().unwrap();
        let res = client.execute(req).await.unwrap();
        lengths.push(res.content_length());
        let body = res.bytes().await.unwrap();
        assert_eq!(Some(body.len() as u64), *lengths.last().unwrap());
    }
    assert!(
        lengths[..3].iter().all(|l| *l < Some(100_000)),
        "{lengths:?}"
    );
    assert_eq!(lengths[3], Some(chaos::RANDOM_BODY_BYTES));
    p.shutdown().await;
}

#[tokio::test]
async fn latin1_and_escapes_reach_the_wire() {
    let p = provider_with(&[Chaos::Latin1AsUtf8], quick_limits()).await;
    let res = read_patient(&p).send().await.unwrap();
    assert_eq!(
        res.headers()["content-type"],
        "application/fhir+json;charset=utf-8"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.contains(&0xE9), "no Latin-1 é");
    assert!(std::str::from_utf8(&bytes).is_err());
    p.shutdown().await;

    let p = provider_with(&[Chaos::TerminalEscapes], quick_limits()).await;
    let text = read_patient(&p).send().await.unwrap().text().await.unwrap();
    let patient: serde_json::Value = serde_json::from_str(&text).unwrap();
    let family = patient["name"][0]["family"].as_str().unwrap();
    assert!(family.starts_with(chaos::TERMINAL_ESCAPES), "{family:?}");
    p.shutdown().await;
}

#[tokio::test]
async fn gzip_cut_and_bomb_declare_gzip() {
    let p = provider_with(&[Chaos::GzipCut], quick_limits()).await;
    let res = read_patient(&p).send().await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let bytes = res.bytes().await.unwrap();
    let mut out = Vec::new();
    let decoded = flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out);
    assert!(decoded.is_err(), "the cut stream decoded");
    p.shutdown().await;

    let p = provider_with(&[Chaos::GzipBomb], quick_limits()).await;
    let res = read_patient(&p).send().await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.bytes().await.unwrap(), chaos::gzip_bomb());
    p.shutdown().await;
}

#[tokio::test]
async fn drop_mid_body_and_wrong_content_length_cut_the_body() {
    let p = provider_with(&[Chaos::DropMidBody], quick_limits()).await;
    let res = read_patient(&p).send().await.unwrap();
    assert!(res.content_length().unwrap() > 100);
    assert!(res.bytes().await.is_err(), "the whole body arrived");
    p.shutdown().await;

    let p = provider_with(&[Chaos::WrongContentLength], quick_limits()).await;
    let full = {
        let plain = provider_with(&[], quick_limits()).await;
        let n = read_patient(&plain)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        plain.shutdown().await;
        n.len()
    };
    let res = read_patient(&p).send().await.unwrap();
    assert_eq!(res.content_length(), Some(full as u64 / 2));
    let body = res.bytes().await.expect("a complete-looking response");
    assert_eq!(body.len(), full / 2);
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
    p.shutdown().await;
}

#[tokio::test]
async fn redirect_points_at_another_host() {
    let p = provider_with(&[Chaos::Redirect], quick_limits()).await;
    let res = read_patient(&p).send().await.unwrap();
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap();
    let target = p.state.chaos.redirect_target().unwrap();
    assert!(location.starts_with(target), "{location}");
    assert!(location.ends_with("/Patient/1"), "{location}");
    assert_ne!(
        reqwest::Url::parse(location).unwrap().port(),
        Some(p.addr.port())
    );
    // The target answers (and would log the credentials of a consumer that followed).
    let followed = reqwest::get(location).await.unwrap();
    assert_eq!(followed.status(), 404);
    p.shutdown().await;
}

#[tokio::test]
async fn garbage_status_line_spares_metadata() {
    let p = provider_with(&[Chaos::GarbageStatusLine], quick_limits()).await;
    let err = read_patient(&p)
        .send()
        .await
        .expect_err("garbage parsed as HTTP");
    assert!(!err.is_timeout(), "{err}");
    let mut s = TcpStream::connect(p.addr).await.unwrap();
    s.write_all(b"GET /B82617/STU3/1/gpconnect/Patient/1 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer, chaos::GARBAGE);
    // Metadata still answers, twice on one client (each on a connection of its own).
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let res = client.execute(metadata(&p).build().unwrap()).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["connection"], "close");
        res.bytes().await.unwrap();
    }
    p.shutdown().await;
}
