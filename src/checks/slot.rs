//! GPConnect-Slot-1 / GPConnect-Schedule-1 and the free-slot search bundle (appointments.md §3.3, §9).
//!
//! Unlike the official suite (catalogue §11.4 D3, D4), extension checks look at values, not counts, and
//! the bundle checks fail on an empty bundle unless the caller says empty is acceptable.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::resource::{
    declares_profile, has_id, has_version_id, identifiers_complete, lacks_elements, reference_to,
};
use super::response::resource_type_is;
use super::{bundle, ensure, location, organisation, practitioner, CheckResult};
use crate::gpconnect::appointments::{self as apt, time};
use crate::gpconnect::systems::profiles;

/// A dateTime element in GP Connect local time (`yyyy-mm-ddThh:mm:ss+00:00` or `+01:00`).
pub fn local_date_time(
    resource: &Value,
    pointer: &str,
    path: &str,
) -> Result<DateTime<Utc>, String> {
    let raw = resource
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{path} is not populated"))?;
    ensure(time::is_uk_local(raw), || {
        format!(
            "{path} {raw:?} is not UK local time yyyy-mm-ddThh:mm:ss+00:00 (GMT) or +01:00 (BST)"
        )
    })?;
    time::parse_date_time(raw).ok_or_else(|| format!("{path} {raw:?} is not a dateTime"))
}

/// The extensions of `resource` with `url`.
pub fn extensions<'a>(resource: &'a Value, url: &str) -> Vec<&'a Value> {
    resource
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|e| e.get("url").and_then(Value::as_str) == Some(url))
        .collect()
}

/// A deliveryChannel extension, when present, holds one GPConnect-DeliveryChannel-1 code.
pub fn delivery_channel(resource: &Value, ty: &str) -> CheckResult {
    let found = extensions(resource, apt::EXT_DELIVERY_CHANNEL);
    ensure(found.len() <= 1, || {
        format!(
            "{ty} carries {} deliveryChannel extensions; at most one",
            found.len()
        )
    })?;
    if let Some(e) = found.first() {
        let code = e
            .get("valueCode")
            .and_then(Value::as_str)
            .unwrap_or("(none)");
        ensure(apt::DELIVERY_CHANNELS.contains(&code), || {
            format!(
                "{ty} deliveryChannel valueCode {code:?} is not one of {:?}",
                apt::DELIVERY_CHANNELS
            )
        })?;
    }
    Ok(())
}

/// A practitionerRole extension holds one coding from GPConnect-PractitionerRole-1.
pub fn practitioner_role(ext: &Value, ty: &str) -> CheckResult {
    let codings = ext
        .pointer("/valueCodeableConcept/coding")
        .and_then(Value::as_array);
    let codings = codings
        .ok_or_else(|| format!("{ty} practitionerRole has no valueCodeableConcept.coding"))?;
    ensure(!codings.is_empty(), || {
        format!("{ty} practitionerRole has no coding")
    })?;
    for c in codings {
        let system = c.get("system").and_then(Value::as_str).unwrap_or("(none)");
        let code = c.get("code").and_then(Value::as_str).unwrap_or("(none)");
        ensure(system == apt::CS_SDS_JOB_ROLE_NAME, || {
            format!(
                "{ty} practitionerRole coding system is {system:?}; expected {}",
                apt::CS_SDS_JOB_ROLE_NAME
            )
        })?;
        ensure(
            apt::PRACTITIONER_ROLES.iter().any(|(k, _)| *k == code),
            || {
                format!(
                    "{ty} practitionerRole code {code:?} is not in GPConnect-PractitionerRole-1"
                )
            },
        )?;
        ensure(
            c.get("display")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.trim().is_empty()),
            || format!("{ty} practitionerRole coding {code} has no display"),
        )?;
    }
    Ok(())
}

/// `serviceType` (or `serviceCategory`) carries the practice-defined type as non-empty text (1.2.7 SHALL).
pub fn has_type_text(resource: &Value, element: &str) -> CheckResult {
    let ty = super::resource::resource_type(resource);
    let v = resource.get(element);
    let text = match v {
        Some(Value::Array(a)) => a.first().and_then(|c| c.get("text")),
        Some(o) => o.get("text"),
        None => None,
    };
    ensure(
        text.and_then(Value::as_str)
            .is_some_and(|t| !t.trim().is_empty()),
        || {
            format!(
                "{ty}.{element}.text is not populated; it SHALL carry the practice-defined type"
            )
        },
    )
}

/// Every rule of a GPConnect-Slot-1 returned by a free-slot search.
pub fn slot_conforms(s: &Value) -> CheckResult {
    resource_type_is(s, "Slot")?;
    has_id(s, None)?;
    has_version_id(s)?;
    declares_profile(s, profiles::SLOT)?;
    identifiers_complete(s)?;
    let status = s.get("status").and_then(Value::as_str).unwrap_or("(none)");
    ensure(status == "free", || {
        format!(
            "Slot/{} has status {status:?}; a free-slot search returns only free slots",
            id(s)
        )
    })?;
    reference_to(
        s.get("schedule").unwrap_or(&Value::Null),
        "Schedule",
        "Slot.schedule",
    )?;
    let start = local_date_time(s, "/start", "Slot.start")?;
    let end = local_date_time(s, "/end", "Slot.end")?;
    ensure(start < end, || {
        format!("Slot/{} ends before it starts", id(s))
    })?;
    delivery_channel(s, "Slot")?;
    has_type_text(s, "serviceType")?;
    lacks_elements(
        s,
        &["specialty", "serviceCategory", "appointmentType", "comment"],
    )
}

/// Every rule of a GPConnect-Schedule-1.
pub fn schedule_conforms(s: &Value) -> CheckResult {
    resource_type_is(s, "Schedule")?;
    has_id(s, None)?;
    has_version_id(s)?;
    declares_profile(s, profiles::SCHEDULE)?;
    identifiers_complete(s)?;
    let roles = extensions(s, apt::EXT_PRACTITIONER_ROLE);
    ensure(roles.len() == 1, || {
        format!(
            "Schedule/{} carries {} practitionerRole extensions; exactly one",
            id(s),
            roles.len()
        )
    })?;
    practitioner_role(roles[0], "Schedule")?;
    for url in [apt::EXT_DELIVERY_CHANNEL, apt::EXT_DELIVERY_CHANNEL_1] {
        ensure(extensions(s, url).is_empty(), || {
            format!(
                "Schedule/{} carries {url}; the delivery channel is on the Slot since 1.2.1",
                id(s)
            )
        })?;
    }
    local_date_time(
        s,
        "/planningHorizon/start",
        "Schedule.planningHorizon.start",
    )?;
    if s.pointer("/planningHorizon/end").is_some() {
        local_date_time(s, "/planningHorizon/end", "Schedule.planningHorizon.end")?;
    }
    let actors = actor_refs(s);
    ensure(actors.iter().any(|(t, _)| t == "Location"), || {
        format!("Schedule/{} has no Location actor", id(s))
    })?;
    for (t, _) in &actors {
        ensure(t == "Location" || t == "Practitioner", || {
            format!(
                "Schedule/{} has a {t} actor; only Location and Practitioner",
                id(s)
            )
        })?;
    }
    has_type_text(s, "serviceCategory")?;
    lacks_elements(s, &["active", "serviceType", "specialty", "comment"])
}

fn id(r: &Value) -> &str {
    r.get("id").and_then(Value::as_str).unwrap_or("?")
}

/// (type, id) of every relative actor reference of a Schedule.
pub fn actor_refs(schedule: &Value) -> Vec<(String, String)> {
    schedule
        .get("actor")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("reference").and_then(Value::as_str))
        .filter_map(|r| r.split_once('/'))
        .map(|(t, i)| (t.to_string(), i.to_string()))
        .collect()
}

/// What a search asked for, to judge the bundle against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchAsked {
    /// Slots must lie entirely inside `[start, end]`.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub practitioners: bool,
    pub locations: bool,
}

/// The free-slot bundle: only the five resource types; every Slot free, conformant and inside the window;
/// each Slot's Schedule included, each Schedule used by a Slot; Locations and Practitioners present exactly
/// when their includes were sent, resolving the Schedule actors; Organizations present whenever a Slot is,
/// resolving the Locations' managing organisations; nothing else and no duplicates. Returns the slot count.
pub fn search_bundle(b: &Value, asked: &SearchAsked) -> Result<usize, String> {
    bundle::is_searchset(b)?;
    let entries = bundle::entries(b);
    let of = |ty: &str| -> Vec<&Value> {
        entries
            .iter()
            .copied()
            .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some(ty))
            .collect()
    };
    let mut seen = HashSet::new();
    for r in &entries {
        let ty = super::resource::resource_type(r);
        ensure(
            [
                "Slot",
                "Schedule",
                "Location",
                "Practitioner",
                "Organization",
            ]
            .contains(&ty),
            || {
                format!("the free-slot Bundle holds a {ty}; only Slot, Schedule, Location, Practitioner and Organization belong there")
            },
        )?;
        ensure(seen.insert(format!("{ty}/{}", id(r))), || {
            format!("{ty}/{} appears twice in the Bundle", id(r))
        })?;
    }
    let has = |ty: &str, i: &str| seen.contains(&format!("{ty}/{i}"));
    let slots = of("Slot");
    let mut used_schedules = HashSet::new();
    for s in &slots {
        slot_conforms(s)?;
        let start = local_date_time(s, "/start", "Slot.start")?;
        let end = local_date_time(s, "/end", "Slot.end")?;
        ensure(start >= asked.start && end <= asked.end, || {
            format!(
                "Slot/{} ({} – {}) is not entirely inside the requested window {} – {}",
                id(s),
                time::format(start),
                time::format(end),
                time::format(asked.start),
                time::format(asked.end)
            )
        })?;
        let sched = reference_to(&s["schedule"], "Schedule", "Slot.schedule")?;
        ensure(has("Schedule", sched), || {
            format!("Slot/{} references Schedule/{sched}, which is not in the Bundle (_include=Slot:schedule)", id(s))
        })?;
        used_schedules.insert(sched.to_string());
    }
    let mut locations_needed = HashSet::new();
    for s in of("Schedule") {
        schedule_conforms(s)?;
        ensure(used_schedules.contains(id(s)), || {
            format!(
                "Schedule/{} is in the Bundle but no returned Slot uses it",
                id(s)
            )
        })?;
        for (t, i) in actor_refs(s) {
            if t == "Location" {
                locations_needed.insert(i.clone());
            }
            let wanted = (t == "Location" && asked.locations)
                || (t == "Practitioner" && asked.practitioners);
            if wanted {
                ensure(has(&t, &i), || {
                    format!("Schedule/{} has actor {t}/{i}, which is not in the Bundle although its _include was sent", id(s))
                })?;
            }
        }
    }
    let locations = of("Location");
    ensure(asked.locations || locations.is_empty(), || {
        "the Bundle holds Locations although Schedule:actor:Location was not asked for".to_string()
    })?;
    let mut organisations_needed = HashSet::new();
    for l in &locations {
        location::conforms(l)?;
        ensure(locations_needed.contains(id(l)), || {
            format!(
                "Location/{} is in the Bundle but no returned Schedule uses it",
                id(l)
            )
        })?;
        let org = location::managing_organisation(l)?;
        ensure(has("Organization", org), || {
            format!(
                "Location/{} is managed by Organization/{org}, which is not in the Bundle",
                id(l)
            )
        })?;
        organisations_needed.insert(org.to_string());
    }
    let practitioners = of("Practitioner");
    ensure(asked.practitioners || practitioners.is_empty(), || {
        "the Bundle holds Practitioners although Schedule:actor:Practitioner was not asked for"
            .to_string()
    })?;
    for p in &practitioners {
        practitioner::conforms(p, None, None, true)?;
    }
    let organisations = of("Organization");
    ensure(slots.is_empty() || !organisations.is_empty(), || {
        "the Bundle has Slots but no Organization; the managing Organization SHALL always be returned with slots".to_string()
    })?;
    ensure(!slots.is_empty() || entries.is_empty(), || {
        "the Bundle has no Slot, so it must be empty".to_string()
    })?;
    for o in &organisations {
        organisation::conforms(o, None)?;
        if asked.locations {
            ensure(organisations_needed.contains(id(o)), || {
                format!(
                    "Organization/{} is in the Bundle but manages none of its Locations",
                    id(o)
                )
            })?;
        }
    }
    Ok(slots.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn slot() -> Value {
        json!({"resourceType": "Slot", "id": "1", "meta": {"versionId": "1", "profile": [profiles::SLOT]},
            "extension": [{"url": apt::EXT_DELIVERY_CHANNEL, "valueCode": "In-person"}],
            "serviceType": [{"text": "GP"}], "schedule": {"reference": "Schedule/1"}, "status": "free",
            "start": "2030-07-01T09:00:00+01:00", "end": "2030-07-01T09:15:00+01:00"})
    }

    fn schedule() -> Value {
        json!({"resourceType": "Schedule", "id": "1", "meta": {"versionId": "1", "profile": [profiles::SCHEDULE]},
            "extension": [{"url": apt::EXT_PRACTITIONER_ROLE, "valueCodeableConcept": {"coding": [{"system": apt::CS_SDS_JOB_ROLE_NAME, "code": "R0260", "display": "General Medical Practitioner"}]}}],
            "serviceCategory": {"text": "Morning"}, "actor": [{"reference": "Location/1"}],
            "planningHorizon": {"start": "2030-07-01T09:00:00+01:00"}})
    }

    #[test]
    fn slot_rules() {
        slot_conforms(&slot()).unwrap();
        let mut busy = slot();
        busy["status"] = json!("busy");
        assert!(slot_conforms(&busy).unwrap_err().contains("free"));
        let mut utc = slot();
        utc["start"] = json!("2030-07-01T08:00:00Z");
        assert!(slot_conforms(&utc).unwrap_err().contains("local"));
        let mut channel = slot();
        channel["extension"][0]["valueCode"] = json!("Carrier pigeon");
        assert!(slot_conforms(&channel).is_err());
        let mut special = slot();
        special["specialty"] = json!([{"text": "x"}]);
        assert!(slot_conforms(&special).is_err());
    }

    #[test]
    fn schedule_rules() {
        schedule_conforms(&schedule()).unwrap();
        let mut no_role = schedule();
        no_role["extension"] = json!([]);
        assert!(schedule_conforms(&no_role).is_err());
        let mut bad_role = schedule();
        bad_role["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = json!("R9999");
        assert!(schedule_conforms(&bad_role).is_err());
    }

    #[test]
    fn bundle_window_and_references() {
        let asked = SearchAsked {
            start: time::parse_date_time("2030-07-01T00:00:00+01:00").unwrap(),
            end: time::parse_date_time("2030-07-02T00:00:00+01:00").unwrap(),
            practitioners: false,
            locations: false,
        };
        let org = json!({"resourceType": "Organization", "id": "1", "meta": {"versionId": "1", "profile": [profiles::ORGANIZATION]},
            "identifier": [{"system": crate::gpconnect::systems::ODS_ORGANIZATION_CODE, "value": "A1"}], "name": "X"});
        let b = |rs: Vec<Value>| json!({"resourceType": "Bundle", "type": "searchset", "entry": rs.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>()});
        assert_eq!(
            search_bundle(&b(vec![slot(), schedule(), org.clone()]), &asked).unwrap(),
            1
        );
        assert!(search_bundle(&b(vec![slot(), org.clone()]), &asked)
            .unwrap_err()
            .contains("not in the Bundle"));
        assert!(search_bundle(&b(vec![slot(), schedule()]), &asked)
            .unwrap_err()
            .contains("Organization"));
        let mut late = slot();
        late["end"] = json!("2030-07-02T00:15:00+01:00");
        assert!(search_bundle(&b(vec![late, schedule(), org]), &asked)
            .unwrap_err()
            .contains("window"));
        assert_eq!(search_bundle(&b(vec![]), &asked).unwrap(), 0);
    }
}

/// The free Slots of `bundles` lying entirely inside `[start, end]`, by id, with their times.
fn slots_inside<'a>(
    bundles: &[&'a Value],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(&'a str, String)> {
    let mut out: Vec<(&str, String)> = Vec::new();
    for b in bundles {
        for s in bundle::entries(b) {
            if s.get("resourceType").and_then(Value::as_str) != Some("Slot") {
                continue;
            }
            let at = |p: &str| s.pointer(p).and_then(Value::as_str).unwrap_or_default();
            let (Some(st), Some(en)) = (
                time::parse_date_time(at("/start")),
                time::parse_date_time(at("/end")),
            ) else {
                continue;
            };
            if st >= start && en <= end && !out.iter().any(|(i, _)| *i == id(s)) {
                out.push((id(s), format!("{} – {}", at("/start"), at("/end"))));
            }
        }
    }
    out
}

/// How many free Slots the wide searches found inside `[start, end]` (zero: the window cannot show
/// whether a search drops slots).
pub fn free_inside(wide: &[&Value], start: DateTime<Utc>, end: DateTime<Utc>) -> usize {
    slots_inside(wide, start, end).len()
}

/// Recall of a free-slot search (appointments.md §3: every free slot in the window is returned): every
/// free Slot that wider searches of the same diary found entirely inside `[start, end]` must be in the
/// narrow answer. With several narrow answers (the same search repeated), a slot counts as returned
/// when any of them holds it, so a slot booked or freed by someone else between the searches is not
/// blamed on the provider. Slots outside the window are the window check's business
/// ([`search_bundle`]).
pub fn slots_complete(
    wide: &[&Value],
    narrow: &[&Value],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> CheckResult {
    let returned: HashSet<&str> = narrow
        .iter()
        .flat_map(|b| bundle::entries(b))
        .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some("Slot"))
        .map(id)
        .collect();
    let missing: Vec<String> = slots_inside(wide, start, end)
        .into_iter()
        .filter(|(i, _)| !returned.contains(i))
        .map(|(i, when)| format!("Slot/{i} ({when})"))
        .collect();
    ensure(missing.is_empty(), || {
        format!(
            "{} free slot(s) inside the window {} – {} were found by a wider search but not returned: {}",
            missing.len(),
            time::format(start),
            time::format(end),
            missing.join(", ")
        )
    })
}

#[cfg(test)]
mod completeness_tests {
    use super::*;
    use serde_json::json;

    fn slot(id: &str, start: &str, end: &str) -> Value {
        json!({"resource": {"resourceType": "Slot", "id": id, "status": "free", "start": start, "end": end}})
    }

    fn searchset(entries: Vec<Value>) -> Value {
        json!({"resourceType": "Bundle", "type": "searchset", "entry": entries})
    }

    fn at(t: &str) -> DateTime<Utc> {
        time::parse_date_time(t).unwrap()
    }

    #[test]
    fn every_in_window_slot_of_the_wide_search_must_be_returned() {
        let wide = searchset(vec![
            slot(
                "before",
                "2030-07-01T08:45:00+01:00",
                "2030-07-01T09:00:00+01:00",
            ),
            slot(
                "a",
                "2030-07-01T09:00:00+01:00",
                "2030-07-01T09:15:00+01:00",
            ),
            slot(
                "b",
                "2030-07-01T09:15:00+01:00",
                "2030-07-01T09:30:00+01:00",
            ),
            slot(
                "straddles",
                "2030-07-01T09:50:00+01:00",
                "2030-07-01T10:05:00+01:00",
            ),
        ]);
        let (start, end) = (
            at("2030-07-01T09:00:00+01:00"),
            at("2030-07-01T10:00:00+01:00"),
        );
        assert_eq!(free_inside(&[&wide], start, end), 2);
        let full = searchset(vec![
            slot(
                "a",
                "2030-07-01T09:00:00+01:00",
                "2030-07-01T09:15:00+01:00",
            ),
            slot(
                "b",
                "2030-07-01T09:15:00+01:00",
                "2030-07-01T09:30:00+01:00",
            ),
        ]);
        slots_complete(&[&wide], &[&full], start, end).unwrap();
        let partial = searchset(vec![slot(
            "a",
            "2030-07-01T09:00:00+01:00",
            "2030-07-01T09:15:00+01:00",
        )]);
        let e = slots_complete(&[&wide], &[&partial], start, end).unwrap_err();
        assert!(e.contains("Slot/b (2030-07-01T09:15:00+01:00"), "{e}");
        assert!(!e.contains("before") && !e.contains("straddles"), "{e}");
        let empty = searchset(vec![]);
        assert!(slots_complete(&[&wide], &[&empty], start, end).is_err());
        slots_complete(&[&wide], &[&partial, &full], start, end).unwrap();
    }
}
