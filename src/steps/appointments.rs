//! Appointment Management steps: free-slot search, book, read, retrieve, amend, cancel.
//!
//! State and isolation: every slot a scenario books is first claimed with [`RunContext::claim`], so
//! scenarios running concurrently never fight over one slot; every appointment booked (by a step or as a
//! side effect of a faulty provider accepting a bad booking) is put on [`Assurance::cleanup`], which the
//! runner's `after` hook drains with [`teardown`], cancelling them whether the scenario passed or not.
//!
//! Dates in feature files are written relative to today in UK local time: `{date+3}`, `{date-1}`,
//! `{datetime+3}` (local midnight with its `+hh:mm` offset), `{datetimeZ+3}`, `{datetimeNoOffset+3}`,
//! `{year+1}`, `{month+1}` (partial dates), so scenarios keep working on any day.
//!
//! NHS Digital's provider test suite: <https://github.com/nhsconnect/gpconnect-provider-testing>
//! Appointment Management: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments.html>

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use cucumber::{given, then, when};
use serde_json::{json, Value};

use super::{Assurance, RunContext};
use crate::checks::{
    self, appointment as apt_checks, bundle, ensure, response, slot as slot_checks,
};
use crate::fhir::Pointer as _;
use crate::gpconnect::appointments::{self as apt, time};
use crate::gpconnect::headers::{self, weak_etag};
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::{ErrorCode, Interaction};
use crate::http::{Body, Exchange, RequestSpec, Role};
use crate::steps::params::InteractionName;
use crate::verdict::{Problem, StepResult};

use super::request::Subject;

/// Organisation type the default search and booking use (the booking organisation's type must match).
pub const DEFAULT_ORG_TYPE: &str = "gp-practice";
/// Days ahead searched when a scenario needs a free slot to book.
const BOOKABLE_WINDOW: (i64, i64) = (1, 14);

/// What a scenario learnt about the appointment it works with, for later steps.
#[derive(Debug, Default)]
pub struct AppointmentMemory {
    /// The last booking body built (sent, or to be sent again).
    pub booking: Option<Value>,
    /// The slots the booking claimed.
    pub slots: Vec<Value>,
    /// The Schedule of those slots, as the free-slot search returned it (its `serviceCategory.text` is
    /// the schedule type the appointment carries).
    pub schedule: Option<Value>,
    /// The appointment as the provider last returned it.
    pub current: Option<Value>,
    /// The state before `current`.
    pub previous: Option<Value>,
    /// Every versionId the appointment has had, in order.
    pub versions: Vec<String>,
    /// Logical ids of every appointment the scenario booked.
    pub booked_ids: Vec<String>,
    /// The last appointment body sent (book or amend or cancel).
    pub sent: Option<Value>,
    /// The logical id of the patient whose appointments are retrieved.
    pub retrieve_patient: Option<String>,
}

fn unknown(what: &str) -> Problem {
    Problem::error(format!(
        "no {what} is known yet: an earlier step must book or read an appointment first"
    ))
}

impl AppointmentMemory {
    fn booking(&self) -> Result<Value, Problem> {
        self.booking.clone().ok_or_else(|| unknown("booking"))
    }
    fn current(&self) -> Result<Value, Problem> {
        self.current.clone().ok_or_else(|| unknown("appointment"))
    }
    fn previous(&self) -> Result<Value, Problem> {
        self.previous
            .clone()
            .ok_or_else(|| unknown("earlier version of the appointment"))
    }
    fn sent(&self) -> Result<Value, Problem> {
        self.sent.clone().ok_or_else(|| unknown("appointment sent"))
    }

    /// Keep `appointment` as the current state (the current one becomes the previous).
    fn track(&mut self, appointment: &Value) {
        if let Some(current) = self.current.take() {
            self.previous = Some(current);
        }
        self.current = Some(appointment.clone());
        if let Some(v) = appointment.at("/meta/versionId").and_then(Value::as_str) {
            self.versions.push(v.to_string());
        }
    }
}

fn mem(w: &mut Assurance) -> &mut AppointmentMemory {
    &mut w.memory.appointments
}

// ---------------------------------------------------------------------------------------------------
// Relative dates.

fn day(offset: i64) -> chrono::NaiveDate {
    time::today() + Duration::days(offset)
}

/// Expand the relative-date tokens of a feature value (see the module doc).
pub fn expand(value: &str) -> Result<String, Problem> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("unclosed {{ in {value:?}"))?
            + open;
        let token = &rest[open + 1..close];
        let (name, n) = match token.find(['+', '-']) {
            Some(i) => (
                &token[..i],
                token[i..]
                    .trim_start_matches('+')
                    .parse::<i64>()
                    .map_err(|_| format!("bad offset in {{{token}}}"))?,
            ),
            None => (token, 0),
        };
        let d = day(n);
        let midnight = time::at(d, NaiveTime::MIN);
        let text = match name {
            "date" => d.format("%Y-%m-%d").to_string(),
            "datetime" => time::format(midnight),
            "datetimeZ" => midnight.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "datetimeNoOffset" => time::local(midnight).format("%Y-%m-%dT%H:%M:%S").to_string(),
            "year" => d.format("%Y").to_string(),
            "month" => d.format("%Y-%m").to_string(),
            other => return Err(format!("unknown date token {{{other}}}; use date, datetime, datetimeZ, datetimeNoOffset, year or month").into()),
        };
        out.push_str(&text);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------
// Free-slot search.

/// A valid free-slot search from `from` to `to` days ahead, with every include and the consumer's ODS
/// code and the default organisation type as searchFilters (as the official suite searches).
pub fn slot_search(w: &Assurance, start: &str, end: &str) -> RequestSpec {
    let mut spec = w.new_request(Interaction::SearchFreeSlots, None);
    spec.add_query("status", "free");
    spec.add_query("start", start);
    spec.add_query("end", end);
    spec.add_query("_include", apt::INCLUDE_SCHEDULE);
    for inc in [
        apt::INCLUDE_PRACTITIONER,
        apt::INCLUDE_LOCATION,
        apt::INCLUDE_ORGANIZATION,
    ] {
        spec.add_query(apt::INCLUDE_RECURSE, inc);
    }
    spec.add_query(
        "searchFilter",
        &format!(
            "{}|{}",
            systems::ODS_ORGANIZATION_CODE,
            w.ctx.config.consumer.organization_ods_code
        ),
    );
    spec.add_query(
        "searchFilter",
        &format!("{}|{DEFAULT_ORG_TYPE}", apt::CS_ORGANISATION_TYPE),
    );
    spec
}

fn days_search(w: &Assurance, from: i64, to: i64) -> RequestSpec {
    slot_search(
        w,
        &format!("ge{}", day(from).format("%Y-%m-%d")),
        &format!("le{}", day(to).format("%Y-%m-%d")),
    )
}

/// The query of a sent request, decoded.
fn sent_query(exchange: &Exchange) -> Vec<(String, String)> {
    reqwest::Url::parse(&exchange.request.url)
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The instant a search bound stands for: a `ge` date its first instant, a `le` date the next midnight.
fn bound_instant(raw: &str) -> Option<DateTime<Utc>> {
    let (prefix, value) = raw.split_at_checked(2)?;
    if let Some(d) = time::parse_date(value) {
        let d = if prefix == "le" {
            d + Duration::days(1)
        } else {
            d
        };
        return Some(time::at(d, NaiveTime::MIN));
    }
    time::parse_date_time(value)
}

/// What the last search asked for, read back from the request as it was sent.
fn asked(exchange: &Exchange) -> Result<slot_checks::SearchAsked, Problem> {
    let q = sent_query(exchange);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let start = get("start")
        .and_then(bound_instant)
        .ok_or("the search sent no valid start to judge the slots against")?;
    let end = get("end")
        .and_then(bound_instant)
        .ok_or("the search sent no valid end to judge the slots against")?;
    let recurse: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == apt::INCLUDE_RECURSE)
        .map(|(_, v)| v.as_str())
        .collect();
    Ok(slot_checks::SearchAsked {
        start,
        end,
        practitioners: recurse.contains(&apt::INCLUDE_PRACTITIONER),
        locations: recurse.contains(&apt::INCLUDE_LOCATION),
    })
}

/// Why no slot could be found, worded so a run against an empty diary says so plainly. A missing free
/// slot is missing test data, not a broken rule: the scenario is inconclusive.
fn no_slots_message(w: &Assurance, found: usize, from: i64, to: i64) -> Problem {
    let c = &w.ctx.config;
    Problem::inconclusive(if found == 0 {
        format!(
            "NO FREE SLOTS: the provider returned no free slots from {} to {} for ODS code {} (organisation type {DEFAULT_ORG_TYPE}). \
             Appointment scenarios book real slots; configure bookable GP Connect slots for the next {} days at {} \
             (NHS Digital's provider test suite asks for 30)",
            day(from), day(to), c.consumer.organization_ods_code, apt::MAX_SEARCH_DAYS, c.target.provider_ods_code
        )
    } else {
        format!(
            "NOT ENOUGH FREE SLOTS: all {found} free slots from {} to {} are already used by other scenarios of this run; \
             the target needs about one free slot per booking scenario",
            day(from), day(to)
        )
    })
}

/// Search `from..to` days ahead and claim `n` contiguous free slots of one schedule (same channel and
/// slot type), never claimed by another scenario of this run. Returns (slots, their schedule).
///
/// The day the latest claim found its slots is searched alone first (a diary fills from its first
/// day, so that day usually still has free slots, and its answer is about a tenth of the window's);
/// then the days after it; then, if the hint had moved past `from`, the whole window. A later search
/// is sent only when the earlier ones left nothing to claim, so a sparse diary is searched exactly as
/// fully as with one search of the whole window.
async fn claim_slots(
    w: &mut Assurance,
    n: usize,
    from: i64,
    to: i64,
    contiguous: bool,
) -> Result<(Vec<Value>, Value), Problem> {
    let hint = w.ctx.slot_days.get(from).clamp(from, to);
    let mut windows = vec![(hint, hint)];
    if hint < to {
        windows.push((hint + 1, to));
    }
    if hint > from {
        windows.push((from, to));
    }
    let mut most_found = 0;
    for (first, last) in windows {
        match claim_slots_in(w, n, first, last, contiguous).await? {
            Ok((slots, schedule)) => {
                if let Some(d) = slots.first().and_then(slot_day_offset) {
                    w.ctx.slot_days.note(from, d);
                }
                return Ok((slots, schedule));
            }
            Err(found) => most_found = most_found.max(found),
        }
    }
    Err(no_slots_message(w, most_found, from, to))
}

/// The day of a slot's start, as an offset from today (the date the provider wrote, in its own zone).
fn slot_day_offset(slot: &Value) -> Option<i64> {
    let start = slot["start"].as_str()?;
    let date = time::parse_date(start.get(..10)?)?;
    Some((date - time::today()).num_days())
}

/// One search of `from..to` for [`claim_slots`]: the claimed slots and their schedule, or how many
/// free slots the answer held when none of them could be claimed.
async fn claim_slots_in(
    w: &mut Assurance,
    n: usize,
    from: i64,
    to: i64,
    contiguous: bool,
) -> Result<Result<(Vec<Value>, Value), usize>, Problem> {
    let spec = days_search(w, from, to);
    let ex = w.send_aside(spec).await;
    // A setup request: its own rules are judged by the slot-search scenarios.
    let setup =
        |e: String| Problem::inconclusive(format!("setup: searching for free slots to book: {e}"));
    response::status_is(ex, 200).map_err(setup)?;
    let b = response::body_as_json(ex).map_err(setup)?;
    let entries = bundle::entries(&b);
    let mut slots: Vec<&Value> = entries
        .iter()
        .copied()
        .filter(|r| r["resourceType"] == "Slot")
        .collect();
    slots.sort_by_key(|s| {
        (
            s["schedule"]["reference"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            s["start"].as_str().and_then(time::parse_date_time),
        )
    });
    let key = |s: &Value| format!("slot:{}", s["id"].as_str().unwrap_or_default());
    let unclaimed = |s: &Value| {
        !w.ctx
            .claimed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&key(s))
    };
    for i in 0..slots.len() {
        let run: Vec<&Value> = slots.iter().skip(i).take(n).copied().collect();
        if run.len() < n || !run.iter().all(|s| unclaimed(s)) {
            continue;
        }
        let same = run.windows(2).all(|p| {
            p[0]["schedule"] == p[1]["schedule"]
                && p[0]["extension"] == p[1]["extension"]
                && p[0]["serviceType"] == p[1]["serviceType"]
        });
        let adjacent = run.windows(2).all(|p| p[0]["end"] == p[1]["start"]);
        if !same || (contiguous && !adjacent) || (!contiguous && n > 1 && adjacent) {
            continue;
        }
        if !run.iter().all(|s| w.ctx.claim(&key(s))) {
            continue;
        }
        let sched_ref = run[0]["schedule"]["reference"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let schedule = entries
            .iter()
            .find(|r| r["resourceType"] == "Schedule" && format!("Schedule/{}", r["id"].as_str().unwrap_or_default()) == sched_ref)
            .map(|r| (*r).clone())
            .ok_or_else(|| format!("the free-slot Bundle does not include {sched_ref}, so a booking cannot name its Location"))?;
        return Ok(Ok((run.into_iter().cloned().collect(), schedule)));
    }
    Ok(Err(slots.len()))
}

// ---------------------------------------------------------------------------------------------------
// Booking bodies.

/// A valid GPConnect-Appointment-1 booking of `slots` (from `schedule`) for the patient `patient_id`.
pub fn booking_body(w: &Assurance, patient_id: &str, slots: &[Value], schedule: &Value) -> Value {
    let consumer = &w.ctx.config.consumer;
    let mut participants = vec![
        json!({"actor": {"reference": format!("Patient/{patient_id}")}, "status": "accepted"}),
    ];
    for (t, id) in slot_checks::actor_refs(schedule) {
        participants
            .push(json!({"actor": {"reference": format!("{t}/{id}")}, "status": "accepted"}));
    }
    let first = slots.first().cloned().unwrap_or_default();
    let last = slots.last().cloned().unwrap_or_default();
    json!({
        "resourceType": "Appointment",
        "meta": {"profile": [profiles::APPOINTMENT]},
        "contained": [{
            "resourceType": "Organization",
            "id": "1",
            "meta": {"profile": [profiles::ORGANIZATION]},
            "identifier": [{"system": systems::ODS_ORGANIZATION_CODE, "value": consumer.organization_ods_code}],
            "type": [{"coding": [{"system": apt::CS_ORGANISATION_TYPE, "code": DEFAULT_ORG_TYPE}]}],
            "name": consumer.organization_name,
            "telecom": [{"system": "phone", "value": "0300 303 5678", "use": "work"}],
        }],
        "extension": [{"url": apt::EXT_BOOKING_ORGANISATION, "valueReference": {"reference": "#1"}}],
        "status": "booked",
        "description": "GP Connect assurance booking",
        "start": first["start"],
        "end": last["end"],
        "slot": slots.iter().map(|s| json!({"reference": format!("Slot/{}", s["id"].as_str().unwrap_or_default())})).collect::<Vec<_>>(),
        "created": time::format(Utc::now()),
        "participant": participants,
    })
}

/// `n` characters of plain, non-clinical text.
fn text_of(n: usize) -> String {
    "Assurance text ".chars().cycle().take(n).collect()
}

fn participants_mut(body: &mut Value) -> Result<&mut Vec<Value>, Problem> {
    Ok(body
        .get_mut("participant")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| "the appointment has no participant list".to_string())?)
}

fn org_mut(body: &mut Value) -> Result<&mut Value, Problem> {
    Ok(body
        .pointer_mut("/contained/0")
        .ok_or_else(|| "the appointment has no contained booking organisation".to_string())?)
}

fn extensions_mut(body: &mut Value) -> Result<&mut Vec<Value>, Problem> {
    if body.get("extension").is_none() {
        body["extension"] = json!([]);
    }
    Ok(body
        .get_mut("extension")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| "extension is not a list".to_string())?)
}

fn remove(body: &mut Value, key: &str) {
    if let Some(o) = body.as_object_mut() {
        o.remove(key);
    }
}

fn shift(body: &mut Value, key: &str, minutes: i64) -> StepResult {
    let t = body
        .get(key)
        .and_then(Value::as_str)
        .and_then(time::parse_date_time)
        .ok_or_else(|| format!("the appointment has no {key} to move"))?;
    body[key] = json!(time::format(t + Duration::minutes(minutes)));
    Ok(())
}

/// Change an appointment body (booking, amend or cancel) in one named way. Each phrase breaks, or adds,
/// exactly one thing.
pub fn apply_change(body: &mut Value, change: &str) -> StepResult {
    let words: Vec<&str> = change.split_whitespace().collect();
    match words.as_slice() {
        ["no", "patient", "participant"] => participants_mut(body)?.retain(|p| !p["actor"]["reference"].as_str().unwrap_or_default().starts_with("Patient/")),
        ["no", "location", "participant"] => participants_mut(body)?.retain(|p| !p["actor"]["reference"].as_str().unwrap_or_default().starts_with("Location/")),
        ["no", "practitioner", "participant"] => participants_mut(body)?.retain(|p| !p["actor"]["reference"].as_str().unwrap_or_default().starts_with("Practitioner/")),
        ["no", "participants"] => remove(body, "participant"),
        ["a", "second", "patient", "participant"] => participants_mut(body)?.push(json!({"actor": {"reference": "Patient/2"}, "status": "accepted"})),
        ["a", "participant", "without", "an", "actor"] => participants_mut(body)?.push(json!({"status": "accepted"})),
        ["participants", "without", "a", "status"] => participants_mut(body)?.iter_mut().for_each(|p| remove(p, "status")),
        ["an", "extra", "participant", r] => participants_mut(body)?.push(json!({"actor": {"reference": r}, "status": "accepted"})),
        ["an", "absolute", "patient", "reference"] => {
            for p in participants_mut(body)? {
                if let Some(r) = p["actor"]["reference"].as_str().filter(|r| r.starts_with("Patient/")).map(str::to_string) {
                    p["actor"]["reference"] = json!(format!("https://provider.example.nhs.uk/STU3/1/gpconnect/{r}"));
                }
            }
        }
        ["the", "patient", r] => {
            for p in participants_mut(body)? {
                if p["actor"]["reference"].as_str().is_some_and(|x| x.starts_with("Patient/")) {
                    p["actor"]["reference"] = json!(format!("Patient/{r}"));
                }
            }
        }
        ["the", "location", r] => {
            for p in participants_mut(body)? {
                if p["actor"]["reference"].as_str().is_some_and(|x| x.starts_with("Location/")) {
                    p["actor"]["reference"] = json!(format!("Location/{r}"));
                }
            }
        }
        ["no", element] if ["start", "end", "status", "slot", "description", "created", "comment"].contains(element) => remove(body, element),
        ["no", "meta.profile"] => remove(body, "meta"),
        ["the", "status", s] => body["status"] = json!(s),
        ["a", "reason"] => body["reason"] = json!([{"coding": [{"system": crate::gpconnect::structured::systems::SNOMED, "code": "185389009", "display": "Follow-up visit"}]}]),
        ["a", "specialty"] => body["specialty"] = json!([{"text": "General practice"}]),
        ["an", "appointmentType"] => body["appointmentType"] = json!({"text": "Routine"}),
        ["an", "unknown", "element"] => body["notAnElement"] = json!("not FHIR"),
        ["the", "resourceType", ty] => body["resourceType"] = json!(ty),
        ["nothing", "but", "its", "resourceType"] => *body = json!({"resourceType": "Appointment"}),
        ["a", "start", "five", "minutes", "later"] => shift(body, "start", 5)?,
        ["an", "end", "five", "minutes", "later"] => shift(body, "end", 5)?,
        ["a", "start", "one", "day", "later"] => {
            shift(body, "start", 24 * 60)?;
            shift(body, "end", 24 * 60)?;
        }
        ["the", "slot", "reference", r] => body["slot"] = json!([{"reference": r}]),
        ["an", "absolute", "slot", "reference"] => {
            let r = body.at("/slot/0/reference").and_then(Value::as_str).unwrap_or("Slot/1").to_string();
            body["slot"] = json!([{"reference": format!("https://provider.example.nhs.uk/STU3/1/gpconnect/{r}")}]);
        }
        ["no", "booking", "organisation"] => {
            extensions_mut(body)?.retain(|e| e["url"] != apt::EXT_BOOKING_ORGANISATION);
            remove(body, "contained");
        }
        ["a", "booking", "organisation", "without", "a", "name"] => remove(org_mut(body)?, "name"),
        ["a", "booking", "organisation", "without", "telecom"] => remove(org_mut(body)?, "telecom"),
        ["a", "booking", "organisation", "without", "an", "ODS", "code"] => remove(org_mut(body)?, "identifier"),
        ["a", "booking", "organisation", "without", "meta.profile"] => remove(org_mut(body)?, "meta"),
        ["no", "organisation", "type"] => remove(org_mut(body)?, "type"),
        ["the", "organisation", "type", code] => org_mut(body)?["type"] = json!([{"coding": [{"system": apt::CS_ORGANISATION_TYPE, "code": code}]}]),
        ["a", "booking", "organisation", "reference", "that", "is", "absolute"] => {
            for e in extensions_mut(body)?.iter_mut().filter(|e| e["url"] == apt::EXT_BOOKING_ORGANISATION) {
                e["valueReference"]["reference"] = json!("https://provider.example.nhs.uk/STU3/1/gpconnect/Organization/1");
            }
        }
        ["a", "booking", "organisation", "reference", "to", "a", "missing", "contained", "resource"] => {
            for e in extensions_mut(body)?.iter_mut().filter(|e| e["url"] == apt::EXT_BOOKING_ORGANISATION) {
                e["valueReference"]["reference"] = json!("#nothing-here");
            }
        }
        ["a", "booking", "organisation", "extension", "with", "a", "valueString"] => {
            for e in extensions_mut(body)?.iter_mut().filter(|e| e["url"] == apt::EXT_BOOKING_ORGANISATION) {
                remove(e, "valueReference");
                e["valueString"] = json!("A1001");
            }
        }
        ["a", "cancellation", "reason"] => extensions_mut(body)?.push(json!({"url": apt::EXT_CANCELLATION_REASON, "valueString": "Patient unwell"})),
        ["no", "cancellation", "reason"] => extensions_mut(body)?.retain(|e| e["url"] != apt::EXT_CANCELLATION_REASON),
        ["an", "empty", "cancellation", "reason"] => {
            extensions_mut(body)?.retain(|e| e["url"] != apt::EXT_CANCELLATION_REASON);
            extensions_mut(body)?.push(json!({"url": apt::EXT_CANCELLATION_REASON, "valueString": ""}));
        }
        ["a", "cancellation", "reason", "at", "a", "misspelt", "URL"] => {
            extensions_mut(body)?.retain(|e| e["url"] != apt::EXT_CANCELLATION_REASON);
            let url = apt::EXT_CANCELLATION_REASON.replace("Cancellation", "Cancelation");
            extensions_mut(body)?.push(json!({"url": url, "valueString": "Patient unwell"}));
        }
        ["the", "cancellation", "reason", reason @ ..] if !reason.is_empty() => {
            extensions_mut(body)?.retain(|e| e["url"] != apt::EXT_CANCELLATION_REASON);
            extensions_mut(body)?.push(json!({"url": apt::EXT_CANCELLATION_REASON, "valueString": reason.join(" ")}));
        }
        ["a", "deliveryChannel", "extension", code] => {
            extensions_mut(body)?.retain(|e| e["url"] != apt::EXT_DELIVERY_CHANNEL);
            extensions_mut(body)?.push(json!({"url": apt::EXT_DELIVERY_CHANNEL, "valueCode": code}));
        }
        ["a", "practitionerRole", "extension", code] => {
            let display = apt::PRACTITIONER_ROLES.iter().find(|(c, _)| c == code).map(|(_, d)| *d).unwrap_or("Unknown role");
            extensions_mut(body)?.retain(|e| e["url"] != apt::EXT_PRACTITIONER_ROLE);
            extensions_mut(body)?.push(json!({"url": apt::EXT_PRACTITIONER_ROLE, "valueCodeableConcept": {"coding": [{"system": apt::CS_SDS_JOB_ROLE_NAME, "code": code, "display": display}]}}));
        }
        ["a", "serviceType", "and", "serviceCategory"] => {
            body["serviceType"] = json!([{"text": "Consumer-chosen slot type"}]);
            body["serviceCategory"] = json!({"text": "Consumer-chosen schedule type"});
        }
        ["no", "serviceType", "or", "serviceCategory"] => {
            remove(body, "serviceType");
            remove(body, "serviceCategory");
        }
        ["an", "identifier"] => body["identifier"] = json!([{"system": "https://consumer.example.nhs.uk/Id/appointment", "value": uuid::Uuid::new_v4().to_string()}]),
        ["an", "identifier", "without", "a", "value"] => body["identifier"] = json!([{"system": "https://consumer.example.nhs.uk/Id/appointment"}]),
        ["the", "priority", p] => body["priority"] = json!(p.parse::<u64>().map_err(|_| format!("{p:?} is not a priority"))?),
        ["a", "description", "of", n, "characters"] => body["description"] = json!(text_of(n.parse().map_err(|_| format!("{n:?} is not a length"))?)),
        ["a", "comment", "of", n, "characters"] => body["comment"] = json!(text_of(n.parse().map_err(|_| format!("{n:?} is not a length"))?)),
        ["the", "description", text @ ..] if !text.is_empty() => body["description"] = json!(text.join(" ")),
        ["the", "comment", text @ ..] if !text.is_empty() => body["comment"] = json!(text.join(" ")),
        ["a", "minutesDuration", "of", n] => body["minutesDuration"] = json!(n.parse::<u64>().map_err(|_| format!("{n:?} is not a number"))?),
        _ => return Err(format!("unknown change to an appointment: {change:?} (see steps::appointments::apply_change for the phrases)").into()),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Sending, booking and teardown.

fn etag_of(appointment: &Value) -> Option<String> {
    appointment
        .at("/meta/versionId")
        .and_then(Value::as_str)
        .map(weak_etag)
}

/// If a booking was accepted, remember the appointment and put it on the teardown list.
fn note_booking(w: &mut Assurance) {
    let Some(ex) = w.exchanges.last() else { return };
    let ok = ex.response.as_ref().is_some_and(|r| r.status == 201);
    let body = if ok {
        response::body_as_json(ex).ok()
    } else {
        None
    };
    let located = if ok {
        booked_id_from_location(ex)
    } else {
        None
    };
    if let Some(a) = body {
        if let Some(id) = a.get("id").and_then(Value::as_str).map(str::to_string) {
            if !w.cleanup.contains(&id) {
                w.cleanup.push(id.clone());
            }
            mem(w).booked_ids.push(id.clone());
            mem(w).track(&a);
        }
    } else if let Some(id) = located {
        // A booking answered without a body (`Prefer: return=minimal`) names the appointment in its
        // Location header: it is still cancelled when the scenario ends.
        if !w.cleanup.contains(&id) {
            w.cleanup.push(id.clone());
        }
        mem(w).booked_ids.push(id);
    }
}

/// The logical id in a 201's `Location: [base]/Appointment/{id}/_history/{version}`.
fn booked_id_from_location(ex: &Exchange) -> Option<String> {
    let location = ex.response.as_ref()?.header("Location")?;
    let path = location.split("/_history/").next()?;
    let (_, id) = path.rsplit_once("/Appointment/")?;
    (!id.is_empty() && !id.contains('/')).then(|| id.to_string())
}

fn book_request(w: &Assurance, body: Value) -> RequestSpec {
    let mut spec = w.new_request(Interaction::BookAppointment, None);
    spec.body = Some(Body::Resource(body));
    spec
}

/// Book an appointment for `alias` in `n` claimed slots, outside the scenario's main request.
async fn book_aside(w: &mut Assurance, alias: &str, n: usize) -> Result<Value, Problem> {
    let patient = w.logical_id(Subject::Patient, alias).await?;
    let (slots, schedule) = claim_slots(w, n, BOOKABLE_WINDOW.0, BOOKABLE_WINDOW.1, true).await?;
    let body = booking_body(w, &patient, &slots, &schedule);
    mem(w).slots = slots;
    mem(w).schedule = Some(schedule);
    mem(w).booking = Some(body.clone());
    let spec = book_request(w, body);
    w.send_aside(spec).await;
    note_booking(w);
    // A setup booking: when it fails, the rule the scenario is about cannot be tried (the booking
    // scenarios judge Book appointment itself).
    let setup = |e: String| {
        Problem::inconclusive(format!("setup: booking an appointment for {alias}: {e}"))
    };
    let ex = w
        .exchanges
        .last()
        .ok_or_else(|| Problem::error("the booking was not sent"))?;
    response::status_is(ex, 201).map_err(setup)?;
    response::body_as_json(ex)
        .map(Arc::unwrap_or_clone)
        .map_err(setup)
}

/// Cancel every appointment in `ids` that is still booked (the runner's `after` hook calls this, so a run
/// leaves the target's diary as it found it even when scenarios fail). Returns the exchanges as evidence.
pub async fn teardown(ctx: &RunContext, ids: Vec<String>) -> Vec<Exchange> {
    let mut evidence = Vec::new();
    for id in ids {
        let read = RequestSpec::new(&ctx.config, Interaction::ReadAppointment, Some(&id));
        let mut ex = ctx.send_teardown(&read).await;
        ex.role = Role::Teardown;
        let current = ex
            .response
            .as_ref()
            .filter(|r| r.status == 200)
            .and_then(|_| response::body_as_json(&ex).ok())
            .map(Arc::unwrap_or_clone);
        evidence.push(ex);
        let Some(mut a) = current else { continue };
        if a["status"] == "cancelled" {
            continue;
        }
        let etag = etag_of(&a);
        a["status"] = json!("cancelled");
        let _ = apply_change(&mut a, "the cancellation reason gpc-assure teardown");
        let mut cancel = RequestSpec::new(&ctx.config, Interaction::CancelAppointment, Some(&id));
        if let Some(e) = etag {
            cancel.set_header(headers::IF_MATCH, &e);
        }
        cancel.body = Some(Body::Resource(a));
        let mut ex = ctx.send_teardown(&cancel).await;
        ex.role = Role::Teardown;
        evidence.push(ex);
    }
    evidence
}

// ---------------------------------------------------------------------------------------------------
// Given: search.

#[given(expr = "a free slot search from {int} to {int} days ahead")]
async fn search_days(w: &mut Assurance, from: i64, to: i64) -> StepResult {
    w.request = Some(days_search(w, from, to));
    Ok(())
}

#[given(expr = "a free slot search with start {string} and end {string}")]
async fn search_bounds(w: &mut Assurance, start: String, end: String) -> StepResult {
    w.request = Some(slot_search(w, &expand(&start)?, &expand(&end)?));
    Ok(())
}

#[given(expr = "the search parameter {string} is {string}")]
async fn search_param(w: &mut Assurance, name: String, value: String) -> StepResult {
    let value = expand(&value)?;
    let r = w.request_mut()?;
    r.remove_query(&name);
    r.add_query(&name, &value);
    Ok(())
}

#[given(expr = "the search parameter {string} is also {string}")]
async fn search_param_also(w: &mut Assurance, name: String, value: String) -> StepResult {
    let value = expand(&value)?;
    w.request_mut()?.add_query(&name, &value);
    Ok(())
}

#[given(expr = "the include {string} is not sent")]
async fn include_removed(w: &mut Assurance, include: String) -> StepResult {
    w.request_mut()?
        .query
        .retain(|(k, v)| !(k.starts_with("_include") && *v == include));
    Ok(())
}

#[given(expr = "the searchFilter of system {string} is not sent")]
async fn filter_removed(w: &mut Assurance, system: String) -> StepResult {
    let system = match system.as_str() {
        "ODS code" => systems::ODS_ORGANIZATION_CODE,
        "organisation type" => apt::CS_ORGANISATION_TYPE,
        other => {
            return Err(format!(
                "unknown searchFilter system {other:?}; use \"ODS code\" or \"organisation type\""
            )
            .into())
        }
    };
    w.request_mut()?
        .query
        .retain(|(k, v)| !(k == "searchFilter" && v.starts_with(&format!("{system}|"))));
    Ok(())
}

#[given(expr = "the organisation type searchFilter is {string}")]
async fn type_filter(w: &mut Assurance, code: String) -> StepResult {
    let r = w.request_mut()?;
    r.query.retain(|(k, v)| {
        !(k == "searchFilter" && v.starts_with(&format!("{}|", apt::CS_ORGANISATION_TYPE)))
    });
    r.add_query(
        "searchFilter",
        &format!("{}|{code}", apt::CS_ORGANISATION_TYPE),
    );
    Ok(())
}

#[given(expr = "the ODS code searchFilter is {string}")]
async fn ods_filter(w: &mut Assurance, code: String) -> StepResult {
    let r = w.request_mut()?;
    r.query.retain(|(k, v)| {
        !(k == "searchFilter" && v.starts_with(&format!("{}|", systems::ODS_ORGANIZATION_CODE)))
    });
    r.add_query(
        "searchFilter",
        &format!("{}|{code}", systems::ODS_ORGANIZATION_CODE),
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Given: bookings.

async fn start_booking(
    w: &mut Assurance,
    alias: &str,
    n: usize,
    from: i64,
    to: i64,
    contiguous: bool,
) -> StepResult {
    let patient = w.logical_id(Subject::Patient, alias).await?;
    let (slots, schedule) = claim_slots(w, n, from, to, contiguous).await?;
    let body = booking_body(w, &patient, &slots, &schedule);
    mem(w).slots = slots;
    mem(w).schedule = Some(schedule);
    w.request = Some(book_request(w, body));
    Ok(())
}

#[given(expr = "a booking for {string} in a free slot")]
async fn booking_one(w: &mut Assurance, alias: String) -> StepResult {
    start_booking(w, &alias, 1, BOOKABLE_WINDOW.0, BOOKABLE_WINDOW.1, true).await
}

#[given(expr = "a booking for {string} in {int} contiguous free slots")]
async fn booking_many(w: &mut Assurance, alias: String, n: usize) -> StepResult {
    start_booking(w, &alias, n, BOOKABLE_WINDOW.0, BOOKABLE_WINDOW.1, true).await
}

#[given(expr = "a booking for {string} in two free slots that are not contiguous")]
async fn booking_gap(w: &mut Assurance, alias: String) -> StepResult {
    start_booking(w, &alias, 2, BOOKABLE_WINDOW.0, BOOKABLE_WINDOW.1, false).await
}

#[given(expr = "a booking for {string} in a slot that has already passed")]
async fn booking_past(w: &mut Assurance, alias: String) -> StepResult {
    start_booking(w, &alias, 1, -3, -1, true).await
}

#[given(expr = "a booking for {string} in two adjacent free slots of different schedules")]
async fn booking_two_schedules(w: &mut Assurance, alias: String) -> StepResult {
    let patient = w.logical_id(Subject::Patient, &alias).await?;
    let spec = days_search(w, BOOKABLE_WINDOW.0, BOOKABLE_WINDOW.1);
    let ex = w.send_aside(spec).await;
    response::status_is(ex, 200).map_err(|e| {
        crate::checks::response::in_context(format_args!("searching for free slots to book"), e)
    })?;
    let b = response::body_as_json(ex)?;
    let slots: Vec<&Value> = bundle::entries(&b)
        .into_iter()
        .filter(|r| r["resourceType"] == "Slot")
        .collect();
    let key = |s: &Value| format!("slot:{}", s["id"].as_str().unwrap_or_default());
    let claimed = |s: &Value| {
        w.ctx
            .claimed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&key(s))
    };
    // A pair of unclaimed slots, back to back, of two different schedules; claimed together.
    let pair = slots.iter().find_map(|a| {
        let b = slots.iter().find(|b| {
            b["schedule"] != a["schedule"] && b["start"] == a["end"] && !claimed(b) && !claimed(a)
        })?;
        (w.ctx.claim(&key(a)) && w.ctx.claim(&key(b))).then(|| vec![(*a).clone(), (*b).clone()])
    });
    let pair = pair.ok_or_else(|| {
        let mut p = no_slots_message(w, slots.len(), BOOKABLE_WINDOW.0, BOOKABLE_WINDOW.1);
        p.message
            .push_str(" (no two back-to-back free slots of different schedules)");
        p
    })?;
    let sched_ref = pair[0]["schedule"]["reference"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let schedule = bundle::entries(&b)
        .into_iter()
        .find(|r| {
            r["resourceType"] == "Schedule"
                && format!("Schedule/{}", r["id"].as_str().unwrap_or_default()) == sched_ref
        })
        .cloned()
        .ok_or_else(|| format!("the free-slot Bundle does not include {sched_ref}"))?;
    let body = booking_body(w, &patient, &pair, &schedule);
    mem(w).slots = pair;
    mem(w).schedule = Some(schedule);
    w.request = Some(book_request(w, body));
    Ok(())
}

#[given(expr = "the booking has {string}")]
async fn booking_changed(w: &mut Assurance, change: String) -> StepResult {
    let locations: Vec<String> = w.ctx.config.data.locations.values().cloned().collect();
    let r = w.request_mut()?;
    let Some(Body::Resource(body)) = r.body.as_mut() else {
        return Err("the request has no FHIR body to change".into());
    };
    let change = with_test_data(&change, body, &locations)?;
    apply_change(body, &change)
}

/// A change phrase that depends on the test data, made concrete for [`apply_change`]: "another
/// location" becomes "the location ID" with a Location of `locations` (logical ids) other than the one
/// the booked slot's schedule names, as which one that is depends on the slot the booking claimed.
/// Other phrases are returned as they are.
pub fn with_test_data(
    change: &str,
    appointment: &Value,
    locations: &[String],
) -> Result<String, Problem> {
    Ok(match change {
        "another location" => format!("the location {}", other_location(appointment, locations)?),
        _ => change.to_string(),
    })
}

/// The first of `locations` (logical ids) that is not the Location participant of `appointment`.
fn other_location(appointment: &Value, locations: &[String]) -> Result<String, Problem> {
    let current: Vec<&str> = appointment["participant"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["actor"]["reference"].as_str()?.strip_prefix("Location/"))
        .collect();
    locations
        .iter()
        .find(|id| !current.contains(&id.as_str()))
        .cloned()
        .ok_or_else(|| {
            Problem::inconclusive(
                "the test data names no Location other than the booked one ([data.locations] in the configuration)",
            )
        })
}

#[given(expr = "an appointment booked for {string}")]
async fn booked(w: &mut Assurance, alias: String) -> StepResult {
    book_aside(w, &alias, 1).await.map(|_| ())
}

#[given(expr = "an appointment booked for {string} in {int} contiguous slots")]
async fn booked_many(w: &mut Assurance, alias: String, n: usize) -> StepResult {
    book_aside(w, &alias, n).await.map(|_| ())
}

#[given(expr = "{int} appointments booked for {string}")]
async fn booked_n(w: &mut Assurance, n: usize, alias: String) -> StepResult {
    for _ in 0..n {
        book_aside(w, &alias, 1).await?;
    }
    Ok(())
}

/// A read, amend or cancel of the current appointment: amend and cancel send the appointment as last
/// returned (modified in place, as the spec recommends) with `If-Match` of its version; a cancel also sets
/// the status and a cancellation reason.
#[given(expr = "a {interaction} request for the appointment")]
async fn request_for_appointment(w: &mut Assurance, name: InteractionName) -> StepResult {
    let interaction = name.0;
    let mut a = w.memory.appointments.current()?;
    let id = a
        .get("id")
        .and_then(Value::as_str)
        .ok_or("the appointment has no id")?
        .to_string();
    let mut spec = w.new_request(interaction, Some(&id));
    match interaction {
        Interaction::ReadAppointment => {}
        Interaction::AmendAppointment | Interaction::CancelAppointment => {
            if let Some(e) = etag_of(&a) {
                spec.set_header(headers::IF_MATCH, &e);
            }
            if interaction == Interaction::CancelAppointment {
                a["status"] = json!("cancelled");
                apply_change(
                    &mut a,
                    "the cancellation reason Patient no longer needs the appointment",
                )?;
            }
            spec.body = Some(Body::Resource(a));
        }
        other => {
            return Err(format!("{other} is not a read, amend or cancel of an appointment").into())
        }
    }
    w.request = Some(spec);
    Ok(())
}

#[given(expr = "the appointment sent has {string}")]
async fn appointment_changed(w: &mut Assurance, change: String) -> StepResult {
    booking_changed(w, change).await
}

#[given(expr = "the If-Match header is the weak ETag of version {string}")]
async fn if_match_version(w: &mut Assurance, version: String) -> StepResult {
    w.request_mut()?
        .set_header(headers::IF_MATCH, &weak_etag(&version));
    Ok(())
}

#[given("the If-Match header is the appointment's previous version")]
async fn stale_if_match(w: &mut Assurance) -> StepResult {
    let previous = w.memory.appointments.previous()?;
    let e = etag_of(&previous).ok_or("the previous version has no versionId")?;
    w.request_mut()?.set_header(headers::IF_MATCH, &e);
    Ok(())
}

/// Apply an amend or cancel outside the main request, checking it succeeded.
async fn change_aside(
    w: &mut Assurance,
    interaction: Interaction,
    change: Option<&str>,
) -> StepResult {
    request_for_appointment(w, InteractionName(interaction)).await?;
    if let Some(c) = change {
        booking_changed(w, c.to_string()).await?;
    }
    let spec = w
        .request
        .take()
        .ok_or_else(|| Problem::error("there is no request to send"))?;
    // A setup request: when it fails, the rule the scenario is about cannot be tried (the amend and
    // cancel scenarios judge these interactions themselves).
    let setup =
        |e: String| Problem::inconclusive(format!("setup: {interaction} of the appointment: {e}"));
    let ex = w.send_aside(spec).await;
    response::status_is(ex, 200).map_err(setup)?;
    let a = response::body_as_json(ex).map_err(setup)?;
    mem(w).track(&a);
    Ok(())
}

#[given(expr = "the appointment has been amended with {string}")]
async fn amended(w: &mut Assurance, change: String) -> StepResult {
    change_aside(w, Interaction::AmendAppointment, Some(&change)).await
}

#[given("the appointment has been cancelled")]
async fn cancelled(w: &mut Assurance) -> StepResult {
    change_aside(w, Interaction::CancelAppointment, None).await
}

#[given(expr = "a retrieve of the appointments of {string} from {int} to {int} days ahead")]
async fn retrieve_days(w: &mut Assurance, alias: String, from: i64, to: i64) -> StepResult {
    retrieve_bounds(
        w,
        alias,
        format!("ge{{date+{from}}}"),
        format!("le{{date+{to}}}"),
    )
    .await
}

#[given(expr = "a retrieve of the appointments of {string} with start {string} and start {string}")]
async fn retrieve_bounds(w: &mut Assurance, alias: String, a: String, b: String) -> StepResult {
    let id = w.logical_id(Subject::Patient, &alias).await?;
    let mut spec = w.new_request(Interaction::RetrieveAppointments, Some(&id));
    for v in [a, b] {
        if !v.is_empty() {
            spec.add_query("start", &expand(&v)?);
        }
    }
    mem(w).retrieve_patient = Some(id);
    w.request = Some(spec);
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// When.

#[when("the booking is sent")]
async fn send_booking(w: &mut Assurance) -> StepResult {
    if let Some(Body::Resource(b)) = w.request.as_ref().and_then(|r| r.body.as_ref()) {
        let b = b.clone();
        mem(w).sent = Some(b.clone());
        mem(w).booking = Some(b.clone());
    }
    w.send().await?;
    note_booking(w);
    Ok(())
}

#[when("the appointment request is sent")]
async fn send_change(w: &mut Assurance) -> StepResult {
    if let Some(Body::Resource(b)) = w.request.as_ref().and_then(|r| r.body.as_ref()) {
        let b = b.clone();
        mem(w).sent = Some(b.clone());
    }
    w.send().await
}

#[when(expr = "the same slots are booked again for {string}")]
async fn book_again(w: &mut Assurance, alias: String) -> StepResult {
    let patient = w.logical_id(Subject::Patient, &alias).await?;
    let mut body = w.memory.appointments.booking()?;
    apply_change(&mut body, &format!("the patient {patient}"))?;
    let spec = book_request(w, body);
    w.request = Some(spec);
    w.send().await?;
    note_booking(w);
    Ok(())
}

#[when(expr = "one free slot is booked for {string} and {string} at the same instant")]
async fn race(w: &mut Assurance, a: String, b: String) -> StepResult {
    let pa = w.logical_id(Subject::Patient, &a).await?;
    let pb = w.logical_id(Subject::Patient, &b).await?;
    let (slots, schedule) = claim_slots(w, 1, BOOKABLE_WINDOW.0, BOOKABLE_WINDOW.1, true).await?;
    mem(w).slots = slots.clone();
    let ra = book_request(w, booking_body(w, &pa, &slots, &schedule));
    let rb = book_request(w, booking_body(w, &pb, &slots, &schedule));
    mem(w).schedule = Some(schedule);
    let ctx = &w.ctx;
    let (ea, eb) = futures::join!(ctx.send(&ra), ctx.send(&rb));
    for ex in [ea, eb] {
        w.keep_under_test(ex);
        note_booking(w);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Then.

#[then(expr = "the response is one of the errors {string}")]
async fn one_of(w: &mut Assurance, codes: String) -> StepResult {
    let ex = w.response()?;
    let mut failures = Vec::new();
    for code in codes.split(',').map(str::trim) {
        let c = ErrorCode::from_code(code)
            .ok_or_else(|| format!("{code:?} is not a GP Connect error code"))?;
        match checks::outcome::is_error(ex, c) {
            Ok(()) => return Ok(()),
            Err(e) => failures.push(e),
        }
    }
    Err(format!(
        "expected one of the errors {codes}: {}",
        failures.join("; ")
    )
    .into())
}

#[then(
    expr = "the response is one of the errors {string}, or a valid free slot Bundle for the search"
)]
async fn refused_or_ignored(w: &mut Assurance, codes: String) -> StepResult {
    let list = codes
        .split(',')
        .map(str::trim)
        .map(|c| {
            ErrorCode::from_code(c).ok_or_else(|| format!("{c:?} is not a GP Connect error code"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ex = w.response()?;
    Ok(slot_checks::refused_or_ignored(ex, &list, &asked(ex)?)?)
}

#[then("the response is a valid free slot Bundle for the search")]
async fn valid_slot_bundle(w: &mut Assurance) -> StepResult {
    let ex = w.response()?;
    response::status_is(ex, 200)?;
    checks::headers::cache_control_no_store(ex)?;
    let b = response::body_as_json(ex)?;
    Ok(slot_checks::search_bundle(&b, &asked(ex)?).map(|_| ())?)
}

#[then("the free slot Bundle holds at least one slot")]
async fn some_slots(w: &mut Assurance) -> StepResult {
    let b = w.resource()?;
    let n = bundle::entries(&b)
        .iter()
        .filter(|r| r["resourceType"] == "Slot")
        .count();
    if n == 0 {
        return Err(Problem::inconclusive("NO FREE SLOTS: the search returned no Slot, so nothing about slots could be checked; the target needs bookable GP Connect slots in this window (NHS Digital's provider test suite lists them among its test data)"));
    }
    Ok(())
}

#[then("the free slot Bundle holds no Location and no Practitioner")]
async fn no_includes(w: &mut Assurance) -> StepResult {
    let b = w.resource()?;
    let n = bundle::entries(&b)
        .iter()
        .filter(|r| r["resourceType"] == "Location" || r["resourceType"] == "Practitioner")
        .count();
    Ok(ensure(n == 0, || {
        format!(
            "the Bundle holds {n} Locations/Practitioners although their includes were not sent"
        )
    })?)
}

#[then("the free slot Bundle holds Locations and Practitioners for its Schedules")]
async fn has_includes(w: &mut Assurance) -> StepResult {
    let b = w.resource()?;
    for ty in ["Location", "Practitioner", "Organization"] {
        ensure(
            bundle::entries(&b).iter().any(|r| r["resourceType"] == ty),
            || format!("the Bundle holds no {ty} although it has Slots and the include was sent"),
        )?;
    }
    Ok(())
}

/// The appointment response: status, headers, ETag = versionId, conformance, and the id asked for.
fn appointment_response(w: &Assurance, status: u16) -> Result<Value, Problem> {
    let ex = w.response()?;
    response::status_is(ex, status)?;
    checks::headers::cache_control_no_store(ex)?;
    response::body_format_is(ex, response::Format::Json)?;
    let a = response::body_as_json(ex)?;
    checks::headers::etag_matches_version(ex, &a)?;
    apt_checks::conforms(&a)?;
    Ok(Arc::unwrap_or_clone(a))
}

#[then("the appointment is booked as requested")]
async fn booked_as_requested(w: &mut Assurance) -> StepResult {
    let a = appointment_response(w, 201)?;
    let ex = w.response()?;
    let location = ex
        .response
        .as_ref()
        .and_then(|r| r.header("location"))
        .ok_or("a 201 Created SHALL carry a Location header")?;
    let id = a["id"].as_str().unwrap_or_default();
    let version = a
        .at("/meta/versionId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let tail = format!("Appointment/{id}/_history/{version}");
    ensure(
        location.ends_with(&tail) && location.contains("://"),
        || format!("Location is {location:?}; it must be [base]/{tail}"),
    )?;
    ensure(a["status"] == "booked", || {
        format!("the new appointment has status {}", a["status"])
    })?;
    let start = a["start"]
        .as_str()
        .and_then(time::parse_date_time)
        .unwrap_or_default();
    ensure(start > Utc::now(), || {
        "the booked appointment starts in the past".to_string()
    })?;
    let sent = w.memory.appointments.sent()?;
    Ok(apt_checks::matches_booking(&sent, &a)?)
}

#[then("the slots booked are no longer offered as free")]
async fn slots_gone(w: &mut Assurance) -> StepResult {
    check_slots_offered(w, false).await
}

#[then("the slots are still offered as free")]
async fn slots_still(w: &mut Assurance) -> StepResult {
    check_slots_offered(w, true).await
}

#[then("the appointment's slots are offered as free again")]
async fn slots_again(w: &mut Assurance) -> StepResult {
    check_slots_offered(w, true).await
}

async fn check_slots_offered(w: &mut Assurance, expected: bool) -> StepResult {
    let slots = Value::Array(w.memory.appointments.slots.clone());
    let ids: Vec<String> = slots
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect();
    let days: Vec<chrono::NaiveDate> = slots
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["start"].as_str().and_then(time::parse_date_time))
        .map(|t| time::local(t).date_naive())
        .collect();
    let (first, last) = match (days.iter().min(), days.iter().max()) {
        (Some(a), Some(b)) => (
            a.format("%Y-%m-%d").to_string(),
            b.format("%Y-%m-%d").to_string(),
        ),
        _ => return Err("no slot start is known".into()),
    };
    let spec = slot_search(w, &format!("ge{first}"), &format!("le{last}"));
    let ex = w.send_follow_up(spec).await;
    response::status_is(ex, 200).map_err(|e| {
        crate::checks::response::in_context(format_args!("searching the slots' day again"), e)
    })?;
    let b = response::body_as_json(ex)?;
    let offered: Vec<&str> = bundle::entries(&b)
        .iter()
        .filter(|r| r["resourceType"] == "Slot")
        .filter_map(|r| r["id"].as_str())
        .collect();
    for id in &ids {
        let is_offered = offered.contains(&id.as_str());
        ensure(is_offered == expected, || match expected {
            true => format!(
                "Slot/{id} is not offered as free, although no appointment holds it any more"
            ),
            false => format!("Slot/{id} is still offered as free after it was booked"),
        })?;
    }
    Ok(())
}

#[then(expr = "exactly one of the two bookings succeeded and the other is the error {string}")]
async fn race_outcome(w: &mut Assurance, code: String) -> StepResult {
    let pair: Vec<&Exchange> = w
        .exchanges
        .iter()
        .filter(|e| e.role == Role::UnderTest)
        .collect();
    ensure(pair.len() == 2, || {
        "the two bookings were not sent".to_string()
    })?;
    let created = pair
        .iter()
        .filter(|e| e.response.as_ref().is_some_and(|r| r.status == 201))
        .count();
    ensure(created == 1, || {
        format!("{created} of two simultaneous bookings of one slot succeeded; exactly one may")
    })?;
    let c = ErrorCode::from_code(&code)
        .ok_or_else(|| format!("{code:?} is not a GP Connect error code"))?;
    let loser = pair
        .iter()
        .find(|e| e.response.as_ref().is_some_and(|r| r.status != 201))
        .ok_or("no booking was refused")?;
    Ok(checks::outcome::is_error(loser, c)?)
}

#[then("the response is the appointment")]
async fn is_appointment(w: &mut Assurance) -> StepResult {
    let a = appointment_response(w, 200)?;
    let known = w.memory.appointments.current()?;
    ensure(a["id"] == known["id"], || {
        format!(
            "the response is Appointment/{}; Appointment/{} was asked for",
            a["id"], known["id"]
        )
    })?;
    Ok(apt_checks::only_changed(&known, &a, &[])?)
}

#[then(expr = "the appointment is amended, changing only {string}")]
async fn amended_only(w: &mut Assurance, elements: String) -> StepResult {
    let a = appointment_response(w, 200)?;
    let before = w.memory.appointments.current()?;
    let sent = w.memory.appointments.sent()?;
    let allowed: Vec<&str> = elements.split(',').map(str::trim).collect();
    apt_checks::only_changed(&before, &a, &allowed)?;
    apt_checks::new_version(&before, &a)?;
    for e in &allowed {
        apt_checks::text_kept(&sent, &a, e)?;
    }
    ensure(a["status"] == "booked", || {
        format!("an amended appointment stays booked, got {}", a["status"])
    })?;
    mem(w).track(&a);
    Ok(())
}

#[then("the appointment is cancelled with the reason sent and nothing else changed")]
async fn cancelled_ok(w: &mut Assurance) -> StepResult {
    let a = appointment_response(w, 200)?;
    let before = w.memory.appointments.current()?;
    let sent = w.memory.appointments.sent()?;
    ensure(a["status"] == "cancelled", || {
        format!("the cancelled appointment has status {}", a["status"])
    })?;
    apt_checks::only_changed(&before, &a, apt::change::CANCEL_MAY_CHANGE)?;
    apt_checks::new_version(&before, &a)?;
    let reason = |v: &Value| {
        slot_checks::extensions(v, apt::EXT_CANCELLATION_REASON)
            .first()
            .and_then(|e| e.get("valueString").cloned())
    };
    ensure(reason(&sent) == reason(&a), || {
        format!(
            "the cancellation reason returned is {:?}; {:?} was sent",
            reason(&a),
            reason(&sent)
        )
    })?;
    mem(w).track(&a);
    Ok(())
}

/// The appointment the response under test holds: the resource itself (Book, Read, Amend, Cancel), or
/// in a Retrieve's Bundle the entry of the appointment this scenario booked last.
fn appointment_in_response(w: &Assurance) -> Result<Value, Problem> {
    let r = w.resource()?;
    if r["resourceType"] != "Bundle" {
        return Ok(Arc::unwrap_or_clone(r));
    }
    let id = w
        .memory
        .appointments
        .booked_ids
        .last()
        .ok_or("this scenario booked no appointment to look for")?;
    bundle::entries(&r)
        .into_iter()
        .find(|a| a["id"].as_str() == Some(id.as_str()))
        .cloned()
        .ok_or_else(|| format!("Appointment/{id}, booked here, is not in the Bundle").into())
}

/// 1.2.7+: `serviceType.text` is the booked slot's type and `serviceCategory.text` its Schedule's type
/// (see [`apt_checks::service_types`]); a serviceCategory left out where the schedule has a type is a
/// warning on the response, a different text a failure.
#[then("the appointment carries the type of its slot and of its schedule")]
async fn carries_types(w: &mut Assurance) -> StepResult {
    let a = appointment_in_response(w)?;
    let m = &w.memory.appointments;
    let schedule = m
        .schedule
        .clone()
        .ok_or_else(|| unknown("booked slot's Schedule"))?;
    if let Some(note) = apt_checks::service_types(&a, &m.slots, &schedule)? {
        super::validation::warn(w, "Appointment.serviceCategory", &note)?;
    }
    Ok(())
}

/// The appointment in the response (see [`appointment_in_response`]) has `status`.
#[then(expr = "the appointment returned has status {string}")]
async fn returned_with_status(w: &mut Assurance, status: String) -> StepResult {
    let a = appointment_in_response(w)?;
    Ok(ensure(a["status"] == status.as_str(), || {
        format!(
            "Appointment/{} is returned with status {}; expected {status}",
            a["id"], a["status"]
        )
    })?)
}

/// The cancel (or amend) answered with the types the appointment had before it (the state before the
/// response, whether or not an earlier step already kept the response as the current one).
#[then("the appointment keeps the types it was booked with")]
async fn keeps_types(w: &mut Assurance) -> StepResult {
    let after = appointment_in_response(w)?;
    let m = &w.memory.appointments;
    let current = m.current()?;
    let before = if current.at("/meta/versionId") == after.at("/meta/versionId") {
        m.previous()?
    } else {
        current
    };
    Ok(apt_checks::types_kept(&before, &after)?)
}

/// Read the current appointment as a follow-up (the response under test stays the scenario's). A
/// transport failure is an error of the run, not a verdict.
async fn read_back(w: &mut Assurance) -> Result<(Value, Exchange), Problem> {
    let known = w.memory.appointments.current()?;
    let id = known["id"]
        .as_str()
        .ok_or("the appointment has no id")?
        .to_string();
    let spec = w.new_request(Interaction::ReadAppointment, Some(&id));
    let ex = w.send_follow_up(spec).await.clone();
    if ex.response.is_none() {
        return Err(Problem::error(format!(
            "the follow-up read of Appointment/{id} got no response ({}), so whether it changed is unknown",
            ex.error.as_deref().unwrap_or("transport failure")
        )));
    }
    Ok((known, ex))
}

#[then("the appointment is unchanged on the provider")]
async fn unchanged(w: &mut Assurance) -> StepResult {
    let (known, read) = read_back(w).await?;
    Ok(apt_checks::read_shows_unchanged(&known, &read)?)
}

#[then("the cancel is refused, or answered with the appointment still cancelled and nothing else changed")]
async fn cancel_again(w: &mut Assurance) -> StepResult {
    let before = w.memory.appointments.current()?;
    let refused = apt_checks::cancel_again_outcome(w.response()?, &before)?;
    if refused {
        let (known, read) = read_back(w).await?;
        apt_checks::read_shows_unchanged(&known, &read)?;
    }
    Ok(())
}

#[then("every version of the appointment had a different versionId")]
async fn versions_distinct(w: &mut Assurance) -> StepResult {
    let v = w.memory.appointments.versions.clone();
    let mut d = v.clone();
    d.sort();
    d.dedup();
    Ok(ensure(v.len() >= 2 && d.len() == v.len(), || {
        format!("the appointment's versions were {v:?}; each change SHALL produce a new versionId")
    })?)
}

#[then("the response holds the patient's appointments in the range, including those booked here")]
async fn retrieved(w: &mut Assurance) -> StepResult {
    let ex = w.response()?;
    response::status_is(ex, 200)?;
    checks::headers::cache_control_no_store(ex)?;
    let b = response::body_as_json(ex)?;
    bundle::is_searchset(&b)?;
    bundle::all_entries_are(&b, "Appointment")?;
    let q = sent_query(ex);
    let dates: Vec<chrono::NaiveDate> = q
        .iter()
        .filter(|(k, _)| k == "start")
        .filter_map(|(_, v)| v.get(2..).and_then(time::parse_date))
        .collect();
    let (from, to) = match dates.as_slice() {
        [a, b] => ((*a).min(*b), (*a).max(*b)),
        _ => {
            return Err(
                "the retrieve did not send two start dates to judge the appointments against"
                    .into(),
            )
        }
    };
    let patient = w
        .memory
        .appointments
        .retrieve_patient
        .clone()
        .unwrap_or_default();
    let entries = bundle::entries(&b);
    for a in &entries {
        apt_checks::conforms(a)?;
        let p = apt_checks::patient_id(a)?;
        ensure(p == patient, || {
            format!(
                "Appointment/{} belongs to Patient/{p}; the retrieve was for Patient/{patient}",
                a["id"]
            )
        })?;
        let d = a["start"]
            .as_str()
            .and_then(time::parse_date_time)
            .map(|t| time::local(t).date_naive())
            .ok_or("an appointment has no start")?;
        ensure(d >= from && d <= to, || {
            format!(
                "Appointment/{} starts {d}, outside the range {from} – {to}",
                a["id"]
            )
        })?;
    }
    let returned: Vec<&str> = entries.iter().filter_map(|a| a["id"].as_str()).collect();
    for id in w.memory.appointments.booked_ids.clone() {
        ensure(returned.contains(&id.as_str()), || {
            format!("Appointment/{id}, booked for this patient in the range by this scenario, was not returned")
        })?;
    }
    Ok(())
}

#[then("the retrieve returns no appointment")]
async fn retrieved_none(w: &mut Assurance) -> StepResult {
    let ex = w.response()?;
    response::status_is(ex, 200)?;
    let b = response::body_as_json(ex)?;
    bundle::is_searchset(&b)?;
    Ok(bundle::entry_count_is(&b, 0)?)
}

#[then("no appointment was booked")]
async fn none_booked(w: &mut Assurance) -> StepResult {
    let ex = w.response()?;
    checks::outcome::is_any_error(ex)?;
    Ok(checks::headers::cache_control_no_store(ex)?)
}

#[then("the request is refused, or the text is stored unaltered")]
async fn refused_or_kept(w: &mut Assurance) -> StepResult {
    let sent = w.memory.appointments.sent()?;
    Ok(apt_checks::refused_or_stored(w.response()?, &sent)?)
}

// ---------------------------------------------------------------------------------------------------
// Completeness: the provider's own wider searches as the oracle.

/// Recall of the last free-slot search: the same diary is searched again in whole-day windows of a week
/// (the two-week limit is never reached), overlapping by a day, from the day before the window to the
/// day after, and every free slot those searches find entirely inside the window must be in the answer.
/// A slot missing from the answer is looked for once more in a repeat of the same search before it is
/// reported, so a slot booked or cancelled by someone else meanwhile is not blamed on the provider. Sends
/// requests of its own, so it is the last step of a scenario.
#[then("every free slot a wider search finds inside the window was returned")]
async fn slots_recall(w: &mut Assurance) -> super::StepResult {
    let ex = w.response()?;
    response::status_is(ex, 200)?;
    let narrow = response::body_as_json(ex)?;
    let window = asked(ex)?;
    let q = sent_query(ex);
    let raw = |k: &str| {
        q.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (start_raw, end_raw) = (raw("start"), raw("end"));
    let first = time::local(window.start).date_naive() - Duration::days(1);
    let last = time::local(window.end - Duration::seconds(1)).date_naive() + Duration::days(1);
    // Windows of a week built back from the last day, each overlapping the next by a day, so every day
    // of the narrow window lies strictly inside some wide window (neither its first nor its last day).
    let mut wide = Vec::new();
    let mut to = last;
    loop {
        let from = (to - Duration::days(6)).max(first);
        let spec = slot_search(
            w,
            &format!("ge{}", from.format("%Y-%m-%d")),
            &format!("le{}", to.format("%Y-%m-%d")),
        );
        let ex = w.send_aside(spec).await;
        response::status_is(ex, 200).map_err(|e| {
            crate::checks::response::in_context(
                format_args!("the wider search {from} – {to} (the oracle)"),
                e,
            )
        })?;
        wide.push(response::body_as_json(ex)?);
        if from == first {
            break;
        }
        to = from;
    }
    let wide_refs: Vec<&Value> = wide.iter().map(|b| &**b).collect();
    if slot_checks::free_inside(&wide_refs, window.start, window.end) == 0 {
        return Err(super::Problem::inconclusive(format!(
            "the wider searches found no free slot inside {} – {}, so the search could not be shown to return them all; publish GP Connect slots in this window",
            time::format(window.start),
            time::format(window.end)
        )));
    }
    if slot_checks::slots_complete(&wide_refs, &[&narrow], window.start, window.end).is_ok() {
        return Ok(());
    }
    let again = slot_search(w, &start_raw, &end_raw);
    let ex = w.send_aside(again).await;
    response::status_is(ex, 200)?;
    let repeat = response::body_as_json(ex)?;
    slot_checks::slots_complete(&wide_refs, &[&narrow, &repeat], window.start, window.end)?;
    Ok(())
}

/// The appointment this scenario booked is among the retrieved ones with `status` (a cancelled one is
/// still returned, marked cancelled: GP Connect 1.2.7, "Retrieve a patient's appointments").
#[then(expr = "the appointment booked here is retrieved with status {string}")]
async fn retrieved_with_status(w: &mut Assurance, status: String) -> StepResult {
    let b = w.resource()?;
    let ids = w.memory.appointments.booked_ids.clone();
    let id = ids
        .last()
        .ok_or("this scenario booked no appointment to look for")?;
    let found = bundle::entries(&b)
        .into_iter()
        .find(|a| a["id"].as_str() == Some(id.as_str()))
        .ok_or_else(|| format!("Appointment/{id}, booked here, was not retrieved"))?;
    Ok(ensure(found["status"] == status.as_str(), || {
        format!(
            "Appointment/{id} is retrieved with status {}; expected {status}",
            found["status"]
        )
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expand() {
        let d = day(2).format("%Y-%m-%d").to_string();
        assert_eq!(expand("ge{date+2}").unwrap(), format!("ge{d}"));
        assert!(expand("{datetime+2}").unwrap().ends_with(":00"));
        assert!(expand("{datetimeZ+2}").unwrap().ends_with('Z'));
        assert_eq!(expand("{datetimeNoOffset+2}").unwrap().len(), 19);
        assert_eq!(expand("{month}").unwrap().len(), 7);
        assert!(expand("{nope+1}").is_err());
        assert_eq!(expand("plain").unwrap(), "plain");
    }

    #[test]
    fn slot_day_is_the_providers_date_of_the_start() {
        let d = day(3).format("%Y-%m-%d").to_string();
        assert_eq!(
            slot_day_offset(&json!({"start": format!("{d}T23:30:00+01:00")})),
            Some(3)
        );
        assert_eq!(slot_day_offset(&json!({"start": "not a date"})), None);
        assert_eq!(slot_day_offset(&json!({})), None);
    }

    #[test]
    fn another_location_is_never_the_booked_one() {
        let ids: Vec<String> = ["1", "2", "3"].map(String::from).into();
        let booked = |r: &str| json!({"participant": [{"actor": {"reference": r}}]});
        assert_eq!(other_location(&booked("Location/1"), &ids).unwrap(), "2");
        assert_eq!(other_location(&booked("Location/2"), &ids).unwrap(), "1");
        assert!(other_location(&booked("Location/1"), &ids[..1]).is_err());
    }

    #[test]
    fn changes_apply() {
        let mut b = json!({"participant": [{"actor": {"reference": "Patient/1"}, "status": "accepted"}, {"actor": {"reference": "Location/1"}, "status": "accepted"}],
            "contained": [{"name": "x"}], "extension": [], "start": "2030-07-01T09:00:00+01:00"});
        apply_change(&mut b, "no patient participant").unwrap();
        assert_eq!(b["participant"].as_array().unwrap().len(), 1);
        apply_change(&mut b, "a description of 101 characters").unwrap();
        assert_eq!(b["description"].as_str().unwrap().chars().count(), 101);
        apply_change(&mut b, "a start five minutes later").unwrap();
        assert_eq!(b["start"], "2030-07-01T09:05:00+01:00");
        apply_change(&mut b, "the cancellation reason double booked").unwrap();
        assert_eq!(b["extension"][0]["valueString"], "double booked");
        assert!(apply_change(&mut b, "something odd").is_err());
    }
}
