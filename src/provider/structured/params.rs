//! Reading a `$gpc.getstructuredrecord` / `$gpc.migratestructuredrecord` `Parameters` body into a
//! [`Query`], with the error handling table of Retrieve a patient's structured record for the provider's version: what is refused with
//! which code, and which unknown names only earn a NOT_IMPLEMENTED warning (Retrieve a patient's structured record: unsupported parameters).
//!
//! Retrieve a patient's structured record: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html>
//! Migrate a patient's structured record: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_migrate_patient_record.html>

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

use crate::gpconnect::structured::{self as gs, param, since, Area, PartKind, Version};
use crate::gpconnect::{nhs_number, systems, ErrorCode};
use crate::provider::outcome::ApiError;

/// A validated part value.
#[derive(Debug, Clone, PartialEq)]
pub enum PartValue {
    Boolean(bool),
    Date(NaiveDate),
    Period(Option<NaiveDate>, Option<NaiveDate>),
    Int(i64),
    Code(String),
}

/// One requested area with its parts. `includeProblems` may repeat before 1.6.2, so an area holds a list
/// of part sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AreaRequest {
    pub parts: Vec<BTreeMap<&'static str, PartValue>>,
}

impl AreaRequest {
    /// The value of `part` in the first part set that has it.
    pub fn get(&self, part: &str) -> Option<&PartValue> {
        self.parts.iter().find_map(|p| p.get(part))
    }

    pub fn bool(&self, part: &str, default: bool) -> bool {
        match self.get(part) {
            Some(PartValue::Boolean(b)) => *b,
            _ => default,
        }
    }

    pub fn date(&self, part: &str) -> Option<NaiveDate> {
        match self.get(part) {
            Some(PartValue::Date(d)) => Some(*d),
            _ => None,
        }
    }

    pub fn period(&self, part: &str) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match self.get(part) {
            Some(PartValue::Period(s, e)) => (*s, *e),
            _ => (None, None),
        }
    }

    fn has(&self, part: &str) -> bool {
        self.get(part).is_some()
    }
}

/// What the consumer asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub nhs_number: String,
    pub areas: BTreeMap<Area, AreaRequest>,
    /// `param` or `param.part` names that were not recognised (NOT_IMPLEMENTED warnings).
    pub unrecognised: Vec<String>,
    /// Migrate only: `includeFullRecord.includeSensitiveInformation`.
    pub include_sensitive: bool,
}

fn invalid_parameter(msg: String) -> ApiError {
    ApiError::invalid_parameter(msg)
}

/// The `parameter` array of a `Parameters` resource (INVALID_RESOURCE when it is not one).
fn parameters(body: &Value) -> Result<&Vec<Value>, ApiError> {
    let ty = body
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if ty != "Parameters" {
        return Err(ApiError::invalid_resource(format!(
            "the request body is a {ty:?}; expected a Parameters resource"
        )));
    }
    // A `parameter` that is not an array cannot be read as FHIR: the Parameters does not parse
    // (INVALID_RESOURCE); no `parameter` at all is a request with no recognised parameter.
    if body.get("parameter").is_some_and(|p| !p.is_array()) {
        return Err(ApiError::invalid_resource(
            "Parameters.parameter is not an array".to_string(),
        ));
    }
    let list = body.get("parameter").and_then(Value::as_array);
    let list = list
        .ok_or_else(|| invalid_parameter("the Parameters resource has no parameter".to_string()))?;
    for (i, p) in list.iter().enumerate() {
        if p.get("name")
            .and_then(Value::as_str)
            .is_none_or(|n| n.trim().is_empty())
        {
            return Err(ApiError::invalid_resource(format!(
                "Parameters.parameter[{i}] has no name"
            )));
        }
    }
    Ok(list)
}

fn name(p: &Value) -> &str {
    p.get("name").and_then(Value::as_str).unwrap_or_default()
}

/// `patientNHSNumber`: exactly one, NHS number system, valid check digit.
fn nhs(list: &[Value]) -> Result<String, ApiError> {
    let found: Vec<&Value> = list
        .iter()
        .filter(|p| name(p) == param::PATIENT_NHS_NUMBER)
        .collect();
    let p = match found.as_slice() {
        [] => {
            return Err(invalid_parameter(format!(
                "{} is missing",
                param::PATIENT_NHS_NUMBER
            )))
        }
        [one] => *one,
        _ => {
            return Err(ApiError::invalid_resource(format!(
                "{} is sent more than once",
                param::PATIENT_NHS_NUMBER
            )))
        }
    };
    let id = p.get("valueIdentifier").ok_or_else(|| {
        invalid_parameter(format!(
            "{} has no valueIdentifier",
            param::PATIENT_NHS_NUMBER
        ))
    })?;
    let system = id.get("system").and_then(Value::as_str).unwrap_or_default();
    if system != systems::NHS_NUMBER {
        return Err(invalid_parameter(format!(
            "{}.system {system:?} is not {}",
            param::PATIENT_NHS_NUMBER,
            systems::NHS_NUMBER
        )));
    }
    let value = id.get("value").and_then(Value::as_str).unwrap_or_default();
    nhs_number::validate(value).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidNhsNumber,
            format!(
                "{}: NHS number {value:?} is invalid: {e}",
                param::PATIENT_NHS_NUMBER
            ),
        )
    })?;
    Ok(value.to_string())
}

/// A whole date `yyyy-mm-dd` (no partial date, time or offset).
fn whole_date(v: &Value, what: &str) -> Result<NaiveDate, ApiError> {
    let s = v.as_str().unwrap_or_default();
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| invalid_parameter(format!("{what} {v} is not a whole date (yyyy-mm-dd)")))
}

fn value_of(
    kind: PartKind,
    p: &Value,
    what: &str,
    today: NaiveDate,
) -> Result<PartValue, ApiError> {
    let value = kind.value_elements().iter().find_map(|e| p.get(*e));
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Err(invalid_parameter(format!(
            "{what} has no {} value",
            kind.value_elements()[0]
        )));
    };
    match kind {
        PartKind::Boolean => match value {
            Value::Bool(b) => Ok(PartValue::Boolean(*b)),
            Value::String(s) if s == "true" || s == "false" => Ok(PartValue::Boolean(s == "true")),
            other => Err(invalid_parameter(format!(
                "{what} {other} is not a boolean"
            ))),
        },
        PartKind::DateNotAfterToday => {
            let d = whole_date(value, what)?;
            if d > today {
                return Err(invalid_parameter(format!("{what} {d} is in the future")));
            }
            Ok(PartValue::Date(d))
        }
        PartKind::DateNotBeforeToday => {
            let d = whole_date(value, what)?;
            if d < today {
                return Err(invalid_parameter(format!(
                    "{what} {d} is in the past; it must be today or later"
                )));
            }
            Ok(PartValue::Date(d))
        }
        PartKind::Period => {
            let obj = value
                .as_object()
                .ok_or_else(|| invalid_parameter(format!("{what} is not a Period")))?;
            if obj.is_empty() {
                return Err(invalid_parameter(format!(
                    "{what} has neither start nor end"
                )));
            }
            let start = obj
                .get("start")
                .map(|s| whole_date(s, &format!("{what}.start")))
                .transpose()?;
            let end = obj
                .get("end")
                .map(|e| whole_date(e, &format!("{what}.end")))
                .transpose()?;
            for (label, d) in [("start", start), ("end", end)] {
                if d.is_some_and(|d| d > today) {
                    return Err(invalid_parameter(format!(
                        "{what}.{label} is in the future"
                    )));
                }
            }
            if let (Some(s), Some(e)) = (start, end) {
                if s > e {
                    return Err(invalid_parameter(format!(
                        "{what}.start {s} is after its end {e}"
                    )));
                }
            }
            Ok(PartValue::Period(start, end))
        }
        PartKind::PositiveInt => match value
            .as_i64()
            .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        {
            Some(n) if n >= 1 => Ok(PartValue::Int(n)),
            _ => Err(invalid_parameter(format!(
                "{what} {value} is not a positive integer"
            ))),
        },
        PartKind::Code(allowed) => match value.as_str() {
            Some(c) if allowed.contains(&c) => Ok(PartValue::Code(c.to_string())),
            _ => Err(invalid_parameter(format!(
                "{what} {value} is not one of {allowed:?}"
            ))),
        },
        PartKind::Concept(allowed) => match value.pointer("/coding/0/code").and_then(Value::as_str)
        {
            Some(c) if allowed.contains(&c) => Ok(PartValue::Code(c.to_string())),
            _ => Err(invalid_parameter(format!(
                "{what} {value} does not code one of {allowed:?}"
            ))),
        },
    }
}

/// Read the parts of one `include*` parameter.
fn area_parts(
    area: Area,
    p: &Value,
    v: Version,
    today: NaiveDate,
    unrecognised: &mut Vec<String>,
) -> Result<BTreeMap<&'static str, PartValue>, ApiError> {
    let parent = area.spec().parameter;
    let mut out = BTreeMap::new();
    let parts = p
        .get("part")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for part in &parts {
        let n = name(part);
        let Some(spec) = gs::part(area, n, v) else {
            let full = format!("{parent}.{n}");
            if v < since::FORWARD_COMPATIBILITY {
                return Err(ApiError::invalid_resource(format!(
                    "{full} is not a parameter of this operation"
                )));
            }
            unrecognised.push(full);
            continue;
        };
        let what = format!("{parent}.{n}");
        // Kept under the current name (a 1.3.0 problem filter works as its 1.3.1 successor).
        let key = gs::current_part_name(area, spec.name);
        if out.contains_key(key) {
            return Err(ApiError::invalid_resource(format!(
                "{what} is sent more than once"
            )));
        }
        out.insert(key, value_of(spec.kind, part, &what, today)?);
    }
    for spec in gs::PARTS
        .iter()
        .filter(|s| s.area == area && s.mandatory_in(v))
    {
        if !out.contains_key(spec.name) {
            return Err(invalid_parameter(format!(
                "{parent}.{} is mandatory and missing",
                spec.name
            )));
        }
    }
    if out.contains_key(param::CONSULTATION_SEARCH_PERIOD)
        && out.contains_key(param::INCLUDE_NUMBER_OF_MOST_RECENT)
    {
        return Err(ApiError::invalid_resource(format!(
            "{parent}.{} and {parent}.{} may not be sent together",
            param::CONSULTATION_SEARCH_PERIOD,
            param::INCLUDE_NUMBER_OF_MOST_RECENT
        )));
    }
    Ok(out)
}

/// The `$gpc.getstructuredrecord` query, or the error to answer with.
pub fn get_query(body: &Value, v: Version, today: NaiveDate) -> Result<Query, ApiError> {
    let list = parameters(body)?;
    let mut query = Query {
        nhs_number: nhs(list)?,
        ..Query::default()
    };
    for p in list {
        let n = name(p);
        if n == param::PATIENT_NHS_NUMBER {
            continue;
        }
        let Some(area) = Area::from_parameter(n).filter(|a| a.spec().since <= v) else {
            if v < since::FORWARD_COMPATIBILITY {
                return Err(ApiError::invalid_resource(format!(
                    "{n} is not a parameter of this operation"
                )));
            }
            query.unrecognised.push(n.to_string());
            continue;
        };
        let repeatable =
            area == Area::Problems && v >= (1, 3, 1) && v < since::SINGLE_PROBLEMS_PARAMETER;
        let parts = area_parts(area, p, v, today, &mut query.unrecognised)?;
        let entry = query.areas.entry(area).or_default();
        if !entry.parts.is_empty() && !repeatable {
            return Err(ApiError::invalid_resource(format!(
                "{n} is sent more than once"
            )));
        }
        entry.parts.push(parts);
    }
    if v >= since::NOT_PERMITTED_COMBINATIONS {
        not_permitted(&query, v, today)?;
    }
    Ok(query)
}

/// The not-permitted parameter combinations of Retrieve a patient's structured record, with the 1.6.2 predefined searches exempt.
fn not_permitted(q: &Query, v: Version, today: NaiveDate) -> Result<(), ApiError> {
    if v >= since::SINGLE_PROBLEMS_PARAMETER && predefined_search(q, today) {
        return Ok(());
    }
    for (anchor, table) in [
        (Area::Consultations, gs::NOT_WITH_CONSULTATIONS),
        (Area::Problems, gs::NOT_WITH_PROBLEMS),
    ] {
        if !q.areas.contains_key(&anchor) {
            continue;
        }
        for (area, part, since) in table {
            if v >= *since && q.areas.get(area).is_some_and(|a| a.has(part)) {
                return Err(invalid_parameter(format!(
                    "{}.{part} may not be sent together with {}",
                    area.spec().parameter,
                    anchor.spec().parameter
                )));
            }
        }
    }
    Ok(())
}

/// One of the two 1.6.2 predefined multi-area searches (Retrieve a patient's structured record: not-permitted parameter combinations).
fn predefined_search(q: &Query, today: NaiveDate) -> bool {
    let core = [
        Area::Consultations,
        Area::Problems,
        Area::Allergies,
        Area::Medication,
    ];
    let extra = [Area::Immunisations, Area::Uncategorised];
    let keys: Vec<Area> = q.areas.keys().copied().collect();
    let mut with_extra = core.to_vec();
    with_extra.extend(extra);
    with_extra.sort();
    let mut plain = core.to_vec();
    plain.sort();
    if keys != plain && keys != with_extra {
        return false;
    }
    let single = |a: Area| {
        q.areas
            .get(&a)
            .map(|r| r.parts.as_slice())
            .unwrap_or_default()
    };
    let only = |a: Area, expected: &[(&str, PartValue)]| {
        let sets = single(a);
        sets.len() == 1
            && sets[0].len() == expected.len()
            && expected.iter().all(|(k, val)| sets[0].get(k) == Some(val))
    };
    let from = today - chrono::Duration::days(gs::PREDEFINED_SEARCH_MEDICATION_DAYS);
    only(
        Area::Consultations,
        &[(
            param::INCLUDE_NUMBER_OF_MOST_RECENT,
            PartValue::Int(gs::PREDEFINED_SEARCH_CONSULTATIONS),
        )],
    ) && only(Area::Problems, &[])
        && only(
            Area::Allergies,
            &[(param::INCLUDE_RESOLVED_ALLERGIES, PartValue::Boolean(true))],
        )
        && q.areas
            .get(&Area::Medication)
            .and_then(|m| m.date(param::MEDICATION_SEARCH_FROM_DATE))
            == Some(from)
        && extra
            .iter()
            .all(|a| !q.areas.contains_key(a) || only(*a, &[]))
}

/// The `$gpc.migratestructuredrecord` query: only `patientNHSNumber` and `includeFullRecord` with its
/// mandatory `includeSensitiveInformation`; anything else is INVALID_PARAMETER (Migrate a patient's structured record).
pub fn migrate_query(body: &Value) -> Result<Query, ApiError> {
    let list = parameters(body)?;
    let mut query = Query {
        nhs_number: nhs(list)?,
        ..Query::default()
    };
    let mut full = None;
    for p in list {
        match name(p) {
            param::PATIENT_NHS_NUMBER => {}
            param::INCLUDE_FULL_RECORD if full.is_none() => full = Some(p),
            param::INCLUDE_FULL_RECORD => {
                return Err(ApiError::invalid_resource(format!(
                    "{} is sent more than once",
                    param::INCLUDE_FULL_RECORD
                )))
            }
            other => {
                return Err(invalid_parameter(format!(
                    "{other} is not a parameter of the migrate operation"
                )))
            }
        }
    }
    let full = full
        .ok_or_else(|| invalid_parameter(format!("{} is missing", param::INCLUDE_FULL_RECORD)))?;
    let parts = full
        .get("part")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let what = format!(
        "{}.{}",
        param::INCLUDE_FULL_RECORD,
        param::INCLUDE_SENSITIVE_INFORMATION
    );
    let mut sensitive = None;
    for part in &parts {
        if name(part) != param::INCLUDE_SENSITIVE_INFORMATION {
            return Err(invalid_parameter(format!(
                "{}.{} is not a parameter of the migrate operation",
                param::INCLUDE_FULL_RECORD,
                name(part)
            )));
        }
        if sensitive.is_some() {
            return Err(ApiError::invalid_resource(format!(
                "{what} is sent more than once"
            )));
        }
        sensitive = Some(value_of(PartKind::Boolean, part, &what, NaiveDate::MIN)?);
    }
    match sensitive {
        Some(PartValue::Boolean(b)) => query.include_sensitive = b,
        _ => {
            return Err(invalid_parameter(format!(
                "{what} is mandatory and missing"
            )))
        }
    }
    for area in Area::ALL {
        let mut parts = BTreeMap::new();
        if *area == Area::Allergies {
            parts.insert(param::INCLUDE_RESOLVED_ALLERGIES, PartValue::Boolean(true));
        }
        query
            .areas
            .insert(*area, AreaRequest { parts: vec![parts] });
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
    }

    fn body(extra: Value) -> Value {
        let mut params = vec![
            json!({"name": "patientNHSNumber", "valueIdentifier": {"system": systems::NHS_NUMBER, "value": "9690937286"}}),
        ];
        params.extend(extra.as_array().cloned().unwrap_or_default());
        json!({"resourceType": "Parameters", "parameter": params})
    }

    fn code(r: Result<Query, ApiError>) -> &'static str {
        r.err().map(|e| e.code.code()).unwrap_or("OK")
    }

    #[test]
    fn allergies_need_their_part() {
        let v = gs::LATEST;
        assert_eq!(
            code(get_query(
                &body(json!([{"name": "includeAllergies"}])),
                v,
                today()
            )),
            "INVALID_PARAMETER"
        );
        let ok = get_query(&body(json!([{"name": "includeAllergies", "part": [{"name": "includeResolvedAllergies", "valueBoolean": false}]}])), v, today()).unwrap();
        assert!(!ok.areas[&Area::Allergies].bool(param::INCLUDE_RESOLVED_ALLERGIES, true));
    }

    #[test]
    fn dates_and_versions() {
        let med = |d: &str| {
            body(
                json!([{"name": "includeMedication", "part": [{"name": "medicationSearchFromDate", "valueDate": d}]}]),
            )
        };
        for bad in [
            "2014",
            "2014-02",
            "2014-02-03T10:00:00+00:00",
            "X2014-02-03",
            "",
            "2099-01-01",
        ] {
            assert_eq!(
                code(get_query(&med(bad), gs::LATEST, today())),
                "INVALID_PARAMETER",
                "{bad}"
            );
        }
        assert_eq!(
            code(get_query(&med("2020-01-01"), gs::LATEST, today())),
            "OK"
        );
        let issues_missing = body(json!([{"name": "includeMedication"}]));
        assert_eq!(code(get_query(&issues_missing, (1, 2, 7), today())), "OK");
        assert_eq!(
            code(get_query(&issues_missing, (1, 2, 4), today())),
            "INVALID_PARAMETER"
        );
        let unknown = get_query(
            &body(json!([{"name": "includeConsultations"}])),
            (1, 2, 7),
            today(),
        )
        .unwrap();
        assert_eq!(
            unknown.unrecognised,
            vec!["includeConsultations".to_string()]
        );
    }

    #[test]
    fn combinations() {
        let both = body(json!([{"name": "includeConsultations", "part": [
            {"name": "consultationSearchPeriod", "valuePeriod": {"start": "2020-01-01"}},
            {"name": "includeNumberOfMostRecent", "valuePositiveInt": 3}]}]));
        assert_eq!(
            code(get_query(&both, gs::LATEST, today())),
            "INVALID_RESOURCE"
        );
        let combo = body(
            json!([{"name": "includeConsultations"}, {"name": "includeMedication", "part": [{"name": "medicationSearchFromDate", "valueDate": "2023-06-02"}]}]),
        );
        assert_eq!(
            code(get_query(&combo, gs::LATEST, today())),
            "INVALID_PARAMETER"
        );
        let predefined = body(json!([
            {"name": "includeConsultations", "part": [{"name": "includeNumberOfMostRecent", "valuePositiveInt": 3}]},
            {"name": "includeProblems"},
            {"name": "includeAllergies", "part": [{"name": "includeResolvedAllergies", "valueBoolean": true}]},
            {"name": "includeMedication", "part": [{"name": "medicationSearchFromDate", "valueDate": "2023-06-02"}]}]));
        assert_eq!(code(get_query(&predefined, gs::LATEST, today())), "OK");
        assert_eq!(
            code(get_query(&predefined, (1, 5, 0), today())),
            "INVALID_PARAMETER"
        );
        let twice = body(json!([{"name": "includeProblems"}, {"name": "includeProblems"}]));
        assert_eq!(
            code(get_query(&twice, gs::LATEST, today())),
            "INVALID_RESOURCE"
        );
        assert_eq!(code(get_query(&twice, (1, 5, 0), today())), "OK");
    }

    #[test]
    fn migrate_rules() {
        let ok = body(
            json!([{"name": "includeFullRecord", "part": [{"name": "includeSensitiveInformation", "valueBoolean": true}]}]),
        );
        assert!(migrate_query(&ok).unwrap().include_sensitive);
        let extra = body(
            json!([{"name": "includeFullRecord", "part": [{"name": "includeSensitiveInformation", "valueBoolean": true}]}, {"name": "includeAllergies"}]),
        );
        assert_eq!(code(migrate_query(&extra)), "INVALID_PARAMETER");
        assert_eq!(
            code(migrate_query(&body(json!([{"name": "includeFullRecord"}])))),
            "INVALID_PARAMETER"
        );
        assert_eq!(
            code(migrate_query(&json!({"resourceType": "Patient"}))),
            "INVALID_RESOURCE"
        );
    }
}
