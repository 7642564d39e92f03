//! The requirement catalogue: the rule behind every `@req:` id, and where the specification states it.
//!
//! Scenarios name the requirements they check with `@req:<id>` tags; the catalogue says what each id
//! means (the rule a provider must follow, in one or two sentences), how strong it is (MUST, SHOULD or
//! MAY, as the specification words it), the public page and section that state it, the versions it
//! applies to, and whether the harness can test it at all. It lives as data in `requirements/*.toml`
//! at the top of the repository, one file per capability area, and is compiled into the binary
//! (`include_str!`), so a fresh clone and an installed binary carry the same catalogue.
//!
//! A catalogue entry is one of three kinds:
//! - covered: at least one scenario carries its `@req:` tag (the default);
//! - uncovered (`covered = false`, with a `reason`): a rule the specification makes a MUST but no
//!   scenario checks yet; the report shows it as "not covered" rather than hiding the gap;
//! - not testable (`not_testable = "why"`): a rule the harness cannot observe through the API (audit
//!   trails, configuration screens, behaviour under production load...).
//!
//! `tests/requirement_catalogue.rs` keeps the catalogue and the features in step.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::version::parse_version;

/// The catalogue files, as compiled in: (path in the repository, text).
pub const SOURCES: &[(&str, &str)] = &[
    (
        "requirements/cross-cutting.toml",
        include_str!("../../requirements/cross-cutting.toml"),
    ),
    (
        "requirements/foundations.toml",
        include_str!("../../requirements/foundations.toml"),
    ),
    (
        "requirements/appointments.toml",
        include_str!("../../requirements/appointments.toml"),
    ),
    (
        "requirements/documents.toml",
        include_str!("../../requirements/documents.toml"),
    ),
    (
        "requirements/html.toml",
        include_str!("../../requirements/html.toml"),
    ),
    (
        "requirements/structured.toml",
        include_str!("../../requirements/structured.toml"),
    ),
];

/// Every specification page a catalogue entry cites starts with this.
pub const SPEC_URL_PREFIX: &str = "https://developer.nhs.uk/apis/gpconnect-";

/// How strong a rule is, as the specification words it (RFC 2119). A SHOULD that is not followed is a
/// warning in the report, never a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// MUST, SHALL, MUST NOT, SHALL NOT.
    Must,
    /// SHOULD, SHOULD NOT.
    Should,
    /// MAY.
    May,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

/// The versions a rule applies to, both bounds inclusive; absent bounds are open. Versions are those of
/// the rule's own capability: Access Record Structured versions for the structured area, GP Connect
/// (Foundations and Appointment Management) versions for the others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Versions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

impl Versions {
    /// Whether the rule applies to `version` (`1.2.7`); an unparsable version is given the benefit of
    /// the doubt.
    pub fn includes(&self, version: &str) -> bool {
        let Some(v) = parse_version(version) else {
            return true;
        };
        let since_ok = self
            .since
            .as_deref()
            .and_then(parse_version)
            .is_none_or(|s| v >= s);
        let until_ok = self
            .until
            .as_deref()
            .and_then(parse_version)
            .is_none_or(|u| v <= u);
        since_ok && until_ok
    }

    pub fn is_unbounded(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// `1.5.0+`, `up to 1.6.1`, `1.3.1 to 1.6.1`, or empty when unbounded.
    pub fn describe(&self) -> String {
        match (&self.since, &self.until) {
            (None, None) => String::new(),
            (Some(s), None) => format!("{s}+"),
            (None, Some(u)) => format!("up to {u}"),
            (Some(s), Some(u)) => format!("{s} to {u}"),
        }
    }
}

/// One requirement as the catalogue states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// `AREA-TOPIC-NN`, as scenarios tag it (`@req:XC-JWT-06`).
    pub id: String,
    /// The rule the provider must follow, in the catalogue's own words.
    pub rule: String,
    pub level: Level,
    /// The public specification page that states the rule.
    pub spec: String,
    /// The heading on that page.
    pub section: String,
    #[serde(default, skip_serializing_if = "Versions::is_unbounded")]
    pub versions: Versions,
    /// The capability area (`cross-cutting`, `foundations`, `appointments`, `structured`): the file's,
    /// unless the entry names another.
    #[serde(default)]
    pub capability: String,
    /// Why the harness cannot test this rule, when it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_testable: Option<String>,
    /// False for a testable rule no scenario checks yet.
    #[serde(default = "covered_by_default")]
    pub covered: bool,
    /// Why an uncovered rule has no scenario yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn covered_by_default() -> bool {
    true
}

impl Requirement {
    /// Whether scenarios are expected to carry this id.
    pub fn expects_scenarios(&self) -> bool {
        self.covered && self.not_testable.is_none()
    }

    /// Why there is no scenario, for an uncovered or untestable rule.
    pub fn gap(&self) -> Option<&str> {
        self.not_testable.as_deref().or(self.reason.as_deref())
    }

    /// The page of [`spec`](Self::spec) in short: `1.2.7 · development_general_api_guidance`.
    pub fn spec_page(&self) -> String {
        spec_page(&self.spec)
    }
}

/// A specification URL in short: `1.2.7 · development_general_api_guidance`.
pub fn spec_page(url: &str) -> String {
    let rest = url.strip_prefix(SPEC_URL_PREFIX).unwrap_or(url);
    let (version, page) = rest.split_once('/').unwrap_or((rest, ""));
    format!(
        "{} · {}",
        version.replace('-', "."),
        page.trim_end_matches(".html")
    )
}

/// One catalogue file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    /// The capability area of every entry that names none.
    capability: String,
    #[serde(default, rename = "requirement")]
    requirements: Vec<Requirement>,
}

/// Why the catalogue could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the requirement catalogue {file} cannot be read: {message}")]
pub struct CatalogueError {
    pub file: String,
    pub message: String,
}

/// Every requirement, sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    requirements: Vec<Requirement>,
}

static EMBEDDED: LazyLock<Catalogue> = LazyLock::new(|| {
    // The sources are compiled in and `tests/requirement_catalogue.rs` parses them on every test run,
    // so this cannot fail in a built binary.
    Catalogue::parse(SOURCES).unwrap_or_else(|e| panic!("{e}"))
});

impl Catalogue {
    /// The catalogue compiled into the binary.
    pub fn embedded() -> &'static Catalogue {
        &EMBEDDED
    }

    /// Parse catalogue files: (name for messages, TOML text).
    pub fn parse(sources: &[(&str, &str)]) -> Result<Catalogue, CatalogueError> {
        let mut requirements = Vec::new();
        for (file, text) in sources {
            let parsed: CatalogueFile =
                toml::from_str(text).map_err(|e: toml::de::Error| CatalogueError {
                    file: (*file).to_string(),
                    message: e.message().to_string(),
                })?;
            for mut r in parsed.requirements {
                if r.capability.is_empty() {
                    r.capability = parsed.capability.clone();
                }
                requirements.push(r);
            }
        }
        requirements.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalogue { requirements })
    }

    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.requirements[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Requirement> {
        self.requirements.iter()
    }

    pub fn len(&self) -> usize {
        self.requirements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// What is wrong with the catalogue as data, one sentence per problem (empty when sound): ids unique
    /// and well-formed, every field filled, every citation a GP Connect page on developer.nhs.uk,
    /// versions parsable and in order, and a reason for every rule without scenarios.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for pair in self.requirements.windows(2) {
            if pair[0].id == pair[1].id {
                out.push(format!("{} is catalogued twice", pair[0].id));
            }
        }
        for r in &self.requirements {
            let id = &r.id;
            if !is_well_formed_id(id) {
                out.push(format!(
                    "{id:?} is not a requirement id (AREA-TOPIC-NN, capitals and two digits)"
                ));
            }
            for (field, value) in [
                ("rule", &r.rule),
                ("section", &r.section),
                ("capability", &r.capability),
            ] {
                if value.trim().is_empty() {
                    out.push(format!("{id} has an empty {field}"));
                }
            }
            if !is_spec_url(&r.spec) {
                out.push(format!(
                    "{id} cites {:?}, which is not a GP Connect page on developer.nhs.uk ({SPEC_URL_PREFIX}<version>/<page>.html)",
                    r.spec
                ));
            }
            for (bound, v) in [("since", &r.versions.since), ("until", &r.versions.until)] {
                if let Some(v) = v {
                    if parse_version(v).is_none() {
                        out.push(format!("{id}: versions.{bound} {v:?} is not a version"));
                    }
                }
            }
            if let (Some(s), Some(u)) = (
                r.versions.since.as_deref().and_then(parse_version),
                r.versions.until.as_deref().and_then(parse_version),
            ) {
                if s > u {
                    out.push(format!("{id}: versions.since is after versions.until"));
                }
            }
            match (&r.not_testable, r.covered, &r.reason) {
                (Some(why), _, _) if why.trim().is_empty() => {
                    out.push(format!("{id} is not_testable without saying why"))
                }
                (Some(_), false, _) => out.push(format!(
                    "{id} is both not_testable and covered = false: choose one"
                )),
                (None, false, None) => out.push(format!(
                    "{id} is covered = false without a reason saying why no scenario checks it"
                )),
                (None, false, Some(why)) if why.trim().is_empty() => {
                    out.push(format!("{id} has an empty reason"))
                }
                (_, true, Some(_)) if r.not_testable.is_none() => out.push(format!(
                    "{id} gives a reason but is covered: a reason belongs to covered = false"
                )),
                _ => {}
            }
        }
        out
    }
}

/// `AREA-NN` or `AREA-TOPIC-NN` (any number of capitalised segments), ending in two digits.
pub fn is_well_formed_id(id: &str) -> bool {
    let Some((head, n)) = id.rsplit_once('-') else {
        return false;
    };
    n.len() == 2
        && n.bytes().all(|b| b.is_ascii_digit())
        && !head.is_empty()
        && head.split('-').all(|seg| {
            !seg.is_empty()
                && seg.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

/// A GP Connect page on developer.nhs.uk: `https://developer.nhs.uk/apis/gpconnect-1-2-7/<page>.html`,
/// with nothing that could break out of an HTML attribute.
pub fn is_spec_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix(SPEC_URL_PREFIX) else {
        return false;
    };
    let Some((version, page)) = rest.split_once('/') else {
        return false;
    };
    let version_ok = version.split('-').count() == 3
        && version
            .split('-')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let page_ok = page.len() > ".html".len()
        && page.ends_with(".html")
        && page
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    version_ok && page_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
capability = "cross-cutting"

[[requirement]]
id = "XC-CACHE-01"
rule = "Every response carries Cache-Control: no-store."
level = "must"
spec = "https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html"
section = "Caching headers"

[[requirement]]
id = "XC-AUDIT-01"
rule = "Every access is audited."
level = "must"
spec = "https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_cross_organisation_audit_and_provenance.html"
section = "Audit trail"
capability = "audit"
not_testable = "an audit trail is not visible through the API"

[[requirement]]
id = "XC-TLS-01"
rule = "Only TLS 1.2 is accepted."
level = "must"
spec = "https://developer.nhs.uk/apis/gpconnect-1-2-7/development_api_security_guidance.html"
section = "Transport layer security"
versions = { since = "1.2.3" }
covered = false
reason = "needs certificate fixtures"
"#;

    #[test]
    fn parses_entries_sorted_with_the_file_capability_as_default() {
        let c = Catalogue::parse(&[("sample.toml", SAMPLE)]).unwrap();
        let ids: Vec<&str> = c.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["XC-AUDIT-01", "XC-CACHE-01", "XC-TLS-01"]);
        assert_eq!(c.get("XC-CACHE-01").unwrap().capability, "cross-cutting");
        assert_eq!(c.get("XC-AUDIT-01").unwrap().capability, "audit");
        assert!(c.get("XC-CACHE-01").unwrap().expects_scenarios());
        assert!(!c.get("XC-TLS-01").unwrap().expects_scenarios());
        assert_eq!(
            c.get("XC-TLS-01").unwrap().gap(),
            Some("needs certificate fixtures")
        );
        assert!(c.get("XC-NOPE-01").is_none());
        assert!(c.problems().is_empty(), "{:?}", c.problems());
    }

    #[test]
    fn an_unknown_field_or_level_is_refused_naming_the_file() {
        let bad = SAMPLE.replace("level = \"must\"\nspec", "level = \"shall\"\nspec");
        let e = Catalogue::parse(&[("bad.toml", &bad)]).unwrap_err();
        assert_eq!(e.file, "bad.toml");
        assert!(e.to_string().contains("bad.toml"), "{e}");
        let typo = SAMPLE.replace("section = \"Caching headers\"", "sektion = \"x\"");
        assert!(Catalogue::parse(&[("typo.toml", &typo)]).is_err());
    }

    #[test]
    fn problems_name_each_broken_entry() {
        let broken = SAMPLE
            .replace("XC-CACHE-01", "XC-cache-1")
            .replace(
                "https://developer.nhs.uk/apis/gpconnect-1-2-7/development_api_security_guidance.html",
                "https://example.org/spec.html",
            )
            .replace("reason = \"needs certificate fixtures\"\n", "")
            .replace("since = \"1.2.3\"", "since = \"1.x\"");
        let doubled = format!(
            "{SAMPLE}\n{}",
            &SAMPLE[SAMPLE.find("[[requirement]]").unwrap()..]
        );
        let c = Catalogue::parse(&[("broken.toml", &broken)]).unwrap();
        let p = c.problems().join("\n");
        assert!(p.contains("\"XC-cache-1\" is not a requirement id"), "{p}");
        assert!(
            p.contains("XC-TLS-01 cites \"https://example.org/spec.html\""),
            "{p}"
        );
        assert!(
            p.contains("XC-TLS-01 is covered = false without a reason"),
            "{p}"
        );
        assert!(p.contains("versions.since \"1.x\""), "{p}");
        let c = Catalogue::parse(&[("doubled.toml", &doubled)]).unwrap();
        assert!(c
            .problems()
            .iter()
            .any(|p| p == "XC-AUDIT-01 is catalogued twice"));
    }

    #[test]
    fn ids_and_urls_are_checked_strictly() {
        for good in ["XC-JWT-06", "FND-PAT-FIND-04", "STR-MED-12", "APT-01"] {
            assert!(is_well_formed_id(good), "{good}");
        }
        for bad in [
            "XC-JWT-6",
            "xc-JWT-06",
            "XC--06",
            "-06",
            "XC-JWT-006",
            "XC JWT-06",
            "06",
        ] {
            assert!(!is_well_formed_id(bad), "{bad}");
        }
        assert!(is_spec_url(
            "https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html"
        ));
        for bad in [
            "http://developer.nhs.uk/apis/gpconnect-1-6-0/x.html",
            "https://developer.nhs.uk/apis/gpconnect-1-6/x.html",
            "https://developer.nhs.uk/apis/gpconnect-1-6-0/",
            "https://developer.nhs.uk/apis/gpconnect-1-6-0/x.html\" onclick=\"y",
            "https://developer.nhs.uk/apis/gpconnect-1-6-0/x.html#section",
        ] {
            assert!(!is_spec_url(bad), "{bad}");
        }
    }

    #[test]
    fn versions_bound_inclusively_on_both_ends() {
        let v = Versions {
            since: Some("1.3.1".into()),
            until: Some("1.6.1".into()),
        };
        assert!(v.includes("1.3.1") && v.includes("1.6.1") && v.includes("1.5.0"));
        assert!(!v.includes("1.3.0") && !v.includes("1.6.2"));
        assert!(v.includes("not a version"));
        assert_eq!(v.describe(), "1.3.1 to 1.6.1");
        assert!(Versions::default().includes("1.2.7"));
        let r = Catalogue::parse(&[("s.toml", SAMPLE)]).unwrap();
        assert_eq!(
            r.get("XC-CACHE-01").unwrap().spec_page(),
            "1.2.7 · development_general_api_guidance"
        );
    }
}
