//! Rendering record items as the CareConnect-GPC clinical resources (Resources overview: clinical resources): each populates
//! its mandatory elements and none of its not-in-use ones.
//!
//! Resources overview: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_resources_overview.html>
//! List: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html>

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::record::{Code, Detail, Item, Prescription};
use crate::gpconnect::structured::{list, profiles, systems as ss, Area, Version, Warning};

/// What every rendered resource refers to.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub version: Version,
    pub patient_id: String,
    pub practitioner_id: String,
    pub organization_id: String,
    /// Organization receiving outbound referrals.
    pub referral_recipient_id: String,
    /// Identifier namespace of this provider's clinical items.
    pub identifier_system: String,
    /// Label confidential items NOPAT (migrate with sensitive information).
    pub label_confidential: bool,
}

impl Ctx {
    /// The logical id of item `key` rendered as `kind` (`med1` → plan `…-med1-plan`).
    pub fn id(&self, key: &str, kind: &str) -> String {
        if kind.is_empty() {
            format!("{}-{key}", self.patient_id)
        } else {
            format!("{}-{key}-{kind}", self.patient_id)
        }
    }

    fn patient(&self) -> Value {
        json!({"reference": format!("Patient/{}", self.patient_id)})
    }

    fn practitioner(&self) -> Value {
        json!({"reference": format!("Practitioner/{}", self.practitioner_id)})
    }

    fn base(&self, ty: &str, id: &str, profile: &str, confidential: bool) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("resourceType".into(), json!(ty));
        m.insert("id".into(), json!(id));
        let mut meta = json!({"profile": [profile]});
        if confidential && self.label_confidential {
            meta["security"] = json!([{"system": ss::ACT_CODE_SYSTEM, "code": ss::NOPAT,
                "display": "no disclosure to patient, family or caregivers without attending provider's authorization"}]);
        }
        m.insert("meta".into(), meta);
        m.insert(
            "identifier".into(),
            json!([{"system": self.identifier_system, "value": id}]),
        );
        m
    }
}

/// A SNOMED CodeableConcept.
pub fn concept(code: Code) -> Value {
    json!({"coding": [{"system": ss::SNOMED, "code": code.0, "display": code.1}]})
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A reference to `ty/id`.
pub fn reference(ty: &str, id: &str) -> Value {
    json!({"reference": format!("{ty}/{id}")})
}

pub fn allergy(c: &Ctx, i: &Item) -> Value {
    let Detail::Allergy { category, ended } = &i.detail else {
        return Value::Null;
    };
    let mut m = c.base(
        "AllergyIntolerance",
        &c.id(i.key, ""),
        profiles::ALLERGY_INTOLERANCE,
        i.confidential,
    );
    if let Some((end, reason)) = ended {
        m.insert(
            "extension".into(),
            json!([{"url": ss::ALLERGY_END_EXTENSION, "extension": [
                {"url": "endDate", "valueDateTime": date(*end)},
                {"url": "reasonEnded", "valueString": reason.unwrap_or("No information available")},
            ]}]),
        );
    }
    m.insert(
        "clinicalStatus".into(),
        json!(if ended.is_some() {
            "resolved"
        } else {
            "active"
        }),
    );
    m.insert("verificationStatus".into(), json!("unconfirmed"));
    m.insert("category".into(), json!([category]));
    m.insert("code".into(), concept(i.code));
    m.insert("patient".into(), c.patient());
    m.insert("onsetDateTime".into(), json!(date(i.date)));
    m.insert("assertedDate".into(), json!(date(i.date)));
    m.insert("recorder".into(), c.practitioner());
    Value::Object(m)
}

/// The Medication, MedicationStatement, plan MedicationRequest and (when asked) the issue orders of one
/// authorisation.
pub fn medication(c: &Ctx, i: &Item, with_issues: bool) -> Vec<Value> {
    let Detail::Medication {
        medicine,
        prescription,
        issues,
        elsewhere,
    } = &i.detail
    else {
        return Vec::new();
    };
    let (med_id, ms_id, plan_id) = (c.id(i.key, "med"), c.id(i.key, "ms"), c.id(i.key, "plan"));
    let mut med = c.base("Medication", &med_id, profiles::MEDICATION, i.confidential);
    // STU3 Medication has no identifier element.
    med.remove("identifier");
    med.insert("code".into(), concept(*medicine));
    let mut period = json!({"start": date(i.date)});
    if let Some(e) = i.end {
        period["end"] = json!(date(e));
    }
    let status = if i.end.is_some() {
        "completed"
    } else {
        "active"
    };
    let agency = if *elsewhere {
        (
            "prescribed-by-another-organisation",
            "Prescribed by another organisation",
        )
    } else {
        ("prescribed-at-gp-practice", "Prescribed at GP practice")
    };
    let mut ms = c.base(
        "MedicationStatement",
        &ms_id,
        profiles::MEDICATION_STATEMENT,
        i.confidential,
    );
    let mut ms_ext = vec![
        json!({"url": ss::PRESCRIBING_AGENCY_EXTENSION, "valueCodeableConcept": {"coding": [
        {"system": ss::PRESCRIBING_AGENCY_SYSTEM, "code": agency.0, "display": agency.1}]}}),
    ];
    if let Some(last) = issues.last() {
        ms_ext.push(json!({"url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-MedicationStatementLastIssueDate-1", "valueDateTime": date(*last)}));
    }
    ms.insert("extension".into(), Value::Array(ms_ext));
    ms.insert(
        "basedOn".into(),
        json!([reference("MedicationRequest", &plan_id)]),
    );
    ms.insert("status".into(), json!(status));
    ms.insert(
        "medicationReference".into(),
        reference("Medication", &med_id),
    );
    ms.insert("effectivePeriod".into(), period.clone());
    ms.insert("dateAsserted".into(), json!(date(i.date)));
    ms.insert("subject".into(), c.patient());
    ms.insert("taken".into(), json!("unk"));
    ms.insert("dosage".into(), json!([{"text": "As directed"}]));
    let (ptype, pdisplay) = match prescription {
        Prescription::Acute => ("acute", "Acute"),
        Prescription::Repeat => ("repeat", "Repeat"),
    };
    let type_ext = json!({"url": ss::PRESCRIPTION_TYPE_EXTENSION, "valueCodeableConcept": {"coding": [
        {"system": ss::PRESCRIPTION_TYPE_SYSTEM, "code": ptype, "display": pdisplay}]}});
    let mut repeat =
        vec![json!({"url": "numberOfRepeatPrescriptionsIssued", "valueUnsignedInt": issues.len()})];
    if *prescription == Prescription::Repeat {
        repeat.insert(
            0,
            json!({"url": "numberOfRepeatPrescriptionsAllowed", "valueUnsignedInt": 6}),
        );
    }
    let request = |id: &str, intent: &str, status: &str, start: NaiveDate, ext: Vec<Value>| {
        let mut r = c.base(
            "MedicationRequest",
            id,
            profiles::MEDICATION_REQUEST,
            i.confidential,
        );
        r.insert("extension".into(), Value::Array(ext));
        r.insert("status".into(), json!(status));
        r.insert("intent".into(), json!(intent));
        r.insert(
            "medicationReference".into(),
            reference("Medication", &med_id),
        );
        r.insert("subject".into(), c.patient());
        r.insert("authoredOn".into(), json!(date(start)));
        r.insert("recorder".into(), c.practitioner());
        r.insert("dosageInstruction".into(), json!([{"text": "As directed"}]));
        r.insert("dispenseRequest".into(), json!({
            "validityPeriod": if intent == "plan" { period.clone() } else { json!({"start": date(start)}) },
            "quantity": {"value": 28, "unit": "capsule"},
            "expectedSupplyDuration": {"value": 28, "unit": "day", "system": "http://unitsofmeasure.org", "code": "d"},
        }));
        r
    };
    let plan = request(
        &plan_id,
        "plan",
        status,
        i.date,
        vec![
            type_ext.clone(),
            json!({"url": ss::REPEAT_INFORMATION_EXTENSION, "extension": repeat}),
        ],
    );
    let mut out = vec![Value::Object(med), Value::Object(ms), Value::Object(plan)];
    if with_issues {
        for (n, issued) in issues.iter().enumerate() {
            let mut order = request(
                &c.id(i.key, &format!("issue{}", n + 1)),
                "order",
                "completed",
                *issued,
                vec![type_ext.clone()],
            );
            order.insert(
                "basedOn".into(),
                json!([reference("MedicationRequest", &plan_id)]),
            );
            out.push(Value::Object(order));
        }
    }
    out
}

/// The key a problem's links point at: medications link through their plan MedicationRequest.
pub fn link_reference(c: &Ctx, target: &Item) -> Value {
    match &target.detail {
        Detail::Allergy { .. } => reference("AllergyIntolerance", &c.id(target.key, "")),
        Detail::Medication { .. } => reference("MedicationRequest", &c.id(target.key, "plan")),
        Detail::Problem { .. } => reference("Condition", &c.id(target.key, "")),
        Detail::Encounter { .. } => reference("Encounter", &c.id(target.key, "")),
        Detail::Immunisation { .. } => reference("Immunization", &c.id(target.key, "")),
        Detail::Observation { .. } => reference("Observation", &c.id(target.key, "")),
        Detail::Investigation => reference("DiagnosticReport", &c.id(target.key, "")),
        Detail::Referral { .. } => reference("ReferralRequest", &c.id(target.key, "")),
        Detail::Diary { .. } => reference("ProcedureRequest", &c.id(target.key, "")),
    }
}

/// A ProblemHeader Condition; `links` are the linked items that are in the bundle.
pub fn problem(c: &Ctx, i: &Item, links: &[&Item], related: Option<&Item>) -> Value {
    let Detail::Problem { active, major, .. } = &i.detail else {
        return Value::Null;
    };
    let mut m = c.base(
        "Condition",
        &c.id(i.key, ""),
        profiles::PROBLEM_HEADER,
        i.confidential,
    );
    let mut ext = vec![
        json!({"url": ss::PROBLEM_SIGNIFICANCE_EXTENSION, "valueCode": if *major { "major" } else { "minor" }}),
    ];
    if let Some(r) = related {
        ext.push(json!({"url": list::RELATED_PROBLEM_HEADER_EXTENSION, "extension": [
            {"url": "type", "valueCode": "child"}, {"url": "target", "valueReference": reference("Condition", &c.id(r.key, ""))}]}));
    }
    ext.extend(links.iter().map(|l| json!({"url": ss::RELATED_CLINICAL_CONTENT_EXTENSION, "valueReference": link_reference(c, l)})));
    m.insert("extension".into(), Value::Array(ext));
    m.insert(
        "clinicalStatus".into(),
        json!(if *active { "active" } else { "inactive" }),
    );
    m.insert("category".into(), json!([{"coding": [{"system": ss::CONDITION_CATEGORY_SYSTEM, "code": "problem-list-item", "display": "Problem List Item"}]}]));
    m.insert("code".into(), concept(i.code));
    m.insert("subject".into(), c.patient());
    m.insert("onsetDateTime".into(), json!(date(i.date)));
    if !active {
        m.insert(
            "abatementDateTime".into(),
            json!(date(i.date + chrono::Duration::days(90))),
        );
    }
    m.insert("assertedDate".into(), json!(date(i.date)));
    m.insert("asserter".into(), c.practitioner());
    Value::Object(m)
}

pub fn encounter(c: &Ctx, i: &Item) -> Value {
    let mut m = c.base(
        "Encounter",
        &c.id(i.key, ""),
        profiles::ENCOUNTER,
        i.confidential,
    );
    m.insert("status".into(), json!("finished"));
    m.insert("type".into(), json!([concept(i.code)]));
    m.insert("subject".into(), c.patient());
    m.insert("participant".into(), json!([{"type": [{"coding": [{"system": ss::PARTICIPANT_TYPE_SYSTEM, "code": "REC", "display": "recorder"}]}],
        "individual": c.practitioner()}]));
    m.insert("period".into(), json!({"start": format!("{}T09:00:00+00:00", date(i.date)), "end": format!("{}T09:15:00+00:00", date(i.end.unwrap_or(i.date)))}));
    m.insert(
        "serviceProvider".into(),
        reference("Organization", &c.organization_id),
    );
    Value::Object(m)
}

pub fn immunisation(c: &Ctx, i: &Item) -> Value {
    let Detail::Immunisation { given } = &i.detail else {
        return Value::Null;
    };
    let mut m = c.base(
        "Immunization",
        &c.id(i.key, ""),
        profiles::IMMUNIZATION,
        i.confidential,
    );
    m.insert(
        "extension".into(),
        json!([
            {"url": ss::DATE_RECORDED_EXTENSION, "valueDateTime": date(i.date)},
            {"url": ss::VACCINATION_PROCEDURE_EXTENSION, "valueCodeableConcept": concept(i.code)},
        ]),
    );
    m.insert("status".into(), json!("completed"));
    m.insert("notGiven".into(), json!(!given));
    m.insert("vaccineCode".into(), json!({"coding": [{"system": "http://hl7.org/fhir/v3/NullFlavor", "code": "UNK", "display": "unknown"}]}));
    m.insert("patient".into(), c.patient());
    m.insert("date".into(), json!(date(i.date)));
    m.insert("primarySource".into(), json!(true));
    m.insert("practitioner".into(), json!([{"role": {"coding": [{"system": "http://hl7.org/fhir/v2/0443", "code": "AP", "display": "Administering Provider"}]}, "actor": c.practitioner()}]));
    if *given {
        m.insert("vaccinationProtocol".into(), json!([{"doseSequence": 1, "targetDisease": [concept(i.code)],
            "doseStatus": {"coding": [{"system": "http://hl7.org/fhir/vaccination-protocol-dose-status", "code": "count", "display": "Counts"}]}}]));
    } else {
        m.insert(
            "explanation".into(),
            json!({"reasonNotGiven": [{"text": "Patient declined"}]}),
        );
    }
    Value::Object(m)
}

pub fn observation(c: &Ctx, i: &Item) -> Value {
    let Detail::Observation { value, .. } = &i.detail else {
        return Value::Null;
    };
    let mut m = c.base(
        "Observation",
        &c.id(i.key, ""),
        profiles::OBSERVATION,
        i.confidential,
    );
    m.insert("status".into(), json!("final"));
    m.insert("code".into(), concept(i.code));
    m.insert("subject".into(), c.patient());
    m.insert("effectiveDateTime".into(), json!(date(i.date)));
    m.insert(
        "issued".into(),
        json!(format!("{}T10:00:00+00:00", date(i.date))),
    );
    m.insert("performer".into(), json!([c.practitioner()]));
    m.insert("valueString".into(), json!(value));
    Value::Object(m)
}

/// DiagnosticReport, its test group, result and filing comment Observations, Specimen and request.
pub fn investigation(c: &Ctx, i: &Item) -> Vec<Value> {
    let ids = |k: &str| c.id(i.key, k);
    let (report_id, group_id, result_id, filing_id, specimen_id, request_id) = (
        ids(""),
        ids("group"),
        ids("result"),
        ids("filing"),
        ids("specimen"),
        ids("request"),
    );
    let issued = format!("{}T11:00:00+00:00", date(i.date));
    let obs = |id: &str, code: Code, related: Option<(&str, &str)>, value: Option<&str>| {
        let mut o = c.base("Observation", id, profiles::OBSERVATION, i.confidential);
        o.insert("status".into(), json!("final"));
        o.insert("code".into(), concept(code));
        o.insert("subject".into(), c.patient());
        o.insert("issued".into(), json!(issued));
        o.insert("performer".into(), json!([c.practitioner()]));
        if let Some(v) = value {
            o.insert("valueString".into(), json!(v));
        }
        if let Some((ty, target)) = related {
            o.insert(
                "related".into(),
                json!([{"type": ty, "target": reference("Observation", target)}]),
            );
        }
        Value::Object(o)
    };
    let group = obs(&group_id, i.code, Some(("has-member", &result_id)), None);
    let result = obs(
        &result_id,
        ("1022451000000103", "Haemoglobin concentration"),
        Some(("derived-from", &group_id)),
        Some("135 g/L"),
    );
    let filing = obs(
        &filing_id,
        ("37331000000100", "Comment note"),
        Some(("derived-from", &group_id)),
        Some("Filed by GP"),
    );
    let mut specimen = c.base("Specimen", &specimen_id, profiles::SPECIMEN, i.confidential);
    specimen.insert("type".into(), json!({"text": "Blood"}));
    specimen.insert("subject".into(), c.patient());
    specimen.insert("receivedTime".into(), json!(issued));
    let mut request = c.base(
        "ProcedureRequest",
        &request_id,
        profiles::PROCEDURE_REQUEST,
        i.confidential,
    );
    request.insert("status".into(), json!("active"));
    request.insert("intent".into(), json!("order"));
    request.insert("code".into(), concept(i.code));
    request.insert("subject".into(), c.patient());
    let mut report = c.base(
        "DiagnosticReport",
        &report_id,
        profiles::DIAGNOSTIC_REPORT,
        i.confidential,
    );
    report.insert(
        "basedOn".into(),
        json!([reference("ProcedureRequest", &request_id)]),
    );
    report.insert("status".into(), json!("final"));
    report.insert("code".into(), concept(i.code));
    report.insert("subject".into(), c.patient());
    report.insert("issued".into(), json!(issued));
    report.insert(
        "performer".into(),
        json!([{"actor": reference("Organization", &c.organization_id)}]),
    );
    report.insert(
        "specimen".into(),
        json!([reference("Specimen", &specimen_id)]),
    );
    report.insert(
        "result".into(),
        json!([
            reference("Observation", &group_id),
            reference("Observation", &filing_id)
        ]),
    );
    vec![
        Value::Object(report),
        group,
        result,
        filing,
        Value::Object(specimen),
        Value::Object(request),
    ]
}

pub fn referral(c: &Ctx, i: &Item) -> Value {
    let mut m = c.base(
        "ReferralRequest",
        &c.id(i.key, ""),
        profiles::REFERRAL_REQUEST,
        i.confidential,
    );
    m.insert("status".into(), json!("unknown"));
    m.insert("intent".into(), json!("order"));
    m.insert("priority".into(), json!("routine"));
    m.insert("subject".into(), c.patient());
    m.insert("authoredOn".into(), json!(date(i.date)));
    m.insert("requester".into(), json!({"agent": c.practitioner()}));
    m.insert(
        "recipient".into(),
        json!([reference("Organization", &c.referral_recipient_id)]),
    );
    m.insert("reasonCode".into(), json!([concept(i.code)]));
    Value::Object(m)
}

pub fn diary(c: &Ctx, i: &Item) -> Value {
    let mut m = c.base(
        "ProcedureRequest",
        &c.id(i.key, ""),
        profiles::PROCEDURE_REQUEST,
        i.confidential,
    );
    m.insert("status".into(), json!("active"));
    m.insert("intent".into(), json!("plan"));
    m.insert("code".into(), concept(i.code));
    m.insert("subject".into(), c.patient());
    m.insert("occurrenceDateTime".into(), json!(date(i.date)));
    m.insert(
        "authoredOn".into(),
        json!(date(i.date - chrono::Duration::days(60))),
    );
    m.insert("requester".into(), json!({"agent": c.practitioner()}));
    Value::Object(m)
}

/// Every resource of one item (for medications, with the issue orders when `with_issues`).
pub fn resources(c: &Ctx, i: &Item, with_issues: bool) -> Vec<Value> {
    match &i.detail {
        Detail::Allergy { .. } => vec![allergy(c, i)],
        Detail::Medication { .. } => medication(c, i, with_issues),
        Detail::Problem { .. } => Vec::new(),
        Detail::Encounter { .. } => vec![encounter(c, i)],
        Detail::Immunisation { .. } => vec![immunisation(c, i)],
        Detail::Observation { .. } => vec![observation(c, i)],
        Detail::Investigation => investigation(c, i),
        Detail::Referral { .. } => vec![referral(c, i)],
        Detail::Diary { .. } => vec![diary(c, i)],
    }
}

/// The reference a List entry holds for an item (medications: the MedicationStatement).
pub fn list_item(c: &Ctx, i: &Item) -> Value {
    match &i.detail {
        Detail::Medication { .. } => reference("MedicationStatement", &c.id(i.key, "ms")),
        _ => link_reference(c, i),
    }
}

/// A query-response List (no id, CareConnect-GPC-List-1, List: query-response Lists).
pub struct ListSpec<'a> {
    pub title: &'a str,
    pub code: Value,
    pub entries: Vec<Value>,
    pub warnings: Vec<Warning>,
    /// dd-Mmm-yyyy for the warning notes.
    pub note_date: String,
    pub contained: Vec<Value>,
}

pub fn list(c: &Ctx, today: NaiveDate, spec: ListSpec<'_>) -> Value {
    let mut m = Map::new();
    m.insert("resourceType".into(), json!("List"));
    m.insert("meta".into(), json!({"profile": [profiles::LIST]}));
    if !spec.contained.is_empty() {
        m.insert("contained".into(), Value::Array(spec.contained));
    }
    let mut ext = vec![
        json!({"url": list::CLINICAL_SETTING_EXTENSION, "valueCodeableConcept": {"coding": [
        {"system": ss::SNOMED, "code": list::CLINICAL_SETTING.0, "display": list::CLINICAL_SETTING.1}]}}),
    ];
    ext.extend(
        spec.warnings
            .iter()
            .map(|w| json!({"url": list::WARNING_CODE_EXTENSION, "valueCode": w.code()})),
    );
    m.insert("extension".into(), Value::Array(ext));
    m.insert("status".into(), json!("current"));
    m.insert("mode".into(), json!("snapshot"));
    m.insert("title".into(), json!(spec.title));
    m.insert("code".into(), spec.code);
    m.insert("subject".into(), c.patient());
    m.insert("date".into(), json!(date(today)));
    let mut notes: Vec<Value> = spec
        .warnings
        .iter()
        .map(|w| json!({"text": w.note(c.version, &spec.note_date)}))
        .collect();
    if spec.entries.is_empty() {
        notes.push(json!({"text": list::EMPTY_NOTE}));
        m.insert("emptyReason".into(), json!({"coding": [{"system": list::EMPTY_REASON_SYSTEM, "code": list::EMPTY_REASON_CODE, "display": list::EMPTY_REASON_DISPLAY}]}));
    } else {
        m.insert(
            "entry".into(),
            Value::Array(
                spec.entries
                    .into_iter()
                    .map(|item| json!({"item": item}))
                    .collect(),
            ),
        );
    }
    if !notes.is_empty() {
        m.insert("note".into(), Value::Array(notes));
    }
    Value::Object(m)
}

/// The primary List code of `area`.
pub fn area_code(area: Area, v: Version) -> Value {
    let code = area.list_code(v);
    let display = if code == list::CONSULTATION_CODE {
        list::CONSULTATION_DISPLAY
    } else {
        area.spec().list_title
    };
    json!({"coding": [{"system": ss::SNOMED, "code": code, "display": display}]})
}

/// A secondary List code (1.5.0+).
pub fn secondary_code(title: &str) -> Value {
    json!({"coding": [{"system": list::SECONDARY_SYSTEM, "code": list::secondary_code(title), "display": title}]})
}
