//! Search for free slots: parameter rules, the filter-matching table of Slot availability management, and the
//! bundle of Slots with their Schedules, Locations, Practitioners and Organizations.
//!
//! Search for free slots: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_search_for_free_slots.html>
//! Slot availability management: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_provider_sys_slot_availability.html>

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::Extension;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::diary::{Diary, Schedule, Slot};
use crate::gpconnect::appointments as apt;
use crate::gpconnect::appointments::time;
use crate::gpconnect::systems::{self, profiles};
use crate::provider::faults::Fault;
use crate::provider::foundations::{location, organisation, practitioner, search::searchset};
use crate::provider::outcome::ApiError;
use crate::provider::query;
use crate::provider::respond::Fhir;
use crate::provider::state::ProviderState;

/// The consumer's searchFilter values that the Slot availability management matching table uses.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Filter {
    pub org_type: Option<String>,
    pub ods_code: Option<String>,
}

impl Filter {
    /// Whether a schedule's slots are offered to this consumer (the table of Slot availability management).
    pub fn admits(&self, s: &Schedule) -> bool {
        let type_ok = |t: &str| s.org_type.is_none_or(|r| r == t);
        let code_ok = |c: &str| s.ods_codes.is_empty() || s.ods_codes.iter().any(|x| x == c);
        match (&self.org_type, &self.ods_code) {
            (None, None) => s.org_type.is_none() && s.ods_codes.is_empty(),
            (Some(t), None) => s.ods_codes.is_empty() && type_ok(t),
            (None, Some(c)) => s.org_type.is_none() && code_ok(c),
            (Some(t), Some(c)) => type_ok(t) && code_ok(c),
        }
    }
}

/// The window asked for: slots must lie entirely within `[start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Which optional resources were asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Includes {
    pub practitioner: bool,
    pub location: bool,
}

/// A validated search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotSearch {
    pub window: Window,
    pub filter: Filter,
    pub includes: Includes,
}

/// One bound: `ge`/`le` plus a date or a local dateTime, as (instant as written, effective instant).
/// Dates stand for the whole day (`le` reaches the next midnight), while the two-week limit is counted
/// between the values as written.
fn bound(name: &str, raw: &str, prefix: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let value = raw.strip_prefix(prefix).ok_or_else(|| {
        ApiError::invalid_parameter(format!(
            "{name} {raw:?} must start with the prefix {prefix:?}"
        ))
    })?;
    if let Some(d) = time::parse_date(value) {
        let midnight = chrono::NaiveTime::MIN;
        let from = time::at(d, midnight);
        let to = time::at(d + Duration::days(1), midnight);
        return Ok((from, if prefix == "le" { to } else { from }));
    }
    if value.ends_with('Z') {
        return Err(ApiError::invalid_parameter(format!(
            "{name} {raw:?} uses Z; GP Connect dateTimes carry a +hh:mm offset"
        )));
    }
    let t = time::parse_date_time(value).ok_or_else(|| {
        ApiError::invalid_parameter(format!(
            "{name} {raw:?} is not yyyy-mm-dd or yyyy-mm-ddThh:mm:ss+hh:mm"
        ))
    })?;
    Ok((t, t))
}

/// Exactly one value of a mandatory parameter (missing: 400 BAD_REQUEST, as the official suite expects).
fn one<'a>(pairs: &'a [(String, String)], name: &str) -> Result<&'a str, ApiError> {
    match query::values(pairs, name).as_slice() {
        [] => Err(ApiError::bad_request(format!(
            "the {name} parameter is missing"
        ))),
        [v] => Ok(v),
        many => Err(ApiError::invalid_parameter(format!(
            "the {name} parameter must be sent once, got {}",
            many.len()
        ))),
    }
}

/// Validate the query of a free-slot search.
pub fn parse(raw_query: Option<&str>) -> Result<SlotSearch, ApiError> {
    let pairs = query::pairs(raw_query);
    let start = one(&pairs, "start")?;
    let end = one(&pairs, "end")?;
    let status = one(&pairs, "status")?;
    if status != "free" {
        return Err(ApiError::invalid_parameter(format!(
            "status {status:?} is not allowed; only free"
        )));
    }
    // (as written, effective): a `le` date reaches the end of its day.
    let (start_written, from) = bound("start", start, "ge")?;
    let (end_written, to) = bound("end", end, "le")?;
    if to < from || end_written < start_written {
        return Err(ApiError::invalid_parameter(format!(
            "end {end:?} is before start {start:?}"
        )));
    }
    if end_written - start_written > Duration::days(apt::MAX_SEARCH_DAYS) {
        return Err(ApiError::invalid_parameter(format!(
            "the period from {start:?} to {end:?} is longer than {} days",
            apt::MAX_SEARCH_DAYS
        )));
    }
    let includes = query::values(&pairs, "_include");
    if !includes.contains(&apt::INCLUDE_SCHEDULE) {
        return Err(ApiError::invalid_parameter(format!(
            "_include={} is required",
            apt::INCLUDE_SCHEDULE
        )));
    }
    if let Some(other) = includes.iter().find(|i| **i != apt::INCLUDE_SCHEDULE) {
        return Err(ApiError::invalid_parameter(format!(
            "_include={other} is not supported"
        )));
    }
    let mut inc = Includes::default();
    for r in query::values(&pairs, apt::INCLUDE_RECURSE) {
        match r {
            apt::INCLUDE_PRACTITIONER => inc.practitioner = true,
            apt::INCLUDE_LOCATION => inc.location = true,
            apt::INCLUDE_ORGANIZATION => {}
            other => {
                return Err(ApiError::invalid_parameter(format!(
                    "{}={other} is not supported",
                    apt::INCLUDE_RECURSE
                )))
            }
        }
    }
    let mut filter = Filter::default();
    for f in query::values(&pairs, "searchFilter") {
        // Filters of systems GP Connect does not define SHALL be ignored (Search for free slots: search parameters).
        let Some((system, code)) = f.split_once('|') else {
            continue;
        };
        let target = match system {
            systems::ODS_ORGANIZATION_CODE => &mut filter.ods_code,
            apt::CS_ORGANISATION_TYPE => &mut filter.org_type,
            _ => continue,
        };
        if code.trim().is_empty() {
            return Err(ApiError::invalid_parameter(format!(
                "searchFilter {f:?} has no code"
            )));
        }
        *target = Some(code.to_string());
    }
    Ok(SlotSearch {
        window: Window {
            start: from,
            end: to,
        },
        filter,
        includes: inc,
    })
}

/// GPConnect-Slot-1.
pub fn slot_to_fhir(slot: &Slot, schedule: &Schedule) -> Value {
    json!({
        "resourceType": "Slot",
        "id": slot.id,
        "meta": {"versionId": slot.version_id, "profile": [profiles::SLOT]},
        "extension": [{"url": apt::EXT_DELIVERY_CHANNEL, "valueCode": schedule.channel}],
        "serviceType": [{"text": schedule.slot_type}],
        "schedule": {"reference": format!("Schedule/{}", schedule.id)},
        "status": if slot.is_free() { "free" } else { "busy" },
        "start": time::format(slot.start),
        "end": time::format(slot.end),
    })
}

/// GPConnect-Schedule-1; the planning horizon spans the slots returned for it.
pub fn schedule_to_fhir(s: &Schedule, horizon: (DateTime<Utc>, DateTime<Utc>)) -> Value {
    let mut actors = vec![json!({"reference": format!("Location/{}", s.location_id)})];
    if let Some(p) = &s.practitioner_id {
        actors.push(json!({"reference": format!("Practitioner/{p}")}));
    }
    json!({
        "resourceType": "Schedule",
        "id": s.id,
        "meta": {"versionId": s.version_id, "profile": [profiles::SCHEDULE]},
        "extension": [practitioner_role(s)],
        "serviceCategory": {"text": s.category},
        "actor": actors,
        "planningHorizon": {"start": time::format(horizon.0), "end": time::format(horizon.1)},
    })
}

/// The practitioner-role extension of a schedule (also copied onto its appointments).
pub fn practitioner_role(s: &Schedule) -> Value {
    json!({"url": apt::EXT_PRACTITIONER_ROLE, "valueCodeableConcept": {"coding": [{
        "system": apt::CS_SDS_JOB_ROLE_NAME, "code": s.role.0, "display": s.role.1}]}})
}

/// `GET /Slot`.
pub async fn search(
    State(state): State<Arc<ProviderState>>,
    Extension(diary): Extension<Arc<Diary>>,
    RawQuery(raw): RawQuery,
) -> Result<Fhir, ApiError> {
    let q = parse(raw.as_deref())?;
    let mut window = q.window;
    if state.faults.has(Fault::SlotsOutsideWindow) {
        window.start -= Duration::days(1);
        window.end += Duration::days(1);
    }
    if state.faults.has(Fault::SlotSearchDropsLastDay) {
        window.end -= Duration::days(1);
    }
    let (slots, schedules) = {
        let book = diary.lock();
        let mut slots = Vec::new();
        let mut schedules: Vec<(Schedule, DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for slot in book.slots.values() {
            if !slot.is_free()
                || !slot.bookable
                || slot.start < window.start
                || slot.end > window.end
            {
                continue;
            }
            let Some(schedule) = book.schedule(&slot.schedule_id) else {
                continue;
            };
            if !q.filter.admits(schedule) {
                continue;
            }
            slots.push(slot_to_fhir(slot, schedule));
            match schedules.iter_mut().find(|(s, _, _)| s.id == schedule.id) {
                Some((_, from, to)) => {
                    *from = (*from).min(slot.start);
                    *to = (*to).max(slot.end);
                }
                None => schedules.push((schedule.clone(), slot.start, slot.end)),
            }
        }
        (slots, schedules)
    };
    let mut resources = slots;
    let mut locations = BTreeSet::new();
    let mut practitioners = BTreeSet::new();
    for (s, from, to) in &schedules {
        resources.push(schedule_to_fhir(s, (*from, *to)));
        locations.insert(s.location_id.clone());
        practitioners.extend(s.practitioner_id.clone());
    }
    let store = state.read();
    let mut organisations = BTreeSet::new();
    for l in store.locations.iter().filter(|l| locations.contains(&l.id)) {
        organisations.insert(l.managing_organization.clone());
        if q.includes.location {
            resources.push(location::to_fhir(l));
        }
    }
    if q.includes.practitioner {
        resources.extend(
            store
                .practitioners
                .iter()
                .filter(|p| practitioners.contains(&p.id))
                .map(practitioner::to_fhir),
        );
    }
    // Organizations are always returned with at least one slot (Search for free slots: response, known issue of 1.2.2).
    resources.extend(
        store
            .organizations
            .iter()
            .filter(|o| organisations.contains(&o.id))
            .map(organisation::to_fhir),
    );
    Ok(Fhir::ok(searchset(resources)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Result<SlotSearch, ApiError> {
        parse(Some(s))
    }

    #[test]
    fn parameter_rules() {
        let ok = "status=free&start=ge2030-01-01&end=le2030-01-15&_include=Slot:schedule";
        let s = q(ok).unwrap();
        assert_eq!(s.window.end - s.window.start, Duration::days(15));
        assert!(
            q("status=free&start=ge2030-01-01&end=le2030-01-16&_include=Slot:schedule").is_err()
        );
        assert!(
            q("status=free&end=le2030-01-02&_include=Slot:schedule")
                .unwrap_err()
                .code
                == crate::gpconnect::ErrorCode::BadRequest
        );
        assert!(
            q("status=busy&start=ge2030-01-01&end=le2030-01-02&_include=Slot:schedule").is_err()
        );
        assert!(
            q("status=free&start=ge2030-01-03&end=le2030-01-02&_include=Slot:schedule").is_err()
        );
        assert!(q("status=free&start=ge2030-01-01&end=le2030-01-02").is_err());
        assert!(
            q("status=free&start=gt2030-01-01&end=le2030-01-02&_include=Slot:schedule").is_err()
        );
        assert!(q(
            "status=free&start=ge2030-01-01T10:00:00Z&end=le2030-01-02&_include=Slot:schedule"
        )
        .is_err());
        assert!(q("status=free&start=ge2030-01-01T10:00:00%2B00:00&end=le2030-01-02&_include=Slot:schedule").is_ok());
        assert!(q(&format!("{ok}&searchFilter=urn:x|y")).is_ok());
        assert!(q(&format!(
            "{ok}&searchFilter={}|",
            systems::ODS_ORGANIZATION_CODE
        ))
        .is_err());
    }

    #[test]
    fn filter_table() {
        let mut s = super::super::diary::generate(time::today()).schedules;
        let open = s.remove(0);
        let urgent = s.iter().find(|x| x.org_type.is_some()).unwrap().clone();
        let coded = s.iter().find(|x| !x.ods_codes.is_empty()).unwrap().clone();
        let none = Filter::default();
        assert!(none.admits(&open) && !none.admits(&urgent) && !none.admits(&coded));
        let t = Filter {
            org_type: Some("urgent-care".into()),
            ods_code: None,
        };
        assert!(t.admits(&open) && t.admits(&urgent) && !t.admits(&coded));
        let c = Filter {
            org_type: None,
            ods_code: Some("R1A14".into()),
        };
        assert!(c.admits(&open) && !c.admits(&urgent) && c.admits(&coded));
    }
}
