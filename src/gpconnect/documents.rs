//! Access Document facts as data: the mandatory `_include`/`_revinclude` parameters of Search for a
//! patient's documents, the optional search parameters (`created`, `author`, `description`) and how
//! each selects documents, the size limit of Retrieve a document, the confidentiality scopes of Migrate
//! a document, what the Access Document CapabilityStatement declares, and the version boundaries.
//!
//! The harness (steps, checks: the oracle that decides which documents a filter must return) and the
//! embedded provider (which applies the filters) read the same tables and the same matching functions,
//! so a rule is written once.
//!
//! Find a patient (Access Document): <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_use_case_find_a_patient.html>
//! Search for a patient's documents: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_search_patient_documents.html>
//! Retrieve a document: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_retrieve_patient_documents.html>
//! Migrate a document: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_migrate_patient_documents.html>
//! DocumentReference: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_documentreference.html>

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde_json::Value;

use super::structured::Version;
use super::systems::{self, profiles};
use crate::fhir::Pointer as _;

/// Version boundaries of Access Document (the Access Record Structured versions it ships with).
pub mod since {
    use super::Version;
    /// Access Document is part of the GP Connect specification (merged from documents-1.0.x).
    pub const ACCESS_DOCUMENT: Version = (1, 5, 0);
    /// Migrate a document exists (GP2GP), with its confidentiality scopes.
    pub const MIGRATE_DOCUMENT: Version = (1, 6, 0);
    /// Deceased patients registered (GMS) before death may be found and searched for a period after death.
    pub const DECEASED_ACCESS: Version = (1, 6, 1);
}

/// The parameters every Search for a patient's documents MUST carry, in the order the page lists them.
pub const MANDATORY_INCLUDES: &[(&str, &str)] = &[
    ("_include", "DocumentReference:subject:Patient"),
    ("_include", "DocumentReference:custodian:Organization"),
    ("_include", "DocumentReference:author:Organization"),
    ("_include", "DocumentReference:author:Practitioner"),
    ("_revinclude:recurse", "PractitionerRole:practitioner"),
];

/// Optional search parameter names.
pub mod param {
    /// `created=ge<date|dateTime>` and/or `created=le<date|dateTime>`.
    pub const CREATED: &str = "created";
    /// `author=https://fhir.nhs.uk/Id/ods-organization-code|<ODS code>`.
    pub const AUTHOR: &str = "author";
    /// `description=<keyword>`.
    pub const DESCRIPTION: &str = "description";
    /// `_format`, allowed on every request.
    pub const FORMAT: &str = "_format";
}

/// The `searchInclude` values the CapabilityStatement declares on DocumentReference.
pub const CAPABILITY_SEARCH_INCLUDES: &[&str] = &[
    "DocumentReference:subject:Patient",
    "DocumentReference:custodian:Organization",
    "DocumentReference:author:Organization",
    "DocumentReference:author:Practitioner",
];

/// The `searchParam` (name, type) pairs the CapabilityStatement declares on DocumentReference.
pub const CAPABILITY_SEARCH_PARAMS: &[(&str, &str)] = &[
    (param::CREATED, "date"),
    (param::AUTHOR, "token"),
    (param::DESCRIPTION, "string"),
];

/// `CapabilityStatement.name` of the Access Document statement.
pub const CAPABILITY_NAME: &str = "GP Connect - Access Document";

/// The profiles the Access Document statement lists, with the `_history` version it references.
pub const CAPABILITY_PROFILES: &[(&str, &str)] = &[
    (profiles::PATIENT, "1.8"),
    (profiles::ORGANIZATION, "1.4"),
    (profiles::PRACTITIONER, "1.3"),
    (profiles::PRACTITIONER_ROLE, "1.2"),
    (profiles::OPERATION_OUTCOME, "1.2"),
    (DOCUMENT_REFERENCE_PROFILE, "1.3"),
    (profiles::SEARCHSET_BUNDLE, "1.3"),
];

/// CareConnect-GPC-DocumentReference-1.
pub const DOCUMENT_REFERENCE_PROFILE: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-DocumentReference-1";

/// Retrieve a document serves documents up to this size; larger ones are NO_RECORD_FOUND and appear
/// in searches as placeholders (a title saying why, the real size, no URL). Migrate a document has no
/// such limit.
pub const MAX_RETRIEVE_BYTES: u64 = 5 * 1024 * 1024;

/// How long after death a provider may let a deceased (formerly GMS-registered) patient's documents be
/// found (1.6.1+; providers may configure it).
pub const DECEASED_ACCESS_DAYS: i64 = 28;

/// Elements of a DocumentReference that MUST NOT be populated.
pub const DOCUMENT_REFERENCE_NOT_IN_USE: &[&str] = &[
    "docStatus",
    "class",
    "authenticator",
    "relatesTo",
    "securityLabel",
];

/// The JWT confidentiality scope tokens (1.6.0+), sent after `patient/*.read`.
pub mod confidentiality {
    /// Normal confidentiality; its absence means the same.
    pub const NORMAL: &str = "conf/N";
    /// Restricted: sensitive content may be returned (GP2GP migration only).
    pub const RESTRICTED: &str = "conf/R";

    /// Whether a `requested_scope` value asks for restricted (sensitive) content.
    pub fn is_restricted(scope: &str) -> bool {
        scope.split_whitespace().any(|t| t == RESTRICTED)
    }
}

/// The NOPAT security label a confidential document carries in a Migrate (`meta.security`).
pub const NOPAT_SYSTEM: &str = "http://hl7.org/fhir/v3/ActCode";
pub const NOPAT_CODE: &str = "NOPAT";
pub const NOPAT_DISPLAY: &str =
    "no disclosure to patient, family or caregivers without attending provider's authorization";

/// `ge` or `le`, the two prefixes `created` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Ge,
    Le,
}

/// One `created` bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedBound {
    pub prefix: Prefix,
    /// The instant the bound stands for: the start of a `ge` date, the end (exclusive: the next day's
    /// start) of a `le` date, the instant itself for a dateTime.
    pub at: DateTime<Utc>,
    /// Whether the bound was a whole date (a `le` date then includes every instant of that day).
    pub whole_day: bool,
}

/// Parse one `created` value (`ge2020-01-01`, `le2021-06-30T12:00:00+01:00`). A date-time must carry
/// an offset (a FHIR dateTime with a time always does).
pub fn parse_created(value: &str) -> Result<CreatedBound, String> {
    let (prefix, rest) = if let Some(r) = value.strip_prefix("ge") {
        (Prefix::Ge, r)
    } else if let Some(r) = value.strip_prefix("le") {
        (Prefix::Le, r)
    } else {
        return Err(format!(
            "created {value:?} has no ge or le prefix; send created=ge<date> and/or created=le<date>"
        ));
    };
    if let Ok(d) = NaiveDate::parse_from_str(rest, "%Y-%m-%d") {
        if rest.len() != 10 {
            return Err(format!("created {value:?} is not a date YYYY-MM-DD"));
        }
        let start = Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
        let at = match prefix {
            Prefix::Ge => start,
            Prefix::Le => start + Duration::days(1),
        };
        return Ok(CreatedBound {
            prefix,
            at,
            whole_day: true,
        });
    }
    let dt = DateTime::parse_from_rfc3339(rest).map_err(|_| {
        format!("created {value:?} is neither a date (YYYY-MM-DD) nor a dateTime with an offset")
    })?;
    Ok(CreatedBound {
        prefix,
        at: dt.with_timezone(&Utc),
        whole_day: false,
    })
}

/// The `created` bounds of a search: at most one `ge` and one `le`, and not an empty window.
pub fn parse_created_bounds(values: &[&str]) -> Result<Vec<CreatedBound>, String> {
    if values.len() > 2 {
        return Err(format!(
            "created is given {} times; send at most one ge and one le",
            values.len()
        ));
    }
    let bounds = values
        .iter()
        .map(|v| parse_created(v))
        .collect::<Result<Vec<_>, _>>()?;
    if let [a, b] = bounds.as_slice() {
        if a.prefix == b.prefix {
            return Err(
                "created is given twice with the same prefix; send one ge and one le".into(),
            );
        }
    }
    Ok(bounds)
}

/// Whether a document dated `when` lies inside every bound (both ends inclusive).
pub fn created_admits(bounds: &[CreatedBound], when: DateTime<Utc>) -> bool {
    bounds.iter().all(|b| match (b.prefix, b.whole_day) {
        (Prefix::Ge, _) => when >= b.at,
        (Prefix::Le, true) => when < b.at,
        (Prefix::Le, false) => when <= b.at,
    })
}

/// The date a `created` search compares for a DocumentReference: `created`, else `indexed` (the page:
/// where `created` does not exist, `indexed` MUST be used). `None` when neither is a full date or
/// dateTime (a partial date may be returned or not).
pub fn document_date(doc: &Value) -> Option<DateTime<Utc>> {
    let text = doc
        .get("created")
        .and_then(Value::as_str)
        .or_else(|| doc.get("indexed").and_then(Value::as_str))?;
    parse_fhir_instant(text)
}

/// A FHIR date (a whole day, taken at its start, UTC) or dateTime with an offset.
pub fn parse_fhir_instant(text: &str) -> Option<DateTime<Utc>> {
    if text.len() == 10 {
        let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        return Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?));
    }
    DateTime::<FixedOffset>::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// The ODS code of an `author` value: the ODS organisation code system and a value, nothing else.
pub fn parse_author(value: &str) -> Result<String, String> {
    let Some((system, code)) = value.split_once('|') else {
        return Err(format!(
            "author {value:?} has no identifier system; send {}|<ODS code>",
            systems::ODS_ORGANIZATION_CODE
        ));
    };
    if system != systems::ODS_ORGANIZATION_CODE {
        return Err(format!(
            "author {value:?} is not an ODS organisation code (system {})",
            systems::ODS_ORGANIZATION_CODE
        ));
    }
    if code.trim().is_empty() {
        return Err(format!("author {value:?} has an empty ODS code"));
    }
    Ok(code.to_string())
}

/// Whether a `description` keyword selects a document: it occurs, ignoring case, in the document's
/// `description` or in its `type` (text or a coding's display).
pub fn description_matches(keyword: &str, doc: &Value) -> bool {
    let needle = keyword.trim().to_lowercase();
    if needle.is_empty() {
        return true;
    }
    let mut texts: Vec<&str> = Vec::new();
    texts.extend(doc.get("description").and_then(Value::as_str));
    texts.extend(doc.at("/type/text").and_then(Value::as_str));
    texts.extend(
        doc.at("/type/coding")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("display").and_then(Value::as_str)),
    );
    texts.iter().any(|t| t.to_lowercase().contains(&needle))
}

/// The ODS code an author Organization carries.
pub fn ods_code_of(organization: &Value) -> Option<&str> {
    organization
        .get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|i| i.get("system").and_then(Value::as_str) == Some(systems::ODS_ORGANIZATION_CODE))
        .and_then(|i| i.get("value").and_then(Value::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        parse_fhir_instant(s).unwrap()
    }

    #[test]
    fn created_bounds_are_inclusive_whole_days_or_instants() {
        let ge = parse_created("ge2020-01-01").unwrap();
        let le = parse_created("le2020-12-31").unwrap();
        let both = [ge, le];
        assert!(created_admits(&both, at("2020-01-01T00:00:00+00:00")));
        assert!(created_admits(&both, at("2020-12-31T23:59:59+00:00")));
        assert!(!created_admits(&both, at("2021-01-01T00:00:00+00:00")));
        assert!(!created_admits(&both, at("2019-12-31T23:59:59+00:00")));
        let le_time = parse_created("le2020-06-01T12:00:00+01:00").unwrap();
        assert!(created_admits(&[le_time], at("2020-06-01T11:00:00+00:00")));
        assert!(!created_admits(&[le_time], at("2020-06-01T11:00:01+00:00")));
    }

    #[test]
    fn bad_created_values_are_refused_with_a_reason() {
        for bad in [
            "2020-01-01",
            "gt2020-01-01",
            "ge2020-1-1",
            "ge2020",
            "le2020-06-01T12:00:00",
            "ge",
        ] {
            assert!(parse_created(bad).is_err(), "{bad}");
        }
        assert!(parse_created_bounds(&["ge2020-01-01", "ge2021-01-01"]).is_err());
        assert!(parse_created_bounds(&["ge2020-01-01", "le2021-01-01", "le2022-01-01"]).is_err());
        assert_eq!(
            parse_created_bounds(&["ge2020-01-01", "le2021-01-01"])
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn author_is_an_ods_code_only() {
        assert_eq!(
            parse_author("https://fhir.nhs.uk/Id/ods-organization-code|B82617").unwrap(),
            "B82617"
        );
        assert!(parse_author("B82617").is_err());
        assert!(parse_author("https://fhir.nhs.uk/Id/sds-user-id|G13579135").is_err());
        assert!(parse_author("https://fhir.nhs.uk/Id/ods-organization-code|").is_err());
    }

    #[test]
    fn description_searches_description_and_type() {
        let doc = json!({"description": "Discharge summary", "type": {"coding": [{"display": "Letter"}], "text": "Clinic letter"}});
        assert!(description_matches("discharge", &doc));
        assert!(description_matches("LETTER", &doc));
        assert!(!description_matches("x-ray", &doc));
    }

    #[test]
    fn a_document_is_dated_by_created_else_indexed() {
        let created =
            json!({"created": "2020-05-01T10:00:00+00:00", "indexed": "2021-01-01T00:00:00+00:00"});
        let indexed = json!({"indexed": "2021-01-01T00:00:00+00:00"});
        assert_eq!(
            document_date(&created),
            Some(at("2020-05-01T10:00:00+00:00"))
        );
        assert_eq!(
            document_date(&indexed),
            Some(at("2021-01-01T00:00:00+00:00"))
        );
        assert_eq!(document_date(&json!({"created": "2020"})), None);
        assert!(confidentiality::is_restricted("patient/*.read conf/R"));
        assert!(!confidentiality::is_restricted("patient/*.read"));
    }
}
