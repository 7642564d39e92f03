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
fn unknown_keys_are_named() {
    let e = Config::from_toml_str("[target]\nfoundation_url = \"x\"\n", "t.toml").unwrap_err();
    assert!(e.to_string().contains("foundation_url"), "{e}");
    let e = Config::from_toml_str("[targets]\n", "t.toml").unwrap_err();
    assert!(e.to_string().contains("targets"), "{e}");
}

#[test]
fn bad_values_are_named() {
    let e = Config::from_toml_str("[http]\ntimeout_seconds = \"ten\"\n", "t.toml").unwrap_err();
    assert!(
        e.to_string().contains("timeout_seconds") || e.to_string().contains("invalid type"),
        "{e}"
    );
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
    let e = Config::load(None, env(&[("GPC_ASSURE_HTTP_TIMEOUT", "3")])).unwrap_err();
    assert!(e.to_string().contains("timeout"), "{e}");
    let e = Config::load(None, env(&[("GPC_ASSURE_DATA_PEOPLE_x", "3")])).unwrap_err();
    assert!(e.to_string().contains("GPC_ASSURE_DATA_PEOPLE_x"), "{e}");
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
