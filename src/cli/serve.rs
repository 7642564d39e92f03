//! `gpc-assure serve`: run the embedded reference provider until Ctrl-C, so a user can point curl, Postman
//! or another harness at it, or start it with faults to see what a broken provider looks like, or with
//! chaos cases to see how a consumer copes with a hostile one.

use std::net::SocketAddr;
use std::process::ExitCode;

use crate::gpconnect::headers::{
    AUTHORIZATION, SSP_FROM, SSP_INTERACTION_ID, SSP_TO, SSP_TRACE_ID,
};
use crate::gpconnect::interactions::Capability;
use crate::gpconnect::jwt::{Claims, REASON_DIRECT_CARE};
use crate::gpconnect::Interaction;
use crate::provider::{self, Chaos, Departure, Fault, ProviderSettings};

/// Options of `gpc-assure serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed at start-up).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: String,
    /// ODS code of the practice (first segment of the service roots).
    #[arg(long, default_value_t = ProviderSettings::default().ods_code)]
    pub ods_code: String,
    /// The provider's ASID, required in Ssp-To.
    #[arg(long, default_value_t = ProviderSettings::default().asid)]
    pub asid: String,
    /// Break one rule on purpose (repeatable), to see the harness catch it.
    #[arg(long = "fault", value_enum)]
    pub faults: Vec<Fault>,
    /// Play one hostile-provider behaviour (repeatable), to see how a consumer copes. Metadata keeps
    /// answering normally, except under metadata-stall.
    #[arg(long = "chaos", value_enum)]
    pub chaos: Vec<Chaos>,
    /// Leave a SHOULD or MAY unfollowed (repeatable), e.g. `json-only`: not a fault, the provider
    /// stays conformant and a run against it ends the scenarios of that rule as warnings.
    #[arg(long = "departure", value_enum)]
    pub departures: Vec<Departure>,
    /// Serve over TLS with mutual authentication (TLS 1.2 and 1.3, the approved cipher suites, a
    /// client certificate from the CA required, Strict-Transport-Security on every response).
    #[arg(long)]
    pub tls: bool,
    /// With --tls: the certificates to serve with, a directory written by `gpc-assure certs DIR` (a
    /// set is made there when it holds none). Default: a set made at start-up in a temporary
    /// directory, removed on exit; the banner names its files.
    #[arg(long, value_name = "DIR", requires = "tls")]
    pub certs: Option<std::path::PathBuf>,
    /// Start with the practice's Access Document switch off: Find a patient, Search and Retrieve on the
    /// documents root answer ACCESS DENIED (Migrate a document still answers).
    #[arg(long)]
    pub documents_disabled: bool,
}

/// Start the provider, print how to reach it, and serve until Ctrl-C. Exit code 2 for a bad address or
/// a port in use.
pub async fn run(args: ServeArgs) -> ExitCode {
    let addr: SocketAddr = match args.addr.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "error: --addr {:?} is not an IP address and port (e.g. 127.0.0.1:8080): {e}",
                args.addr
            );
            return ExitCode::from(2);
        }
    };
    if args.ods_code.trim().is_empty() || args.ods_code.contains('/') {
        eprintln!("error: --ods-code {:?} is not an ODS code", args.ods_code);
        return ExitCode::from(2);
    }
    if args.asid.is_empty() || !args.asid.bytes().all(|b| b.is_ascii_digit()) {
        eprintln!("error: --asid {:?} must be numeric", args.asid);
        return ExitCode::from(2);
    }
    if !args.tls {
        if let Some(f) = args.faults.iter().find(|f| f.needs_tls()) {
            eprintln!(
                "error: --fault {f} breaks a rule of the TLS layer; add --tls to serve over TLS"
            );
            return ExitCode::from(2);
        }
    }
    let tls = args.tls.then_some(match args.certs {
        Some(dir) => provider::CertSource::Dir(dir),
        None => provider::CertSource::Fresh,
    });
    let settings = ProviderSettings {
        ods_code: args.ods_code,
        asid: args.asid,
        faults: args.faults,
        chaos: args.chaos,
        departures: args.departures,
        tls,
        documents_enabled: !args.documents_disabled,
        ..ProviderSettings::default()
    };
    let running = match provider::start(settings, addr).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the provider on {addr}: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", banner(&running));
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    println!("stopping");
    running.shutdown().await;
    ExitCode::SUCCESS
}

/// Service roots, active faults and a ready-to-paste curl command for the capability statement.
fn banner(running: &provider::RunningProvider) -> String {
    let config = running.config();
    let mut out = format!(
        "gpc-assure reference provider listening on {}\n",
        running.addr
    );
    for (label, capability) in [
        ("Foundations/Appointments", Capability::Foundations),
        ("Access Record Structured", Capability::Structured),
        ("Access Document", Capability::Documents),
        ("Access Record HTML (DSTU2)", Capability::Html),
    ] {
        out.push_str(&format!(
            "  {label:<26} {}\n",
            config.service_root(capability)
        ));
    }
    let settings = &running.state.settings;
    if settings.faults.is_empty() {
        out.push_str("  faults: none\n");
    } else {
        let names: Vec<&str> = settings.faults.iter().map(|f| f.name()).collect();
        out.push_str(&format!("  faults: {}\n", names.join(", ")));
    }
    if !settings.documents_enabled {
        out.push_str("  Access Document switch: off (ACCESS DENIED)\n");
    }
    if !settings.chaos.is_empty() {
        let names: Vec<&str> = settings.chaos.iter().map(|c| c.name()).collect();
        out.push_str(&format!("  chaos: {}\n", names.join(", ")));
    }
    if let Some(target) = running.state.chaos.redirect_target() {
        out.push_str(&format!("  redirect target: {target}\n"));
    }
    let mut curl_tls = String::new();
    if let Some(kit) = &running.kit {
        let (cert, key) = kit.client(crate::certs::ClientCert::Valid);
        out.push_str(&format!(
            "  TLS with mutual authentication; certificates in {} (ca.pem, client.pem, client.key; README.txt says what each is)\n",
            kit.path.display()
        ));
        curl_tls = format!(
            " \\\n    --cacert '{}' --cert '{}' --key '{}'",
            kit.ca().display(),
            cert.display(),
            key.display()
        );
    }
    let metadata = Interaction::Metadata.spec();
    let iat = chrono::Utc::now().timestamp();
    let root = config.service_root(Capability::Foundations);
    let token = Claims::new(
        &config.consumer,
        &root,
        metadata.scope,
        REASON_DIRECT_CARE,
        iat,
    )
    .encode();
    out.push_str(&format!(
        "\nTry (the token is valid for 5 minutes):\n  curl -s '{root}{path}'{curl_tls} \\\n    -H '{SSP_TRACE_ID}: {trace}' -H '{SSP_FROM}: {from}' -H '{SSP_TO}: {to}' \\\n    -H '{SSP_INTERACTION_ID}: {id}' \\\n    -H '{AUTHORIZATION}: Bearer {token}'\n\nPress Ctrl-C to stop.\n",
        path = metadata.path,
        trace = uuid::Uuid::new_v4(),
        from = config.target.consumer_asid,
        to = config.target.provider_asid,
        id = metadata.id,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bad_address_exits_2() {
        let args = ServeArgs {
            addr: "not-an-address".into(),
            ods_code: "B82617".into(),
            asid: "1".into(),
            faults: vec![],
            chaos: vec![],
            departures: vec![],
            tls: false,
            certs: None,
            documents_disabled: false,
        };
        assert_eq!(run(args).await, ExitCode::from(2));
    }

    #[tokio::test]
    async fn port_in_use_exits_2() {
        let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = busy.local_addr().unwrap().to_string();
        let args = ServeArgs {
            addr,
            ods_code: "B82617".into(),
            asid: "918999198738".into(),
            faults: vec![],
            chaos: vec![],
            departures: vec![],
            tls: false,
            certs: None,
            documents_disabled: false,
        };
        assert_eq!(run(args).await, ExitCode::from(2));
    }

    #[tokio::test]
    async fn banner_names_the_roots_and_a_curl() {
        let running = provider::start(ProviderSettings::default(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let text = banner(&running);
        assert!(text.contains("/B82617/STU3/1/gpconnect/structured"));
        assert!(text.contains("curl -s"));
        assert!(text.contains("urn:nhs:names:services:gpconnect:fhir:rest:read:metadata-1"));
        assert!(!text.contains("chaos"));
        running.shutdown().await;
    }

    #[tokio::test]
    async fn banner_names_the_chaos_played_and_the_redirect_target() {
        let settings = ProviderSettings {
            chaos: vec![Chaos::Redirect, Chaos::SlowDrip],
            ..ProviderSettings::default()
        };
        let running = provider::start(settings, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let text = banner(&running);
        assert!(text.contains("  chaos: redirect, slow-drip\n"), "{text}");
        assert!(
            text.contains("  redirect target: http://127.0.0."),
            "{text}"
        );
        running.shutdown().await;
    }
}
