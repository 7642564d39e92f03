//! Checks on the Access Record Structured collection Bundle (Retrieve a patient's structured record: response Bundle; List; Resources overview: clinical resources): the Bundle itself,
//! reference integrity, the Lists of each clinical area, warnings, and each area's resources.
//!
//! Every check fails on missing evidence rather than passing vacuously (NHS Digital's provider test suite,
//! <https://github.com/nhsconnect/gpconnect-provider-testing>, passes such checks when the evidence is
//! missing): a "valid
//! medications" check with no MedicationStatement at all fails unless the scenario says the area is empty.
//!
//! Retrieve a patient's structured record: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html>
//! List: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html>
//! Resources overview: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_resources_overview.html>
//! Consultations guidance: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_consultation_guidance.html>

use std::collections::HashSet;

use chrono::NaiveDate;
use serde_json::Value;

use super::bundle::{entries, is_of_type, label, not_populated, of_type, resolve, text as s};
use super::resource::declares_profile;
use super::response::resource_type_is;
use super::{ensure, CheckResult};
use crate::fhir::Pointer as _;
use crate::gpconnect::structured::{
    self as gs, list, since, systems as ss, Area, Version, Warning,
};
use crate::gpconnect::systems::{self, profiles, SPINE_ERROR_OR_WARNING_CODE};
use crate::gpconnect::ErrorCode;

/// The Bundle rules (Retrieve a patient's structured record: response Bundle): collection, profile, no versionId/lastUpdated/fullUrl/total/link/signature,
/// `Bundle.id` equal to the trace id where the version requires it.
pub fn bundle_rules(bundle: &Value, trace_id: &str, v: Version) -> CheckResult {
    is_of_type(bundle, "collection")?;
    declares_profile(bundle, profiles::STRUCTURED_RECORD_BUNDLE)?;
    not_populated(
        bundle,
        &[
            "/meta/versionId",
            "/meta/lastUpdated",
            "/total",
            "/link",
            "/signature",
        ],
    )?;
    for (i, e) in bundle
        .get("entry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for forbidden in ["fullUrl", "search", "request", "response"] {
            ensure(e.get(forbidden).is_none(), || {
                format!("Bundle.entry[{i}].{forbidden} must not be populated")
            })?;
        }
    }
    if v >= since::BUNDLE_ID_IS_TRACE_ID {
        bundle_id_is(bundle, trace_id)?;
    }
    Ok(())
}

/// `Bundle.id` equals the request's Ssp-TraceID (1.5.0+).
pub fn bundle_id_is(bundle: &Value, trace_id: &str) -> CheckResult {
    let id = s(bundle, "/id");
    ensure(!trace_id.is_empty() && id == trace_id, || {
        format!("Bundle.id is {id:?}; it must equal the request's Ssp-TraceID {trace_id:?}")
    })
}

/// Exactly one Patient, with the NHS number asked for; the resources it references are in the Bundle,
/// and there is at least one Organization (the registered practice is always present; a Practitioner
/// only when the patient has a usual GP), each base resource declaring `meta.profile` (1..*). Bundle
/// population: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_bundle.html
pub fn patient_and_base(bundle: &Value, nhs_number: &str) -> CheckResult {
    let patients = of_type(bundle, "Patient");
    ensure(patients.len() == 1, || {
        format!(
            "expected one Patient in the Bundle, found {}",
            patients.len()
        )
    })?;
    let p = patients[0];
    let numbers = super::resource::identifier_values(p, systems::NHS_NUMBER);
    ensure(numbers.contains(&nhs_number), || {
        format!("the Patient's NHS numbers are {numbers:?}; expected {nhs_number}")
    })?;
    ensure(!of_type(bundle, "Organization").is_empty(), || {
        "the Bundle holds no Organization (the patient's registered practice is always present)"
            .to_string()
    })?;
    let mut targets: Vec<&str> = p
        .get("generalPractitioner")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| s(r, "/reference"))
        .collect();
    targets.push(s(p, "/managingOrganization/reference"));
    for t in targets.into_iter().filter(|t| !t.is_empty()) {
        ensure(resolve(bundle, t).is_some(), || {
            format!("the Patient references {t}, which is not in the Bundle")
        })?;
    }
    for r in entries(bundle) {
        let ty = s(r, "/resourceType");
        if matches!(
            ty,
            "Patient" | "Organization" | "Practitioner" | "PractitionerRole"
        ) {
            ensure(!s(r, "/id").is_empty(), || {
                format!("a {ty} in the Bundle has no id")
            })?;
            ensure(
                r.at("/meta/profile")
                    .and_then(Value::as_array)
                    .is_some_and(|p| !p.is_empty()),
                || format!("{} must declare its meta.profile (1..*)", label(r)),
            )?;
        }
    }
    Ok(())
}

/// Every `reference` in every entry resolves: `Type/id` to an entry, `#id` to a contained resource of
/// the same entry.
pub fn references_resolve(bundle: &Value) -> CheckResult {
    let mut dangling = Vec::new();
    for r in entries(bundle) {
        let contained: HashSet<&str> = r
            .get("contained")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| s(c, "/id"))
            .collect();
        let mut refs = Vec::new();
        collect_references(r, "", &mut refs);
        for (path, reference) in refs {
            let ok = match reference.strip_prefix('#') {
                Some(id) => contained.contains(id),
                None => resolve(bundle, reference).is_some(),
            };
            if !ok {
                dangling.push(format!("{}{path} -> {reference}", label(r)));
            }
        }
    }
    ensure(dangling.is_empty(), || {
        format!(
            "{} reference(s) do not resolve inside the Bundle: {}",
            dangling.len(),
            dangling.join("; ")
        )
    })
}

fn collect_references<'a>(v: &'a Value, path: &str, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "contained" {
                    continue;
                }
                if k == "reference" {
                    if let Some(r) = x.as_str() {
                        out.push((path.to_string(), r));
                    }
                    continue;
                }
                collect_references(x, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_references(x, path, out)),
        _ => {}
    }
}

/// No two entries share a type and id.
pub fn no_duplicates(bundle: &Value) -> CheckResult {
    let mut seen = HashSet::new();
    for r in entries(bundle) {
        let key = label(r);
        if !s(r, "/id").is_empty() {
            ensure(seen.insert(key.clone()), || {
                format!("{key} appears more than once in the Bundle")
            })?;
        }
    }
    Ok(())
}

/// The query-response Lists (consultation-structure Lists, which have ids, excluded).
pub fn query_lists(bundle: &Value) -> Vec<&Value> {
    of_type(bundle, "List")
        .into_iter()
        .filter(|l| l.get("id").is_none())
        .collect()
}

/// Which List a scenario means.
#[derive(Debug, Clone, PartialEq)]
pub enum ListName {
    Primary(Area),
    EndedAllergies,
    /// A secondary list, by exact title.
    Secondary(String),
}

impl ListName {
    /// `allergies`, `ended allergies`, or the exact title of a secondary list.
    pub fn parse(name: &str) -> ListName {
        if name.eq_ignore_ascii_case("ended allergies") {
            return ListName::EndedAllergies;
        }
        match Area::from_name(name) {
            Some(a) => ListName::Primary(a),
            None => ListName::Secondary(name.to_string()),
        }
    }

    /// The code and title the List must carry.
    pub fn code_and_title(&self, v: Version) -> (String, String) {
        match self {
            ListName::Primary(a) => (a.list_code(v).to_string(), a.spec().list_title.to_string()),
            ListName::EndedAllergies => (
                list::ENDED_ALLERGIES_CODE.to_string(),
                list::ENDED_ALLERGIES_TITLE.to_string(),
            ),
            ListName::Secondary(t) => (list::secondary_code(t), t.clone()),
        }
    }
}

fn list_code(l: &Value) -> &str {
    s(l, "/code/coding/0/code")
}

/// The one List with `name`'s code; its title must match.
pub fn find_list<'a>(bundle: &'a Value, name: &ListName, v: Version) -> Result<&'a Value, String> {
    let (code, title) = name.code_and_title(v);
    let found: Vec<&Value> = query_lists(bundle)
        .into_iter()
        .filter(|l| list_code(l) == code)
        .collect();
    let l = match found.as_slice() {
        [one] => *one,
        [] => {
            let present: Vec<String> = query_lists(bundle)
                .iter()
                .map(|l| format!("{:?} ({})", s(l, "/title"), list_code(l)))
                .collect();
            return Err(format!(
                "no List with code {code} (\"{title}\") in the Bundle; Lists present: {present:?}"
            ));
        }
        many => {
            return Err(format!(
                "{} Lists carry the code {code}; expected one",
                many.len()
            ))
        }
    };
    ensure(s(l, "/title") == title, || {
        format!(
            "the List with code {code} is titled {:?}; expected {title:?}",
            s(l, "/title")
        )
    })?;
    Ok(l)
}

/// No List with `name`'s code.
pub fn no_list(bundle: &Value, name: &ListName, v: Version) -> CheckResult {
    let (code, title) = name.code_and_title(v);
    ensure(
        !query_lists(bundle).iter().any(|l| list_code(l) == code),
        || format!("the Bundle holds a {title:?} List ({code}); none was expected"),
    )
}

/// The rules of a query-response List (List: query-response Lists).
pub fn list_rules(bundle: &Value, l: &Value, v: Version) -> CheckResult {
    let t = s(l, "/title");
    let at = |m: String| format!("List {t:?}: {m}");
    declares_profile(l, gs::profiles::LIST).map_err(&at)?;

    for forbidden in ["/id", "/meta/versionId", "/meta/lastUpdated"] {
        ensure(l.at(forbidden).is_none(), || {
            at(format!("{} must not be populated", &forbidden[1..]))
        })?;
    }
    if v >= since::MIGRATE {
        ensure(l.get("source").is_none(), || {
            at("source must not be populated from 1.6.0".into())
        })?;
    }
    ensure(s(l, "/status") == "current", || {
        at(format!("status is {:?}; expected current", s(l, "/status")))
    })?;
    ensure(s(l, "/mode") == "snapshot", || {
        at(format!("mode is {:?}; expected snapshot", s(l, "/mode")))
    })?;
    ensure(!t.is_empty(), || at("title is missing".into()))?;
    let subject = s(l, "/subject/reference");
    ensure(
        resolve(bundle, subject).is_some_and(|p| s(p, "/resourceType") == "Patient"),
        || {
            at(format!(
                "subject {subject:?} is not the Patient in the Bundle"
            ))
        },
    )?;
    let entries = l
        .get("entry")
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    if entries == 0 {
        ensure(
            s(l, "/emptyReason/coding/0/code") == list::EMPTY_REASON_CODE
                && s(l, "/emptyReason/coding/0/system") == list::EMPTY_REASON_SYSTEM,
            || {
                at(format!(
                    "an empty List must carry emptyReason {}|{}",
                    list::EMPTY_REASON_SYSTEM,
                    list::EMPTY_REASON_CODE
                ))
            },
        )?;
        ensure(notes(l).contains(&list::EMPTY_NOTE), || {
            at(format!(
                "an empty List must carry the note {:?}",
                list::EMPTY_NOTE
            ))
        })?;
    } else {
        ensure(l.get("emptyReason").is_none(), || {
            at("emptyReason is populated on a List with entries".into())
        })?;
    }
    Ok(())
}

fn notes(l: &Value) -> Vec<&str> {
    l.get("note")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|n| n.get("text").and_then(Value::as_str))
        .collect()
}

/// The List is empty (no entries) with its empty reason.
pub fn list_is_empty(l: &Value) -> CheckResult {
    let n = l
        .get("entry")
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    ensure(n == 0, || {
        format!("List {:?} has {n} entries; expected none", s(l, "/title"))
    })?;
    ensure(
        s(l, "/emptyReason/coding/0/code") == list::EMPTY_REASON_CODE,
        || {
            format!(
                "List {:?} is empty without the {} emptyReason",
                s(l, "/title"),
                list::EMPTY_REASON_CODE
            )
        },
    )
}

/// The List's entry items (references).
pub fn list_items(l: &Value) -> Vec<&str> {
    l.get("entry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| s(e, "/item/reference"))
        .collect()
}

/// The List carries `warning` in the warning-code extension and its note text.
pub fn has_warning(l: &Value, warning: Warning, v: Version) -> CheckResult {
    let codes: Vec<&str> = l
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|e| s(e, "/url") == list::WARNING_CODE_EXTENSION)
        .filter_map(|e| e.get("valueCode").and_then(Value::as_str))
        .collect();
    ensure(codes.contains(&warning.code()), || {
        format!(
            "List {:?} has warning codes {codes:?}; expected {}",
            s(l, "/title"),
            warning.code()
        )
    })?;
    let re = regex::Regex::new(&warning.note_pattern(v)).map_err(|e| e.to_string())?;
    ensure(notes(l).iter().any(|n| re.is_match(n)), || {
        format!(
            "List {:?} lacks the {} note {:?}; notes: {:?}",
            s(l, "/title"),
            warning.code(),
            warning.note(v, "dd-Mmm-yyyy"),
            notes(l)
        )
    })
}

/// The one OperationOutcome holds one NOT_IMPLEMENTED warning per name, and no other issue.
pub fn unrecognised_warnings(bundle: &Value, names: &[&str]) -> CheckResult {
    let outcomes = of_type(bundle, "OperationOutcome");
    ensure(outcomes.len() == 1, || {
        format!(
            "expected one OperationOutcome in the Bundle, found {}",
            outcomes.len()
        )
    })?;
    let issues: Vec<&Value> = outcomes[0]
        .get("issue")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    ensure(issues.len() == names.len(), || {
        format!(
            "the OperationOutcome has {} issues; expected {} ({names:?})",
            issues.len(),
            names.len()
        )
    })?;
    for n in names {
        let issue = issues
            .iter()
            .find(|i| s(i, "/diagnostics") == *n)
            .ok_or_else(|| format!("no OperationOutcome issue has diagnostics {n:?}"))?;
        let code = ErrorCode::NotImplemented;
        ensure(
            s(issue, "/severity") == "warning" && s(issue, "/code") == code.issue_type(),
            || {
                format!(
                    "the issue for {n} must be severity warning, code {}",
                    code.issue_type()
                )
            },
        )?;
        ensure(
            s(issue, "/details/coding/0/system") == SPINE_ERROR_OR_WARNING_CODE
                && s(issue, "/details/coding/0/code") == code.code()
                && s(issue, "/details/coding/0/display") == code.display(),
            || {
                format!(
                    "the issue for {n} must be coded {SPINE_ERROR_OR_WARNING_CODE}|{code} {:?}",
                    code.display()
                )
            },
        )?;
        let text = gs::warning_text::unrecognised(n);
        ensure(s(issue, "/details/text").contains(&text), || {
            format!(
                "the issue for {n} has details.text {:?}; expected {text:?}",
                s(issue, "/details/text")
            )
        })?;
    }
    Ok(())
}

/// id, meta.profile, identifier (system + value), no versionId/lastUpdated, and `required` elements
/// present, `not_in_use` absent.
fn clinical_common(r: &Value, profile: &str, required: &[&str]) -> CheckResult {
    let at = label(r);
    ensure(!s(r, "/id").is_empty(), || {
        format!("a {} has no id", s(r, "/resourceType"))
    })?;
    declares_profile(r, profile).map_err(|e| format!("{at}: {e}"))?;
    for forbidden in ["/meta/versionId", "/meta/lastUpdated"] {
        ensure(r.at(forbidden).is_none(), || {
            format!("{at} {} must not be populated", &forbidden[1..])
        })?;
    }
    // STU3 Medication has no identifier element; every other clinical resource must carry one.
    if s(r, "/resourceType") != "Medication" {
        let ids = r
            .get("identifier")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| format!("{at} has no identifier"))?;
        ensure(
            ids.iter()
                .all(|i| !s(i, "/system").is_empty() && !s(i, "/value").is_empty()),
            || format!("{at} has an identifier without system or value"),
        )?;
    }
    for e in required {
        let present = r
            .at(&format!("/{}", e.replace('.', "/")))
            .is_some_and(|v| !v.is_null());
        ensure(present, || format!("{at} must populate {e}"))?;
    }
    for e in gs::not_in_use(s(r, "/resourceType")) {
        let path = format!("/{}", e.replace('.', "/"));
        let present = r.at(&path).is_some()
            || e.split('.').next().is_some_and(|head| {
                e.contains('.')
                    && r.get(head).and_then(Value::as_array).is_some_and(|a| {
                        a.iter()
                            .any(|x| x.at(&format!("/{}", &e[head.len() + 1..])).is_some())
                    })
            });
        ensure(!present, || {
            format!("{at} populates {e}, which is not in use")
        })?;
    }
    Ok(())
}

fn refers_to(bundle: &Value, r: &Value, ptr: &str, ty: &str) -> CheckResult {
    let reference = s(r, ptr);
    ensure(
        reference.starts_with(&format!("{ty}/")) && resolve(bundle, reference).is_some(),
        || {
            format!(
                "{}{} is {reference:?}; it must reference a {ty} in the Bundle",
                label(r),
                ptr.replace('/', ".")
            )
        },
    )
}

fn coded(r: &Value, ptr: &str) -> CheckResult {
    let codings = r
        .at(&format!("{ptr}/coding"))
        .and_then(Value::as_array)
        .filter(|c| !c.is_empty());
    let codings =
        codings.ok_or_else(|| format!("{}{} has no coding", label(r), ptr.replace('/', ".")))?;
    ensure(
        codings
            .iter()
            .all(|c| !s(c, "/system").is_empty() && !s(c, "/code").is_empty()),
        || {
            format!(
                "{}{} has a coding without system or code",
                label(r),
                ptr.replace('/', ".")
            )
        },
    )
}

/// One AllergyIntolerance (Resources overview: clinical resources).
pub fn allergy(bundle: &Value, r: &Value) -> CheckResult {
    clinical_common(
        r,
        gs::profiles::ALLERGY_INTOLERANCE,
        &[
            "clinicalStatus",
            "verificationStatus",
            "category",
            "code",
            "assertedDate",
            "recorder",
        ],
    )?;
    let at = label(r);
    ensure(s(r, "/verificationStatus") == "unconfirmed", || {
        format!(
            "{at} verificationStatus is {:?}; it is fixed to unconfirmed",
            s(r, "/verificationStatus")
        )
    })?;
    let status = s(r, "/clinicalStatus");
    ensure(matches!(status, "active" | "resolved"), || {
        format!("{at} clinicalStatus is {status:?}; expected active or resolved")
    })?;
    for c in r
        .get("category")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let c = c.as_str().unwrap_or_default();
        ensure(matches!(c, "medication" | "environment"), || {
            format!("{at} category {c:?}: only medication or environment are used")
        })?;
    }
    coded(r, "/code")?;
    refers_to(bundle, r, "/patient/reference", "Patient")?;
    refers_to(bundle, r, "/recorder/reference", "Practitioner")?;
    if status == "resolved" {
        let end = r
            .get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|e| s(e, "/url") == ss::ALLERGY_END_EXTENSION);
        let end =
            end.ok_or_else(|| format!("{at} is resolved without the allergyEnd extension"))?;
        let parts: Vec<&str> = end
            .get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| s(e, "/url"))
            .collect();
        ensure(
            parts.contains(&"endDate") && parts.contains(&"reasonEnded"),
            || format!("{at} allergyEnd must carry endDate and reasonEnded, has {parts:?}"),
        )?;
    }
    Ok(())
}

/// The `reasonEnded` texts of the resolved allergies contained in the "Ended allergies" List, one per
/// allergy (empty text when the allergyEnd extension or its reason is missing).
pub fn ended_allergy_reasons(bundle: &Value, v: Version) -> Result<Vec<String>, String> {
    let l = find_list(bundle, &ListName::EndedAllergies, v)?;
    Ok(l.get("contained")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| s(r, "/resourceType") == "AllergyIntolerance")
        .map(|r| {
            r.get("extension")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|e| s(e, "/url") == ss::ALLERGY_END_EXTENSION)
                .flat_map(|e| {
                    e.get("extension")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                })
                .find(|p| s(p, "/url") == "reasonEnded")
                .map(|p| s(p, "/valueString").to_string())
                .unwrap_or_default()
        })
        .collect())
}

/// One of the ended allergies carries `expected` as its end reason (the text a legacy record without a
/// reason must be given). `reasons` are those of [`ended_allergy_reasons`], which must not be empty.
pub fn some_end_reason_is(reasons: &[String], expected: &str) -> CheckResult {
    ensure(reasons.iter().any(|r| r == expected), || {
        format!("no ended allergy has the end reason {expected:?}; their reasons are {reasons:?}")
    })
}

/// The allergy area: the active List's entries are active AllergyIntolerances, valid; resolved
/// allergies only contained in the "Ended allergies" List, and only when asked for.
pub fn allergies(bundle: &Value, resolved_asked: bool, v: Version) -> CheckResult {
    let active = find_list(bundle, &ListName::Primary(Area::Allergies), v)?;
    list_rules(bundle, active, v)?;
    for item in list_items(active) {
        let r = resolve(bundle, item).ok_or_else(|| {
            format!("the allergies List holds {item}, which is not in the Bundle")
        })?;
        resource_type_is(r, "AllergyIntolerance")?;
    }
    for r in of_type(bundle, "AllergyIntolerance") {
        allergy(bundle, r)?;
        ensure(s(r, "/clinicalStatus") == "active", || {
            format!(
                "{} is resolved; resolved allergies are only contained in the Ended allergies List",
                label(r)
            )
        })?;
    }
    let ended = ListName::EndedAllergies;
    if !resolved_asked {
        return no_list(bundle, &ended, v);
    }
    let l = find_list(bundle, &ended, v)?;
    list_rules(bundle, l, v)?;
    let contained: Vec<&Value> = l
        .get("contained")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    for item in list_items(l) {
        let id = item.strip_prefix('#').ok_or_else(|| format!("the Ended allergies List entry {item:?} must reference a contained AllergyIntolerance (#id)"))?;
        let r = contained
            .iter()
            .find(|c| s(c, "/id") == id)
            .ok_or_else(|| format!("the Ended allergies List has no contained resource {id}"))?;
        allergy(bundle, r)?;
        ensure(s(r, "/clinicalStatus") == "resolved", || {
            format!("contained {} in Ended allergies is not resolved", label(r))
        })?;
    }
    Ok(())
}

/// The medications area (Retrieve a patient's structured record: response per clinical area, Resources overview: clinical resources): List → MedicationStatement → plan MedicationRequest → Medication,
/// issues only when asked, the date filter honoured.
pub fn medications(
    bundle: &Value,
    issues_asked: bool,
    from: Option<NaiveDate>,
    v: Version,
) -> CheckResult {
    let l = find_list(bundle, &ListName::Primary(Area::Medication), v)?;
    list_rules(bundle, l, v)?;
    let statements = of_type(bundle, "MedicationStatement");
    for item in list_items(l) {
        let r = resolve(bundle, item).ok_or_else(|| {
            format!("the medications List holds {item}, which is not in the Bundle")
        })?;
        resource_type_is(r, "MedicationStatement")?;
    }
    for ms in &statements {
        clinical_common(
            ms,
            gs::profiles::MEDICATION_STATEMENT,
            &[
                "basedOn",
                "status",
                "medicationReference",
                "effectivePeriod.start",
                "dateAsserted",
                "subject",
                "taken",
                "dosage",
            ],
        )?;
        let at = label(ms);
        ensure(
            ms.get("extension")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|e| s(e, "/url") == ss::PRESCRIBING_AGENCY_EXTENSION),
            || format!("{at} lacks the prescribingAgency extension"),
        )?;
        ensure(!s(ms, "/dosage/0/text").is_empty(), || {
            format!("{at} dosage.text is missing")
        })?;
        ensure(
            matches!(s(ms, "/status"), "active" | "completed" | "stopped"),
            || {
                format!(
                    "{at} status {:?} is not active/completed/stopped",
                    s(ms, "/status")
                )
            },
        )?;
        refers_to(bundle, ms, "/medicationReference/reference", "Medication")?;
        refers_to(bundle, ms, "/basedOn/0/reference", "MedicationRequest")?;
        let plan = resolve(bundle, s(ms, "/basedOn/0/reference")).unwrap_or(&Value::Null);
        ensure(s(plan, "/intent") == "plan", || {
            format!(
                "{at} basedOn {} whose intent is {:?}; expected plan",
                label(plan),
                s(plan, "/intent")
            )
        })?;
        if let Some(from) = from {
            let elsewhere = ms
                .get("extension")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|e| {
                    s(e, "/valueCodeableConcept/coding/0/code")
                        == "prescribed-by-another-organisation"
                });
            if !(elsewhere && v >= since::MIGRATE) {
                active_from(ms, plan, from)?;
            }
        }
    }
    let requests = of_type(bundle, "MedicationRequest");
    for mr in &requests {
        clinical_common(
            mr,
            gs::profiles::MEDICATION_REQUEST,
            &[
                "status",
                "intent",
                "medicationReference",
                "subject",
                "authoredOn",
                "recorder",
                "dosageInstruction",
                "dispenseRequest.validityPeriod.start",
            ],
        )?;
        let at = label(mr);
        ensure(!s(mr, "/dosageInstruction/0/text").is_empty(), || {
            format!("{at} dosageInstruction.text is missing")
        })?;
        refers_to(bundle, mr, "/medicationReference/reference", "Medication")?;
        refers_to(bundle, mr, "/recorder/reference", "Practitioner")?;
        match s(mr, "/intent") {
            "plan" => ensure(
                mr.get("extension")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .any(|e| s(e, "/url") == ss::REPEAT_INFORMATION_EXTENSION),
                || format!("{at} (plan) lacks the repeatInformation extension"),
            )?,
            "order" => {
                ensure(issues_asked, || {
                    format!("{at} is a prescription issue (intent order); includePrescriptionIssues was false")
                })?;
                refers_to(bundle, mr, "/basedOn/0/reference", "MedicationRequest")?;
            }
            other => return Err(format!("{at} intent is {other:?}; expected plan or order")),
        }
    }
    for plan in requests.iter().filter(|r| s(r, "/intent") == "plan") {
        let acute = plan
            .get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|e| s(e, "/valueCodeableConcept/coding/0/code") == "acute");
        let orders = requests
            .iter()
            .filter(|r| {
                s(r, "/intent") == "order"
                    && s(r, "/basedOn/0/reference")
                        == format!("MedicationRequest/{}", s(plan, "/id"))
            })
            .count();
        ensure(!acute || orders <= 1, || {
            format!(
                "{} is an acute prescription with {orders} issues; only one order is allowed",
                label(plan)
            )
        })?;
    }
    for m in of_type(bundle, "Medication") {
        clinical_common(m, gs::profiles::MEDICATION, &["code"])?;
        coded(m, "/code")?;
    }
    Ok(())
}

fn date_of(v: &str) -> Option<NaiveDate> {
    v.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// A MedicationStatement is active on or after `from` (acute without end: only on its start date).
fn active_from(ms: &Value, plan: &Value, from: NaiveDate) -> CheckResult {
    let start = date_of(s(ms, "/effectivePeriod/start"));
    let end = date_of(s(ms, "/effectivePeriod/end"));
    let acute = plan
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|e| s(e, "/valueCodeableConcept/coding/0/code") == "acute");
    let ok = match end {
        Some(e) => e >= from,
        None if acute => start.is_some_and(|st| st >= from),
        None => true,
    };
    ensure(ok, || {
        format!("{} (effective {:?} to {:?}) is not active on or after the medicationSearchFromDate {from}", label(ms), start, end)
    })
}

/// Every ProblemHeader Condition (Resources overview: clinical resources).
pub fn problems(bundle: &Value) -> CheckResult {
    let conditions = of_type(bundle, "Condition");
    for c in conditions {
        clinical_common(
            c,
            gs::profiles::PROBLEM_HEADER,
            &[
                "clinicalStatus",
                "category",
                "code",
                "subject",
                "assertedDate",
                "asserter",
            ],
        )?;
        let at = label(c);
        ensure(
            matches!(s(c, "/clinicalStatus"), "active" | "inactive"),
            || {
                format!(
                    "{at} clinicalStatus {:?}; expected active or inactive",
                    s(c, "/clinicalStatus")
                )
            },
        )?;
        ensure(
            s(c, "/category/0/coding/0/code") == "problem-list-item",
            || format!("{at} category must be problem-list-item"),
        )?;
        let sig = c
            .get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|e| s(e, "/url") == ss::PROBLEM_SIGNIFICANCE_EXTENSION);
        ensure(
            sig.is_some_and(|e| matches!(s(e, "/valueCode"), "major" | "minor")),
            || format!("{at} lacks the problemSignificance extension (major/minor)"),
        )?;
        coded(c, "/code")?;
    }
    Ok(())
}

/// The problems the primary Problems List holds.
pub fn primary_problems(bundle: &Value, v: Version) -> Result<Vec<&Value>, String> {
    let l = find_list(bundle, &ListName::Primary(Area::Problems), v)?;
    list_items(l)
        .into_iter()
        .map(|i| {
            resolve(bundle, i)
                .ok_or_else(|| format!("the Problems List holds {i}, which is not in the Bundle"))
        })
        .collect()
}

/// A Condition links to a `ty` resource in the Bundle: through relatedClinicalContent, or (for `ty`
/// Condition) through the relatedProblemHeader target.
pub fn problem_linked_to(bundle: &Value, ty: &str) -> CheckResult {
    let prefix = format!("{ty}/");
    let linked = of_type(bundle, "Condition").into_iter().any(|c| {
        c.get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|e| {
                let target = match s(e, "/url") {
                    u if u == ss::RELATED_CLINICAL_CONTENT_EXTENSION => {
                        s(e, "/valueReference/reference")
                    }
                    u if u == list::RELATED_PROBLEM_HEADER_EXTENSION => e
                        .get("extension")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .find(|x| s(x, "/url") == "target")
                        .map(|x| s(x, "/valueReference/reference"))
                        .unwrap_or_default(),
                    _ => "",
                };
                target.starts_with(&prefix) && resolve(bundle, target).is_some()
            })
    });
    ensure(linked, || {
        format!("no problem (Condition) in the Bundle is linked to a {ty} in it")
    })
}

/// Encounters and their Consultation → Topic → Category Lists (Consultations guidance: consultation Lists).
pub fn consultations(bundle: &Value, v: Version) -> CheckResult {
    let l = find_list(bundle, &ListName::Primary(Area::Consultations), v)?;
    list_rules(bundle, l, v)?;
    let structure: Vec<&Value> = of_type(bundle, "List")
        .into_iter()
        .filter(|l| l.get("id").is_some())
        .collect();
    for item in list_items(l) {
        let e = resolve(bundle, item).ok_or_else(|| {
            format!("the consultations List holds {item}, which is not in the Bundle")
        })?;
        resource_type_is(e, "Encounter")?;
        clinical_common(
            e,
            gs::profiles::ENCOUNTER,
            &["status", "type", "subject", "participant", "period.start"],
        )?;
        ensure(
            s(e, "/participant/0/type/0/coding/0/code") == "REC"
                || s(e, "/participant/0/type/0/coding/0/code") == "AUTH",
            || format!("{} participant type must be REC (or AUTH)", label(e)),
        )?;
        let consultation = structure.iter().find(|c| {
            s(c, "/encounter/reference") == item && list_code(c) == list::CONSULTATION_CODE
        });
        let consultation = consultation.ok_or_else(|| {
            format!(
                "{item} has no Consultation List ({}) referencing it",
                list::CONSULTATION_CODE
            )
        })?;
        for topic_ref in list_items(consultation) {
            let topic = resolve(bundle, topic_ref).ok_or_else(|| {
                format!("Consultation List entry {topic_ref} is not in the Bundle")
            })?;
            ensure(list_code(topic) == list::TOPIC_CODE, || {
                format!(
                    "{topic_ref} held by a Consultation List is not a Topic List ({})",
                    list::TOPIC_CODE
                )
            })?;
            for h in list_items(topic) {
                let heading = resolve(bundle, h)
                    .ok_or_else(|| format!("Topic entry {h} is not in the Bundle"))?;
                if s(heading, "/resourceType") == "List" {
                    ensure(list_code(heading) == list::CATEGORY_CODE, || {
                        format!(
                            "{h} held by a Topic List is not a Category List ({})",
                            list::CATEGORY_CODE
                        )
                    })?;
                }
            }
        }
    }
    for sl in structure {
        let at = label(sl);
        for e in ["encounter", "date", "orderedBy", "entry", "subject"] {
            ensure(sl.get(e).is_some(), || {
                format!("consultation-structure {at} must populate {e}")
            })?;
        }
        ensure(
            s(sl, "/status") == "current" && s(sl, "/mode") == "snapshot",
            || format!("{at} must be current/snapshot"),
        )?;
        for forbidden in ["identifier", "source", "note"] {
            ensure(sl.get(forbidden).is_none(), || {
                format!("consultation-structure {at} must not populate {forbidden}")
            })?;
        }
    }
    Ok(())
}

/// The Encounters returned.
pub fn encounter_starts(bundle: &Value) -> Vec<Option<NaiveDate>> {
    of_type(bundle, "Encounter")
        .into_iter()
        .map(|e| date_of(s(e, "/period/start")))
        .collect()
}

pub fn immunisations(bundle: &Value, not_given_asked: bool) -> CheckResult {
    for r in of_type(bundle, "Immunization") {
        clinical_common(
            r,
            gs::profiles::IMMUNIZATION,
            &[
                "status",
                "notGiven",
                "vaccineCode",
                "patient",
                "primarySource",
            ],
        )?;
        let at = label(r);
        ensure(s(r, "/status") == "completed", || {
            format!("{at} status must be completed")
        })?;
        let urls: Vec<&str> = r
            .get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| s(e, "/url"))
            .collect();
        for u in [
            ss::DATE_RECORDED_EXTENSION,
            ss::VACCINATION_PROCEDURE_EXTENSION,
        ] {
            ensure(urls.contains(&u), || {
                format!("{at} lacks the extension {u}")
            })?;
        }
        let not_given = r.get("notGiven").and_then(Value::as_bool).unwrap_or(false);
        ensure(!not_given || not_given_asked, || {
            format!("{at} was not given; includeNotGiven was not true")
        })?;
        if not_given {
            ensure(r.get("vaccinationProtocol").is_none(), || {
                format!("{at} was not given but has a vaccinationProtocol")
            })?;
            ensure(r.at("/explanation/reason").is_none(), || {
                format!("{at} was not given but has explanation.reason")
            })?;
        } else {
            ensure(r.at("/explanation/reasonNotGiven").is_none(), || {
                format!("{at} was given but has explanation.reasonNotGiven")
            })?;
        }
        refers_to(bundle, r, "/patient/reference", "Patient")?;
    }
    Ok(())
}

/// Observations (uncategorised and investigation results).
pub fn observations(bundle: &Value) -> CheckResult {
    for r in of_type(bundle, "Observation") {
        clinical_common(
            r,
            gs::profiles::OBSERVATION,
            &["status", "code", "subject", "issued"],
        )?;
        coded(r, "/code")?;
    }
    Ok(())
}

/// The dates of the resources a List holds (`effectiveDateTime`, `issued`, `authoredOn`,
/// `occurrenceDateTime`).
pub fn item_dates<'a>(
    bundle: &'a Value,
    l: &'a Value,
    element: &str,
) -> Vec<(String, Option<NaiveDate>)> {
    list_items(l)
        .into_iter()
        .filter_map(|i| resolve(bundle, i))
        .map(|r| (label(r), date_of(s(r, &format!("/{element}")))))
        .collect()
}

pub fn investigations(bundle: &Value) -> CheckResult {
    for r in of_type(bundle, "DiagnosticReport") {
        clinical_common(
            r,
            gs::profiles::DIAGNOSTIC_REPORT,
            &["status", "code", "subject", "issued"],
        )?;
        for res in r
            .get("result")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            ensure(resolve(bundle, s(res, "/reference")).is_some(), || {
                format!(
                    "{} result {} is not in the Bundle",
                    label(r),
                    s(res, "/reference")
                )
            })?;
        }
    }
    for r in of_type(bundle, "Specimen") {
        clinical_common(r, gs::profiles::SPECIMEN, &["subject"])?;
    }
    observations(bundle)
}

pub fn referrals(bundle: &Value) -> CheckResult {
    for r in of_type(bundle, "ReferralRequest") {
        clinical_common(
            r,
            gs::profiles::REFERRAL_REQUEST,
            &["status", "intent", "subject", "reasonCode"],
        )?;
        let at = label(r);
        ensure(s(r, "/intent") == "order", || {
            format!("{at} intent must be order")
        })?;
        ensure(s(r, "/status") != "entered-in-error", || {
            format!("{at} was entered in error and must not be returned")
        })?;
        ensure(
            r.get("serviceRequested").is_none() && r.get("specialty").is_none(),
            || format!("{at} main code belongs in reasonCode, not serviceRequested/specialty"),
        )?;
        if r.at("/requester/agent").is_some() {
            ensure(
                resolve(bundle, s(r, "/requester/agent/reference")).is_some(),
                || format!("{at} requester.agent is not in the Bundle"),
            )?;
        }
    }
    Ok(())
}

pub fn diary(bundle: &Value, v: Version) -> CheckResult {
    let l = find_list(bundle, &ListName::Primary(Area::Diary), v)?;
    for i in list_items(l) {
        let r = resolve(bundle, i)
            .ok_or_else(|| format!("the diary List holds {i}, which is not in the Bundle"))?;
        clinical_common(
            r,
            gs::profiles::PROCEDURE_REQUEST,
            &[
                "status",
                "intent",
                "code",
                "subject",
                "authoredOn",
                "requester.agent",
            ],
        )?;
        ensure(s(r, "/status") == "active", || {
            format!(
                "{} status {:?}: only incomplete (active) diary entries are returned",
                label(r),
                s(r, "/status")
            )
        })?;
    }
    Ok(())
}

/// Some resource carries the NOPAT security label (migrate with sensitive information, 1.6.2).
pub fn has_nopat_label(bundle: &Value) -> CheckResult {
    let labelled = entries(bundle).into_iter().any(|r| {
        r.at("/meta/security")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|c| s(c, "/code") == ss::NOPAT && s(c, "/system") == ss::ACT_CODE_SYSTEM)
    });
    ensure(labelled, || {
        "no resource in the Bundle carries the NOPAT security label".to_string()
    })
}

/// Resource types that are not clinical items (the patient, the people and places, the Lists, warnings).
const NOT_CLINICAL: &[&str] = &[
    "Patient",
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "Location",
    "HealthcareService",
    "List",
    "OperationOutcome",
];

/// Every clinical item of a Bundle: entry resources and the resources contained in Lists (ended
/// allergies are contained in their List), excluding the patient, people, places, Lists and warnings.
pub fn clinical_items(bundle: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for r in entries(bundle) {
        if s(r, "/resourceType") == "List" {
            out.extend(
                r.get("contained")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            );
        } else if !NOT_CLINICAL.contains(&s(r, "/resourceType")) {
            out.push(r);
        }
    }
    out
}

/// A clinical item's business identity: its `system|value` identifiers, which are globally unique and
/// persistent across requests (GP Connect 1.6.0, Access Record Structured, "Resource identifiers"), so the same item can be found in two responses.
fn identity(r: &Value) -> Vec<String> {
    r.get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|i| format!("{}|{}", s(i, "/system"), s(i, "/value")))
        .filter(|k| k != "|")
        .collect()
}

fn item_label(r: &Value) -> String {
    let ids = identity(r);
    match ids.first() {
        Some(i) => format!("{} {i}", s(r, "/resourceType")),
        None => label(r),
    }
}

/// Whether a resource carries the NOPAT security label (GP Connect 1.6.0, "Migrate patient record", security labels).
pub fn has_nopat(r: &Value) -> bool {
    r.at("/meta/security")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| s(c, "/code") == ss::NOPAT && s(c, "/system") == ss::ACT_CODE_SYSTEM)
}

/// The clinical items (with an identifier) of `full` that appear nowhere in `view`.
pub fn withheld_items<'a>(full: &'a Value, view: &Value) -> Vec<&'a Value> {
    let shown: HashSet<String> = clinical_items(view)
        .into_iter()
        .flat_map(identity)
        .collect();
    clinical_items(full)
        .into_iter()
        .filter(|r| {
            let ids = identity(r);
            !ids.is_empty() && !ids.iter().any(|i| shown.contains(i))
        })
        .collect()
}

/// Migrate with sensitive information (STR-MIG-03): every item that the same migrate without sensitive
/// information withheld is an item the NOPAT label applies to, and Migrate MUST label every applicable
/// resource, not just one (Security labels:
/// https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_migrate_patient_record.html).
/// Returns how many withheld items were checked; 0 means the target withheld nothing, so the rule could
/// not be tested.
pub fn withheld_items_labelled(sensitive: &Value, non_sensitive: &Value) -> Result<usize, String> {
    let withheld = withheld_items(sensitive, non_sensitive);
    let unlabelled: Vec<String> = withheld
        .iter()
        .filter(|r| !has_nopat(r))
        .map(|r| item_label(r))
        .collect();
    ensure(unlabelled.is_empty(), || {
        format!(
            "{} of the {} items withheld without sensitive information carry no NOPAT security label: {}",
            unlabelled.len(),
            withheld.len(),
            unlabelled.join(", ")
        )
    })?;
    Ok(withheld.len())
}

/// The confidential items were withheld (STR-ALG-07, STR-MED-08, STR-UNC-06, STR-REF-04, STR-MIG-02):
/// the items of `types` that the non-withheld view `full` (Migrate with sensitive information, where
/// confidential items are returned with the NOPAT label) marks confidential must not appear in `view`.
/// A `confidential-items` warning with the item still present is a false warning and a leak (Lists,
/// warning codes: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html).
/// Returns how many confidential items were checked; 0 means the full view labels none of that type.
pub fn confidential_withheld(view: &Value, full: &Value, types: &[&str]) -> Result<usize, String> {
    let shown: HashSet<String> = clinical_items(view)
        .into_iter()
        .flat_map(identity)
        .collect();
    let confidential: Vec<&Value> = clinical_items(full)
        .into_iter()
        .filter(|r| types.contains(&s(r, "/resourceType")) && has_nopat(r))
        .collect();
    let leaked: Vec<String> = confidential
        .iter()
        .filter(|r| identity(r).iter().any(|i| shown.contains(i)))
        .map(|r| item_label(r))
        .collect();
    ensure(leaked.is_empty(), || {
        format!(
            "confidential item(s) returned although the List says they were withheld: {}",
            leaked.join(", ")
        )
    })?;
    Ok(confidential.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bundle() -> Value {
        json!({"resourceType": "Bundle", "id": "trace", "type": "collection", "meta": {"profile": [profiles::STRUCTURED_RECORD_BUNDLE]}, "entry": [
            {"resource": {"resourceType": "Patient", "id": "1", "meta": {"profile": [profiles::PATIENT]}, "identifier": [{"system": systems::NHS_NUMBER, "value": "9690937286"}],
                "managingOrganization": {"reference": "Organization/1"}}},
            {"resource": {"resourceType": "Organization", "id": "1", "meta": {"profile": [profiles::ORGANIZATION]}}},
            {"resource": {"resourceType": "Practitioner", "id": "p", "meta": {"profile": [profiles::PRACTITIONER]}}},
            {"resource": {"resourceType": "List", "meta": {"profile": [gs::profiles::LIST]}, "status": "current", "mode": "snapshot", "title": "Allergies and adverse reactions",
                "code": {"coding": [{"system": ss::SNOMED, "code": "886921000000105"}]}, "subject": {"reference": "Patient/1"},
                "emptyReason": {"coding": [{"system": list::EMPTY_REASON_SYSTEM, "code": list::EMPTY_REASON_CODE}]}, "note": [{"text": list::EMPTY_NOTE}]}}]})
    }

    #[test]
    fn a_legacy_end_reason_is_found_or_its_absence_named() {
        let reasons = vec!["Outgrown".to_string(), String::new()];
        assert_fails!(
            some_end_reason_is(&reasons, "No information available"),
            "Outgrown"
        );
        some_end_reason_is(
            &["No information available".to_string()],
            "No information available",
        )
        .unwrap();
        // The reasons are read from the Ended allergies List; without it there is nothing to read.
        let no_list = json!({"resourceType": "Bundle", "type": "collection", "entry": []});
        assert_fails!(
            ended_allergy_reasons(&no_list, gs::LATEST),
            "Ended allergies"
        );
    }

    #[test]
    fn good_bundle_passes() {
        let b = bundle();
        bundle_rules(&b, "trace", gs::LATEST).unwrap();
        patient_and_base(&b, "9690937286").unwrap();
        references_resolve(&b).unwrap();
        no_duplicates(&b).unwrap();
        allergies(&b, false, gs::LATEST).unwrap();
        let l = find_list(&b, &ListName::parse("allergies"), gs::LATEST).unwrap();
        list_is_empty(l).unwrap();
    }

    #[test]
    fn catches_defects() {
        let b = bundle();
        assert_fails!(bundle_rules(&b, "other", gs::LATEST), "Ssp-TraceID");
        bundle_rules(&b, "other", (1, 2, 7)).unwrap();
        let mut dangling = bundle();
        dangling["entry"][0]["resource"]["managingOrganization"]["reference"] =
            json!("Organization/9");
        assert_fails!(references_resolve(&dangling), "Organization/9");
        let mut wrong_code = bundle();
        wrong_code["entry"][3]["resource"]["code"]["coding"][0]["code"] =
            json!(list::ENDED_ALLERGIES_CODE);
        assert_fails!(allergies(&wrong_code, false, gs::LATEST), "886921000000105");
        assert_fails!(
            find_list(&b, &ListName::Primary(Area::Medication), gs::LATEST),
            "no List with code"
        );
        assert_fails!(
            unrecognised_warnings(&b, &["x"]),
            "expected one OperationOutcome in the Bundle, found 0"
        );
    }

    /// `bundle()` with `resources` added as entries.
    fn with(resources: Vec<Value>) -> Value {
        let mut b = bundle();
        let entries = b["entry"].as_array_mut().unwrap();
        entries.extend(resources.into_iter().map(|r| json!({"resource": r})));
        b
    }

    /// A clinical resource with its id, profile and identifier, and `rest` merged in.
    fn clinical(ty: &str, id: &str, profile: &str, rest: Value) -> Value {
        let mut r = json!({"resourceType": ty, "id": id, "meta": {"profile": [profile]},
            "identifier": [{"system": "https://fhir.example/Id/clinical-item", "value": id}]});
        for (k, v) in rest.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    }

    /// A query-response List named `name` holding `items`.
    fn list_of(name: &ListName, items: &[&str]) -> Value {
        let (code, title) = name.code_and_title(gs::LATEST);
        json!({"resourceType": "List", "meta": {"profile": [gs::profiles::LIST]}, "status": "current", "mode": "snapshot",
            "title": title, "code": {"coding": [{"system": ss::SNOMED, "code": code}]}, "subject": {"reference": "Patient/1"},
            "entry": items.iter().map(|i| json!({"item": {"reference": i}})).collect::<Vec<_>>()})
    }

    fn coded_concept() -> Value {
        json!({"coding": [{"system": ss::SNOMED, "code": "123"}]})
    }

    fn allergy_resource() -> Value {
        clinical(
            "AllergyIntolerance",
            "a1",
            gs::profiles::ALLERGY_INTOLERANCE,
            json!({
            "clinicalStatus": "active", "verificationStatus": "unconfirmed", "category": ["medication"],
            "code": coded_concept(), "assertedDate": "2020-01-01", "recorder": {"reference": "Practitioner/p"},
            "patient": {"reference": "Patient/1"}}),
        )
    }

    fn medication_resources() -> Vec<Value> {
        vec![
            clinical(
                "Medication",
                "m1",
                gs::profiles::MEDICATION,
                json!({"code": coded_concept()}),
            ),
            clinical(
                "MedicationRequest",
                "mr1",
                gs::profiles::MEDICATION_REQUEST,
                json!({
                "status": "active", "intent": "plan", "medicationReference": {"reference": "Medication/m1"},
                "subject": {"reference": "Patient/1"}, "authoredOn": "2020-01-01", "recorder": {"reference": "Practitioner/p"},
                "dosageInstruction": [{"text": "one a day"}], "dispenseRequest": {"validityPeriod": {"start": "2020-01-01"}},
                "extension": [{"url": ss::REPEAT_INFORMATION_EXTENSION}]}),
            ),
            clinical(
                "MedicationStatement",
                "ms1",
                gs::profiles::MEDICATION_STATEMENT,
                json!({
                "basedOn": [{"reference": "MedicationRequest/mr1"}], "status": "active",
                "medicationReference": {"reference": "Medication/m1"}, "effectivePeriod": {"start": "2020-01-01"},
                "dateAsserted": "2020-01-01", "subject": {"reference": "Patient/1"}, "taken": "unk",
                "dosage": [{"text": "one a day"}], "extension": [{"url": ss::PRESCRIBING_AGENCY_EXTENSION}]}),
            ),
            list_of(
                &ListName::Primary(Area::Medication),
                &["MedicationStatement/ms1"],
            ),
        ]
    }

    fn problem_resource() -> Value {
        clinical(
            "Condition",
            "c1",
            gs::profiles::PROBLEM_HEADER,
            json!({
            "clinicalStatus": "active", "category": [{"coding": [{"code": "problem-list-item"}]}], "code": coded_concept(),
            "subject": {"reference": "Patient/1"}, "assertedDate": "2020-01-01", "asserter": {"reference": "Practitioner/p"},
            "extension": [{"url": ss::PROBLEM_SIGNIFICANCE_EXTENSION, "valueCode": "major"},
                {"url": ss::RELATED_CLINICAL_CONTENT_EXTENSION, "valueReference": {"reference": "AllergyIntolerance/a1"}}]}),
        )
    }

    #[test]
    fn bundle_level_checks_fail_on_broken_bundles() {
        let b = bundle();
        bundle_id_is(&b, "trace").unwrap();
        assert_fails!(
            bundle_id_is(&b, "other"),
            "must equal the request's Ssp-TraceID \"other\""
        );
        assert_fails!(patient_and_base(&b, "9476719931"), "expected 9476719931");
        let mut no_gp = bundle();
        no_gp["entry"].as_array_mut().unwrap().remove(2);
        // A Practitioner is not required in the structured Bundle: only the registered practice.
        patient_and_base(&no_gp, "9690937286").unwrap();
        let twice = with(vec![bundle()["entry"][1]["resource"].clone()]);
        assert_fails!(
            no_duplicates(&twice),
            "Organization/1 appears more than once"
        );
        let mut unprofiled = bundle();
        unprofiled["meta"]["profile"] = json!([format!(
            "{}/_history/1.3",
            profiles::STRUCTURED_RECORD_BUNDLE
        )]);
        assert_fails!(
            bundle_rules(&unprofiled, "trace", gs::LATEST),
            "Bundle.meta.profile"
        );
        assert_fails!(has_nopat_label(&b), "NOPAT");
        let mut labelled = bundle();
        labelled["entry"][0]["resource"]["meta"]["security"] =
            json!([{"system": ss::ACT_CODE_SYSTEM, "code": ss::NOPAT}]);
        has_nopat_label(&labelled).unwrap();
    }

    #[test]
    fn unrecognised_parameters_need_their_warnings() {
        let code = ErrorCode::NotImplemented;
        let outcome = json!({"resourceType": "OperationOutcome", "issue": [{"severity": "warning", "code": code.issue_type(),
            "details": {"coding": [{"system": SPINE_ERROR_OR_WARNING_CODE, "code": code.code(), "display": code.display()}],
                "text": gs::warning_text::unrecognised("madeUp")}, "diagnostics": "madeUp"}]});
        unrecognised_warnings(&with(vec![outcome.clone()]), &["madeUp"]).unwrap();
        assert_fails!(
            unrecognised_warnings(&with(vec![outcome.clone()]), &["other"]),
            "no OperationOutcome issue has diagnostics \"other\""
        );
        let mut error = outcome;
        error["issue"][0]["severity"] = json!("error");
        assert_fails!(
            unrecognised_warnings(&with(vec![error]), &["madeUp"]),
            "must be severity warning, code not-supported"
        );
    }

    #[test]
    fn list_checks_fail_on_broken_lists() {
        let b = bundle();
        let allergies_list = ListName::Primary(Area::Allergies);
        no_list(&b, &ListName::Primary(Area::Medication), gs::LATEST).unwrap();
        assert_fails!(
            no_list(&b, &allergies_list, gs::LATEST),
            "none was expected"
        );
        let l = &b["entry"][3]["resource"];
        list_rules(&b, l, gs::LATEST).unwrap();
        let mut retired = l.clone();
        retired["status"] = json!("retired");
        assert_fails!(
            list_rules(&b, &retired, gs::LATEST),
            "status is \"retired\"; expected current"
        );
        let mut prefixed = l.clone();
        prefixed["meta"]["profile"] = json!([format!("{}x", gs::profiles::LIST)]);
        assert_fails!(list_rules(&b, &prefixed, gs::LATEST), "meta.profile");
        let full = list_of(&allergies_list, &["AllergyIntolerance/a1"]);
        assert_fails!(list_is_empty(&full), "has 1 entries; expected none");
        let mut warned = l.clone();
        assert_fails!(
            has_warning(&warned, Warning::ConfidentialItems, gs::LATEST),
            "expected confidential-items"
        );
        warned["extension"] =
            json!([{"url": list::WARNING_CODE_EXTENSION, "valueCode": "confidential-items"}]);
        assert_fails!(
            has_warning(&warned, Warning::ConfidentialItems, gs::LATEST),
            "lacks the confidential-items note"
        );
        warned["note"] = json!([{"text": Warning::ConfidentialItems.note(gs::LATEST, "")}]);
        has_warning(&warned, Warning::ConfidentialItems, gs::LATEST).unwrap();
    }

    #[test]
    fn allergy_checks_fail_on_broken_allergies() {
        let b = bundle();
        let a = allergy_resource();
        allergy(&b, &a).unwrap();
        let mut confirmed = a.clone();
        confirmed["verificationStatus"] = json!("confirmed");
        assert_fails!(allergy(&b, &confirmed), "it is fixed to unconfirmed");
        let mut resolved = a.clone();
        resolved["clinicalStatus"] = json!("resolved");
        assert_fails!(
            allergy(&b, &resolved),
            "resolved without the allergyEnd extension"
        );
        let mut versioned = a.clone();
        versioned["meta"]["versionId"] = json!("1");
        assert_fails!(
            allergy(&b, &versioned),
            "AllergyIntolerance/a1 meta/versionId must not be populated"
        );
    }

    #[test]
    fn medication_checks_fail_on_broken_medications() {
        let b = with(medication_resources());
        medications(&b, false, None, gs::LATEST).unwrap();
        let mut no_agency = medication_resources();
        no_agency[2]["extension"] = json!([]);
        assert_fails!(
            medications(&with(no_agency), false, None, gs::LATEST),
            "lacks the prescribingAgency extension"
        );
        let mut issue = medication_resources();
        let mut order = issue[1].clone();
        order["id"] = json!("mr2");
        order["intent"] = json!("order");
        order["basedOn"] = json!([{"reference": "MedicationRequest/mr1"}]);
        issue.push(order);
        assert_fails!(
            medications(&with(issue), false, None, gs::LATEST),
            "includePrescriptionIssues was false"
        );
        let from = NaiveDate::from_ymd_opt(2021, 1, 1);
        let mut ended = medication_resources();
        ended[2]["effectivePeriod"]["end"] = json!("2020-06-01");
        assert_fails!(
            medications(&with(ended), false, from, gs::LATEST),
            "not active on or after the medicationSearchFromDate"
        );
    }

    #[test]
    fn problem_checks_fail_on_broken_problems() {
        let b = with(vec![
            problem_resource(),
            allergy_resource(),
            list_of(&ListName::Primary(Area::Problems), &["Condition/c1"]),
        ]);
        problems(&b).unwrap();
        assert_eq!(primary_problems(&b, gs::LATEST).unwrap().len(), 1);
        problem_linked_to(&b, "AllergyIntolerance").unwrap();
        assert_fails!(
            problem_linked_to(&b, "Immunization"),
            "linked to a Immunization"
        );
        let mut insignificant = problem_resource();
        insignificant["extension"] = json!([]);
        assert_fails!(
            problems(&with(vec![insignificant])),
            "lacks the problemSignificance extension"
        );
        let dangling = with(vec![list_of(
            &ListName::Primary(Area::Problems),
            &["Condition/c9"],
        )]);
        assert_fails!(
            primary_problems(&dangling, gs::LATEST),
            "holds Condition/c9, which is not in the Bundle"
        );
    }

    #[test]
    fn area_checks_fail_on_broken_resources() {
        let consultations_list =
            list_of(&ListName::Primary(Area::Consultations), &["Encounter/e1"]);
        assert_fails!(
            consultations(&with(vec![consultations_list]), gs::LATEST),
            "holds Encounter/e1, which is not in the Bundle"
        );
        assert_fails!(consultations(&bundle(), gs::LATEST), "no List with code");

        let vaccination = clinical(
            "Immunization",
            "i1",
            gs::profiles::IMMUNIZATION,
            json!({
            "status": "completed", "notGiven": false, "vaccineCode": coded_concept(), "patient": {"reference": "Patient/1"},
            "primarySource": true, "extension": [{"url": ss::DATE_RECORDED_EXTENSION}, {"url": ss::VACCINATION_PROCEDURE_EXTENSION}]}),
        );
        immunisations(&with(vec![vaccination.clone()]), false).unwrap();
        let mut not_given = vaccination.clone();
        not_given["notGiven"] = json!(true);
        assert_fails!(
            immunisations(&with(vec![not_given]), false),
            "includeNotGiven was not true"
        );

        let observation = clinical(
            "Observation",
            "o1",
            gs::profiles::OBSERVATION,
            json!({
            "status": "final", "code": coded_concept(), "subject": {"reference": "Patient/1"}, "issued": "2020-01-01T00:00:00+00:00"}),
        );
        observations(&with(vec![observation.clone()])).unwrap();
        let mut uncoded = observation.clone();
        uncoded["code"] = json!({"text": "x"});
        assert_fails!(
            observations(&with(vec![uncoded])),
            "Observation/o1.code has no coding"
        );

        let report = clinical(
            "DiagnosticReport",
            "d1",
            gs::profiles::DIAGNOSTIC_REPORT,
            json!({
            "status": "final", "code": coded_concept(), "subject": {"reference": "Patient/1"}, "issued": "2020-01-01T00:00:00+00:00",
            "result": [{"reference": "Observation/o1"}]}),
        );
        investigations(&with(vec![report.clone(), observation])).unwrap();
        assert_fails!(
            investigations(&with(vec![report])),
            "result Observation/o1 is not in the Bundle"
        );

        let referral = clinical(
            "ReferralRequest",
            "r1",
            gs::profiles::REFERRAL_REQUEST,
            json!({
            "status": "active", "intent": "order", "subject": {"reference": "Patient/1"}, "reasonCode": [coded_concept()]}),
        );
        referrals(&with(vec![referral.clone()])).unwrap();
        let mut planned = referral;
        planned["intent"] = json!("plan");
        assert_fails!(
            referrals(&with(vec![planned])),
            "ReferralRequest/r1 intent must be order"
        );

        let entry = clinical(
            "ProcedureRequest",
            "pr1",
            gs::profiles::PROCEDURE_REQUEST,
            json!({
            "status": "active", "intent": "plan", "code": coded_concept(), "subject": {"reference": "Patient/1"},
            "authoredOn": "2020-01-01", "requester": {"agent": {"reference": "Practitioner/p"}}}),
        );
        let diary_list = list_of(&ListName::Primary(Area::Diary), &["ProcedureRequest/pr1"]);
        diary(&with(vec![entry.clone(), diary_list.clone()]), gs::LATEST).unwrap();
        let mut done = entry;
        done["status"] = json!("completed");
        assert_fails!(
            diary(&with(vec![done, diary_list]), gs::LATEST),
            "only incomplete (active) diary entries"
        );
    }

    fn item(ty: &str, id: &str, nopat: bool) -> Value {
        let mut r = json!({"resourceType": ty, "id": id, "meta": {"profile": ["p"]},
            "identifier": [{"system": "https://provider.example/Id/item", "value": id}]});
        if nopat {
            r["meta"]["security"] =
                json!([{"system": ss::ACT_CODE_SYSTEM, "code": ss::NOPAT, "display": "x"}]);
        }
        r
    }

    fn with_items(items: Vec<Value>) -> Value {
        let mut b = bundle();
        for r in items {
            b["entry"]
                .as_array_mut()
                .unwrap()
                .push(json!({"resource": r}));
        }
        b
    }

    #[test]
    fn base_resources_follow_the_bundle_page() {
        let mut no_gp = bundle();
        no_gp["entry"]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["resource"]["resourceType"] != "Practitioner");
        patient_and_base(&no_gp, "9690937286").unwrap();
        let mut two_profiles = bundle();
        two_profiles["entry"][1]["resource"]["meta"]["profile"] = json!([
            profiles::ORGANIZATION,
            "https://provider.example/StructureDefinition/Org"
        ]);
        patient_and_base(&two_profiles, "9690937286").unwrap();
        let mut no_profile = bundle();
        no_profile["entry"][1]["resource"]["meta"]["profile"] = json!([]);
        assert_fails!(patient_and_base(&no_profile, "9690937286"), "meta.profile");
        let mut no_org = bundle();
        no_org["entry"]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["resource"]["resourceType"] != "Organization");
        no_org["entry"][0]["resource"]
            .as_object_mut()
            .unwrap()
            .remove("managingOrganization");
        assert_fails!(patient_and_base(&no_org, "9690937286"), "Organization");
    }

    #[test]
    fn every_withheld_item_must_carry_nopat_not_just_one() {
        let non_sensitive = with_items(vec![item("Observation", "o1", false)]);
        let good = with_items(vec![
            item("Observation", "o1", false),
            item("MedicationStatement", "m6", true),
            item("Observation", "o4", true),
        ]);
        assert_eq!(withheld_items_labelled(&good, &non_sensitive).unwrap(), 2);
        let one_label = with_items(vec![
            item("Observation", "o1", false),
            item("MedicationStatement", "m6", true),
            item("Observation", "o4", false),
        ]);
        assert_fails!(withheld_items_labelled(&one_label, &non_sensitive), "o4");
        assert_eq!(
            withheld_items_labelled(&non_sensitive, &non_sensitive).unwrap(),
            0
        );
    }

    #[test]
    fn a_confidential_item_must_be_absent_not_just_warned_about() {
        let full = with_items(vec![
            item("MedicationStatement", "m1", false),
            item("MedicationStatement", "m6", true),
            item("Observation", "o4", true),
        ]);
        let withheld = with_items(vec![item("MedicationStatement", "m1", false)]);
        assert_eq!(
            confidential_withheld(&withheld, &full, &["MedicationStatement"]).unwrap(),
            1
        );
        let leaked = with_items(vec![
            item("MedicationStatement", "m1", false),
            item("MedicationStatement", "m6", false),
        ]);
        assert_fails!(
            confidential_withheld(&leaked, &full, &["MedicationStatement"]),
            "m6"
        );
        // Items contained in a List (ended allergies) count too.
        let full_allergy = with_items(vec![item("AllergyIntolerance", "a3", true)]);
        let mut contained = bundle();
        contained["entry"][3]["resource"]["contained"] =
            json!([item("AllergyIntolerance", "a3", false)]);
        assert!(confidential_withheld(&contained, &full_allergy, &["AllergyIntolerance"]).is_err());
        assert_eq!(
            confidential_withheld(&withheld, &withheld, &["MedicationStatement"]).unwrap(),
            0
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// Completeness of a filtered area: the provider's own unfiltered record is the oracle.
//
// "Return all X that match" is checked both ways: every item of the unfiltered record that the filter
// selects must be in the filtered answer (recall), and nothing the filter excludes may be (precision).
// Items whose date cannot be compared (partial dates, read as intervals, §4 "Date handling") are
// allowed either way; items with no date at all SHALL be returned from 1.5.0.

/// What a filter says about one item of the unfiltered record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Must be returned.
    In,
    /// Must not be returned.
    Out,
    /// The rule allows either answer.
    Either,
}

/// One item of the unfiltered record, with why the filter selects it or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// `Type/id`, as the primary List refers to it.
    pub reference: String,
    /// The values the filter compares, for messages (e.g. `effective 2024-03-01..`).
    pub detail: String,
    pub expect: Expect,
}

/// A filter of one clinical area, as a request sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `medicationSearchFromDate`: medications active on or after the date.
    MedicationFrom(NaiveDate),
    /// A search period (consultations, uncategorised data, investigations, referrals), bounds inclusive.
    Period {
        area: Area,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    },
    /// `includeNumberOfMostRecent`: the N consultations with the latest `Encounter.period.start`.
    MostRecent(usize),
    /// `diaryEntriesSearchDate`: entries on or before the date.
    DiaryUntil(NaiveDate),
    /// `filterStatus` / `filterSignificance`: problems with that clinicalStatus and significance.
    Problems {
        status: Option<String>,
        significance: Option<String>,
    },
    /// `includeResolvedAllergies=false`: the current allergies, all of them.
    CurrentAllergies,
    /// `includeNotGiven=false` (or absent): given immunisations only.
    GivenImmunisations,
}

impl Filter {
    /// The clinical area the filter applies to.
    pub fn area(&self) -> Area {
        match self {
            Filter::MedicationFrom(_) => Area::Medication,
            Filter::Period { area, .. } => *area,
            Filter::MostRecent(_) => Area::Consultations,
            Filter::DiaryUntil(_) => Area::Diary,
            Filter::Problems { .. } => Area::Problems,
            Filter::CurrentAllergies => Area::Allergies,
            Filter::GivenImmunisations => Area::Immunisations,
        }
    }

    /// The filter in words, for messages.
    pub fn describe(&self) -> String {
        let day = |d: &Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        match self {
            Filter::MedicationFrom(d) => format!("medicationSearchFromDate {d}"),
            Filter::Period { area, start, end } => format!(
                "{} search period {}..{}",
                area.spec().name,
                day(start),
                day(end)
            ),
            Filter::MostRecent(n) => format!("includeNumberOfMostRecent {n}"),
            Filter::DiaryUntil(d) => format!("diaryEntriesSearchDate {d}"),
            Filter::Problems {
                status,
                significance,
            } => format!(
                "filterStatus {} filterSignificance {}",
                status.as_deref().unwrap_or("-"),
                significance.as_deref().unwrap_or("-")
            ),
            Filter::CurrentAllergies => "includeResolvedAllergies false".into(),
            Filter::GivenImmunisations => "includeNotGiven false".into(),
        }
    }
}

/// The parts of a request's `include*` parameter for `area`, by name.
fn request_parts(parameters: &Value, area: Area) -> Option<Vec<&Value>> {
    let p = parameters
        .get("parameter")
        .and_then(Value::as_array)?
        .iter()
        .find(|p| s(p, "/name") == area.spec().parameter)?;
    Some(
        p.get("part")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
    )
}

fn part<'a>(parts: &[&'a Value], name: &str) -> Option<&'a Value> {
    parts.iter().copied().find(|p| s(p, "/name") == name)
}

fn whole_date(v: Option<&Value>) -> Option<NaiveDate> {
    v.and_then(Value::as_str)
        .filter(|d| d.len() == 10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// The filter a structured request (its `Parameters` body) applies to `area`; `None` when the area was
/// not asked for or is asked for unfiltered.
pub fn filter_in_request(parameters: &Value, area: Area) -> Option<Filter> {
    let parts = request_parts(parameters, area)?;
    let period = |name: &str| {
        part(&parts, name).map(|p| {
            (
                whole_date(p.at("/valuePeriod/start")),
                whole_date(p.at("/valuePeriod/end")),
            )
        })
    };
    // A code, as valueCode or (1.3.0 includeSignificance) as a CodeableConcept's code.
    let code = |name: &str| {
        part(&parts, name)
            .and_then(|p| {
                p.get("valueCode")
                    .or_else(|| p.at("/valueCodeableConcept/coding/0/code"))
                    .and_then(Value::as_str)
            })
            .map(str::to_string)
    };
    match area {
        Area::Medication => whole_date(
            part(&parts, gs::param::MEDICATION_SEARCH_FROM_DATE).and_then(|p| p.get("valueDate")),
        )
        .map(Filter::MedicationFrom),
        Area::Consultations => {
            if let Some((start, end)) = period(gs::param::CONSULTATION_SEARCH_PERIOD) {
                return Some(Filter::Period { area, start, end });
            }
            part(&parts, gs::param::INCLUDE_NUMBER_OF_MOST_RECENT)
                .and_then(|p| {
                    p.get("valuePositiveInt")
                        .or_else(|| p.get("valueInteger"))
                        .and_then(Value::as_u64)
                })
                .and_then(|n| usize::try_from(n).ok())
                .map(Filter::MostRecent)
        }
        Area::Uncategorised | Area::Investigations | Area::Referrals => {
            let name = match area {
                Area::Uncategorised => gs::param::UNCATEGORISED_DATA_SEARCH_PERIOD,
                Area::Investigations => gs::param::INVESTIGATION_SEARCH_PERIOD,
                _ => gs::param::REFERRAL_SEARCH_PERIOD,
            };
            period(name).map(|(start, end)| Filter::Period { area, start, end })
        }
        Area::Diary => whole_date(
            part(&parts, gs::param::DIARY_ENTRIES_SEARCH_DATE).and_then(|p| p.get("valueDate")),
        )
        .map(Filter::DiaryUntil),
        Area::Problems => {
            let status =
                code(gs::param::FILTER_STATUS).or_else(|| code(gs::param::PROBLEMS_STATUS_1_3_0));
            let significance = code(gs::param::FILTER_SIGNIFICANCE)
                .or_else(|| code(gs::param::PROBLEMS_SIGNIFICANCE_1_3_0));
            (status.is_some() || significance.is_some()).then_some(Filter::Problems {
                status,
                significance,
            })
        }
        Area::Allergies => (part(&parts, gs::param::INCLUDE_RESOLVED_ALLERGIES)
            .and_then(|p| p.get("valueBoolean"))
            == Some(&Value::Bool(false)))
        .then_some(Filter::CurrentAllergies),
        Area::Immunisations => (part(&parts, gs::param::INCLUDE_NOT_GIVEN)
            .and_then(|p| p.get("valueBoolean"))
            != Some(&Value::Bool(true)))
        .then_some(Filter::GivenImmunisations),
    }
}

/// A date element of a resource: a whole date, a partial one (year or year-month), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dated {
    Day(NaiveDate),
    Partial,
    Unknown,
}

fn dated(text: &str) -> Dated {
    if text.is_empty() {
        return Dated::Unknown;
    }
    match date_of(text) {
        Some(d) => Dated::Day(d),
        None => Dated::Partial,
    }
}

fn shown(d: Dated) -> String {
    match d {
        Dated::Day(d) => d.to_string(),
        Dated::Partial => "partial date".into(),
        Dated::Unknown => "no date".into(),
    }
}

/// `In` when `test` holds for a whole date, `Out` when not; partial dates either way; no date `In`
/// from 1.5.0 (undated items are returned with the matches) and either way before.
fn by_date(d: Dated, v: Version, test: impl Fn(NaiveDate) -> bool) -> Expect {
    match d {
        Dated::Day(d) if test(d) => Expect::In,
        Dated::Day(_) => Expect::Out,
        Dated::Partial => Expect::Either,
        Dated::Unknown if v >= since::SECONDARY_LISTS => Expect::In,
        Dated::Unknown => Expect::Either,
    }
}

fn has_coded_extension(r: &Value, code: &str) -> bool {
    r.get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|e| s(e, "/valueCodeableConcept/coding/0/code") == code)
}

/// What `filter` says about each item of the unfiltered record's primary List for its area.
pub fn candidates(
    unfiltered: &Value,
    filter: &Filter,
    v: Version,
) -> Result<Vec<Candidate>, String> {
    let area = filter.area();
    let l = find_list(unfiltered, &ListName::Primary(area), v)
        .map_err(|e| format!("the unfiltered record: {e}"))?;
    let items: Vec<&Value> = list_items(l)
        .into_iter()
        .filter_map(|i| resolve(unfiltered, i))
        .collect();
    let mut out = Vec::new();
    let mut push = |r: &Value, detail: String, expect: Expect| {
        out.push(Candidate {
            reference: label(r),
            detail,
            expect,
        })
    };
    match filter {
        Filter::MedicationFrom(from) => {
            for ms in items {
                let plan =
                    resolve(unfiltered, s(ms, "/basedOn/0/reference")).unwrap_or(&Value::Null);
                let start = dated(s(ms, "/effectivePeriod/start"));
                let end = dated(s(ms, "/effectivePeriod/end"));
                let acute = has_coded_extension(plan, "acute");
                let elsewhere = v >= since::MIGRATE
                    && has_coded_extension(ms, "prescribed-by-another-organisation");
                let expect = if elsewhere {
                    Expect::In
                } else {
                    match (end, acute) {
                        (Dated::Day(e), _) => by_date(Dated::Day(e), v, |e| e >= *from),
                        (Dated::Partial, _) => Expect::Either,
                        (Dated::Unknown, true) => by_date(start, v, |st| st >= *from),
                        (Dated::Unknown, false) => Expect::In,
                    }
                };
                let kind = if acute { "acute" } else { "repeat" };
                push(
                    ms,
                    format!("{kind}, effective {}..{}", shown(start), shown(end)),
                    expect,
                );
            }
        }
        Filter::Period { area, start, end } => {
            for r in items {
                let (first, last) = match area {
                    Area::Consultations => {
                        let st = dated(s(r, "/period/start"));
                        let en = match dated(s(r, "/period/end")) {
                            Dated::Unknown => st,
                            other => other,
                        };
                        (st, en)
                    }
                    _ => {
                        let ptr = match area {
                            Area::Uncategorised if r.get("effectivePeriod").is_some() => {
                                "/effectivePeriod/start"
                            }
                            Area::Uncategorised => "/effectiveDateTime",
                            Area::Investigations => "/issued",
                            _ => "/authoredOn",
                        };
                        let d = dated(s(r, ptr));
                        (d, d)
                    }
                };
                let from_ok = by_date(first, v, |d| start.is_none_or(|s| d >= s));
                let to_ok = by_date(last, v, |d| end.is_none_or(|e| d <= e));
                let expect = match (from_ok, to_ok) {
                    (Expect::Out, _) | (_, Expect::Out) => Expect::Out,
                    (Expect::In, Expect::In) => Expect::In,
                    _ => Expect::Either,
                };
                push(
                    r,
                    format!("dated {}..{}", shown(first), shown(last)),
                    expect,
                );
            }
        }
        Filter::MostRecent(n) => {
            let mut starts: Vec<(Dated, &Value)> = items
                .iter()
                .map(|r| (dated(s(r, "/period/start")), *r))
                .collect();
            let day = |d: &Dated| match d {
                Dated::Day(d) => Some(*d),
                _ => None,
            };
            starts.sort_by_key(|(d, _)| std::cmp::Reverse(day(d)));
            // The N-th latest start: anything later is in, anything earlier out, ties either way.
            let cut = starts.get(n.saturating_sub(1)).and_then(|(d, _)| day(d));
            let after = starts.get(*n).and_then(|(d, _)| day(d));
            for (d, r) in &starts {
                let expect = match (day(d), cut) {
                    (_, None) => Expect::In,
                    (Some(x), Some(c)) if x > c => Expect::In,
                    (Some(x), Some(c)) if x == c && after != Some(c) => Expect::In,
                    (Some(x), Some(c)) if x == c => Expect::Either,
                    (Some(_), Some(_)) => Expect::Out,
                    (None, Some(_)) => Expect::Either,
                };
                push(r, format!("started {}", shown(*d)), expect);
            }
        }
        Filter::DiaryUntil(until) => {
            for r in items {
                let d = dated(s(r, "/occurrenceDateTime"));
                let d = match d {
                    Dated::Unknown => dated(s(r, "/occurrencePeriod/start")),
                    d => d,
                };
                push(
                    r,
                    format!("occurring {}", shown(d)),
                    by_date(d, v, |d| d <= *until),
                );
            }
        }
        Filter::Problems {
            status,
            significance,
        } => {
            for c in items {
                let st = s(c, "/clinicalStatus");
                let sig = c
                    .get("extension")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|e| s(e, "/url") == ss::PROBLEM_SIGNIFICANCE_EXTENSION)
                    .map(|e| s(e, "/valueCode"))
                    .unwrap_or_default();
                let ok = status.as_deref().is_none_or(|x| x == st)
                    && significance.as_deref().is_none_or(|x| x == sig);
                push(
                    c,
                    format!("clinicalStatus {st}, significance {sig}"),
                    if ok { Expect::In } else { Expect::Out },
                );
            }
        }
        Filter::CurrentAllergies => {
            for a in items {
                let resolved = s(a, "/clinicalStatus") == "resolved";
                push(
                    a,
                    format!("clinicalStatus {}", s(a, "/clinicalStatus")),
                    if resolved { Expect::Out } else { Expect::In },
                );
            }
        }
        Filter::GivenImmunisations => {
            for r in items {
                let expect = match (s(r, "/resourceType"), r.get("notGiven")) {
                    ("Immunization", Some(Value::Bool(true))) => Expect::Out,
                    ("Immunization", _) => Expect::In,
                    _ => Expect::Either,
                };
                push(r, format!("notGiven {}", r["notGiven"]), expect);
            }
        }
    }
    Ok(out)
}

/// The items the filtered answer's primary List for `area` holds.
pub fn returned_items(filtered: &Value, area: Area, v: Version) -> Result<Vec<String>, String> {
    let l = find_list(filtered, &ListName::Primary(area), v)?;
    Ok(list_items(l).into_iter().map(str::to_string).collect())
}

/// Recall and precision of a filtered answer: every `In` candidate returned, no `Out` candidate
/// returned, nothing returned that the unfiltered record does not hold. Every difference is named.
pub fn complete(candidates: &[Candidate], returned: &[String], filter: &Filter) -> CheckResult {
    let what = filter.describe();
    let mut problems = Vec::new();
    for c in candidates {
        let there = returned.contains(&c.reference);
        match c.expect {
            Expect::In if !there => problems.push(format!(
                "{} ({}) matches the {what} but is missing from the filtered record",
                c.reference, c.detail
            )),
            Expect::Out if there => problems.push(format!(
                "{} ({}) does not match the {what} but was returned",
                c.reference, c.detail
            )),
            _ => {}
        }
    }
    for r in returned {
        if !candidates.iter().any(|c| c.reference == *r) {
            problems.push(format!(
                "{r} was returned for the {what} but is not in the unfiltered record"
            ));
        }
    }
    ensure(problems.is_empty(), || problems.join("; "))
}

/// Whether the unfiltered record holds anything the filter must return (else the filter's recall
/// cannot be judged on this record).
pub fn any_expected(candidates: &[Candidate]) -> bool {
    candidates.iter().any(|c| c.expect == Expect::In)
}

/// Whether the unfiltered record holds anything the filter must leave out (else its precision cannot
/// be judged on this record).
pub fn any_excluded(candidates: &[Candidate]) -> bool {
    candidates.iter().any(|c| c.expect == Expect::Out)
}

/// The resources a Bundle labels confidential (`meta.security` NOPAT), as `Type/id`.
pub fn labelled_confidential(bundle: &Value) -> Vec<String> {
    entries(bundle)
        .into_iter()
        .filter(|r| {
            r.at("/meta/security")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|c| s(c, "/code") == ss::NOPAT)
        })
        .map(label)
        .collect()
}

/// None of the `confidential` resources (those the provider itself labels confidential when it migrates
/// the record with sensitive information) is in a direct-care answer, listed or not: a warning that
/// items were withheld is no excuse for sending them.
pub fn confidential_not_returned(confidential: &[String], answer: &Value) -> CheckResult {
    let sent: Vec<&String> = confidential
        .iter()
        .filter(|c| resolve(answer, c).is_some() || list_refers_to(answer, c))
        .collect();
    ensure(sent.is_empty(), || {
        format!(
            "{} confidential item(s) reached a direct-care consumer: {}",
            sent.len(),
            sent.iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn list_refers_to(bundle: &Value, reference: &str) -> bool {
    of_type(bundle, "List")
        .into_iter()
        .any(|l| list_items(l).contains(&reference))
}

#[cfg(test)]
mod completeness_tests {
    use super::*;
    use serde_json::json;

    const V: Version = gs::LATEST;

    fn day(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    /// A Bundle whose primary List for `area` holds `resources`.
    fn record(area: Area, resources: Vec<Value>) -> Value {
        let (code, title) = ListName::Primary(area).code_and_title(V);
        let refs: Vec<Value> = resources
            .iter()
            .filter(|r| r["resourceType"] != "MedicationRequest")
            .map(|r| json!({"item": {"reference": label(r)}}))
            .collect();
        let mut entry = vec![json!({"resource": {"resourceType": "List", "title": title,
            "code": {"coding": [{"system": ss::SNOMED, "code": code}]}, "entry": refs}})];
        entry.extend(resources.into_iter().map(|r| json!({ "resource": r })));
        json!({"resourceType": "Bundle", "type": "collection", "entry": entry})
    }

    fn statement(id: &str, start: &str, end: Option<&str>, acute: bool) -> Vec<Value> {
        let mut period = json!({"start": start});
        if let Some(e) = end {
            period["end"] = json!(e);
        }
        let kind = if acute { "acute" } else { "repeat" };
        vec![
            json!({"resourceType": "MedicationStatement", "id": id, "effectivePeriod": period,
                "basedOn": [{"reference": format!("MedicationRequest/plan-{id}")}]}),
            json!({"resourceType": "MedicationRequest", "id": format!("plan-{id}"), "intent": "plan",
                "extension": [{"valueCodeableConcept": {"coding": [{"code": kind}]}}]}),
        ]
    }

    fn medications() -> Value {
        let mut r = Vec::new();
        r.extend(statement("old-acute", "2020-01-01", None, true));
        r.extend(statement("running-repeat", "2019-01-01", None, false));
        r.extend(statement("ended", "2020-01-01", Some("2024-03-01"), false));
        r.extend(statement(
            "ended-early",
            "2020-01-01",
            Some("2021-01-01"),
            false,
        ));
        r.extend(statement("partial", "2020", Some("2024"), false));
        record(Area::Medication, r)
    }

    fn refs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn medication_search_date_selects_active_medications_inclusively() {
        let f = Filter::MedicationFrom(day("2024-03-01"));
        let c = candidates(&medications(), &f, V).unwrap();
        let expect = |id: &str| {
            c.iter()
                .find(|c| c.reference == format!("MedicationStatement/{id}"))
                .unwrap()
                .expect
        };
        assert_eq!(expect("old-acute"), Expect::Out);
        assert_eq!(expect("running-repeat"), Expect::In);
        assert_eq!(expect("ended"), Expect::In, "the end date is inclusive");
        assert_eq!(expect("ended-early"), Expect::Out);
        assert_eq!(expect("partial"), Expect::Either);
        let right = refs(&[
            "MedicationStatement/running-repeat",
            "MedicationStatement/ended",
        ]);
        complete(&c, &right, &f).unwrap();
        let mut with_partial = right.clone();
        with_partial.push("MedicationStatement/partial".into());
        complete(&c, &with_partial, &f).unwrap();
        assert!(any_expected(&c) && any_excluded(&c));
    }

    #[test]
    fn a_missing_medication_is_named() {
        let f = Filter::MedicationFrom(day("2024-03-01"));
        let c = candidates(&medications(), &f, V).unwrap();
        let e = complete(&c, &refs(&["MedicationStatement/running-repeat"]), &f).unwrap_err();
        assert!(
            e.contains("MedicationStatement/ended (repeat, effective 2020-01-01..2024-03-01) matches the medicationSearchFromDate 2024-03-01 but is missing"),
            "{e}"
        );
        let e = complete(&c, &[], &f).unwrap_err();
        assert!(e.contains("running-repeat") && e.contains("missing"), "{e}");
    }

    #[test]
    fn an_extra_or_unknown_medication_is_named() {
        let f = Filter::MedicationFrom(day("2024-03-01"));
        let c = candidates(&medications(), &f, V).unwrap();
        let extra = refs(&[
            "MedicationStatement/running-repeat",
            "MedicationStatement/ended",
            "MedicationStatement/old-acute",
        ]);
        let e = complete(&c, &extra, &f).unwrap_err();
        assert!(
            e.contains("old-acute") && e.contains("does not match"),
            "{e}"
        );
        let mut unknown = refs(&[
            "MedicationStatement/running-repeat",
            "MedicationStatement/ended",
        ]);
        unknown.push("MedicationStatement/invented".into());
        let e = complete(&c, &unknown, &f).unwrap_err();
        assert!(e.contains("not in the unfiltered record"), "{e}");
    }

    fn encounters() -> Value {
        record(
            Area::Consultations,
            vec![
                json!({"resourceType": "Encounter", "id": "e1", "period": {"start": "2024-01-10T09:00:00+00:00", "end": "2024-01-10T09:10:00+00:00"}}),
                json!({"resourceType": "Encounter", "id": "e2", "period": {"start": "2024-02-01"}}),
                json!({"resourceType": "Encounter", "id": "e3", "period": {"start": "2024-03-05"}}),
                json!({"resourceType": "Encounter", "id": "e4", "period": {"start": "2023-12-31"}}),
            ],
        )
    }

    #[test]
    fn consultation_period_bounds_are_inclusive_and_both_ways_checked() {
        let f = Filter::Period {
            area: Area::Consultations,
            start: Some(day("2024-01-10")),
            end: Some(day("2024-02-01")),
        };
        let c = candidates(&encounters(), &f, V).unwrap();
        complete(&c, &refs(&["Encounter/e1", "Encounter/e2"]), &f).unwrap();
        let e = complete(&c, &refs(&["Encounter/e2"]), &f).unwrap_err();
        assert!(e.contains("Encounter/e1") && e.contains("missing"), "{e}");
        let e = complete(
            &c,
            &refs(&["Encounter/e1", "Encounter/e2", "Encounter/e3"]),
            &f,
        )
        .unwrap_err();
        assert!(
            e.contains("Encounter/e3") && e.contains("does not match"),
            "{e}"
        );
    }

    #[test]
    fn most_recent_consultations_are_the_latest_starts() {
        let f = Filter::MostRecent(2);
        let c = candidates(&encounters(), &f, V).unwrap();
        complete(&c, &refs(&["Encounter/e3", "Encounter/e2"]), &f).unwrap();
        assert!(complete(&c, &refs(&["Encounter/e3", "Encounter/e1"]), &f).is_err());
        assert!(complete(&c, &refs(&["Encounter/e3"]), &f).is_err());
    }

    fn problem(id: &str, status: &str, sig: &str) -> Value {
        json!({"resourceType": "Condition", "id": id, "clinicalStatus": status,
            "extension": [{"url": ss::PROBLEM_SIGNIFICANCE_EXTENSION, "valueCode": sig}]})
    }

    #[test]
    fn problem_status_and_significance_filters() {
        let b = record(
            Area::Problems,
            vec![
                problem("a-major", "active", "major"),
                problem("a-minor", "active", "minor"),
                problem("i-major", "inactive", "major"),
            ],
        );
        let f = Filter::Problems {
            status: Some("active".into()),
            significance: None,
        };
        let c = candidates(&b, &f, V).unwrap();
        complete(&c, &refs(&["Condition/a-major", "Condition/a-minor"]), &f).unwrap();
        let e = complete(&c, &refs(&["Condition/a-major"]), &f).unwrap_err();
        assert!(e.contains("Condition/a-minor"), "{e}");
        let f = Filter::Problems {
            status: None,
            significance: Some("major".into()),
        };
        let c = candidates(&b, &f, V).unwrap();
        complete(&c, &refs(&["Condition/a-major", "Condition/i-major"]), &f).unwrap();
        let e = complete(
            &c,
            &refs(&[
                "Condition/a-major",
                "Condition/a-minor",
                "Condition/i-major",
            ]),
            &f,
        )
        .unwrap_err();
        assert!(
            e.contains("Condition/a-minor") && e.contains("does not match"),
            "{e}"
        );
    }

    #[test]
    fn dated_areas_compare_their_own_element_and_undated_items_must_come() {
        let b = record(
            Area::Referrals,
            vec![
                json!({"resourceType": "ReferralRequest", "id": "r1", "authoredOn": "2024-05-01"}),
                json!({"resourceType": "ReferralRequest", "id": "r2", "authoredOn": "2022-05-01"}),
                json!({"resourceType": "ReferralRequest", "id": "r3"}),
            ],
        );
        let f = Filter::Period {
            area: Area::Referrals,
            start: Some(day("2024-01-01")),
            end: None,
        };
        let c = candidates(&b, &f, V).unwrap();
        complete(&c, &refs(&["ReferralRequest/r1", "ReferralRequest/r3"]), &f).unwrap();
        let e = complete(&c, &refs(&["ReferralRequest/r1"]), &f).unwrap_err();
        assert!(
            e.contains("ReferralRequest/r3 (dated no date..no date)"),
            "{e}"
        );
        let c = candidates(&b, &f, (1, 3, 2)).unwrap();
        complete(&c, &refs(&["ReferralRequest/r1"]), &f).unwrap();
        assert!(complete(&c, &[], &f).is_err());
    }

    #[test]
    fn diary_until_date_is_inclusive() {
        let b = record(
            Area::Diary,
            vec![
                json!({"resourceType": "ProcedureRequest", "id": "d1", "occurrenceDateTime": "2030-01-01"}),
                json!({"resourceType": "ProcedureRequest", "id": "d2", "occurrenceDateTime": "2030-01-02"}),
            ],
        );
        let f = Filter::DiaryUntil(day("2030-01-01"));
        let c = candidates(&b, &f, V).unwrap();
        complete(&c, &refs(&["ProcedureRequest/d1"]), &f).unwrap();
        assert!(complete(&c, &[], &f).is_err());
        assert!(complete(
            &c,
            &refs(&["ProcedureRequest/d1", "ProcedureRequest/d2"]),
            &f
        )
        .is_err());
    }

    #[test]
    fn current_allergies_and_given_immunisations_are_all_returned() {
        let b = record(
            Area::Allergies,
            vec![
                json!({"resourceType": "AllergyIntolerance", "id": "a1", "clinicalStatus": "active"}),
                json!({"resourceType": "AllergyIntolerance", "id": "a2", "clinicalStatus": "active"}),
            ],
        );
        let f = Filter::CurrentAllergies;
        let c = candidates(&b, &f, V).unwrap();
        complete(
            &c,
            &refs(&["AllergyIntolerance/a1", "AllergyIntolerance/a2"]),
            &f,
        )
        .unwrap();
        assert!(complete(&c, &refs(&["AllergyIntolerance/a1"]), &f).is_err());
        let b = record(
            Area::Immunisations,
            vec![
                json!({"resourceType": "Immunization", "id": "i1", "notGiven": false}),
                json!({"resourceType": "Immunization", "id": "i2", "notGiven": true}),
            ],
        );
        let f = Filter::GivenImmunisations;
        let c = candidates(&b, &f, V).unwrap();
        complete(&c, &refs(&["Immunization/i1"]), &f).unwrap();
        assert!(complete(&c, &refs(&["Immunization/i1", "Immunization/i2"]), &f).is_err());
        assert!(complete(&c, &[], &f).is_err());
    }

    #[test]
    fn the_filter_is_read_from_the_request() {
        let req = json!({"resourceType": "Parameters", "parameter": [
            {"name": "patientNHSNumber"},
            {"name": "includeMedication", "part": [{"name": "medicationSearchFromDate", "valueDate": "2024-03-01"}]},
            {"name": "includeConsultations", "part": [{"name": "consultationSearchPeriod", "valuePeriod": {"start": "2024-01-01"}}]},
            {"name": "includeProblems", "part": [{"name": "filterStatus", "valueCode": "inactive"}]},
            {"name": "includeAllergies", "part": [{"name": "includeResolvedAllergies", "valueBoolean": false}]},
            {"name": "includeImmunisations"},
            {"name": "includeReferrals"}]});
        assert_eq!(
            filter_in_request(&req, Area::Medication),
            Some(Filter::MedicationFrom(day("2024-03-01")))
        );
        assert_eq!(
            filter_in_request(&req, Area::Consultations),
            Some(Filter::Period {
                area: Area::Consultations,
                start: Some(day("2024-01-01")),
                end: None
            })
        );
        assert_eq!(
            filter_in_request(&req, Area::Problems),
            Some(Filter::Problems {
                status: Some("inactive".into()),
                significance: None
            })
        );
        assert_eq!(
            filter_in_request(&req, Area::Allergies),
            Some(Filter::CurrentAllergies)
        );
        assert_eq!(
            filter_in_request(&req, Area::Immunisations),
            Some(Filter::GivenImmunisations)
        );
        assert_eq!(filter_in_request(&req, Area::Referrals), None);
        assert_eq!(filter_in_request(&req, Area::Diary), None);
    }

    #[test]
    fn a_confidential_item_sent_to_direct_care_is_named() {
        let migrated = json!({"resourceType": "Bundle", "entry": [
            {"resource": {"resourceType": "MedicationStatement", "id": "secret", "meta": {"security": [{"system": ss::ACT_CODE_SYSTEM, "code": ss::NOPAT}]}}},
            {"resource": {"resourceType": "MedicationStatement", "id": "open"}}]});
        let confidential = labelled_confidential(&migrated);
        assert_eq!(confidential, vec!["MedicationStatement/secret".to_string()]);
        let withheld = record(
            Area::Medication,
            vec![json!({"resourceType": "MedicationStatement", "id": "open"})],
        );
        confidential_not_returned(&confidential, &withheld).unwrap();
        let leaked = record(
            Area::Medication,
            vec![
                json!({"resourceType": "MedicationStatement", "id": "open"}),
                json!({"resourceType": "MedicationStatement", "id": "secret"}),
            ],
        );
        let e = confidential_not_returned(&confidential, &leaked).unwrap_err();
        assert!(e.contains("MedicationStatement/secret"), "{e}");
    }
}
