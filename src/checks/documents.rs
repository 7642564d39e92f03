//! Checks on Access Document responses: the Access Document CapabilityStatement, the searchset Bundle of
//! Search for a patient's documents (absolute `fullUrl`s, `Bundle.id`, what it must hold), each
//! DocumentReference, what a `created`/`author`/`description` search must return (worked out from the
//! provider's own unfiltered answer), placeholders for documents over 5 MB, and the Binary of Retrieve
//! and Migrate a document.
//!
//! A check that is about documents fails when there are none to judge, unless the scenario says the
//! patient has none: a search answered with an empty Bundle never passes for a patient with documents.
//!
//! Search for a patient's documents: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_search_patient_documents.html>
//! Bundle: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_bundle.html>
//! DocumentReference: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_documentreference.html>
//! Binary: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_binary.html>
//! Get the FHIR capability statement (Access Document): <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_use_case_get_the_fhir_capability_statement.html>

use base64::Engine;
use serde_json::Value;

use super::bundle::{is_of_type, label, not_populated, of_type, resolve, text as s};
use super::resource::declares_profile;
use super::response::resource_type_is;
use super::{ensure, CheckResult};
use crate::fhir::Pointer as _;
use crate::gpconnect::capability::FHIR_VERSION;
use crate::gpconnect::documents::{self as gd, CreatedBound};
use crate::gpconnect::systems::{mime, profiles};

/// The DocumentReferences of a Bundle.
pub fn document_references(bundle: &Value) -> Vec<&Value> {
    of_type(bundle, "DocumentReference")
}

/// A document's business identity: its first `system|value` identifier (persistent across requests),
/// else its logical id.
pub fn identity(doc: &Value) -> String {
    doc.get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|i| format!("{}|{}", s(i, "/system"), s(i, "/value")))
        .find(|k| k != "|")
        .unwrap_or_else(|| label(doc))
}

/// The CapabilityStatement's fixed elements: active, a capability statement of FHIR 3.0.1 declaring
/// JSON, with the software's name and version.
pub fn capability_fixed(cs: &Value) -> CheckResult {
    resource_type_is(cs, "CapabilityStatement")?;
    for (element, expected) in [
        ("status", "active"),
        ("kind", "capability"),
        ("fhirVersion", FHIR_VERSION),
    ] {
        let actual = s(cs, &format!("/{element}"));
        ensure(actual == expected, || {
            format!("CapabilityStatement.{element} is {actual:?}; expected {expected:?}")
        })?;
    }
    let formats: Vec<&str> = cs
        .get("format")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    ensure(
        formats
            .iter()
            .any(|f| f.split(';').next().map(str::trim) == Some(mime::FHIR_JSON)),
        || {
            format!(
                "CapabilityStatement.format is {formats:?}; it must declare {}",
                mime::FHIR_JSON
            )
        },
    )?;
    for part in ["name", "version"] {
        ensure(
            !s(cs, &format!("/software/{part}")).trim().is_empty(),
            || format!("CapabilityStatement.software.{part} is missing"),
        )?;
    }
    Ok(())
}

/// The statement lists `url` in `profile`, at any `_history` version (the Access Document statement
/// references versioned profiles).
pub fn lists_profile_any_version(cs: &Value, url: &str) -> CheckResult {
    let refs: Vec<&str> = cs
        .get("profile")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("reference").and_then(Value::as_str))
        .collect();
    ensure(
        refs.iter()
            .any(|r| r.split("/_history/").next() == Some(url)),
        || {
            format!("CapabilityStatement.profile does not list {url} (at any version); it lists {refs:?}")
        },
    )
}

/// A GPConnect-Searchset-Bundle-1: type searchset, the profile declared, every entry a resource, no
/// `meta.versionId` or `meta.lastUpdated`.
pub fn searchset_rules(bundle: &Value) -> CheckResult {
    is_of_type(bundle, "searchset")?;
    declares_profile(bundle, profiles::SEARCHSET_BUNDLE)?;
    not_populated(bundle, &["/meta/versionId", "/meta/lastUpdated"])
}

/// Whether `url` is absolute: `http://` or `https://` and a host.
pub fn is_absolute_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or_default();
        !host.is_empty() && r.len() > host.len()
    })
}

/// Every entry has a `fullUrl` (MUST, Access Document Bundle) that is an absolute URL ending in the
/// entry resource's `Type/id`. An empty Bundle fails: there is nothing to judge.
pub fn full_urls_absolute(bundle: &Value) -> CheckResult {
    let list: Vec<&Value> = bundle
        .get("entry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    ensure(!list.is_empty(), || {
        "the Bundle has no entry, so its fullUrls cannot be judged".into()
    })?;
    for (i, e) in list.iter().enumerate() {
        let url = s(e, "/fullUrl");
        let r = e.get("resource").unwrap_or(&Value::Null);
        let tail = format!("/{}", label(r));
        ensure(!url.is_empty(), || {
            format!(
                "Bundle.entry[{i}] ({}) has no fullUrl; it MUST carry an absolute URL",
                label(r)
            )
        })?;
        ensure(is_absolute_url(url) && url.ends_with(&tail), || {
            format!(
                "Bundle.entry[{i}].fullUrl is {url:?}; it MUST be an absolute URL ending in {tail}"
            )
        })?;
    }
    Ok(())
}

/// `Bundle.id` equals the request's Ssp-TraceID.
pub fn bundle_id_is(bundle: &Value, trace_id: &str) -> CheckResult {
    let id = s(bundle, "/id");
    ensure(!trace_id.is_empty() && id == trace_id, || {
        format!("Bundle.id is {id:?}; it must equal the request's Ssp-TraceID {trace_id:?}")
    })
}

/// One DocumentReference as CareConnect-GPC-DocumentReference-1 and the DocumentReference page
/// populate it; `bundle` is where its subject must be.
pub fn document_reference(bundle: &Value, doc: &Value) -> CheckResult {
    let l = label(doc);
    ensure(!s(doc, "/id").is_empty(), || format!("{l} has no id"))?;
    declares_profile(doc, gd::DOCUMENT_REFERENCE_PROFILE).map_err(|e| format!("{l}: {e}"))?;
    let identified = doc
        .get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|i| !s(i, "/system").is_empty() && !s(i, "/value").is_empty());
    ensure(identified, || {
        format!("{l} has no identifier with a system and a value")
    })?;
    ensure(s(doc, "/status") == "current", || {
        format!(
            "{l}.status is {:?}; expected \"current\"",
            s(doc, "/status")
        )
    })?;
    let coded = doc
        .at("/type/coding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| !s(c, "/code").is_empty() && !s(c, "/display").is_empty());
    ensure(coded || !s(doc, "/type/text").is_empty(), || {
        format!("{l}.type has neither a coding with code and display nor text")
    })?;
    let subject = s(doc, "/subject/reference");
    ensure(
        subject.starts_with("Patient/") && resolve(bundle, subject).is_some(),
        || format!("{l}.subject is {subject:?}; it must reference the Patient in the Bundle"),
    )?;
    ensure(!s(doc, "/indexed").is_empty(), || {
        format!("{l}.indexed is missing")
    })?;
    for element in gd::DOCUMENT_REFERENCE_NOT_IN_USE {
        ensure(doc.get(*element).is_none(), || {
            format!("{l}.{element} must not be populated")
        })?;
    }
    let contents: Vec<&Value> = doc
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    ensure(!contents.is_empty(), || format!("{l} has no content"))?;
    for (i, c) in contents.iter().enumerate() {
        let a = c.get("attachment").unwrap_or(&Value::Null);
        let at = format!("{l}.content[{i}].attachment");
        ensure(!s(a, "/contentType").is_empty(), || {
            format!("{at}.contentType is missing")
        })?;
        ensure(a.get("size").and_then(Value::as_u64).is_some(), || {
            format!("{at}.size is missing")
        })?;
        ensure(a.get("data").is_none(), || {
            format!("{at}.data must not be populated (the content is in the Binary)")
        })?;
        let url = s(a, "/url");
        if url.is_empty() {
            ensure(!s(a, "/title").is_empty(), || {
                format!(
                    "{at} has neither a url nor a title saying why the document is not available"
                )
            })?;
        } else {
            ensure(is_absolute_url(url), || {
                format!("{at}.url is {url:?}; it MUST be the full URL of the Binary")
            })?;
        }
    }
    Ok(())
}

/// The answer to a Search for a patient's documents: exactly one Patient (the one with `nhs_number`),
/// the organisation managing the record, the usual GP with a PractitionerRole, every DocumentReference
/// valid and about that Patient, and every reference of the documents resolvable inside the Bundle.
pub fn documents_search(bundle: &Value, nhs_number: &str) -> CheckResult {
    searchset_rules(bundle)?;
    let patients = of_type(bundle, "Patient");
    ensure(patients.len() == 1, || {
        format!(
            "expected one Patient in the Bundle, found {}",
            patients.len()
        )
    })?;
    let p = patients[0];
    let has_nhs = p
        .get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|i| s(i, "/value") == nhs_number);
    ensure(has_nhs, || {
        format!("the Patient in the Bundle does not carry NHS number {nhs_number}")
    })?;
    let managing = s(p, "/managingOrganization/reference");
    ensure(resolve(bundle, managing).is_some(), || {
        format!("Patient.managingOrganization {managing:?} is not in the Bundle")
    })?;
    let gps: Vec<&str> = p
        .get("generalPractitioner")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|g| s(g, "/reference"))
        .collect();
    for gp in &gps {
        ensure(resolve(bundle, gp).is_some(), || {
            format!("Patient.generalPractitioner {gp:?} is not in the Bundle")
        })?;
        if gp.starts_with("Practitioner/") {
            let role = of_type(bundle, "PractitionerRole")
                .into_iter()
                .any(|r| s(r, "/practitioner/reference") == *gp);
            ensure(role, || {
                format!("the usual GP {gp} has no PractitionerRole in the Bundle")
            })?;
        }
    }
    let patient_ref = format!("Patient/{}", s(p, "/id"));
    for d in document_references(bundle) {
        document_reference(bundle, d)?;
        ensure(s(d, "/subject/reference") == patient_ref, || {
            format!(
                "{}.subject is {:?}; the search was for {patient_ref}",
                label(d),
                s(d, "/subject/reference")
            )
        })?;
        let mut refs: Vec<&str> = vec![s(d, "/custodian/reference")];
        refs.extend(
            d.get("author")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|a| s(a, "/reference")),
        );
        for r in refs.into_iter().filter(|r| !r.is_empty()) {
            ensure(resolve(bundle, r).is_some(), || {
                format!(
                    "{} references {r}, which is not in the Bundle (its _include was asked for)",
                    label(d)
                )
            })?;
        }
    }
    Ok(())
}

/// The patient has documents: at least one DocumentReference.
pub fn has_documents(bundle: &Value) -> CheckResult {
    ensure(!document_references(bundle).is_empty(), || {
        "the Bundle holds no DocumentReference, but the patient has documents".into()
    })
}

/// The patient has no documents: no DocumentReference.
pub fn has_no_documents(bundle: &Value) -> CheckResult {
    let docs = document_references(bundle);
    ensure(docs.is_empty(), || {
        format!(
            "the patient has no documents, but the Bundle holds {}",
            docs.iter().map(|d| label(d)).collect::<Vec<_>>().join(", ")
        )
    })
}

/// Only the Organizations associated with the answer are returned: each one is the patient's
/// managing organisation, referenced by the usual GP's PractitionerRole, or a document's author or
/// custodian.
pub fn organisations_associated(bundle: &Value) -> CheckResult {
    let mut referenced: Vec<&str> = Vec::new();
    for p in of_type(bundle, "Patient") {
        referenced.push(s(p, "/managingOrganization/reference"));
        referenced.extend(
            p.get("generalPractitioner")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|g| s(g, "/reference")),
        );
    }
    for r in of_type(bundle, "PractitionerRole") {
        referenced.push(s(r, "/organization/reference"));
    }
    for d in document_references(bundle) {
        referenced.push(s(d, "/custodian/reference"));
        referenced.extend(
            d.get("author")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|a| s(a, "/reference")),
        );
    }
    let stray: Vec<String> = of_type(bundle, "Organization")
        .into_iter()
        .map(label)
        .filter(|l| !referenced.contains(&l.as_str()))
        .collect();
    ensure(stray.is_empty(), || {
        format!(
            "{} are in the Bundle but neither manage the patient's record nor wrote or hold a document returned",
            stray.join(", ")
        )
    })
}

/// Every document over 5 MB is a placeholder: its real size, no URL, a title saying why. Returns how
/// many such documents there are (0: the answer holds none, so the rule could not be tested).
pub fn oversize_placeholders(bundle: &Value) -> Result<usize, String> {
    let mut n = 0;
    for d in document_references(bundle) {
        for a in d
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("attachment"))
        {
            let size = a.get("size").and_then(Value::as_u64).unwrap_or(0);
            if size <= gd::MAX_RETRIEVE_BYTES {
                continue;
            }
            n += 1;
            ensure(a.get("url").is_none(), || {
                format!(
                    "{} is {size} bytes, over the 5 MB Retrieve a document serves, yet carries a url; it must be a placeholder",
                    label(d)
                )
            })?;
            ensure(!s(a, "/title").is_empty(), || {
                format!(
                    "{} is a placeholder without a title saying why the document is not available",
                    label(d)
                )
            })?;
        }
    }
    Ok(n)
}

/// What a filter of the search asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum DocumentFilter {
    Created(Vec<CreatedBound>),
    Author(String),
    Description(String),
}

impl DocumentFilter {
    /// Whether the filter selects `doc` of `unfiltered` (`None`: either answer is right, e.g. a
    /// document dated only partially).
    pub fn selects(&self, unfiltered: &Value, doc: &Value) -> Option<bool> {
        match self {
            DocumentFilter::Created(bounds) => {
                gd::document_date(doc).map(|when| gd::created_admits(bounds, when))
            }
            DocumentFilter::Author(ods) => Some(
                doc.get("author")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|a| resolve(unfiltered, s(a, "/reference")))
                    .any(|o| gd::ods_code_of(o) == Some(ods.as_str())),
            ),
            DocumentFilter::Description(k) => Some(gd::description_matches(k, doc)),
        }
    }
}

/// The filter of a search's query (`created`, `author`, `description`); `None` when it has none.
pub fn filter_of(query: &[(String, String)]) -> Result<Option<DocumentFilter>, String> {
    let values = |name: &str| -> Vec<&str> {
        query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let created = values(gd::param::CREATED);
    if !created.is_empty() {
        return Ok(Some(DocumentFilter::Created(gd::parse_created_bounds(
            &created,
        )?)));
    }
    if let Some(a) = values(gd::param::AUTHOR).first() {
        return Ok(Some(DocumentFilter::Author(gd::parse_author(a)?)));
    }
    Ok(values(gd::param::DESCRIPTION)
        .first()
        .map(|d| DocumentFilter::Description(d.to_string())))
}

/// The documents of `unfiltered` the filter must return, and those it may return or not.
pub fn expected_documents(
    unfiltered: &Value,
    filter: &DocumentFilter,
) -> (Vec<String>, Vec<String>) {
    let mut must = Vec::new();
    let mut may = Vec::new();
    for d in document_references(unfiltered) {
        match filter.selects(unfiltered, d) {
            Some(true) => must.push(identity(d)),
            Some(false) => {}
            None => may.push(identity(d)),
        }
    }
    (must, may)
}

/// The filtered answer holds every document the filter selects and no other (documents either
/// answer suits are left out of the comparison).
pub fn filter_complete(
    unfiltered: &Value,
    filtered: &Value,
    filter: &DocumentFilter,
) -> CheckResult {
    let (must, may) = expected_documents(unfiltered, filter);
    let returned: Vec<String> = document_references(filtered)
        .into_iter()
        .map(identity)
        .collect();
    let missing: Vec<&String> = must.iter().filter(|m| !returned.contains(m)).collect();
    let extra: Vec<&String> = returned
        .iter()
        .filter(|r| !must.contains(r) && !may.contains(r))
        .collect();
    ensure(missing.is_empty() && extra.is_empty(), || {
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!(
                "missing {} the filter selects in the unfiltered answer: {}",
                missing.len(),
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !extra.is_empty() {
            parts.push(format!(
                "{} returned that the filter excludes: {}",
                extra.len(),
                extra
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        format!(
            "the filtered search is not exactly what {filter:?} selects: {}",
            parts.join("; ")
        )
    })
}

/// What a DocumentReference says about the Binary it points to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attachment {
    pub url: String,
    pub content_type: String,
    pub size: u64,
    /// The DocumentReference, for messages.
    pub document: String,
}

/// The attachments of a Bundle's DocumentReferences that carry a URL, in order.
pub fn attachments(bundle: &Value) -> Vec<Attachment> {
    document_references(bundle)
        .into_iter()
        .flat_map(|d| {
            d.get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c.get("attachment"))
                .filter(|a| !s(a, "/url").is_empty())
                .map(|a| Attachment {
                    url: s(a, "/url").to_string(),
                    content_type: s(a, "/contentType").to_string(),
                    size: a.get("size").and_then(Value::as_u64).unwrap_or(0),
                    document: label(d),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every DocumentReference of a Migrate structured record carries the absolute URL of its Binary
/// (MUST, including in an Access Record Structured Bundle). Returns how many (0: none to judge).
pub fn migrate_document_urls(bundle: &Value) -> Result<usize, String> {
    let docs = document_references(bundle);
    for d in &docs {
        document_reference(bundle, d)?;
        let urls: Vec<&str> = d
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| s(c, "/attachment/url"))
            .collect();
        ensure(urls.iter().all(|u| is_absolute_url(u)), || {
            format!(
                "{} in the migrated record has attachment urls {urls:?}; each MUST be the full URL of its Binary",
                label(d)
            )
        })?;
    }
    Ok(docs.len())
}

/// The Binary of a document: the id asked for, `contentType` and base64 `content` (the bytes of the
/// document: as many as the DocumentReference's `size`, of its `contentType`), `meta.versionId`, and no
/// `securityContext`.
pub fn binary(b: &Value, requested_id: &str, expected: Option<&Attachment>) -> CheckResult {
    resource_type_is(b, "Binary")?;
    let id = s(b, "/id");
    ensure(id == requested_id, || {
        format!("Binary.id is {id:?}; the request was for {requested_id:?}")
    })?;
    let content_type = s(b, "/contentType");
    ensure(!content_type.is_empty(), || {
        "Binary.contentType is missing; it is mandatory".into()
    })?;
    ensure(!s(b, "/meta/versionId").is_empty(), || {
        "Binary.meta.versionId is missing; the current version MUST be included".into()
    })?;
    ensure(b.get("securityContext").is_none(), || {
        "Binary.securityContext must not be populated".into()
    })?;
    let content = s(b, "/content");
    ensure(!content.is_empty(), || "Binary.content is missing".into())?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.as_bytes())
        .map_err(|e| format!("Binary.content is not base64: {e}"))?;
    if let Some(a) = expected {
        ensure(content_type == a.content_type, || {
            format!(
                "Binary.contentType is {content_type:?}; {} says {:?}",
                a.document, a.content_type
            )
        })?;
        ensure(bytes.len() as u64 == a.size, || {
            format!(
                "the Binary holds {} bytes; {} says the document is {} bytes",
                bytes.len(),
                a.document,
                a.size
            )
        })?;
    }
    Ok(())
}

/// Confidential documents are not offered to direct care: no document that Migrate with sensitive
/// information labels NOPAT is in the search answer. Returns how many labelled documents were
/// looked for (0: the target labels none, so the rule could not be tested).
pub fn confidential_not_listed(search: &Value, migrated: &Value) -> Result<usize, String> {
    let listed: Vec<String> = document_references(search)
        .into_iter()
        .map(identity)
        .collect();
    let confidential: Vec<String> = document_references(migrated)
        .into_iter()
        .filter(|d| super::structured::has_nopat(d))
        .map(identity)
        .collect();
    let leaked: Vec<&String> = confidential.iter().filter(|c| listed.contains(c)).collect();
    ensure(leaked.is_empty(), || {
        format!(
            "confidential documents (labelled NOPAT in the migrated record) are offered to direct care: {}",
            leaked.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        )
    })?;
    Ok(confidential.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ROOT: &str = "https://p.example/B82617/STU3/1/gpconnect/documents";

    fn doc(id: &str, created: &str, author: &str) -> Value {
        json!({"resourceType": "DocumentReference", "id": id,
            "meta": {"profile": [gd::DOCUMENT_REFERENCE_PROFILE]},
            "identifier": [{"system": "https://x/doc", "value": id}],
            "status": "current",
            "type": {"coding": [{"system": "http://snomed.info/sct", "code": "1", "display": "Letter"}]},
            "subject": {"reference": "Patient/2"},
            "created": created, "indexed": "2024-01-01T00:00:00+00:00",
            "author": [{"reference": author}], "custodian": {"reference": "Organization/1"},
            "description": format!("Letter {id}"),
            "content": [{"attachment": {"contentType": "text/plain", "size": 4, "url": format!("{ROOT}/Binary/b{id}")}}]})
    }

    fn bundle(docs: Vec<Value>) -> Value {
        let mut resources = vec![
            json!({"resourceType": "Patient", "id": "2", "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9690937286"}],
                "managingOrganization": {"reference": "Organization/1"}, "generalPractitioner": [{"reference": "Practitioner/1"}]}),
            json!({"resourceType": "Organization", "id": "1", "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "B82617"}]}),
            json!({"resourceType": "Organization", "id": "2", "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "R1A"}]}),
            json!({"resourceType": "Practitioner", "id": "1"}),
            json!({"resourceType": "PractitionerRole", "id": "pr1", "practitioner": {"reference": "Practitioner/1"}, "organization": {"reference": "Organization/1"}}),
        ];
        resources.extend(docs);
        json!({"resourceType": "Bundle", "id": "t", "type": "searchset",
            "meta": {"profile": [profiles::SEARCHSET_BUNDLE]},
            "entry": resources.into_iter().map(|r| {
                let url = format!("{ROOT}/{}/{}", r["resourceType"].as_str().unwrap(), r["id"].as_str().unwrap());
                json!({"fullUrl": url, "resource": r})
            }).collect::<Vec<_>>()})
    }

    fn sample() -> Value {
        bundle(vec![
            doc("1", "2020-01-01T10:00:00+00:00", "Organization/2"),
            doc("2", "2022-06-01T10:00:00+00:00", "Practitioner/1"),
        ])
    }

    #[test]
    fn the_capability_statement_must_declare_its_fixed_elements() {
        let good = json!({"resourceType": "CapabilityStatement", "status": "active", "kind": "capability",
            "fhirVersion": "3.0.1", "format": ["application/fhir+json"], "software": {"name": "x", "version": "1"},
            "profile": [{"reference": format!("{}/_history/1.3", gd::DOCUMENT_REFERENCE_PROFILE)}]});
        assert!(capability_fixed(&good).is_ok());
        let mut bad = good.clone();
        bad["fhirVersion"] = json!("1.0.2");
        assert_fails!(capability_fixed(&bad), "fhirVersion");
        assert!(lists_profile_any_version(&good, gd::DOCUMENT_REFERENCE_PROFILE).is_ok());
        assert_fails!(
            lists_profile_any_version(&good, profiles::PATIENT),
            "CareConnect-GPC-Patient-1"
        );
    }

    #[test]
    fn a_search_answer_is_judged_whole() {
        let b = sample();
        assert!(searchset_rules(&b).is_ok());
        assert!(full_urls_absolute(&b).is_ok());
        assert!(documents_search(&b, "9690937286").is_ok());
        assert!(has_documents(&b).is_ok());
        assert!(organisations_associated(&b).is_ok());
        assert!(bundle_id_is(&b, "t").is_ok());
        assert_fails!(bundle_id_is(&b, "trace"), "Ssp-TraceID");
        assert_fails!(has_no_documents(&b), "DocumentReference/1");
        assert_fails!(has_documents(&bundle(vec![])), "no DocumentReference");
        assert_fails!(documents_search(&b, "9690937294"), "9690937294");

        let mut relative = b.clone();
        relative["entry"][0]["fullUrl"] = json!("Patient/2");
        assert_fails!(full_urls_absolute(&relative), "absolute URL");
        let mut no_profile = b.clone();
        no_profile["meta"] = json!({});
        assert_fails!(searchset_rules(&no_profile), "meta.profile");
        let mut stray = b.clone();
        stray["entry"][2]["resource"]["id"] = json!("9");
        assert_fails!(organisations_associated(&stray), "Organization/9");
        assert_fails!(documents_search(&stray, "9690937286"), "Organization/2");
    }

    #[test]
    fn a_document_reference_must_be_complete() {
        let b = sample();
        let mut d = doc("1", "2020-01-01T10:00:00+00:00", "Organization/2");
        d["docStatus"] = json!("final");
        assert_fails!(document_reference(&b, &d), "docStatus");
        let mut d = doc("1", "2020-01-01T10:00:00+00:00", "Organization/2");
        d["content"][0]["attachment"]["url"] = json!("Binary/b1");
        assert_fails!(document_reference(&b, &d), "full URL");
        let mut d = doc("1", "2020-01-01T10:00:00+00:00", "Organization/2");
        d["content"][0]["attachment"]
            .as_object_mut()
            .unwrap()
            .remove("url");
        assert_fails!(document_reference(&b, &d), "title");
        let mut d = doc("1", "2020-01-01T10:00:00+00:00", "Organization/2");
        d["subject"] = json!({"reference": "Patient/99"});
        assert_fails!(document_reference(&b, &d), "subject");
    }

    #[test]
    fn oversize_documents_must_be_placeholders() {
        let mut big = doc("3", "2020-01-01T10:00:00+00:00", "Organization/2");
        big["content"][0]["attachment"]["size"] = json!(gd::MAX_RETRIEVE_BYTES + 1);
        assert_fails!(
            oversize_placeholders(&bundle(vec![big.clone()])),
            "placeholder"
        );
        big["content"][0]["attachment"]
            .as_object_mut()
            .unwrap()
            .remove("url");
        assert_fails!(oversize_placeholders(&bundle(vec![big.clone()])), "title");
        big["content"][0]["attachment"]["title"] = json!("too big");
        assert_eq!(oversize_placeholders(&bundle(vec![big])), Ok(1));
        assert_eq!(oversize_placeholders(&sample()), Ok(0));
    }

    #[test]
    fn a_filter_must_return_every_selected_document_and_nothing_else() {
        let all = sample();
        let q = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        let created = filter_of(&q("created", "ge2021-01-01")).unwrap().unwrap();
        let only_2 = bundle(vec![doc(
            "2",
            "2022-06-01T10:00:00+00:00",
            "Practitioner/1",
        )]);
        assert!(filter_complete(&all, &only_2, &created).is_ok());
        assert_fails!(filter_complete(&all, &all, &created), "filter excludes");
        assert_fails!(
            filter_complete(&all, &bundle(vec![]), &created),
            "missing 1"
        );
        let author = filter_of(&q(
            "author",
            "https://fhir.nhs.uk/Id/ods-organization-code|R1A",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(expected_documents(&all, &author).0, vec!["https://x/doc|1"]);
        assert_fails!(filter_complete(&all, &only_2, &author), "missing 1");
        let description = filter_of(&q("description", "letter 2")).unwrap().unwrap();
        assert!(filter_complete(&all, &only_2, &description).is_ok());
        assert_fails!(filter_of(&q("author", "R1A")), "identifier system");
        assert_eq!(filter_of(&q("_format", "json")), Ok(None));
    }

    #[test]
    fn a_binary_must_be_the_document() {
        let a = Attachment {
            url: format!("{ROOT}/Binary/b1"),
            content_type: "text/plain".into(),
            size: 4,
            document: "DocumentReference/1".into(),
        };
        let good = json!({"resourceType": "Binary", "id": "b1", "meta": {"versionId": "1"}, "contentType": "text/plain", "content": "YWJjZA=="});
        assert!(binary(&good, "b1", Some(&a)).is_ok());
        let mut bad = good.clone();
        bad.as_object_mut().unwrap().remove("contentType");
        assert_fails!(binary(&bad, "b1", Some(&a)), "contentType");
        assert_fails!(binary(&good, "b2", None), "b2");
        let mut short = good.clone();
        short["content"] = json!("YWJj");
        assert_fails!(binary(&short, "b1", Some(&a)), "3 bytes");
        let mut garbage = good.clone();
        garbage["content"] = json!("***");
        assert_fails!(binary(&garbage, "b1", None), "not base64");
        assert_eq!(attachments(&sample()).len(), 2);
    }

    #[test]
    fn migrated_documents_carry_absolute_urls_and_confidential_ones_stay_out_of_direct_care() {
        let b = sample();
        assert_eq!(migrate_document_urls(&b), Ok(2));
        let mut relative = b.clone();
        relative["entry"][5]["resource"]["content"][0]["attachment"]["url"] = json!("/Binary/b1");
        assert_fails!(migrate_document_urls(&relative), "full URL");
        let mut labelled = b.clone();
        labelled["entry"][5]["resource"]["meta"]["security"] =
            json!([{"system": "http://hl7.org/fhir/v3/ActCode", "code": "NOPAT"}]);
        assert_fails!(confidential_not_listed(&b, &labelled), "https://x/doc|1");
        assert_eq!(confidential_not_listed(&bundle(vec![]), &labelled), Ok(1));
    }
}
