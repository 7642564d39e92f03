//! The documents the test practice holds, per test patient (NHS Digital's provider test data: patient2
//! has documents, patient3 none, patient4 one over 5 MB), rendered as CareConnect-GPC-DocumentReference-1
//! and as Binary.
//!
//! Document bytes are generated when a document is asked for, from the document's own description, so
//! the binary carries no multi-megabyte literal; the same document always has the same bytes.
//!
//! DocumentReference: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_documentreference.html>
//! Binary: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_binary.html>

use base64::Engine;
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::config::{DataAliases, PRACTICE_ALIAS};
use crate::gpconnect::documents::{
    self as gd, DOCUMENT_REFERENCE_PROFILE, NOPAT_CODE, NOPAT_DISPLAY, NOPAT_SYSTEM,
};

/// Who wrote a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    /// An organisation, by its test-data alias (`ORG2`).
    Organization(&'static str),
    /// A practitioner of the practice, by logical id.
    Practitioner(&'static str),
}

/// One document on the practice system.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// DocumentReference logical id.
    pub id: String,
    /// Binary logical id.
    pub binary_id: String,
    /// The test-data alias of the patient it belongs to.
    pub patient_alias: &'static str,
    /// SNOMED CT record composition type (code, display).
    pub kind: (&'static str, &'static str),
    pub description: &'static str,
    /// `created` (dateTime), when the system holds it.
    pub created: Option<String>,
    /// `indexed` (instant): when the practice filed it.
    pub indexed: String,
    pub author: Author,
    pub content_type: &'static str,
    /// Size in bytes of the document itself.
    pub size: u64,
    /// Confidential: never in direct care; in a Migrate only with sensitive information (conf/R),
    /// labelled NOPAT.
    pub confidential: bool,
}

const DISCHARGE: (&str, &str) = ("373942005", "Discharge summary");
const REFERRAL: (&str, &str) = ("3457005", "Patient referral");
const LAB_REPORT: (&str, &str) = ("4241000179101", "Laboratory report");
const ENCOUNTER_REPORT: (&str, &str) = ("371531000", "Report of clinical encounter");
const PROCEDURE_REPORT: (&str, &str) = ("371525003", "Clinical procedure report");

const PDF: &str = "application/pdf";
const TEXT: &str = "text/plain";

/// A document of `alias` numbered `n` (ids `d<patient>-<n>` and `b<patient>-<n>`).
#[allow(clippy::too_many_arguments)]
fn doc(
    alias: &'static str,
    n: u32,
    kind: (&'static str, &'static str),
    description: &'static str,
    created: Option<String>,
    indexed: String,
    author: Author,
    content_type: &'static str,
    size: u64,
) -> Document {
    let patient = alias.trim_start_matches("patient");
    Document {
        id: format!("d{patient}-{n}"),
        binary_id: format!("b{patient}-{n}"),
        patient_alias: alias,
        kind,
        description,
        created,
        indexed,
        author,
        content_type,
        size,
        confidential: false,
    }
}

/// A dateTime `days` from `today` at `hh:mm` UTC.
fn relative(today: NaiveDate, days: i64, time: &str) -> String {
    format!("{}T{time}:00+00:00", today + Duration::days(days))
}

/// Every document the practice holds on `today` (some are dated relative to it, so that "the last
/// year" always holds one).
pub fn all(today: NaiveDate) -> Vec<Document> {
    let fixed = |s: &str| s.to_string();
    let mut confidential = doc(
        "patient2",
        6,
        ENCOUNTER_REPORT,
        "Sexual health clinic letter",
        Some(fixed("2020-08-08T14:20:00+00:00")),
        fixed("2020-08-10T09:00:00+00:00"),
        Author::Organization("ORG3"),
        PDF,
        18_411,
    );
    confidential.confidential = true;
    vec![
        doc(
            "patient1",
            1,
            REFERRAL,
            "Physiotherapy referral letter",
            Some(fixed("2018-02-05T11:00:00+00:00")),
            fixed("2018-02-05T12:30:00+00:00"),
            Author::Practitioner("1"),
            TEXT,
            2_048,
        ),
        doc(
            "patient2",
            1,
            DISCHARGE,
            "Discharge summary from Pinderfields ward 4",
            Some(fixed("2019-03-14T10:30:00+00:00")),
            fixed("2019-03-15T09:00:00+00:00"),
            Author::Organization("ORG2"),
            PDF,
            48_213,
        ),
        doc(
            "patient2",
            2,
            REFERRAL,
            "Referral to cardiology outpatients",
            Some(fixed("2021-06-01T08:15:00+00:00")),
            fixed("2021-06-01T08:20:00+00:00"),
            Author::Practitioner("1"),
            TEXT,
            3_977,
        ),
        // No `created`: a created search compares `indexed`.
        doc(
            "patient2",
            3,
            LAB_REPORT,
            "Full blood count report",
            None,
            fixed("2022-11-20T16:45:00+00:00"),
            Author::Organization("ORG3"),
            PDF,
            22_590,
        ),
        doc(
            "patient2",
            4,
            ENCOUNTER_REPORT,
            "Outpatient clinic letter, diabetes review",
            Some(relative(today, -40, "09:30")),
            relative(today, -39, "10:00"),
            Author::Organization("ORG2"),
            PDF,
            61_032,
        ),
        doc(
            "patient2",
            5,
            PROCEDURE_REPORT,
            "Minor surgery procedure note",
            Some(fixed("2021-06-01T15:00:00+00:00")),
            fixed("2021-06-02T09:00:00+00:00"),
            Author::Organization(PRACTICE_ALIAS),
            TEXT,
            1_544,
        ),
        confidential,
        doc(
            "patient4",
            1,
            PROCEDURE_REPORT,
            "Scanned paper records, 1970 to 2005",
            Some(fixed("2015-09-09T09:09:00+00:00")),
            fixed("2015-09-10T10:00:00+00:00"),
            Author::Organization(PRACTICE_ALIAS),
            PDF,
            gd::MAX_RETRIEVE_BYTES + 300 * 1024,
        ),
        doc(
            "patient4",
            2,
            DISCHARGE,
            "Discharge summary, day surgery",
            Some(fixed("2023-01-17T13:00:00+00:00")),
            fixed("2023-01-18T08:00:00+00:00"),
            Author::Organization("ORG2"),
            TEXT,
            5_120,
        ),
        doc(
            "patient5",
            1,
            LAB_REPORT,
            "Lipid profile report",
            Some(fixed("2020-02-29T10:00:00+00:00")),
            fixed("2020-03-01T10:00:00+00:00"),
            Author::Organization("ORG3"),
            PDF,
            9_876,
        ),
        doc(
            "patient5",
            2,
            REFERRAL,
            "Referral to respiratory clinic",
            Some(fixed("2024-05-05T09:00:00+00:00")),
            fixed("2024-05-05T09:05:00+00:00"),
            Author::Practitioner("1"),
            TEXT,
            2_222,
        ),
        doc(
            "patient6",
            1,
            ENCOUNTER_REPORT,
            "Community nursing visit report",
            Some(fixed("2022-03-03T12:00:00+00:00")),
            fixed("2022-03-04T12:00:00+00:00"),
            Author::Organization("ORG2"),
            TEXT,
            4_321,
        ),
        doc(
            "patient15",
            1,
            DISCHARGE,
            "Discharge summary, orthopaedics",
            Some(fixed("2019-11-11T11:11:00+00:00")),
            fixed("2019-11-12T11:11:00+00:00"),
            Author::Organization("ORG2"),
            PDF,
            7_777,
        ),
        doc(
            "patient21",
            1,
            REFERRAL,
            "Referral to podiatry",
            Some(fixed("2017-07-07T07:00:00+00:00")),
            fixed("2017-07-07T08:00:00+00:00"),
            Author::Practitioner("1"),
            TEXT,
            1_999,
        ),
    ]
}

/// The documents of the patient with NHS number `nhs_number`.
pub fn of_patient(nhs_number: &str, today: NaiveDate) -> Vec<Document> {
    let aliases = DataAliases::default();
    let Some(alias) = aliases
        .patients
        .iter()
        .find(|(_, n)| n.as_str() == nhs_number)
        .map(|(a, _)| a.clone())
    else {
        return Vec::new();
    };
    all(today)
        .into_iter()
        .filter(|d| d.patient_alias == alias)
        .collect()
}

/// The document whose Binary has logical id `binary_id`.
pub fn by_binary_id(binary_id: &str, today: NaiveDate) -> Option<Document> {
    all(today).into_iter().find(|d| d.binary_id == binary_id)
}

/// The document's bytes: a short header naming it, then a repeating body up to its size.
pub fn content(d: &Document) -> Vec<u8> {
    let size = usize::try_from(d.size).unwrap_or(usize::MAX);
    let header = if d.content_type == PDF {
        format!("%PDF-1.4\n% {}\n", d.description)
    } else {
        format!("{}\n\n", d.description)
    };
    let filler = format!("{} ({}). ", d.kind.1, d.id);
    let mut out = Vec::with_capacity(size);
    out.extend(header.bytes().take(size));
    while out.len() < size {
        let room = size - out.len();
        out.extend(filler.bytes().take(room));
    }
    out
}

/// The logical ids a DocumentReference refers to.
pub struct Ids<'a> {
    /// Logical id of the patient.
    pub patient: &'a str,
    /// Logical id of the Organization for an organisation alias.
    pub organization: &'a dyn Fn(&str) -> Option<String>,
    /// Logical id of the practice (the custodian).
    pub practice: &'a str,
    /// The namespace of the practice's document identifiers.
    pub identifier_system: &'a str,
}

/// The reference of a document's author.
pub fn author_reference(d: &Document, ids: &Ids<'_>) -> Option<String> {
    match d.author {
        Author::Organization(alias) => {
            (ids.organization)(alias).map(|id| format!("Organization/{id}"))
        }
        Author::Practitioner(id) => Some(format!("Practitioner/{id}")),
    }
}

/// CareConnect-GPC-DocumentReference-1 for `d`. `binary_url` is the absolute URL of its Binary, or
/// `None` where the document cannot be retrieved (then `title` says why); `label` adds the NOPAT
/// security label (Migrate with sensitive information).
pub fn document_reference(
    d: &Document,
    ids: &Ids<'_>,
    binary_url: Option<&str>,
    label: bool,
) -> Value {
    let mut attachment = json!({"contentType": d.content_type, "size": d.size});
    match binary_url {
        Some(url) => attachment["url"] = json!(url),
        None => {
            attachment["title"] = json!(format!(
            "This document is larger than {} MB and cannot be retrieved here; it can be migrated",
            gd::MAX_RETRIEVE_BYTES / (1024 * 1024)
        ))
        }
    }
    let mut r = json!({
        "resourceType": "DocumentReference",
        "id": d.id,
        "meta": {"versionId": "1", "profile": [DOCUMENT_REFERENCE_PROFILE]},
        "identifier": [{"system": ids.identifier_system, "value": format!("{}-{}", d.patient_alias, d.id)}],
        "status": "current",
        "type": {"coding": [{"system": crate::gpconnect::structured::systems::SNOMED, "code": d.kind.0, "display": d.kind.1}]},
        "subject": {"reference": format!("Patient/{}", ids.patient)},
        "indexed": d.indexed,
        "custodian": {"reference": format!("Organization/{}", ids.practice)},
        "description": d.description,
        "content": [{"attachment": attachment}],
    });
    if let Some(created) = &d.created {
        r["created"] = json!(created);
    }
    if let Some(author) = author_reference(d, ids) {
        r["author"] = json!([{"reference": author}]);
    }
    if label {
        r["meta"]["security"] =
            json!([{"system": NOPAT_SYSTEM, "code": NOPAT_CODE, "display": NOPAT_DISPLAY}]);
    }
    r
}

/// The Binary of `d`, its content base64-encoded.
pub fn binary(d: &Document) -> Value {
    let bytes = content(d);
    json!({
        "resourceType": "Binary",
        "id": d.binary_id,
        "meta": {"versionId": "1"},
        "contentType": d.content_type,
        "content": base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

/// Whether the document was written by the organisation with ODS code `ods`.
pub fn author_has_ods(d: &Document, ods: &str) -> bool {
    match d.author {
        Author::Organization(alias) => DataAliases::default()
            .organizations
            .get(alias)
            .is_some_and(|code| code == ods),
        Author::Practitioner(_) => false,
    }
}

/// The identifier namespace of the practice's documents.
pub fn identifier_system(ods_code: &str) -> String {
    format!("https://fhir.gpc-assure.test/{ods_code}/Id/document")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
    }

    #[test]
    fn content_has_exactly_the_declared_size_and_is_stable() {
        for d in all(today()) {
            let bytes = content(&d);
            assert_eq!(bytes.len() as u64, d.size, "{}", d.id);
            assert_eq!(bytes, content(&d));
        }
    }

    #[test]
    fn the_test_data_holds_what_the_scenarios_need() {
        let docs = all(today());
        let of = |a: &str| docs.iter().filter(|d| d.patient_alias == a).count();
        assert!(of("patient2") >= 4);
        assert_eq!(of("patient3"), 0);
        assert!(docs
            .iter()
            .any(|d| d.patient_alias == "patient4" && d.size > gd::MAX_RETRIEVE_BYTES));
        assert!(docs.iter().any(|d| d.confidential));
        assert!(docs.iter().any(|d| d.created.is_none()));
        let mut ids: Vec<&str> = docs.iter().map(|d| d.binary_id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), docs.len());
    }
}
