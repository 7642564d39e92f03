//! Target settings: where the provider is, who we say we are, and how its test data is named.
//!
//! Loaded from TOML (`--config`), then overridden by `GPC_ASSURE_<SECTION>_<KEY>` environment variables.
//! Unknown keys and bad values are rejected with the key named.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::gpconnect::jwt::ConsumerIdentity;
use crate::gpconnect::Capability;

/// Prefix of environment variables that override configuration values.
pub const ENV_PREFIX: &str = "GPC_ASSURE_";

/// The whole configuration of one run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub target: TargetConfig,
    pub consumer: ConsumerIdentity,
    pub data: DataAliases,
    pub http: HttpConfig,
    pub tls: TlsConfig,
    /// The report's cover sheet: supplier, product, assessor, sign-off (all optional).
    pub report: ReportConfig,
}

/// Where the provider is and which versions it implements.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TargetConfig {
    /// Service root of Foundations and Appointment Management (no trailing `/`).
    pub foundations_url: String,
    /// Service root of Access Record Structured; defaults to `<foundations_url>/structured`.
    pub structured_url: Option<String>,
    /// Service root of Access Document; defaults to `<foundations_url>/documents`.
    pub documents_url: Option<String>,
    /// DSTU2 service root of Access Record HTML (GP Connect 0.x); defaults to `<foundations_url>`
    /// with its `/STU3/1/` segments written `/DSTU2/0/` (else `<foundations_url>/dstu2`).
    pub html_url: Option<String>,
    /// The consumer ASID sent in `Ssp-From`.
    pub consumer_asid: String,
    /// The provider ASID sent in `Ssp-To`.
    pub provider_asid: String,
    /// ODS code of the practice the service root addresses.
    pub provider_ods_code: String,
    /// JWT `aud` of 1.x requests; defaults to the service root of the interaction's capability (0.x
    /// requests always carry `https://authorize.fhir.nhs.net/token`).
    pub jwt_audience: Option<String>,
    /// GP Connect version of Foundations/Appointments the provider implements.
    pub gpconnect_version: String,
    /// Version of Access Record Structured the provider implements (Access Document follows it).
    pub structured_version: String,
    /// Version of Access Record HTML (0.5.x / 0.7.x) the provider implements.
    pub html_version: String,
    /// The Spine Secure Proxy to send every request through, e.g. `https://proxy.example`: requests go
    /// to `<ssp_url>/<service root><path>`, as a consumer behind the SSP sends them; the JWT audience
    /// stays the provider's service root. Unset: requests go to the service roots directly.
    pub ssp_url: Option<String>,
}

impl Default for TargetConfig {
    fn default() -> Self {
        TargetConfig {
            foundations_url: String::new(),
            structured_url: None,
            documents_url: None,
            html_url: None,
            consumer_asid: "200000000359".into(),
            provider_asid: "918999198738".into(),
            provider_ods_code: "B82617".into(),
            jwt_audience: None,
            gpconnect_version: "1.2.7".into(),
            structured_version: "1.6.2".into(),
            html_version: crate::gpconnect::html::DEFAULT_VERSION.into(),
            ssp_url: None,
        }
    }
}

/// The organisation alias of the practice under test (its ODS code is `target.provider_ods_code` unless
/// `[data]` maps it otherwise).
pub const PRACTICE_ALIAS: &str = "ORG1";

/// The organisation alias of the practice a migrating test patient has re-registered with on PDS: the only
/// organisation a provider lets migrate that patient's structured record (NO_RELATIONSHIP for any other).
/// The migrate scenarios send its ODS code as the requesting organisation; the embedded provider seeds it.
pub const MIGRATION_PRACTICE_ALIAS: &str = "ORG2";

/// The provider's identifiers for the abstract test-data names the features use.
///
/// Features say `patient2` or `ORG1`; a provider's test practice holds its own patients, so each name maps
/// to the identifier that provider uses (NHS number, ODS code, SDS user id, Location logical id).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DataAliases {
    /// Patient alias -> NHS number.
    pub patients: BTreeMap<String, String>,
    /// Organisation alias -> ODS organisation code.
    pub organizations: BTreeMap<String, String>,
    /// Practitioner alias -> SDS user id.
    pub practitioners: BTreeMap<String, String>,
    /// Location alias -> Location logical id.
    pub locations: BTreeMap<String, String>,
    /// People on PDS (the Spine's demographics service) who are not registered at the practice: the pool
    /// Register-patient scenarios draw from. Each is used once per target; a run skips any already found.
    pub register_pool: Vec<PdsPerson>,
}

/// The person a registration names is defined with the registration body it fills; the register pool is
/// configured as a list of them.
pub use crate::gpconnect::register::PdsPerson;

/// The default register pool: 60 synthetic people, identical to the embedded provider's PDS stub.
pub fn default_register_pool() -> Vec<PdsPerson> {
    const FAMILIES: [&str; 10] = [
        "REA", "ASHTON", "BRAMLEY", "COLLIER", "DENHOLM", "EVERETT", "FAIRLIE", "GASKELL",
        "HOLBROOK", "IRVINE",
    ];
    const GIVEN: [(&str, &str); 6] = [
        ("Clive", "male"),
        ("Ruth", "female"),
        ("Owen", "male"),
        ("Maya", "female"),
        ("Tariq", "male"),
        ("Iona", "female"),
    ];
    let mut out = Vec::new();
    let mut seed: u32 = 965125850;
    while out.len() < 60 {
        seed += 7;
        let Some(nhs_number) = crate::gpconnect::nhs_number::complete(&seed.to_string()) else {
            continue;
        };
        let i = out.len();
        let (given, gender) = GIVEN[i % GIVEN.len()];
        out.push(PdsPerson {
            nhs_number,
            family: FAMILIES[i % FAMILIES.len()].to_string(),
            given: given.to_string(),
            gender: gender.to_string(),
            birth_date: format!(
                "{}-{:02}-{:02}",
                1940 + (i * 7) % 60,
                1 + i % 12,
                1 + (i * 3) % 28
            ),
        });
    }
    out
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl Default for DataAliases {
    /// The names of NHS Digital's provider test data (1.6.0 mapping), which the embedded provider is seeded with.
    fn default() -> Self {
        DataAliases {
            patients: map(&[
                ("patient1", "9690937278"),
                ("patient2", "9690937286"),
                ("patient3", "9690937294"),
                ("patient4", "9690937308"),
                ("patient5", "9690937375"),
                ("patient6", "9690937383"),
                ("patient7", "9690937391"),
                ("patient8", "9690937405"),
                ("patient9", "9690938533"),
                ("patient10", "9690938541"),
                ("patient11", "9690938622"),
                ("patient12", "9690938614"),
                ("patient13", "9690938096"),
                ("patient14", "9476718943"),
                ("patient15", "9690938576"),
                ("patient16", "9690938118"),
                ("patient17", "9690938126"),
                ("patient18", "9690938681"),
                ("patient19", "9690938703"),
                ("patient20", "9690938134"),
                ("patient21", "9690938142"),
                ("patientRecentlyDeceased", "9690938711"),
                ("patientNotInSystem", "9999999999"),
            ]),
            organizations: map(&[
                ("ORG1", "B82617"),
                ("ORG2", "R1A14"),
                ("ORG3", "X12345"),
                ("unknownORG", "INVOC1"),
            ]),
            practitioners: map(&[
                ("practitioner1", "G13579135"),
                ("practitioner2", "G11111116"),
                ("practitioner3", "G22345655"),
                ("practitioner4", "G99999999"),
                ("practitioner5", "G22222226"),
            ]),
            locations: map(&[("SIT1", "1"), ("SIT2", "2"), ("SIT3", "3")]),
            register_pool: default_register_pool(),
        }
    }
}

/// HTTP client settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Per-request timeout.
    pub timeout_seconds: u64,
    /// Responses larger than this are cut off and reported.
    pub max_response_bytes: usize,
    /// Scenarios run at once.
    pub concurrency: usize,
    /// Time limit of a whole run, e.g. `90s`, `30m`, `1h` (`--max-duration` overrides it).
    #[serde(deserialize_with = "duration::text_or_seconds")]
    pub max_duration: String,
    /// Bytes of each request and response body that results.json and index.html keep once a scenario
    /// has ended, for the exchange its failing step judged (the other exchanges, and those of scenarios
    /// that passed, keep at most 2 KiB); every body is kept whole in the evidence file
    /// `evidence.jsonl.gz` beside them.
    pub evidence_body_bytes: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout_seconds: 30,
            max_response_bytes: 16 * 1024 * 1024,
            concurrency: 4,
            max_duration: "30m".into(),
            evidence_body_bytes: 64 * 1024,
        }
    }
}

/// TLS settings for a provider reached over HTTPS (mutual TLS as behind the SSP).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// PEM file of CA certificates to trust instead of the system roots.
    pub ca_file: Option<PathBuf>,
    /// PEM client certificate (chain) for mutual TLS.
    pub client_cert: Option<PathBuf>,
    /// PEM private key of the client certificate.
    pub client_key: Option<PathBuf>,
    /// Verify the provider's certificate. Turn off only for a throwaway test provider.
    pub verify: bool,
    /// A directory of client certificates the @tls scenarios present to check the provider refuses
    /// them: `expired-client.pem`/`.key`, `not-yet-valid-client`, `wrong-usage-client` (issued by the
    /// CA the provider trusts), as `gpc-assure certs DIR` writes them. Unset: those scenarios are
    /// inconclusive.
    pub test_certs_dir: Option<PathBuf>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            ca_file: None,
            client_cert: None,
            client_key: None,
            verify: true,
            test_certs_dir: None,
        }
    }
}

/// A configuration problem, worded for the user.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file (or the file merged with the environment) that does not parse or has a key of the wrong
    /// type; `message` names the key.
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    /// `GPC_ASSURE_*` variable with an unknown name or a value of the wrong kind.
    #[error("{var}{}: {message}", value.as_deref().map(|v| format!("={v}")).unwrap_or_default())]
    Env {
        var: String,
        /// The value, shown when it is the problem (never for a name that is unknown: it could be a
        /// secret meant for another setting).
        value: Option<String>,
        message: String,
    },
    #[error("{key}: {message}")]
    Invalid { key: String, message: String },
}

impl Config {
    /// Parse TOML text (named `origin` in errors), without environment overrides. A key of the wrong
    /// type is named with its section and line: `t.toml: http.concurrency: expected an integer, found
    /// a string "four" (line 3)`.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let parsed = toml::Deserializer::parse(text).map_err(|e| ConfigError::Parse {
            path: origin.into(),
            message: e.to_string().trim_end().to_string(),
        })?;
        serde_path_to_error::deserialize(parsed).map_err(|e| {
            let line = e
                .inner()
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let mut message = describe(&e.path().to_string(), e.inner().message());
            if let Some(line) = line {
                message.push_str(&format!(" (line {line})"));
            }
            ConfigError::Parse {
                path: origin.into(),
                message,
            }
        })
    }

    /// Load from an optional file, then apply `GPC_ASSURE_*` variables from `env` (see
    /// [`environment`] for the process's own).
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let (from_file, mut table, origin) = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                let origin = p.display().to_string();
                // The file alone first, so its mistakes are reported with their lines.
                let config = Config::from_toml_str(&text, &origin)?;
                let table: toml::Table =
                    text.parse()
                        .map_err(|e: toml::de::Error| ConfigError::Parse {
                            path: origin.clone(),
                            message: e.to_string().trim_end().to_string(),
                        })?;
                (config, table, origin)
            }
            None => (
                Config::default(),
                toml::Table::new(),
                "the default configuration".to_string(),
            ),
        };
        if env::apply(&mut table, env)? == 0 {
            return Ok(from_file);
        }
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            ConfigError::Parse {
                path: format!("{origin} with the {ENV_PREFIX}* variables"),
                message: describe(&e.path().to_string(), e.inner().message()),
            }
        })
    }

    /// Check values that TOML types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let t = &self.target;
        check_url("target.foundations_url", &t.foundations_url)?;
        if let Some(u) = &t.structured_url {
            check_url("target.structured_url", u)?;
        }
        if let Some(u) = &t.documents_url {
            check_url("target.documents_url", u)?;
        }
        if let Some(u) = &t.html_url {
            check_url("target.html_url", u)?;
        }
        if let Some(u) = &t.ssp_url {
            check_url("target.ssp_url", u)?;
            if !u.starts_with("https://") {
                return Err(invalid(
                    "target.ssp_url",
                    "the Spine Secure Proxy is reached over https (e.g. https://proxy.example)",
                ));
            }
        }
        for (key, v) in [
            ("target.consumer_asid", &t.consumer_asid),
            ("target.provider_asid", &t.provider_asid),
        ] {
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ConfigError::Invalid {
                    key: key.into(),
                    message: format!("an ASID is numeric, got {v:?}"),
                });
            }
        }
        if t.provider_ods_code.trim().is_empty() {
            return Err(invalid("target.provider_ods_code", "must not be empty"));
        }
        for (key, v) in [
            ("target.gpconnect_version", &t.gpconnect_version),
            ("target.structured_version", &t.structured_version),
            ("target.html_version", &t.html_version),
        ] {
            if parse_version(v).is_none() {
                return Err(ConfigError::Invalid {
                    key: key.into(),
                    message: format!("expected a version like 1.2.7, got {v:?}"),
                });
            }
        }
        if parse_version(&t.html_version).is_some_and(|(major, _, _)| major != 0) {
            return Err(invalid(
                "target.html_version",
                "Access Record HTML versions are 0.x (0.5.0 to 0.7.4)",
            ));
        }
        if self.http.timeout_seconds == 0 {
            return Err(invalid("http.timeout_seconds", "must be at least 1"));
        }
        if self.http.concurrency == 0 {
            return Err(invalid("http.concurrency", "must be at least 1"));
        }
        if self.http.max_response_bytes < 1024 {
            return Err(invalid("http.max_response_bytes", "must be at least 1024"));
        }
        parse_duration(&self.http.max_duration)
            .map_err(|message| invalid("http.max_duration", &message))?;
        if self.http.evidence_body_bytes < 256 {
            return Err(invalid("http.evidence_body_bytes", "must be at least 256"));
        }
        tls::check(&self.tls)?;
        self.report.validate()?;
        Ok(())
    }

    /// The service root of a capability.
    pub fn service_root(&self, capability: Capability) -> String {
        let t = &self.target;
        let base = t.foundations_url.trim_end_matches('/');
        match capability {
            Capability::Foundations | Capability::Appointments => base.to_string(),
            Capability::Structured => t
                .structured_url
                .clone()
                .unwrap_or_else(|| format!("{base}/structured")),
            Capability::Documents => t
                .documents_url
                .clone()
                .unwrap_or_else(|| format!("{base}/documents")),
            Capability::Html => t.html_url.clone().unwrap_or_else(|| {
                if base.contains("/STU3/1/") {
                    base.replacen("/STU3/1/", "/DSTU2/0/", 1)
                } else {
                    format!("{base}/dstu2")
                }
            }),
        }
    }

    /// Where a capability's requests are sent: its service root, behind the Spine Secure Proxy when
    /// `target.ssp_url` is set (`https://proxy.example/https://provider.example/B82617/STU3/1/gpconnect`:
    /// the provider's URL appended verbatim, as GP Connect's SSP guidance has it).
    pub fn request_root(&self, capability: Capability) -> String {
        let root = self.service_root(capability);
        match &self.target.ssp_url {
            Some(ssp) => format!("{}/{root}", ssp.trim_end_matches('/')),
            None => root,
        }
    }

    /// The JWT audience for a capability: the service root without any credentials it carries.
    pub fn audience(&self, capability: Capability) -> String {
        // 0.x tokens carry one fixed audience, whatever the service root (`jwt_audience` is for 1.x).
        if capability == Capability::Html {
            return crate::gpconnect::html::jwt::AUDIENCE.to_string();
        }
        let audience = self
            .target
            .jwt_audience
            .clone()
            .unwrap_or_else(|| self.service_root(capability));
        crate::redact::without_userinfo(&audience).into_owned()
    }
}

fn invalid(key: &str, message: &str) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        message: message.into(),
    }
}

fn check_url(key: &str, url: &str) -> Result<(), ConfigError> {
    if url.is_empty() {
        return Err(invalid(key, "is required (the provider's service root URL, e.g. https://provider.example/B82617/STU3/1/gpconnect)"));
    }
    // Messages show the URL with any credentials masked: they end up in terminals and CI logs.
    let shown = crate::redact::userinfo(url);
    let parsed = reqwest::Url::parse(url).map_err(|e| ConfigError::Invalid {
        key: key.into(),
        message: format!("{shown:?} is not a URL: {e}"),
    })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // The HTTP client would turn them into an `Authorization: Basic` header beside the JWT's
        // `Authorization: Bearer`: a request no GP Connect provider accepts.
        return Err(ConfigError::Invalid {
            key: key.into(),
            message: format!(
                "{shown:?} carries credentials (user:password@); GP Connect requests carry the JWT in \
                 the Authorization header, so they cannot carry Basic credentials too. Remove them \
                 from the URL: a consumer authenticates with mutual TLS (tls.client_cert, tls.client_key)"
            ),
        });
    }
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ConfigError::Invalid {
            key: key.into(),
            message: format!("{shown:?} must use http or https"),
        });
    }
    if url.ends_with('/') {
        return Err(ConfigError::Invalid {
            key: key.into(),
            message: format!("{shown:?}: a GP Connect service root SHALL NOT end with '/'"),
        });
    }
    Ok(())
}

mod duration;
pub use duration::parse_duration;

/// Versions are a protocol fact; re-exported here for the settings that name one.
pub use crate::gpconnect::version::parse_version;

/// A serde message about the key at `path`, in the words of a config file: `expected an integer,
/// found a string "four"` rather than `invalid type: string "four", expected usize`.
fn describe(path: &str, message: &str) -> String {
    let at = if path.is_empty() || path == "." {
        String::new()
    } else {
        format!("{path}: ")
    };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (name, known) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let name = name.trim_matches('`');
        let known: Vec<&str> = known
            .trim_start_matches("one of ")
            .split(", ")
            .map(|k| k.trim_matches('`'))
            .filter(|k| !k.is_empty())
            .collect();
        let section = path
            .rsplit_once('.')
            .map(|(section, _)| section)
            .unwrap_or(if path.ends_with(name) { "" } else { path });
        let place = if section.is_empty() || section == "." {
            "at the top level".to_string()
        } else {
            format!("in [{section}]")
        };
        let guess = known
            .iter()
            .map(|k| (strsim::osa_distance(name, k), *k))
            .filter(|(d, k)| *d <= (k.len() / 4).max(2))
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| format!("did you mean {k}? "))
            .unwrap_or_default();
        return format!(
            "unknown key {name:?} {place}; {guess}known keys: {}",
            known.join(", ")
        );
    }
    let kind_error = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    if let Some((found, expected)) = kind_error.and_then(|m| m.rsplit_once(", expected ")) {
        return format!(
            "{at}expected {}, found {}",
            expected_words(expected),
            found_words(found)
        );
    }
    format!("{at}{message}")
}

fn expected_words(expected: &str) -> &str {
    match expected {
        "usize" | "u8" | "u16" | "u32" | "u64" => "an integer of 0 or more",
        "isize" | "i8" | "i16" | "i32" | "i64" => "an integer",
        "a boolean" => "true or false",
        "a string" | "path string" => "a string in quotes",
        "a sequence" => "an array",
        e if e.starts_with("struct ") || e == "a map" => "a table",
        e => e,
    }
}

fn found_words(found: &str) -> String {
    let (kind, value) = match found.split_once(' ') {
        Some((kind, value)) => (kind, value.trim_matches('`')),
        None => (found, ""),
    };
    let kind = match kind {
        "string" => "a string",
        "integer" => "an integer",
        "boolean" => "a boolean",
        "floating" => {
            return format!(
                "a decimal number {}",
                value.trim_start_matches("point ").trim_matches('`')
            )
        }
        "map" => "a table",
        "sequence" => "an array",
        other => other,
    };
    if value.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} {value}")
    }
}

mod env;
mod report;
mod tls;
pub use env::environment;
pub use report::{ReportConfig, SignOff};
pub use tls::check as check_tls;

#[cfg(test)]
mod tests;
