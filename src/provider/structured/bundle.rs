//! Assembling the structured-record collection Bundle (Retrieve a patient's structured record: response Bundle; List): which items each requested
//! area returns under its filters, the primary, secondary and consultation-structure Lists, linked
//! problems, and the Patient / Organization / Practitioner / PractitionerRole every bundle carries.
//!
//! Retrieve a patient's structured record: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html>
//! List: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html>

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::params::{AreaRequest, PartValue, Query};
use super::record::{ClinicalRecord, Detail, Item, Prescription};
use super::render::{self, Ctx, ListSpec};
use crate::gpconnect::structured::{list, param, since, warning_text, Area, Warning};
use crate::gpconnect::systems::{profiles, SPINE_ERROR_OR_WARNING_CODE};
use crate::gpconnect::ErrorCode;
use crate::provider::faults::{Fault, FaultSet};

/// The bundle's resources, each `(type, id)` once.
#[derive(Default)]
struct Assembly {
    entries: Vec<Value>,
    seen: HashSet<(String, String)>,
}

impl Assembly {
    fn add(&mut self, r: Value) {
        let key = (
            r["resourceType"].as_str().unwrap_or_default().to_string(),
            r["id"].as_str().unwrap_or_default().to_string(),
        );
        if key.1.is_empty() || self.seen.insert(key) {
            self.entries.push(r);
        }
    }
}

/// Everything [`build`] needs besides the query.
pub struct Input<'a> {
    pub ctx: Ctx,
    pub record: &'a ClinicalRecord,
    pub today: NaiveDate,
    /// The request's Ssp-TraceID.
    pub trace_id: String,
    /// Patient, Organization(s), Practitioner and PractitionerRole.
    pub base: Vec<Value>,
    /// The Organization outbound referrals are sent to, added when a ReferralRequest is returned.
    pub referral_recipient: Value,
    /// dd-Mmm-yyyy registration date for the data-in-transit note.
    pub registration_date: String,
    /// Migrate: include confidential items (labelled) instead of withholding them.
    pub include_confidential: bool,
    pub faults: &'a FaultSet,
}

/// Whether a date falls in an optional period (either end open).
fn within(d: NaiveDate, (start, end): (Option<NaiveDate>, Option<NaiveDate>)) -> bool {
    start.is_none_or(|s| d >= s) && end.is_none_or(|e| d <= e)
}

/// A medication authorisation is active on or after `from` (Retrieve a patient's structured record: response, Medications).
fn active_from(i: &Item, from: NaiveDate) -> bool {
    let Detail::Medication { prescription, .. } = &i.detail else {
        return false;
    };
    match (i.end, prescription) {
        (Some(end), _) => end >= from,
        (None, Prescription::Acute) => i.date >= from,
        (None, Prescription::Repeat) => true,
    }
}

/// The items of `area` a request selects, before confidentiality is applied.
fn select<'a>(
    record: &'a ClinicalRecord,
    area: Area,
    req: &AreaRequest,
    input: &Input<'_>,
) -> Vec<&'a Item> {
    let items = record.items.iter().filter(|i| i.area == area);
    let selected = select_conformant(items, area, req, input);
    mis_select(selected, area, req, input.faults)
}

/// The deliberate filter faults, applied to what a conformant provider would select.
fn mis_select<'a>(
    mut selected: Vec<&'a Item>,
    area: Area,
    req: &AreaRequest,
    faults: &FaultSet,
) -> Vec<&'a Item> {
    let dated = match area {
        Area::Medication => req.date(param::MEDICATION_SEARCH_FROM_DATE).is_some(),
        Area::Consultations => req.get(param::CONSULTATION_SEARCH_PERIOD).is_some(),
        Area::Uncategorised => req.get(param::UNCATEGORISED_DATA_SEARCH_PERIOD).is_some(),
        Area::Investigations => req.get(param::INVESTIGATION_SEARCH_PERIOD).is_some(),
        Area::Referrals => req.get(param::REFERRAL_SEARCH_PERIOD).is_some(),
        Area::Diary => req.date(param::DIARY_ENTRIES_SEARCH_DATE).is_some(),
        _ => false,
    };
    if dated && faults.has(Fault::StructuredFilterReturnsNothing) {
        return Vec::new();
    }
    if area == Area::Medication && faults.has(Fault::StructuredMedicationDateOverApplied) {
        if let Some(from) = req.date(param::MEDICATION_SEARCH_FROM_DATE) {
            selected.retain(|i| i.date >= from);
        }
    }
    if area == Area::Consultations && faults.has(Fault::StructuredConsultationPeriodExclusive) {
        let (start, end) = req.period(param::CONSULTATION_SEARCH_PERIOD);
        selected.retain(|i| {
            start.is_none_or(|s| i.date != s) && end.is_none_or(|e| i.end.unwrap_or(i.date) != e)
        });
    }
    if area == Area::Problems
        && faults.has(Fault::StructuredProblemStatusOverApplied)
        && req
            .parts
            .iter()
            .any(|p| p.get(param::FILTER_STATUS).is_some())
    {
        selected.retain(|i| matches!(i.detail, Detail::Problem { major: true, .. }));
    }
    if area == Area::Allergies
        && faults.has(Fault::StructuredCurrentAllergyDropped)
        && !req.bool(param::INCLUDE_RESOLVED_ALLERGIES, true)
    {
        if let Some(last) = selected
            .iter()
            .rposition(|i| matches!(i.detail, Detail::Allergy { ended: None, .. }))
        {
            selected.remove(last);
        }
    }
    selected
}

/// What a conformant provider selects.
fn select_conformant<'a>(
    items: impl Iterator<Item = &'a Item>,
    area: Area,
    req: &AreaRequest,
    input: &Input<'_>,
) -> Vec<&'a Item> {
    let v = input.ctx.version;
    match area {
        Area::Allergies => items.collect(),
        Area::Medication => {
            let from = req
                .date(param::MEDICATION_SEARCH_FROM_DATE)
                .filter(|_| !input.faults.has(Fault::StructuredDateFilterIgnored));
            items
                .filter(|i| {
                    let elsewhere = matches!(
                        i.detail,
                        Detail::Medication {
                            elsewhere: true,
                            ..
                        }
                    ) && v >= since::MIGRATE;
                    from.is_none_or(|f| elsewhere || active_from(i, f))
                })
                .collect()
        }
        Area::Consultations => {
            let period = req.period(param::CONSULTATION_SEARCH_PERIOD);
            let mut found: Vec<&Item> = items
                .filter(|i| {
                    period.0.is_none_or(|s| i.date >= s)
                        && period.1.is_none_or(|e| i.end.unwrap_or(i.date) <= e)
                })
                .collect();
            found.sort_by_key(|i| std::cmp::Reverse(i.date));
            if input.faults.has(Fault::StructuredMostRecentOldest) {
                found.reverse();
            }
            if let Some(PartValue::Int(n)) = req.get(param::INCLUDE_NUMBER_OF_MOST_RECENT) {
                found.truncate(usize::try_from(*n).unwrap_or(usize::MAX));
            }
            found
        }
        Area::Problems => items
            .filter(|i| {
                let Detail::Problem { active, major, .. } = &i.detail else {
                    return false;
                };
                req.parts.iter().any(|p| {
                    let status_ok = match p.get(param::FILTER_STATUS) {
                        Some(PartValue::Code(c)) => (c == "active") == *active,
                        _ => true,
                    };
                    let significance_ok = match p.get(param::FILTER_SIGNIFICANCE) {
                        Some(PartValue::Code(c)) => (c == "major") == *major,
                        _ => true,
                    };
                    status_ok && significance_ok
                })
            })
            .collect(),
        Area::Immunisations => {
            let not_given = req.bool(param::INCLUDE_NOT_GIVEN, false)
                || input.faults.has(Fault::StructuredNotGivenReturned);
            let status = req.bool(param::INCLUDE_STATUS, v >= (1, 5, 0));
            items
                .filter(|i| match &i.detail {
                    Detail::Immunisation { given } => *given || not_given,
                    Detail::Observation {
                        immunisation_status: true,
                        ..
                    } => status,
                    _ => false,
                })
                .collect()
        }
        Area::Uncategorised => {
            let period = req.period(param::UNCATEGORISED_DATA_SEARCH_PERIOD);
            items.filter(|i| within(i.date, period)).collect()
        }
        Area::Investigations => {
            let period = req.period(param::INVESTIGATION_SEARCH_PERIOD);
            items.filter(|i| within(i.date, period)).collect()
        }
        Area::Referrals => {
            let period = req.period(param::REFERRAL_SEARCH_PERIOD);
            items
                .filter(|i| {
                    !matches!(
                        i.detail,
                        Detail::Referral {
                            entered_in_error: true
                        }
                    ) && within(i.date, period)
                })
                .collect()
        }
        Area::Diary => {
            let until = req.date(param::DIARY_ENTRIES_SEARCH_DATE);
            items
                .filter(|i| {
                    !matches!(i.detail, Detail::Diary { complete: true })
                        && until.is_none_or(|u| i.date <= u)
                })
                .collect()
        }
    }
}

struct Builder<'a> {
    input: &'a Input<'a>,
    out: Assembly,
    lists: Vec<Value>,
    /// Keys of items whose resources are in the bundle.
    included: Vec<&'a str>,
    /// Problems returned by the primary Problems List.
    primary_problems: Vec<&'a str>,
    /// Keys of items held by consultation-structure Lists (headings and topic problems).
    in_consultations: Vec<&'a str>,
}

impl<'a> Builder<'a> {
    fn record(&self) -> &'a ClinicalRecord {
        self.input.record
    }

    fn warnings_base(&self) -> Vec<Warning> {
        let mut w = Vec::new();
        if self.record().in_transit {
            w.push(Warning::DataInTransit);
        }
        w
    }

    fn withheld(&self, i: &Item) -> bool {
        i.confidential && !self.input.include_confidential
    }

    /// The confidential-item fault: withheld items are sent all the same (the warning stays).
    fn leaks_confidential(&self) -> bool {
        self.input.faults.has(Fault::StructuredConfidentialItemSent)
    }

    /// Add an item's resources (never a withheld one).
    fn include(&mut self, i: &'a Item, with_issues: bool) {
        if (self.withheld(i) && !self.leaks_confidential())
            || matches!(i.detail, Detail::Problem { .. })
        {
            return;
        }
        for r in render::resources(&self.input.ctx, i, with_issues) {
            self.out.add(r);
        }
        if !self.included.contains(&i.key) {
            self.included.push(i.key);
        }
    }

    fn push_list(
        &mut self,
        title: &str,
        code: Value,
        entries: Vec<Value>,
        warnings: Vec<Warning>,
        contained: Vec<Value>,
    ) {
        let spec = ListSpec {
            title,
            code,
            entries,
            warnings,
            note_date: self.input.registration_date.clone(),
            contained,
        };
        self.lists
            .push(render::list(&self.input.ctx, self.input.today, spec));
    }

    fn primary(&mut self, area: Area, req: &AreaRequest) {
        let c = &self.input.ctx;
        let selected = select(self.record(), area, req, self.input);
        let mut warnings = self.warnings_base();
        if self.record().awaiting_filing && matches!(area, Area::Allergies | Area::Medication) {
            warnings.push(Warning::DataAwaitingFiling);
        }
        let (mut active, mut ended): (Vec<&Item>, Vec<&Item>) = (Vec::new(), Vec::new());
        let mut ended_withheld = false;
        let mut withheld = false;
        for i in selected {
            let is_ended = matches!(i.detail, Detail::Allergy { ended: Some(_), .. });
            if self.withheld(i) {
                if is_ended {
                    ended_withheld = true;
                } else {
                    withheld = true;
                }
                if !self.leaks_confidential() {
                    continue;
                }
            }
            if is_ended {
                ended.push(i);
            } else {
                active.push(i);
            }
        }
        if withheld {
            warnings.push(Warning::ConfidentialItems);
        }
        let with_issues = req.bool(param::INCLUDE_PRESCRIPTION_ISSUES, true);
        let entries: Vec<Value> = active.iter().map(|i| render::list_item(c, i)).collect();
        let drop_list =
            area == Area::Medication && self.input.faults.has(Fault::StructuredListMissing);
        if !drop_list {
            let mut code = render::area_code(area, c.version);
            if area == Area::Allergies && self.input.faults.has(Fault::StructuredWrongListCode) {
                code["coding"][0]["code"] = json!(list::ENDED_ALLERGIES_CODE);
            }
            self.push_list(
                area.spec().list_title,
                code,
                entries,
                warnings.clone(),
                Vec::new(),
            );
        }
        for i in &active {
            self.include(i, with_issues);
            if area == Area::Problems {
                self.primary_problems.push(i.key);
            }
        }
        if area == Area::Allergies {
            let resolved = req.bool(param::INCLUDE_RESOLVED_ALLERGIES, false)
                || self
                    .input
                    .faults
                    .has(Fault::StructuredResolvedAllergiesReturned);
            if resolved {
                let contained: Vec<Value> = ended.iter().map(|i| render::allergy(c, i)).collect();
                let entries = contained.iter().map(|r| json!({"reference": format!("#{}", r["id"].as_str().unwrap_or_default())})).collect();
                let mut w = self.warnings_base();
                if ended_withheld {
                    w.push(Warning::ConfidentialItems);
                }
                let code = json!({"coding": [{"system": crate::gpconnect::structured::systems::SNOMED, "code": list::ENDED_ALLERGIES_CODE, "display": list::ENDED_ALLERGIES_TITLE}]});
                self.push_list(list::ENDED_ALLERGIES_TITLE, code, entries, w, contained);
                self.included.extend(ended.iter().map(|i| i.key));
            }
        }
        if area == Area::Consultations {
            for e in active {
                self.consultation(e);
            }
        }
    }

    /// The Consultation → Topic → Category Lists of one encounter and the items they hold.
    fn consultation(&mut self, e: &'a Item) {
        let Detail::Encounter { topics } = &e.detail else {
            return;
        };
        let c = self.input.ctx.clone();
        let enc_id = c.id(e.key, "");
        let structure = |id: &str,
                         code: &str,
                         display: &str,
                         entries: Vec<Value>,
                         extension: Option<Value>| {
            let mut l = json!({
                "resourceType": "List", "id": id, "meta": {"profile": [crate::gpconnect::structured::profiles::LIST]},
                "status": "current", "mode": "snapshot", "title": display,
                "code": {"coding": [{"system": crate::gpconnect::structured::systems::SNOMED, "code": code, "display": display}]},
                "subject": {"reference": format!("Patient/{}", c.patient_id)},
                "encounter": {"reference": format!("Encounter/{enc_id}")},
                "date": e.date.format("%Y-%m-%d").to_string(),
                "orderedBy": {"coding": [{"system": "http://hl7.org/fhir/list-order", "code": "system", "display": "Sorted by System"}]},
                "entry": entries.into_iter().map(|item| json!({"item": item})).collect::<Vec<_>>(),
            });
            if let Some(x) = extension {
                l["extension"] = json!([x]);
            }
            l
        };
        let mut topic_refs = Vec::new();
        for (t, topic) in topics.iter().enumerate() {
            let topic_id = c.id(e.key, &format!("topic{}", t + 1));
            let mut heading_refs = Vec::new();
            for (h, (title, keys)) in topic.headings.iter().enumerate() {
                let heading_id = c.id(e.key, &format!("topic{}-heading{}", t + 1, h + 1));
                let mut entries = Vec::new();
                for k in keys {
                    if let Some(item) = self.record().item(k).filter(|i| !self.withheld(i)) {
                        entries.push(render::list_item(&c, item));
                        self.include(item, false);
                        self.in_consultations.push(item.key);
                    }
                }
                if entries.is_empty() {
                    continue;
                }
                let mut l = structure(
                    &heading_id,
                    list::CATEGORY_CODE,
                    list::CATEGORY_DISPLAY,
                    entries,
                    None,
                );
                l["title"] = json!(title);
                self.out.add(l);
                heading_refs.push(render::reference("List", &heading_id));
            }
            let problem = topic.problem.and_then(|p| self.record().item(p));
            let ext = problem.map(|p| {
                json!({"url": list::RELATED_PROBLEM_HEADER_EXTENSION, "extension": [
                    {"url": "type", "valueCode": "child"},
                    {"url": "target", "valueReference": render::reference("Condition", &c.id(p.key, ""))}]})
            });
            if let Some(p) = problem {
                if !self.included.contains(&p.key) {
                    self.included.push(p.key);
                }
                self.in_consultations.push(p.key);
            }
            self.out.add(structure(
                &topic_id,
                list::TOPIC_CODE,
                list::TOPIC_DISPLAY,
                heading_refs,
                ext,
            ));
            topic_refs.push(render::reference("List", &topic_id));
        }
        let consultation_id = c.id(e.key, "consultation");
        self.out.add(structure(
            &consultation_id,
            list::CONSULTATION_CODE,
            list::CONSULTATION_DISPLAY,
            topic_refs,
            None,
        ));
    }

    /// Secondary lists for the items linked from consultations or problems, grouped by area.
    fn secondary(&mut self, primary: Area, keys: &[&'a str]) {
        let c = self.input.ctx.clone();
        let mut by_area: BTreeMap<Area, Vec<Value>> = BTreeMap::new();
        for k in keys {
            if let Some(i) = self.record().item(k).filter(|i| !self.withheld(i)) {
                if i.area == primary {
                    continue;
                }
                by_area
                    .entry(i.area)
                    .or_default()
                    .push(render::list_item(&c, i));
            }
        }
        for (area, entries) in by_area {
            let title = list::secondary_title(primary, area);
            let code = render::secondary_code(&title);
            self.push_list(&title, code, entries, self.warnings_base(), Vec::new());
        }
    }
}

/// The structured-record Bundle for `query`.
pub fn build(query: &Query, input: &Input<'_>) -> Value {
    let v = input.ctx.version;
    let mut b = Builder {
        input,
        out: Assembly::default(),
        lists: Vec::new(),
        included: Vec::new(),
        primary_problems: Vec::new(),
        in_consultations: Vec::new(),
    };
    for r in &input.base {
        b.out.add(r.clone());
    }
    for (area, req) in &query.areas {
        b.primary(*area, req);
    }
    if v >= since::SECONDARY_LISTS {
        if query.areas.contains_key(&Area::Consultations) {
            let in_consultations: Vec<&str> = b.in_consultations.clone();
            let problems: Vec<&str> = in_consultations
                .iter()
                .copied()
                .filter(|k| b.record().item(k).is_some_and(|i| i.area == Area::Problems))
                .collect();
            b.secondary(Area::Consultations, &in_consultations);
            for p in problems {
                b.primary_problems.push(p);
            }
        }
        if query.areas.contains_key(&Area::Problems) {
            let mut linked = Vec::new();
            for p in b.primary_problems.clone() {
                if let Some(Detail::Problem { links, .. }) = b.record().item(p).map(|i| &i.detail) {
                    for l in links {
                        if let Some(item) = b.record().item(l) {
                            b.include(item, false);
                            linked.push(*l);
                        }
                    }
                }
            }
            b.secondary(Area::Problems, &linked);
        }
        linked_problems(&mut b, query.areas.contains_key(&Area::Problems));
    }
    render_problems(&mut b);

    if b.out
        .entries
        .iter()
        .any(|r| r["resourceType"] == "ReferralRequest")
    {
        b.out.add(input.referral_recipient.clone());
    }
    let mut entries: Vec<Value> = std::mem::take(&mut b.out.entries);
    entries.extend(std::mem::take(&mut b.lists));
    if !query.unrecognised.is_empty() {
        entries.push(unrecognised_outcome(&query.unrecognised));
    }
    if input.faults.has(Fault::StructuredDanglingReference) {
        for r in entries.iter_mut().filter(|r| r.get("recorder").is_some()) {
            r["recorder"] =
                json!({"reference": format!("Practitioner/{}-missing", input.ctx.practitioner_id)});
        }
    }
    let mut bundle = json!({
        "resourceType": "Bundle",
        "meta": {"profile": [profiles::STRUCTURED_RECORD_BUNDLE]},
        "type": "collection",
        "entry": entries.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>(),
    });
    if v >= since::BUNDLE_ID_IS_TRACE_ID {
        let id = if input.faults.has(Fault::StructuredBundleIdNotTraceId) {
            uuid::Uuid::new_v4().to_string()
        } else {
            input.trace_id.clone()
        };
        bundle["id"] = json!(id);
    }
    bundle
}

/// The one "linked problems not relating to the primary query" List: problems linked to returned items
/// that the primary Problems List (if any) does not hold, and problems related to returned problems.
fn linked_problems(b: &mut Builder<'_>, problems_queried: bool) {
    let c = b.input.ctx.clone();
    let mut linked: Vec<&Item> = Vec::new();
    let mut included = b.included.clone();
    included.extend(b.primary_problems.iter().copied());
    for k in &included {
        for p in b.record().problems_linking(k) {
            let in_primary = problems_queried && b.primary_problems.contains(&p.key);
            if !in_primary && !linked.iter().any(|x| x.key == p.key) && !b.withheld(p) {
                linked.push(p);
            }
        }
    }
    for k in b.primary_problems.clone() {
        if let Some(Detail::Problem {
            related: Some(r), ..
        }) = b.record().item(k).map(|i| &i.detail)
        {
            if let Some(p) = b.record().item(r) {
                if !b.primary_problems.contains(&p.key) && !linked.iter().any(|x| x.key == p.key) {
                    linked.push(p);
                }
            }
        }
    }
    if linked.is_empty() {
        return;
    }
    let entries = linked.iter().map(|p| render::list_item(&c, p)).collect();
    let code = render::secondary_code(list::LINKED_PROBLEMS_TITLE);
    let w = b.warnings_base();
    b.push_list(list::LINKED_PROBLEMS_TITLE, code, entries, w, Vec::new());
    for p in linked {
        if !b.included.contains(&p.key) {
            b.included.push(p.key);
        }
    }
}

/// Render every problem in the bundle, linking only to items that are in it (so no reference dangles).
fn render_problems(b: &mut Builder<'_>) {
    let c = b.input.ctx.clone();
    let mut keys: Vec<&str> = b.primary_problems.clone();
    keys.extend(b.included.iter().copied());
    let mut done = HashSet::new();
    for k in keys {
        let Some(p) = b.record().item(k) else {
            continue;
        };
        let Detail::Problem { links, related, .. } = &p.detail else {
            continue;
        };
        if !done.insert(k) {
            continue;
        }
        let linked: Vec<&Item> = links
            .iter()
            .filter(|l| b.included.contains(l))
            .filter_map(|l| b.record().item(l))
            .collect();
        let related = related
            .filter(|r| b.included.contains(r) || b.primary_problems.contains(r))
            .and_then(|r| b.record().item(r));
        let r = render::problem(&c, p, &linked, related);
        b.out.add(r);
    }
}

/// One OperationOutcome with a NOT_IMPLEMENTED warning per unrecognised parameter (Retrieve a patient's structured record: unsupported parameters).
fn unrecognised_outcome(names: &[String]) -> Value {
    let code = ErrorCode::NotImplemented;
    json!({
        "resourceType": "OperationOutcome",
        "meta": {"profile": [profiles::OPERATION_OUTCOME]},
        "issue": names.iter().map(|n| json!({
            "severity": "warning",
            "code": code.issue_type(),
            "details": {"coding": [{"system": SPINE_ERROR_OR_WARNING_CODE, "code": code.code(), "display": code.display()}],
                "text": warning_text::unrecognised(n)},
            "diagnostics": n,
        })).collect::<Vec<_>>(),
    })
}
