//! Access Record Structured steps: building the `Parameters` body part by part (typed from the part
//! table of [`crate::gpconnect::structured`]), and checking the collection Bundle with
//! [`crate::checks::structured`].
//!
//! Dates in feature files may be relative so scenarios keep their meaning on any day: `today`,
//! `today-1095`, `today+10`; a Period is `start..end` with either side left empty.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use cucumber::{given, then};
use serde_json::{json, Value};

use super::request::Subject;
use super::Assurance;
use crate::checks::structured::{self as cs, ListName};
use crate::checks::{self, ensure};
use crate::config::MIGRATION_PRACTICE_ALIAS;
use crate::fhir::Pointer as _;
use crate::gpconnect::headers::SSP_TRACE_ID;
use crate::gpconnect::structured::{self as gs, param, Area, PartKind, Version, Warning};
use crate::gpconnect::{systems, test_data, Interaction};
use crate::http::Body;
use crate::verdict::{Problem, StepResult};

/// The structured version of the target.
fn version(w: &Assurance) -> Version {
    gs::version(&w.ctx.config.target.structured_version).unwrap_or(gs::LATEST)
}

/// `today`, `today-N`, `today+N` as a date; anything else is returned as written.
pub fn expand_date(text: &str) -> String {
    let today = chrono::Utc::now().date_naive();
    let t = text.trim();
    let Some(rest) = t.strip_prefix("today") else {
        return t.to_string();
    };
    let offset = if rest.is_empty() {
        Some(0)
    } else {
        rest.strip_prefix('+').unwrap_or(rest).parse::<i64>().ok()
    };
    match offset {
        Some(o) => (today + Duration::days(o)).format("%Y-%m-%d").to_string(),
        None => t.to_string(),
    }
}

fn date_arg(text: &str) -> Result<NaiveDate, Problem> {
    let d = expand_date(text);
    Ok(NaiveDate::parse_from_str(&d, "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date (yyyy-mm-dd or today±N)"))?)
}

/// The typed `{"name": part, value[x]: ...}` for a part, from the part table when it is known.
fn part_json(area: Option<Area>, part: &str, value: &str) -> Value {
    let spec = area.and_then(|a| gs::PARTS.iter().find(|p| p.area == a && p.name == part));
    let raw = || {
        if value == "null" {
            Value::Null
        } else {
            json!(value)
        }
    };
    let (element, v) = match spec.map(|s| s.kind) {
        Some(PartKind::Boolean) => (
            "valueBoolean",
            match value {
                "true" => json!(true),
                "false" => json!(false),
                _ => raw(),
            },
        ),
        Some(PartKind::DateNotAfterToday | PartKind::DateNotBeforeToday) => (
            "valueDate",
            if value == "null" {
                Value::Null
            } else {
                json!(expand_date(value))
            },
        ),
        Some(PartKind::PositiveInt) => (
            "valuePositiveInt",
            value
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| raw()),
        ),
        Some(PartKind::Code(_)) => ("valueCode", raw()),
        Some(PartKind::Concept(_)) => (
            "valueCodeableConcept",
            json!({"coding": [{"system": gs::PROBLEM_SIGNIFICANCE_SYSTEM, "code": raw()}]}),
        ),
        Some(PartKind::Period) => {
            let mut period = serde_json::Map::new();
            let (start, end) = value.split_once("..").unwrap_or((value, ""));
            for (k, x) in [("start", start), ("end", end)] {
                if !x.is_empty() {
                    period.insert(
                        k.into(),
                        if x == "null" {
                            Value::Null
                        } else {
                            json!(expand_date(x))
                        },
                    );
                }
            }
            ("valuePeriod", Value::Object(period))
        }
        None => ("valueString", raw()),
    };
    json!({"name": part, element: v})
}

impl Assurance {
    /// The `parameter` array of the Parameters body being built.
    fn parameters_mut(&mut self) -> Result<&mut Vec<Value>, Problem> {
        match &mut self.request_mut()?.body {
            Some(Body::Resource(v)) => Ok(v
                .get_mut("parameter")
                .and_then(Value::as_array_mut)
                .ok_or_else(|| "the request body has no parameter array".to_string())?),
            _ => Err("the request being built has no Parameters body; start with 'a structured record request for ...'".into()),
        }
    }

    /// The last parameter called `name`, added when missing.
    fn parameter_mut(&mut self, name: &str) -> Result<&mut Value, Problem> {
        let list = self.parameters_mut()?;
        if !list.iter().any(|p| p["name"] == name) {
            list.push(json!({"name": name}));
        }
        Ok(list
            .iter_mut()
            .rev()
            .find(|p| p["name"] == name)
            .ok_or_else(|| format!("no parameter {name}"))?)
    }

    fn structured_request(&mut self, interaction: Interaction, alias: &str) -> StepResult {
        let nhs = self.alias(Subject::Patient, alias)?;
        let mut spec = self.new_request(interaction, None);
        spec.body = Some(Body::Resource(
            json!({"resourceType": "Parameters", "parameter": [
            {"name": param::PATIENT_NHS_NUMBER, "valueIdentifier": {"system": systems::NHS_NUMBER, "value": nhs}}]}),
        ));
        self.memory.structured_alias = Some(alias.to_string());
        self.request = Some(spec);
        Ok(())
    }

    /// Build a Migrate request for `alias` (see the migrate step) as the request under construction.
    pub(crate) fn migrate_request(&mut self, alias: &str, sensitive: bool) -> StepResult {
        self.structured_request(Interaction::MigrateStructuredRecord, alias)?;
        self.parameter_mut(param::INCLUDE_FULL_RECORD)?["part"] =
            json!([{"name": param::INCLUDE_SENSITIVE_INFORMATION, "valueBoolean": sensitive}]);
        let ods = self.alias(Subject::Organization, MIGRATION_PRACTICE_ALIAS)?;
        self.request_mut()?
            .claims_mut()
            .ok_or("the request has no JWT claims")?
            .set(
                "requested_scope",
                json!(format!(
                    "patient/*.read {}",
                    if sensitive { "conf/R" } else { "conf/N" }
                )),
            );
        self.set_requesting_organisation(&ods)
    }

    /// The JWT's requesting organisation is the organisation with ODS code `ods`.
    pub(crate) fn set_requesting_organisation(&mut self, ods: &str) -> StepResult {
        let claims = self
            .request_mut()?
            .claims_mut()
            .ok_or("the request has no JWT claims")?;
        let mut org = claims
            .get("requesting_organization")
            .cloned()
            .unwrap_or(Value::Null);
        org["identifier"] = json!([{"system": systems::ODS_ORGANIZATION_CODE, "value": ods}]);
        claims.set("requesting_organization", org);
        Ok(())
    }

    /// The same patient's record through Migrate with or without sensitive information, fetched as a
    /// setup request. Where there is no such view (a version before Migrate, or the Migrate not
    /// answered) the comparison cannot be made: inconclusive, not a verdict.
    async fn migrate_view(&mut self, sensitive: bool) -> Result<Arc<Value>, Problem> {
        if version(self) < gs::since::MIGRATE {
            return Err(Problem::inconclusive(format!(
                "the confidential items can only be told by comparing with Migrate structured record, which {} does not have",
                self.ctx.config.target.structured_version
            )));
        }
        let alias = self
            .memory
            .structured_alias
            .clone()
            .ok_or_else(|| Problem::error("no structured record request was made"))?;
        let saved = self.request.take();
        let built = self.migrate_request(&alias, sensitive);
        let spec = self.request.take();
        self.request = saved;
        built?;
        let spec = spec.ok_or_else(|| Problem::error("no Migrate request was built"))?;
        let ex = self.send_aside(spec).await;
        let status = ex.response.as_ref().map(|r| r.status);
        if status != Some(200) {
            return Err(Problem::inconclusive(format!(
                "the Migrate structured record view to compare with was not returned (status {status:?}), so which items are confidential cannot be told"
            )));
        }
        Ok(checks::response::body_as_json(ex)?)
    }

    /// The structured Bundle of the last response, checked to be a conformant 200 collection Bundle.
    fn structured_bundle(&self) -> Result<Arc<Value>, Problem> {
        checks::response::status_is(self.response()?, 200)?;
        self.resource()
    }
}

#[given(expr = "a structured record request for {string}")]
async fn structured_request(w: &mut Assurance, alias: String) -> StepResult {
    w.structured_request(Interaction::GetStructuredRecord, &alias)
}

/// Migrate (1.6.0+): the JWT carries reason `migration`, the confidentiality scope matching the
/// sensitive flag, and the requesting organisation the patient's new practice (`ORG2`).
#[given(
    expr = "a migrate structured record request for {string} with sensitive information {word}"
)]
async fn migrate_request(w: &mut Assurance, alias: String, sensitive: String) -> StepResult {
    w.migrate_request(&alias, sensitive == "true")
}

#[given(expr = "the JWT requesting organisation is {string}")]
async fn requesting_org(w: &mut Assurance, alias: String) -> StepResult {
    let ods = w.alias(Subject::Organization, &alias)?;
    w.set_requesting_organisation(&ods)
}

/// Adds the parameter unless it is already there (the helper of multi-area requests).
#[given(expr = "the parameter {string} is included")]
async fn parameter_included(w: &mut Assurance, name: String) -> StepResult {
    w.parameter_mut(&name).map(|_| ())
}

#[given(expr = "the parameter {string} is added")]
async fn parameter_added(w: &mut Assurance, name: String) -> StepResult {
    w.parameters_mut()?.push(json!({"name": name}));
    Ok(())
}

/// Every clinical area the target's version supports, with its mandatory parts.
#[given("every clinical area is asked for")]
async fn every_area(w: &mut Assurance) -> StepResult {
    for area in Area::supported(version(w)) {
        let p = w.parameter_mut(area.spec().parameter)?;
        if area == Area::Allergies {
            p["part"] = json!([{"name": param::INCLUDE_RESOLVED_ALLERGIES, "valueBoolean": true}]);
        }
    }
    Ok(())
}

#[given(expr = "the part {string} of {string} is {string}")]
async fn part_set(w: &mut Assurance, part: String, parameter: String, value: String) -> StepResult {
    let p = part_json(Area::from_parameter(&parameter), &part, &value);
    let target = w.parameter_mut(&parameter)?;
    match target.get_mut("part").and_then(Value::as_array_mut) {
        Some(parts) => parts.push(p),
        None => target["part"] = json!([p]),
    }
    Ok(())
}

#[given(expr = "the part {string} of {string} is sent as {word} {string}")]
async fn part_raw(
    w: &mut Assurance,
    part: String,
    parameter: String,
    element: String,
    value: String,
) -> StepResult {
    let v = serde_json::from_str(&value).unwrap_or(Value::String(value));
    let p = json!({"name": part, element: v});
    let target = w.parameter_mut(&parameter)?;
    match target.get_mut("part").and_then(Value::as_array_mut) {
        Some(parts) => parts.push(p),
        None => target["part"] = json!([p]),
    }
    Ok(())
}

#[given(expr = "the part {string} of {string} has no value")]
async fn part_no_value(w: &mut Assurance, part: String, parameter: String) -> StepResult {
    let target = w.parameter_mut(&parameter)?;
    let p = json!({"name": part});
    match target.get_mut("part").and_then(Value::as_array_mut) {
        Some(parts) => parts.push(p),
        None => target["part"] = json!([p]),
    }
    Ok(())
}

#[given(expr = "the parameter {string} is sent twice")]
async fn parameter_twice(w: &mut Assurance, name: String) -> StepResult {
    let copy = w.parameter_mut(&name)?.clone();
    w.parameters_mut()?.push(copy);
    Ok(())
}

#[given(expr = "the parameter {string} is left out")]
async fn parameter_removed(w: &mut Assurance, name: String) -> StepResult {
    w.parameters_mut()?.retain(|p| p["name"] != name.as_str());
    Ok(())
}

#[given(expr = "the parameter {string} is renamed {string}")]
async fn parameter_renamed(w: &mut Assurance, from: String, to: String) -> StepResult {
    w.parameter_mut(&from)?["name"] = json!(to);
    Ok(())
}

#[given(expr = "the NHS number parameter has {word} {string}")]
async fn nhs_element(w: &mut Assurance, element: String, value: String) -> StepResult {
    w.parameter_mut(param::PATIENT_NHS_NUMBER)?["valueIdentifier"][element] = json!(value);
    Ok(())
}

/// Malformed bodies, named in one word so feature files need no JSON quoting.
#[given(expr = "the structured request body is made {word}")]
async fn malformed_body(w: &mut Assurance, kind: String) -> StepResult {
    let body = match kind.as_str() {
        "a-Patient-resource" => Body::Resource(json!({"resourceType": "Patient", "id": "1"})),
        "a-parameter-without-a-name" => Body::Resource(
            json!({"resourceType": "Parameters", "parameter": [{"valueString": "x"}]}),
        ),
        "parameters-not-in-an-array" => Body::Resource(
            json!({"resourceType": "Parameters", "parameter": {"name": "patientNHSNumber"}}),
        ),
        "not-JSON" => Body::Raw("this is not FHIR".into()),
        other => return Err(format!("unknown malformed body {other:?}").into()),
    };
    w.request_mut()?.body = Some(body);
    Ok(())
}

#[then(expr = "the response is a structured record Bundle for {string}")]
async fn is_structured_bundle(w: &mut Assurance, alias: String) -> StepResult {
    let nhs = w.alias(Subject::Patient, &alias)?;
    let b = w.structured_bundle()?;
    checks::headers::cache_control_no_store(w.response()?)?;
    let trace = w
        .response()?
        .request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(SSP_TRACE_ID))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    cs::bundle_rules(&b, &trace, version(w))?;
    cs::patient_and_base(&b, &nhs)?;
    cs::no_duplicates(&b)?;
    Ok(cs::references_resolve(&b)?)
}

#[then("the Bundle id is the request's Ssp-TraceID")]
async fn bundle_id(w: &mut Assurance) -> StepResult {
    let b = w.structured_bundle()?;
    let trace = w
        .response()?
        .request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(SSP_TRACE_ID))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    Ok(cs::bundle_id_is(&b, &trace)?)
}

#[then("every reference in the Bundle resolves inside it")]
async fn references(w: &mut Assurance) -> StepResult {
    Ok(cs::references_resolve(&*w.structured_bundle()?)?)
}

#[then(expr = "the Bundle holds {int} Lists")]
async fn list_count(w: &mut Assurance, n: usize) -> StepResult {
    let b = w.structured_bundle()?;
    let lists = cs::query_lists(&b);
    let titles: Vec<&str> = lists
        .iter()
        .map(|l| l["title"].as_str().unwrap_or_default())
        .collect();
    Ok(ensure(lists.len() == n, || {
        format!(
            "the Bundle holds {} Lists {titles:?}; expected {n}",
            lists.len()
        )
    })?)
}

#[then(expr = "the Bundle has the {string} List")]
async fn has_list(w: &mut Assurance, name: String) -> StepResult {
    let b = w.structured_bundle()?;
    let v = version(w);
    let l = cs::find_list(&b, &ListName::parse(&name), v)?;
    Ok(cs::list_rules(&b, l, v)?)
}

#[then(expr = "the Bundle has no {string} List")]
async fn has_no_list(w: &mut Assurance, name: String) -> StepResult {
    Ok(cs::no_list(
        &*w.structured_bundle()?,
        &ListName::parse(&name),
        version(w),
    )?)
}

#[then(expr = "the {string} List is empty with the reason no-content-recorded")]
async fn list_empty(w: &mut Assurance, name: String) -> StepResult {
    let b = w.structured_bundle()?;
    let v = version(w);
    let l = cs::find_list(&b, &ListName::parse(&name), v)?;
    cs::list_rules(&b, l, v)?;
    Ok(cs::list_is_empty(l)?)
}

#[then(expr = "the {string} List is not empty")]
async fn list_not_empty(w: &mut Assurance, name: String) -> StepResult {
    let b = w.structured_bundle()?;
    let l = cs::find_list(&b, &ListName::parse(&name), version(w))?;
    Ok(ensure(!cs::list_items(l).is_empty(), || {
        format!("the {name:?} List is empty")
    })?)
}

#[then(expr = "the {string} List carries the warning {string}")]
async fn list_warning(w: &mut Assurance, name: String, code: String) -> StepResult {
    let warning =
        Warning::from_code(&code).ok_or_else(|| format!("{code:?} is not a List warning code"))?;
    let b = w.structured_bundle()?;
    let v = version(w);
    let l = cs::find_list(&b, &ListName::parse(&name), v)?;
    Ok(cs::has_warning(l, warning, v)?)
}

#[then("the Bundle has no OperationOutcome")]
async fn no_outcome(w: &mut Assurance) -> StepResult {
    let b = w.structured_bundle()?;
    let n = crate::checks::bundle::of_type(&b, "OperationOutcome").len();
    Ok(ensure(n == 0, || {
        format!("the Bundle holds {n} OperationOutcome(s); none was expected")
    })?)
}

#[then(expr = "the Bundle has a NOT_IMPLEMENTED warning for each of {string}")]
async fn warnings(w: &mut Assurance, names: String) -> StepResult {
    let list: Vec<&str> = names
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    Ok(cs::unrecognised_warnings(&*w.structured_bundle()?, &list)?)
}

#[then(expr = "the Bundle holds no {word} resources")]
async fn none_of(w: &mut Assurance, ty: String) -> StepResult {
    let b = w.structured_bundle()?;
    let n = crate::checks::bundle::of_type(&b, &ty).len();
    Ok(ensure(n == 0, || {
        format!("the Bundle holds {n} {ty} resources; none was expected")
    })?)
}

#[then(expr = "the Bundle holds {word} resources")]
async fn some_of(w: &mut Assurance, ty: String) -> StepResult {
    let b = w.structured_bundle()?;
    Ok(ensure(
        !crate::checks::bundle::of_type(&b, &ty).is_empty(),
        || format!("the Bundle holds no {ty} resources"),
    )?)
}

#[then(expr = "the allergies are valid, resolved allergies {word}")]
async fn allergies(w: &mut Assurance, resolved: String) -> StepResult {
    let asked = match resolved.as_str() {
        "included" => true,
        "excluded" => false,
        other => return Err(format!("say 'included' or 'excluded', not {other:?}").into()),
    };
    Ok(cs::allergies(&*w.structured_bundle()?, asked, version(w))?)
}

#[then(expr = "the medications are valid, prescription issues {word}")]
async fn medications(w: &mut Assurance, issues: String) -> StepResult {
    let asked = issues == "included";
    Ok(cs::medications(
        &*w.structured_bundle()?,
        asked,
        None,
        version(w),
    )?)
}

#[then(expr = "the medications are valid and active on or after {string}")]
async fn medications_from(w: &mut Assurance, from: String) -> StepResult {
    let from = date_arg(&from)?;
    Ok(cs::medications(
        &*w.structured_bundle()?,
        true,
        Some(from),
        version(w),
    )?)
}

#[then(expr = "the Bundle holds MedicationRequests with intent {string}")]
async fn has_intent(w: &mut Assurance, intent: String) -> StepResult {
    let b = w.structured_bundle()?;
    Ok(ensure(
        crate::checks::bundle::of_type(&b, "MedicationRequest")
            .iter()
            .any(|r| r["intent"] == intent.as_str()),
        || format!("no MedicationRequest with intent {intent}"),
    )?)
}

#[then("the problems are valid")]
async fn problems(w: &mut Assurance) -> StepResult {
    let b = w.structured_bundle()?;
    cs::primary_problems(&b, version(w))?;
    Ok(cs::problems(&b)?)
}

#[then("the problems in the Bundle are valid")]
async fn problems_in_bundle(w: &mut Assurance) -> StepResult {
    Ok(cs::problems(&*w.structured_bundle()?)?)
}

#[then(expr = "every problem in the Problems List has {word} {string}")]
async fn problems_filtered(w: &mut Assurance, what: String, value: String) -> StepResult {
    let b = w.structured_bundle()?;
    let list = cs::primary_problems(&b, version(w))?;
    for p in list {
        let actual = match what.as_str() {
            "status" => p["clinicalStatus"].as_str().unwrap_or_default().to_string(),
            "significance" => p["extension"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|e| e["url"] == gs::systems::PROBLEM_SIGNIFICANCE_EXTENSION)
                .and_then(|e| e["valueCode"].as_str())
                .unwrap_or_default()
                .to_string(),
            other => return Err(format!("say status or significance, not {other:?}").into()),
        };
        ensure(actual == value, || {
            format!(
                "Condition/{} has {what} {actual:?}; the filter asked for {value:?}",
                p["id"].as_str().unwrap_or_default()
            )
        })?;
    }
    Ok(())
}

#[then(expr = "a problem is linked to a {word} in the Bundle")]
async fn problem_linked(w: &mut Assurance, ty: String) -> StepResult {
    Ok(cs::problem_linked_to(&*w.structured_bundle()?, &ty)?)
}

#[then("the consultations are valid with their consultation, topic and heading Lists")]
async fn consultations(w: &mut Assurance) -> StepResult {
    Ok(cs::consultations(&*w.structured_bundle()?, version(w))?)
}

#[then(expr = "at most {int} consultations are returned")]
async fn most_recent(w: &mut Assurance, n: usize) -> StepResult {
    let b = w.structured_bundle()?;
    let found = cs::encounter_starts(&b).len();
    Ok(ensure(found <= n && found > 0, || {
        format!("{found} Encounters returned; expected between 1 and {n}")
    })?)
}

#[then(expr = "every consultation started on or after {string}")]
async fn consultations_after(w: &mut Assurance, from: String) -> StepResult {
    let from = date_arg(&from)?;
    let b = w.structured_bundle()?;
    for d in cs::encounter_starts(&b) {
        ensure(d.is_some_and(|d| d >= from), || {
            format!("an Encounter started {d:?}, before the search period start {from}")
        })?;
    }
    Ok(())
}

#[then(expr = "every consultation started on or before {string}")]
async fn consultations_before(w: &mut Assurance, to: String) -> StepResult {
    let to = date_arg(&to)?;
    let b = w.structured_bundle()?;
    for d in cs::encounter_starts(&b) {
        ensure(d.is_some_and(|d| d <= to), || {
            format!("an Encounter started {d:?}, after the search period end {to}")
        })?;
    }
    Ok(())
}

#[then(expr = "the immunisations are valid, not-given immunisations {word}")]
async fn immunisations(w: &mut Assurance, not_given: String) -> StepResult {
    Ok(cs::immunisations(
        &*w.structured_bundle()?,
        not_given == "included",
    )?)
}

#[then(expr = "the Bundle holds an Immunization with notGiven {word}")]
async fn immunisation_not_given(w: &mut Assurance, value: String) -> StepResult {
    let b = w.structured_bundle()?;
    let want = value == "true";
    Ok(ensure(
        crate::checks::bundle::of_type(&b, "Immunization")
            .iter()
            .any(|r| r["notGiven"].as_bool() == Some(want)),
        || format!("no Immunization with notGiven {want}"),
    )?)
}

#[then("the observations are valid")]
async fn observations(w: &mut Assurance) -> StepResult {
    Ok(cs::observations(&*w.structured_bundle()?)?)
}

#[then(expr = "every item of the {string} List has its {word} within {string}")]
async fn dated_within(
    w: &mut Assurance,
    name: String,
    element: String,
    period: String,
) -> StepResult {
    let b = w.structured_bundle()?;
    let l = cs::find_list(&b, &ListName::parse(&name), version(w))?;
    let (start, end) = period.split_once("..").unwrap_or((&period, ""));
    let start = (!start.is_empty()).then(|| date_arg(start)).transpose()?;
    let end = (!end.is_empty()).then(|| date_arg(end)).transpose()?;
    let items = cs::item_dates(&b, l, &element);
    ensure(!items.is_empty(), || {
        format!("the {name:?} List holds nothing to check")
    })?;
    for (label, d) in items {
        let d = d.ok_or_else(|| format!("{label} has no {element}"))?;
        ensure(
            start.is_none_or(|s| d >= s) && end.is_none_or(|e| d <= e),
            || format!("{label} {element} {d} is outside {period}"),
        )?;
    }
    Ok(())
}

#[then("the investigations are valid")]
async fn investigations(w: &mut Assurance) -> StepResult {
    Ok(cs::investigations(&*w.structured_bundle()?)?)
}

#[then("the referrals are valid")]
async fn referrals(w: &mut Assurance) -> StepResult {
    Ok(cs::referrals(&*w.structured_bundle()?)?)
}

#[then("the diary entries are valid")]
async fn diary(w: &mut Assurance) -> StepResult {
    Ok(cs::diary(&*w.structured_bundle()?, version(w))?)
}

/// The structured CapabilityStatement names the configured structured version and declares
/// `gpc.getstructuredrecord` (and `gpc.migratestructuredrecord` from 1.6.0).
#[then("the structured CapabilityStatement declares the target's version and its operations")]
async fn structured_capability(w: &mut Assurance) -> StepResult {
    let cs_json = w.resource()?;
    checks::capability::version_is(&cs_json, &w.ctx.config.target.structured_version)?;
    let ops: Vec<&str> = cs_json
        .at("/rest/0/operation")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| o["name"].as_str())
        .collect();
    for op in crate::gpconnect::capability::structured_operations(version(w)) {
        let op = op.name;
        ensure(ops.contains(&op), || {
            format!("the structured CapabilityStatement declares {ops:?}; {op} is missing")
        })?;
    }
    Ok(())
}

/// STR-MET-02: the fixed elements of the structured statement.
#[then("the response is a structured CapabilityStatement with FHIR 3.0.1, the JSON format and its software")]
async fn structured_capability_fixed(w: &mut Assurance) -> StepResult {
    Ok(checks::capability::structured_fixed(&*w.resource()?)?)
}

/// STR-MET-03: the structured statement lists the profiles of every area of the target's version.
#[then("the structured CapabilityStatement lists the profiles of the target's version")]
async fn structured_capability_profiles(w: &mut Assurance) -> StepResult {
    let expected = crate::gpconnect::capability::structured_statement_profiles(version(w));
    Ok(checks::capability::lists_profiles_any_version(
        &*w.resource()?,
        &expected,
    )?)
}

/// STR-ALG-14: an ended allergy recorded without a reason (legacy data) says so with the fixed text.
#[then(expr = "an ended allergy has the end reason {string}")]
async fn legacy_end_reason(w: &mut Assurance, expected: String) -> StepResult {
    let reasons = cs::ended_allergy_reasons(&*w.structured_bundle()?, version(w))?;
    if reasons.is_empty() {
        return Err(Problem::inconclusive(
            "the Ended allergies List holds no allergy: the test data needs an allergy ended without a recorded reason",
        ));
    }
    Ok(cs::some_end_reason_is(&reasons, &expected)?)
}

/// STR-MIG-03: the items this Migrate with sensitive information returns and the same Migrate without it
/// withholds are the confidential ones; each MUST carry NOPAT.
#[then("every item withheld without sensitive information carries the NOPAT security label")]
async fn nopat(w: &mut Assurance) -> StepResult {
    let view = w.structured_bundle()?;
    let other = w.migrate_view(false).await?;
    let n = cs::withheld_items_labelled(&view, &other)?;
    if n == 0 {
        return Err(Problem::inconclusive(
            "the Migrate without sensitive information withheld nothing, so no item is known to need the NOPAT label",
        ));
    }
    Ok(())
}

/// The confidential items of an area are absent from the response (not only announced by the List's
/// warning): the non-withheld view (Migrate with sensitive information, 1.6.0+) names them by the NOPAT
/// label, and none of them may be in the response.
#[then(expr = "the confidential items of the {string} area are not in the Bundle")]
async fn confidential_absent(w: &mut Assurance, area: String) -> StepResult {
    let a = Area::from_name(&area)
        .ok_or_else(|| Problem::error(format!("{area:?} is not a clinical area")))?;
    let view = w.structured_bundle()?;
    let full = w.migrate_view(true).await?;
    let n = cs::confidential_withheld(&view, &full, a.item_types())?;
    if n == 0 {
        return Err(Problem::inconclusive(format!(
            "Migrate with sensitive information labels no {area} item NOPAT, so which item is confidential cannot be told"
        )));
    }
    Ok(())
}

/// The unfiltered request for `area` a completeness check compares with: the same patient, the area
/// asked for with no filter (resolved allergies and not-given immunisations included, so the oracle
/// holds what the filter must leave out as well as what it must return).
fn unfiltered_parameters(filtered: &Value, area: Area, v: Version) -> Value {
    let mut parts = Vec::new();
    match area {
        Area::Medication => {
            parts.push(json!({"name": param::INCLUDE_PRESCRIPTION_ISSUES, "valueBoolean": false}))
        }
        Area::Allergies => {
            parts.push(json!({"name": param::INCLUDE_RESOLVED_ALLERGIES, "valueBoolean": true}))
        }
        Area::Immunisations if v >= gs::since::SECONDARY_LISTS => {
            parts.push(json!({"name": param::INCLUDE_NOT_GIVEN, "valueBoolean": true}))
        }
        _ => {}
    }
    let mut area_param = json!({"name": area.spec().parameter});
    if !parts.is_empty() {
        area_param["part"] = Value::Array(parts);
    }
    let patient = filtered["parameter"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == param::PATIENT_NHS_NUMBER)
        .cloned()
        .unwrap_or(Value::Null);
    json!({"resourceType": "Parameters", "parameter": [patient, area_param]})
}

/// Recall and precision of a filtered area, with the provider's own unfiltered record as the oracle:
/// the filter is read from the request sent, the same patient's record is fetched without it, and the
/// items the filter selects there are compared both ways with the primary List of the answer. Sends a
/// request of its own, so it is the last step of a scenario.
#[then(expr = "the {string} answer is complete against the unfiltered record")]
async fn complete_against_unfiltered(w: &mut Assurance, name: String) -> StepResult {
    let area = Area::from_name(&name).ok_or_else(|| {
        Problem::error(format!(
            "{name:?} is not a clinical area; use one of {:?}",
            Area::names()
        ))
    })?;
    let v = version(w);
    let filtered = w.structured_bundle()?;
    let sent = w
        .response()?
        .request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .ok_or_else(|| Problem::error("the structured request sent no JSON Parameters body"))?;
    let filter = cs::filter_in_request(&sent, area).ok_or_else(|| {
        Problem::error(format!(
            "the request sent no filter on {name}, so there is nothing to compare"
        ))
    })?;
    let mut oracle = w.new_request(Interaction::GetStructuredRecord, None);
    oracle.body = Some(Body::Resource(unfiltered_parameters(&sent, area, v)));
    // A setup request: the unfiltered record's own rules are judged by the other scenarios.
    let setup = |e: String| {
        Problem::inconclusive(format!(
            "setup: the unfiltered {name} record to compare with: {e}"
        ))
    };
    let ex = w.send_aside(oracle).await;
    checks::response::status_is(ex, 200).map_err(setup)?;
    let unfiltered = checks::response::body_as_json(ex).map_err(setup)?;
    let candidates = cs::candidates(&unfiltered, &filter, v)?;
    let returned = cs::returned_items(&filtered, area, v)?;
    cs::complete(&candidates, &returned, &filter)?;
    if !cs::any_expected(&candidates) {
        let alias = w.memory.structured_alias.clone().unwrap_or_default();
        let why = match test_data::promised(&alias, area, v) {
            Some(what) => format!(
                "the NHS provider test data promises {alias} holds {what}, but the unfiltered record has no {name} item the {} must return",
                filter.describe()
            ),
            None => format!(
                "the unfiltered record of {alias} holds no {name} item the {} must return",
                filter.describe()
            ),
        };
        return Err(Problem::inconclusive(format!(
            "{why}, so an empty answer proves nothing; record {name} items in range on the test patient"
        )));
    }
    Ok(())
}

/// Confidential items are withheld, not only announced: the same patient's record migrated with
/// sensitive information (1.6.0+) is the oracle of which items the provider itself holds confidential
/// (labelled NOPAT), and none of them may be in the direct-care answer. Sends a request of its own, so it
/// is the last step of a scenario.
#[then(expr = "no item the provider labels confidential for {string} is in the answer")]
async fn confidential_withheld(w: &mut Assurance, alias: String) -> StepResult {
    let answer = w.structured_bundle()?;
    migrate_request(w, alias.clone(), "true".into()).await?;
    let spec = w
        .request
        .take()
        .ok_or_else(|| Problem::error("no migrate request was built"))?;
    let ex = w.send_aside(spec).await;
    checks::response::status_is(ex, 200).map_err(|e| {
        crate::checks::response::in_context(
            format_args!("migrating {alias} with sensitive information (the oracle)"),
            e,
        )
    })?;
    let migrated = checks::response::body_as_json(ex)?;
    let confidential = cs::labelled_confidential(&migrated);
    cs::confidential_not_returned(&confidential, &answer)?;
    if confidential.is_empty() {
        return Err(Problem::inconclusive(format!(
            "the migrated record of {alias} labels nothing confidential, so withholding could not be shown; record a confidential item on the test patient"
        )));
    }
    Ok(())
}

/// An area the NHS provider test data promises content for is not answered empty: an empty List for such
/// a patient is inconclusive (the target's test data is not set up), so the scenario's other checks are
/// never passed on nothing. For patients and areas without a promise the step checks nothing.
#[then(expr = "the {string} List holds what the test data promises for {string}")]
async fn promised_content(w: &mut Assurance, name: String, alias: String) -> StepResult {
    let area = Area::from_name(&name)
        .ok_or_else(|| Problem::error(format!("{name:?} is not a clinical area")))?;
    let v = version(w);
    let Some(what) = test_data::promised(&alias, area, v) else {
        return Ok(());
    };
    let b = w.structured_bundle()?;
    let l = cs::find_list(&b, &ListName::Primary(area), v)?;
    if cs::list_items(l).is_empty() {
        return Err(Problem::inconclusive(format!(
            "the {name} List of {alias} is empty, but the NHS provider test data promises {what}; set up the test patient so the {name} checks have something to check"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_dates_and_typed_parts() {
        let today = chrono::Utc::now().date_naive();
        assert_eq!(expand_date("today"), today.format("%Y-%m-%d").to_string());
        assert_eq!(
            expand_date("today-1"),
            (today - Duration::days(1)).format("%Y-%m-%d").to_string()
        );
        assert_eq!(expand_date("2014-02"), "2014-02");
        let p = part_json(Some(Area::Allergies), "includeResolvedAllergies", "true");
        assert_eq!(p["valueBoolean"], json!(true));
        let p = part_json(
            Some(Area::Consultations),
            "consultationSearchPeriod",
            "2020-01-01..",
        );
        assert_eq!(p["valuePeriod"], json!({"start": "2020-01-01"}));
        let p = part_json(None, "madeUp", "x");
        assert_eq!(p["valueString"], json!("x"));
    }
}
