use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn parses_a_full_file() {
    let c = Config::from_toml_str(
        r#"
        [target]
        foundations_url = "https://p.example/B82617/STU3/1/gpconnect"
        provider_asid = "918999198738"
        [consumer]
        organization_ods_code = "X1"
        [data.patients]
        patient2 = "9476719931"
        [http]
        timeout_seconds = 5
        [tls]
        verify = false
        "#,
        "t.toml",
    )
    .unwrap();
    assert_eq!(
        c.target.foundations_url,
        "https://p.example/B82617/STU3/1/gpconnect"
    );
    assert_eq!(c.consumer.organization_ods_code, "X1");
    assert_eq!(c.data.patients["patient2"], "9476719931");
    assert_eq!(
        c.data.patients.len(),
        1,
        "a file's alias table replaces the defaults"
    );
    assert_eq!(c.http.timeout_seconds, 5);
    assert!(!c.tls.verify);
    c.validate().unwrap();
    assert_eq!(
        c.service_root(Capability::Structured),
        "https://p.example/B82617/STU3/1/gpconnect/structured"
    );
}

#[test]
fn the_access_record_html_root_and_version() {
    let mut c = Config::default();
    c.target.foundations_url = "https://p.example/B82617/STU3/1/gpconnect".into();
    assert_eq!(
        c.service_root(Capability::Html),
        "https://p.example/B82617/DSTU2/0/gpconnect"
    );
    assert_eq!(
        c.audience(Capability::Html),
        "https://authorize.fhir.nhs.net/token"
    );
    c.target.jwt_audience = Some("https://p.example/aud".into());
    assert_eq!(
        c.audience(Capability::Html),
        "https://authorize.fhir.nhs.net/token",
        "jwt_audience is for 1.x requests"
    );
    c.target.foundations_url = "https://p.example/fhir".into();
    assert_eq!(
        c.service_root(Capability::Html),
        "https://p.example/fhir/dstu2"
    );
    c.target.html_url = Some("https://p.example/B82617/DSTU2/0/x".into());
    assert_eq!(
        c.service_root(Capability::Html),
        "https://p.example/B82617/DSTU2/0/x"
    );
    c.validate().unwrap();
    c.target.html_version = "1.2.7".into();
    let e = c.validate().unwrap_err().to_string();
    assert!(
        e.contains("target.html_version") && e.contains("0.x"),
        "{e}"
    );
    c.target.html_version = "zero".into();
    assert!(c
        .validate()
        .unwrap_err()
        .to_string()
        .contains("target.html_version"));
    c.target.html_version = "0.7.2".into();
    c.target.html_url = Some("not a url".into());
    assert!(c
        .validate()
        .unwrap_err()
        .to_string()
        .contains("target.html_url"));
}

#[test]
fn unknown_keys_are_named() {
    let e = Config::from_toml_str("[target]\nfoundation_url = \"x\"\n", "t.toml").unwrap_err();
    assert!(e.to_string().contains("foundation_url"), "{e}");
    let e = Config::from_toml_str("[targets]\n", "t.toml").unwrap_err();
    assert!(e.to_string().contains("targets"), "{e}");
}

#[test]
fn bad_values_are_named() {
    let e = Config::from_toml_str("[http]\ntimeout_seconds = \"ten\"\n", "t.toml").unwrap_err();
    assert!(e.to_string().contains("http.timeout_seconds"), "{e}");
    let mut c = Config::default();
    c.target.foundations_url = "https://p/".into();
    assert!(c
        .validate()
        .unwrap_err()
        .to_string()
        .contains("target.foundations_url"));
    c.target.foundations_url = "ftp://p".into();
    assert!(c
        .validate()
        .unwrap_err()
        .to_string()
        .contains("http or https"));
    c.target.foundations_url = "https://p".into();
    c.target.provider_asid = "abc".into();
    assert!(c
        .validate()
        .unwrap_err()
        .to_string()
        .contains("target.provider_asid"));
    c.target.provider_asid = "1".into();
    c.http.concurrency = 0;
    assert!(c
        .validate()
        .unwrap_err()
        .to_string()
        .contains("http.concurrency"));
    c.http.concurrency = 1;
    c.target.structured_version = "one".into();
    assert!(c
        .validate()
        .unwrap_err()
        .to_string()
        .contains("target.structured_version"));
}

#[test]
fn environment_overrides_file_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.toml");
    std::fs::write(
        &path,
        "[target]\nfoundations_url = \"https://a\"\n[http]\nconcurrency = 2\n",
    )
    .unwrap();
    let c = Config::load(
        Some(&path),
        env(&[
            ("GPC_ASSURE_TARGET_FOUNDATIONS_URL", "https://b"),
            ("GPC_ASSURE_HTTP_CONCURRENCY", "7"),
            ("GPC_ASSURE_TARGET_PROVIDER_ASID", "918999198738"),
            ("GPC_ASSURE_DATA_PATIENTS_patient2", "9476719931"),
            ("GPC_ASSURE_TLS_VERIFY", "false"),
            ("UNRELATED", "x"),
        ]),
    )
    .unwrap();
    assert_eq!(c.target.foundations_url, "https://b");
    assert_eq!(c.http.concurrency, 7);
    assert_eq!(c.target.provider_asid, "918999198738");
    assert_eq!(c.data.patients["patient2"], "9476719931");
    assert!(!c.tls.verify);
}

#[test]
fn unknown_environment_keys_are_named() {
    let e = Config::load(None, env(&[("GPC_ASSURE_HTTP_TIMEOUT", "3")]))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "GPC_ASSURE_HTTP_TIMEOUT: is not a setting; did you mean GPC_ASSURE_HTTP_TIMEOUT_SECONDS? \
             (the keys of [http] are timeout_seconds, max_response_bytes, concurrency"
        ),
        "{e}"
    );
    let e = Config::load(None, env(&[("GPC_ASSURE_DATA_PEOPLE_x", "3")])).unwrap_err();
    assert!(e.to_string().contains("GPC_ASSURE_DATA_PEOPLE_x"), "{e}");
}

#[test]
fn toml_type_errors_name_the_file_the_key_and_the_line() {
    let e = Config::from_toml_str(
        "[target]\nfoundations_url = \"https://p\"\n[http]\nconcurrency = \"four\"\n",
        "config.toml",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "config.toml: http.concurrency: expected an integer of 0 or more, found a string \"four\" (line 4)"
    );
    let e = Config::from_toml_str("[tls]\nverify = \"no\"\n", "c.toml").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("c.toml: tls.verify: expected true or false, found a string \"no\""),
        "{e}"
    );
    let e = Config::from_toml_str("[http]\ntimeout_seconds = -5\n", "c.toml").unwrap_err();
    assert!(
        e.to_string().contains(
            "http.timeout_seconds: expected an integer of 0 or more, found an integer -5"
        ),
        "{e}"
    );
    let e =
        Config::from_toml_str("[target]\nprovider_asid = 918999198738\n", "c.toml").unwrap_err();
    assert!(
        e.to_string().contains(
            "target.provider_asid: expected a string in quotes, found an integer 918999198738"
        ),
        "{e}"
    );
    let e = Config::from_toml_str("target = 3\n", "c.toml").unwrap_err();
    assert!(
        e.to_string()
            .contains("target: expected a table, found an integer 3"),
        "{e}"
    );
}

#[test]
fn loading_a_file_reports_its_mistakes_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[http]\nconcurrency = \"four\"\n").unwrap();
    let e = Config::load(Some(&path), env(&[])).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}: http.concurrency: expected", path.display())),
        "{e}"
    );
    // The same with an environment variable set: still the file's mistake, with its line.
    let e = Config::load(Some(&path), env(&[("GPC_ASSURE_TLS_VERIFY", "false")]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("http.concurrency") && e.contains("(line 2)"),
        "{e}"
    );
    // A syntax error names the file and shows the line.
    std::fs::write(&path, "[http\nconcurrency = 4\n").unwrap();
    let e = Config::load(Some(&path), env(&[])).unwrap_err().to_string();
    assert!(
        e.starts_with(&path.display().to_string()) && e.contains("line 1"),
        "{e}"
    );
    // A directory given as the file.
    let e = Config::load(Some(dir.path()), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot read the config file"), "{e}");
}

#[test]
fn unknown_toml_keys_suggest_the_key_meant() {
    let e = Config::from_toml_str("[http]\nconcurency = 3\n", "c.toml").unwrap_err();
    let e = e.to_string();
    assert!(
        e.contains("unknown key \"concurency\" in [http]; did you mean concurrency?"),
        "{e}"
    );
    let e = Config::from_toml_str("[tsl]\nverify = false\n", "c.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown key \"tsl\" at the top level; did you mean tls?"),
        "{e}"
    );
}

#[test]
fn environment_type_errors_name_the_variable_and_value() {
    let e = Config::load(None, env(&[("GPC_ASSURE_HTTP_CONCURRENCY", "four")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GPC_ASSURE_HTTP_CONCURRENCY=four: expected a whole number"
    );
    let e = Config::load(None, env(&[("GPC_ASSURE_HTTP_TIMEOUT_SECONDS", "-1")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GPC_ASSURE_HTTP_TIMEOUT_SECONDS=-1: expected a whole number"
    );
    let e = Config::load(None, env(&[("GPC_ASSURE_TLS_VERIFY", "nope")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GPC_ASSURE_TLS_VERIFY=nope: expected true or false"
    );
    let e = Config::load(None, env(&[("GPC_ASSURE_DATA_REGISTER_POOL", "x")])).unwrap_err();
    assert!(
        e.to_string().contains("GPC_ASSURE_DATA_REGISTER_POOL"),
        "{e}"
    );
}

#[test]
fn environment_values_take_the_type_of_their_setting() {
    // Short digit runs stay text where the setting is text (an ODS code or ASID of a test system).
    let c = Config::load(
        None,
        env(&[
            ("GPC_ASSURE_TARGET_CONSUMER_ASID", "12345"),
            ("GPC_ASSURE_TARGET_PROVIDER_ODS_CODE", "12345"),
            ("GPC_ASSURE_HTTP_MAX_RESPONSE_BYTES", "2048"),
            ("GPC_ASSURE_TLS_VERIFY", "FALSE"),
            ("GPC_ASSURE_TLS_CA_FILE", "/etc/ca.pem"),
            ("GPC_ASSURE_HTTP_MAX_DURATION", "90"),
        ]),
    )
    .unwrap();
    assert_eq!(c.http.max_duration, "90");
    assert!(parse_duration(&c.http.max_duration).is_ok());
    assert_eq!(c.target.consumer_asid, "12345");
    assert_eq!(c.target.provider_ods_code, "12345");
    assert_eq!(c.http.max_response_bytes, 2048);
    assert!(!c.tls.verify);
    assert_eq!(c.tls.ca_file.as_deref(), Some(Path::new("/etc/ca.pem")));
}

#[test]
fn misspelt_environment_variables_are_errors_with_a_suggestion() {
    let e = Config::load(None, env(&[("GPC_ASSURE_TSL_VERIFY", "false")]))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "GPC_ASSURE_TSL_VERIFY: is not a setting; did you mean GPC_ASSURE_TLS_VERIFY?"
        ),
        "{e}"
    );
    assert!(
        !e.contains("=false"),
        "the value of an unknown name is not shown: {e}"
    );
    let e = Config::load(
        None,
        env(&[("GPC_ASSURE_TARGET_FOUNDATION_URL", "https://p")]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("did you mean GPC_ASSURE_TARGET_FOUNDATIONS_URL?"),
        "{e}"
    );
    let e = Config::load(
        None,
        env(&[("GPC_ASSURE_DATA_PATIENT_patient2", "9476719931")]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("did you mean GPC_ASSURE_DATA_PATIENTS_patient2?"),
        "{e}"
    );
    // Far from anything: an error all the same, explaining the naming.
    let e = Config::load(None, env(&[("GPC_ASSURE_SOMETHING", "1")]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("is not a setting") && !e.contains("did you mean"),
        "{e}"
    );
}

#[test]
fn every_kind_of_test_data_mapping_is_accepted_from_the_environment() {
    let c = Config::load(
        None,
        env(&[
            ("GPC_ASSURE_DATA_PATIENTS_patient2", "9476719931"),
            ("GPC_ASSURE_DATA_ORGANIZATIONS_ORG1", "A11111"),
            ("GPC_ASSURE_DATA_PRACTITIONERS_practitioner1", "G1"),
            ("GPC_ASSURE_DATA_LOCATIONS_SIT1", "9"),
            ("GPC_ASSURE_DATA_PATIENTS_patient3", ""),
        ]),
    )
    .unwrap();
    assert_eq!(c.data.patients["patient2"], "9476719931");
    assert_eq!(c.data.patients["patient3"], "");
    assert_eq!(c.data.organizations["ORG1"], "A11111");
    assert_eq!(c.data.practitioners["practitioner1"], "G1");
    assert_eq!(c.data.locations["SIT1"], "9");
}

#[test]
fn every_setting_of_every_section_can_be_named_in_the_environment() {
    // The names come from the structs: a new setting is reachable without a second list to update.
    for (var, value) in [
        ("GPC_ASSURE_TARGET_JWT_AUDIENCE", "https://aud"),
        ("GPC_ASSURE_TARGET_STRUCTURED_VERSION", "1.5.0"),
        ("GPC_ASSURE_CONSUMER_ORGANIZATION_ODS_CODE", "X1"),
        ("GPC_ASSURE_HTTP_CONCURRENCY", "2"),
        ("GPC_ASSURE_TLS_CLIENT_KEY", "k.pem"),
    ] {
        Config::load(None, env(&[(var, value)])).unwrap_or_else(|e| panic!("{var}: {e}"));
    }
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

fn tls_error(tls: TlsConfig) -> String {
    let mut c = Config::default();
    c.target.foundations_url = "https://p.example/gpconnect".into();
    c.tls = tls;
    c.validate().unwrap_err().to_string()
}

#[test]
fn usable_tls_files_pass() {
    let mut c = Config::default();
    c.target.foundations_url = "https://p.example/gpconnect".into();
    c.tls = TlsConfig {
        ca_file: Some(fixture("ca.pem")),
        client_cert: Some(fixture("client.pem")),
        client_key: Some(fixture("client-key.pem")),
        verify: true,
        test_certs_dir: None,
    };
    c.validate().unwrap();
}

#[test]
fn a_test_certs_dir_must_be_a_directory() {
    let mut c = Config::default();
    c.target.foundations_url = "https://p.example/gpconnect".into();
    c.tls.test_certs_dir = Some(fixture("ca.pem"));
    let e = c.validate().unwrap_err().to_string();
    assert!(
        e.starts_with("tls.test_certs_dir: ") && e.contains("is not a directory"),
        "{e}"
    );
    c.tls.test_certs_dir = Some(fixture(""));
    c.validate().unwrap();
}

#[test]
fn requests_go_through_the_ssp_with_the_provider_root_appended_and_the_audience_unchanged() {
    let mut c = Config::default();
    c.target.foundations_url = "https://p.example/B82617/STU3/1/gpconnect".into();
    assert_eq!(
        c.request_root(Capability::Structured),
        "https://p.example/B82617/STU3/1/gpconnect/structured"
    );
    c.target.ssp_url = Some("https://proxy.example".into());
    c.validate().unwrap();
    assert_eq!(
        c.request_root(Capability::Structured),
        "https://proxy.example/https://p.example/B82617/STU3/1/gpconnect/structured"
    );
    assert_eq!(
        c.audience(Capability::Foundations),
        "https://p.example/B82617/STU3/1/gpconnect"
    );
    c.target.ssp_url = Some("http://proxy.example".into());
    let e = c.validate().unwrap_err().to_string();
    assert!(
        e.starts_with("target.ssp_url: ") && e.contains("https"),
        "{e}"
    );
    c.target.ssp_url = Some("https://proxy.example/".into());
    assert!(c.validate().is_err(), "a trailing / is refused");
}

#[test]
fn a_ca_path_that_is_a_directory_or_missing_says_so() {
    let dir = fixture("");
    let e = tls_error(TlsConfig {
        ca_file: Some(dir.clone()),
        ..TlsConfig::default()
    });
    assert!(
        e.starts_with("tls.ca_file: ")
            && e.contains("is a directory")
            && e.contains(&dir.display().to_string()),
        "{e}"
    );
    let e = tls_error(TlsConfig {
        ca_file: Some(fixture("no-such.pem")),
        ..TlsConfig::default()
    });
    assert!(e.contains("no-such.pem does not exist"), "{e}");
}

#[test]
fn tls_files_of_the_wrong_kind_are_named() {
    // A key where the CA certificates belong.
    let e = tls_error(TlsConfig {
        ca_file: Some(fixture("client-key.pem")),
        ..TlsConfig::default()
    });
    assert!(
        e.contains("holds no certificate") && e.contains("it holds a private key"),
        "{e}"
    );
    // Certificate and key swapped.
    let e = tls_error(TlsConfig {
        client_cert: Some(fixture("client.pem")),
        client_key: Some(fixture("client.pem")),
        ..TlsConfig::default()
    });
    assert!(
        e.starts_with("tls.client_key: ")
            && e.contains("holds no private key")
            && e.contains("holds a certificate"),
        "{e}"
    );
    // Not PEM at all.
    let e = tls_error(TlsConfig {
        ca_file: Some(fixture("README.md")),
        ..TlsConfig::default()
    });
    assert!(
        e.contains("holds no certificate") && e.contains("not PEM"),
        "{e}"
    );
}

#[test]
fn a_broken_pem_block_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    let whole = std::fs::read_to_string(fixture("ca.pem")).unwrap();
    std::fs::write(&path, whole.replace("-----END CERTIFICATE-----", "")).unwrap();
    let e = tls_error(TlsConfig {
        ca_file: Some(path),
        ..TlsConfig::default()
    });
    assert!(
        e.contains("is not valid PEM") && e.contains("not closed"),
        "{e}"
    );
}

#[test]
fn a_key_that_does_not_belong_to_the_certificate_is_caught() {
    let e = tls_error(TlsConfig {
        client_cert: Some(fixture("client.pem")),
        client_key: Some(fixture("other-key.pem")),
        ..TlsConfig::default()
    });
    assert!(
        e.starts_with("tls.client_key: ") && e.contains("does not belong to the certificate"),
        "{e}"
    );
}

#[test]
fn an_encrypted_key_is_explained() {
    let e = tls_error(TlsConfig {
        client_cert: Some(fixture("client.pem")),
        client_key: Some(fixture("encrypted-key.pem")),
        ..TlsConfig::default()
    });
    assert!(
        e.contains("encrypted with a passphrase") && e.contains("openssl pkey"),
        "{e}"
    );
}

#[test]
fn audiences_never_carry_credentials() {
    let mut c = Config::default();
    c.target.foundations_url = "https://user:secret@p.example/B82617/STU3/1/gpconnect".into();
    assert_eq!(
        c.audience(Capability::Foundations),
        "https://p.example/B82617/STU3/1/gpconnect"
    );
    assert_eq!(
        c.audience(Capability::Structured),
        "https://p.example/B82617/STU3/1/gpconnect/structured"
    );
    // The service root itself keeps them: the client needs them to connect.
    assert!(c
        .service_root(Capability::Foundations)
        .contains("user:secret@"));
}

#[test]
fn missing_file_is_a_clear_error() {
    let e = Config::load(Some(Path::new("/nonexistent/t.toml")), env(&[])).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/t.toml"), "{e}");
}

#[test]
fn versions_parse() {
    assert_eq!(parse_version("1.2.7"), Some((1, 2, 7)));
    assert_eq!(parse_version("1.6"), Some((1, 6, 0)));
    assert_eq!(parse_version("1.2.4-beta"), Some((1, 2, 4)));
    assert_eq!(parse_version("x"), None);
}

#[test]
fn service_roots_with_credentials_are_refused_without_showing_them() {
    let mut c = Config::default();
    c.target.foundations_url = "https://gw:pa55word@p.example/B82617/STU3/1/gpconnect".into();
    let e = c.validate().unwrap_err().to_string();
    assert!(
        e.starts_with("target.foundations_url: \"https://***:***@p.example/B82617/STU3/1/gpconnect\" carries credentials"),
        "{e}"
    );
    assert!(!e.contains("pa55word"), "{e}");
    c.target.foundations_url = "https://p.example/gpconnect".into();
    c.target.structured_url = Some("ftp://gw:pa55word@p.example/structured".into());
    let e = c.validate().unwrap_err().to_string();
    assert!(
        e.starts_with("target.structured_url: ") && !e.contains("pa55word"),
        "{e}"
    );
}

#[test]
fn the_report_section_fills_the_cover_sheet() {
    let c = Config::from_toml_str(
        r#"
        [report]
        supplier = "Example Systems Ltd"
        product = "Example GP"
        product_version = "4.2.1"
        assessor = "A. Analyst"
        notes = "Scope: Foundations and Appointments.\nCaveat: test environment."
        [[report.sign_off]]
        role = "Clinical Safety Officer"
        name = "Dr B. Safe"
        [[report.sign_off]]
        role = "Assurance lead"
        "#,
        "t.toml",
    )
    .unwrap();
    c.report.validate().unwrap();
    assert_eq!(c.report.supplier.as_deref(), Some("Example Systems Ltd"));
    assert_eq!(c.report.sign_off.len(), 2);
    assert_eq!(c.report.sign_off[1].name, None);
    assert_eq!(c.report.ods_code, None, "defaults to the target's");
    // Every key can come from the environment too.
    let c = Config::load(None, env(&[("GPC_ASSURE_REPORT_SUPPLIER", "Example")])).unwrap();
    assert_eq!(c.report.supplier.as_deref(), Some("Example"));
}

#[test]
fn unknown_report_keys_are_refused_with_the_key_meant() {
    let e = Config::from_toml_str("[report]\nsuplier = \"x\"\n", "t.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown key \"suplier\" in [report]; did you mean supplier?"),
        "{e}"
    );
    let e = Config::from_toml_str(
        "[[report.sign_off]]\nrole = \"CSO\"\nsignature = \"x\"\n",
        "t.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("signature"), "{e}");
    let e = Config::from_toml_str("[[report.sign_off]]\nname = \"B\"\n", "t.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("role"), "a box without a role: {e}");
    let e = Config::load(None, env(&[("GPC_ASSURE_REPORT_SUPLIER", "x")]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("did you mean GPC_ASSURE_REPORT_SUPPLIER?"),
        "{e}"
    );
}

#[test]
fn report_values_are_checked() {
    let check = |toml: &str| {
        Config::from_toml_str(toml, "t.toml")
            .unwrap()
            .report
            .validate()
            .map_err(|e| e.to_string())
    };
    assert!(check("[report]\nasid = \"91899919873\"\n").is_ok());
    let e = check("[report]\nasid = \"A123\"\n").unwrap_err();
    assert!(e.starts_with("report.asid: an ASID is numeric"), "{e}");
    let e = check("[report]\nsupplier = \"  \"\n").unwrap_err();
    assert!(e.starts_with("report.supplier: must not be empty"), "{e}");
    let e = check("[report]\nproduct = \"a\\nb\"\n").unwrap_err();
    assert!(e.starts_with("report.product: must be one line"), "{e}");
    let e = check(&format!("[report]\nassessor = \"{}\"\n", "a".repeat(201))).unwrap_err();
    assert!(e.contains("longer than 200"), "{e}");
    let boxes = "[[report.sign_off]]\nrole = \"R\"\n".repeat(13);
    let e = check(&boxes).unwrap_err();
    assert!(e.contains("at most 12"), "{e}");
    let e = check("[[report.sign_off]]\nrole = \"\"\n").unwrap_err();
    assert!(e.starts_with("report.sign_off[0].role"), "{e}");
}

#[test]
fn the_example_configuration_is_valid_and_fills_the_cover_sheet() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/target.toml");
    let c = Config::load(Some(&path), Vec::<(String, String)>::new()).unwrap();
    c.validate().unwrap();
    assert!(c.report.supplier.is_some() && !c.report.sign_off.is_empty());
}
