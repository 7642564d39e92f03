//! GPConnect-Slot-1 / GPConnect-Schedule-1 and the free-slot search bundle (Search for free slots: response; Book an appointment: profiles and extensions).
//!
//! Unlike NHS Digital's provider test suite (<https://github.com/nhsconnect/gpconnect-provider-testing>),
//! whose slot extension steps only count elements and pass on an empty bundle, extension checks look at
//! values, not counts, and
//! the bundle checks fail on an empty bundle unless the caller says empty is acceptable.
//!
//! Search for free slots: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_search_for_free_slots.html>
//! Book an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_book_an_appointment.html>

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::resource::{
    declares_profile, has_id, has_version_id, identifiers_complete, lacks_elements, reference_to,
};
use super::response::resource_type_is;
use super::{bundle, ensure, location, organisation, practitioner, CheckResult};
use crate::fhir::Pointer as _;
use crate::gpconnect::appointments::{self as apt, time};
use crate::gpconnect::systems::profiles;

/// A dateTime element in GP Connect local time (`yyyy-mm-ddThh:mm:ss+00:00` or `+01:00`).
pub fn local_date_time(
    resource: &Value,
    pointer: &str,
    path: &str,
) -> Result<DateTime<Utc>, String> {
    let raw = resource
        .at(pointer)
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

/// A deliveryChannel extension, when present, is single and holds a code. Its binding to
/// GPConnect-DeliveryChannel-1 is extensible (Extension-GPConnect-DeliveryChannel-2), so a code outside
/// the value set is not a failure: [`binding_warnings`] reports it (binding of
/// https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-DeliveryChannel-2).
pub fn delivery_channel(resource: &Value, ty: &str) -> CheckResult {
    let found = extensions(resource, apt::EXT_DELIVERY_CHANNEL);
    ensure(found.len() <= 1, || {
        format!(
            "{ty} carries {} deliveryChannel extensions; at most one",
            found.len()
        )
    })?;
    if let Some(e) = found.first() {
        ensure(
            e.get("valueCode")
                .and_then(Value::as_str)
                .is_some_and(|c| !c.trim().is_empty()),
            || format!("{ty} deliveryChannel has no valueCode"),
        )?;
    }
    Ok(())
}

/// A practitionerRole extension holds codings, each with a system, a code and a display. The binding
/// is extensible (GPConnect-PractitionerRole-1 until 1.2.8, CareConnect-SDSJobRoleName-1 from 1.2.9), so
/// a coding outside the value set is not a failure: [`binding_warnings`] reports it.
pub fn practitioner_role(ext: &Value, ty: &str) -> CheckResult {
    let codings = ext
        .at("/valueCodeableConcept/coding")
        .and_then(Value::as_array);
    let codings = codings
        .ok_or_else(|| format!("{ty} practitionerRole has no valueCodeableConcept.coding"))?;
    ensure(!codings.is_empty(), || {
        format!("{ty} practitionerRole has no coding")
    })?;
    for c in codings {
        let system = c.get("system").and_then(Value::as_str).unwrap_or("");
        let code = c.get("code").and_then(Value::as_str).unwrap_or("");
        ensure(!system.is_empty() && !code.is_empty(), || {
            format!("{ty} practitionerRole coding has no system or no code ({system:?}, {code:?})")
        })?;
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
    if s.at("/planningHorizon/end").is_some() {
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
    // serviceCategory.text is the schedule's type "where available" (1.2.7): its absence is a
    // warning (schedule_type_warning), never a failure.
    lacks_elements(s, &["active", "serviceType", "specialty", "comment"])
}

/// The warning for a Schedule without `serviceCategory.text`: from 1.2.7 it carries the
/// practice-defined schedule type (session or rota name) where the practice has one (Search for free
/// slots), so a provider whose practice names none conforms.
pub fn schedule_type_warning(s: &Value) -> Option<String> {
    has_type_text(s, "serviceCategory").err().map(|_| {
        format!(
            "Schedule/{} has no serviceCategory.text; from 1.2.7 it carries the practice-defined schedule type where the practice has one",
            id(s)
        )
    })
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

/// The extensible bindings of a Slot, Schedule or Appointment that its values leave: the
/// practitionerRole codings (value set of `roles`, which changed in 1.2.9) and the deliveryChannel code
/// (GPConnect-DeliveryChannel-1). An extensible binding lets a provider use another code when none of
/// the set fits, so each is a warning, never a failure (binding strength "extensible" in
/// https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-PractitionerRole-1, version 1.2.0
/// for 1.2.1–1.2.8 and 1.3.0 for 1.2.9, and in
/// https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-DeliveryChannel-2).
pub fn binding_warnings(resource: &Value, roles: apt::PractitionerRoleSet) -> Vec<String> {
    let ty = super::resource::resource_type(resource);
    let mut out = Vec::new();
    for e in extensions(resource, apt::EXT_PRACTITIONER_ROLE) {
        let codings = e
            .at("/valueCodeableConcept/coding")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        let pairs: Vec<(&str, &str)> = codings
            .map(|c| {
                (
                    c.get("system").and_then(Value::as_str).unwrap_or(""),
                    c.get("code").and_then(Value::as_str).unwrap_or(""),
                )
            })
            .collect();
        if !pairs.is_empty() && !pairs.iter().any(|(s, c)| roles.contains(s, c)) {
            out.push(format!(
                "{ty} practitionerRole {pairs:?} is not in {} (extensible binding: allowed only when no code of the set fits)",
                roles.url()
            ));
        }
    }
    for e in extensions(resource, apt::EXT_DELIVERY_CHANNEL) {
        let code = e.get("valueCode").and_then(Value::as_str).unwrap_or("");
        if !apt::DELIVERY_CHANNELS.contains(&code) {
            out.push(format!(
                "{ty} deliveryChannel {code:?} is not one of {:?} of GPConnect-DeliveryChannel-1 (extensible binding: allowed only when no code of the set fits)",
                apt::DELIVERY_CHANNELS
            ));
        }
    }
    out
}

/// A search with an `_include` the provider does not support: refused with one of `codes`, or answered
/// as if the include were not there, with a valid free-slot Bundle holding nothing the include would
/// have brought (only Slot, Schedule, Location, Practitioner, Organization). FHIR servers ignore search
/// parameters they do not support ("Unknown search parameters SHALL be ignored", General API guidance:
/// https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html), and Search
/// for free slots names no error for an unknown include
/// (https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_search_for_free_slots.html).
pub fn refused_or_ignored(
    exchange: &crate::http::Exchange,
    codes: &[crate::gpconnect::ErrorCode],
    asked: &SearchAsked,
) -> CheckResult {
    let status = super::response::response(exchange)?.status;
    if status == 200 {
        let b = super::response::body_as_json(exchange)?;
        return search_bundle(&b, asked).map(|_| ());
    }
    let mut failures = Vec::new();
    for c in codes {
        match super::outcome::is_error(exchange, *c) {
            Ok(()) => return Ok(()),
            Err(e) => failures.push(e),
        }
    }
    Err(format!(
        "expected a valid free-slot Bundle or one of the errors {codes:?}: {}",
        failures.join("; ")
    ))
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
        assert_fails!(slot_conforms(&busy), "free");
        let mut utc = slot();
        utc["start"] = json!("2030-07-01T08:00:00Z");
        assert_fails!(slot_conforms(&utc), "local");
        assert_fails!(slot_conforms(&utc), "local");
        // An unlisted delivery channel is allowed by the extensible binding: a warning, not a failure.
        let mut channel = slot();
        channel["extension"][0]["valueCode"] = json!("Carrier pigeon");
        slot_conforms(&channel).unwrap();
        let mut no_channel_code = slot();
        no_channel_code["extension"][0]["valueCode"] = json!("");
        assert_fails!(slot_conforms(&no_channel_code), "valueCode");
        let mut special = slot();
        special["specialty"] = json!([{"text": "x"}]);
        assert_fails!(slot_conforms(&special), "specialty");
    }

    #[test]
    fn a_schedule_without_its_type_warns_and_still_conforms() {
        assert_eq!(schedule_type_warning(&schedule()), None);
        for missing in [json!(null), json!({"text": " "}), json!({"coding": []})] {
            let mut s = schedule();
            if missing.is_null() {
                s.as_object_mut().unwrap().remove("serviceCategory");
            } else {
                s["serviceCategory"] = missing;
            }
            schedule_conforms(&s).unwrap();
            let warning = schedule_type_warning(&s).expect("a warning");
            assert!(warning.contains("serviceCategory.text"), "{warning}");
        }
    }

    #[test]
    fn schedule_rules() {
        schedule_conforms(&schedule()).unwrap();
        let mut no_role = schedule();
        no_role["extension"] = json!([]);
        assert_fails!(
            schedule_conforms(&no_role),
            "carries 0 practitionerRole extensions"
        );
    }

    #[test]
    fn element_rules() {
        let s = slot();
        assert!(local_date_time(&s, "/start", "Slot.start").is_ok());
        assert_fails!(
            local_date_time(&s, "/created", "Slot.created"),
            "Slot.created is not populated"
        );
        assert_fails!(
            local_date_time(
                &json!({"start": "2030-07-01T09:00:00+02:00"}),
                "/start",
                "Slot.start"
            ),
            "is not UK local time"
        );
        delivery_channel(&s, "Slot").unwrap();
        delivery_channel(&json!({}), "Slot").unwrap();
        let mut two = slot();
        two["extension"] = json!([s["extension"][0], s["extension"][0]]);
        assert_fails!(
            delivery_channel(&two, "Slot"),
            "carries 2 deliveryChannel extensions"
        );
        let role = &schedule()["extension"][0];
        practitioner_role(role, "Schedule").unwrap();
        let mut other_system = role.clone();
        other_system["valueCodeableConcept"]["coding"][0]["system"] = json!("http://x");
        // Another code system is allowed by the extensible binding (a warning, binding_warnings).
        practitioner_role(&other_system, "Schedule").unwrap();
        let mut no_system = role.clone();
        no_system["valueCodeableConcept"]["coding"][0]["system"] = json!("");
        assert_fails!(
            practitioner_role(&no_system, "Schedule"),
            "has no system or no code"
        );
        let mut no_display = role.clone();
        no_display["valueCodeableConcept"]["coding"][0]
            .as_object_mut()
            .unwrap()
            .remove("display");
        assert_fails!(
            practitioner_role(&no_display, "Schedule"),
            "R0260 has no display"
        );
        assert_fails!(
            practitioner_role(&json!({"url": "x"}), "Schedule"),
            "no valueCodeableConcept.coding"
        );
        has_type_text(&s, "serviceType").unwrap();
        assert_fails!(
            has_type_text(
                &json!({"resourceType": "Slot", "serviceType": [{"text": " "}]}),
                "serviceType"
            ),
            "Slot.serviceType.text is not populated"
        );
        // A role outside the value set is allowed by the extensible binding: a warning, not a failure.
        let mut other_role = schedule();
        other_role["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = json!("R9999");
        schedule_conforms(&other_role).unwrap();
        let mut no_code = schedule();
        no_code["extension"][0]["valueCodeableConcept"]["coding"][0]
            .as_object_mut()
            .unwrap()
            .remove("code");
        assert_fails!(schedule_conforms(&no_code), "no code");
    }

    #[test]
    fn extensible_bindings_are_warnings_and_follow_the_version() {
        use apt::PractitionerRoleSet as Set;
        let v127 = Set::for_version((1, 2, 7));
        let v129 = Set::for_version((1, 2, 9));
        assert!(binding_warnings(&schedule(), v127).is_empty());
        assert!(binding_warnings(&slot(), v127).is_empty());
        let mut other_role = schedule();
        other_role["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = json!("R9999");
        let w = binding_warnings(&other_role, v127);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("GPConnect-PractitionerRole-1"));
        // 1.2.9 binds to the HL7 UK SDS job role code system: the 1.2.7 coding is outside it.
        assert!(binding_warnings(&schedule(), v129)[0].contains("CareConnect-SDSJobRoleName-1"));
        let mut hl7 = schedule();
        hl7["extension"][0]["valueCodeableConcept"]["coding"][0]["system"] =
            json!(apt::CS_SDS_JOB_ROLE_NAME_HL7_UK);
        hl7["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = json!("R8000");
        assert!(binding_warnings(&hl7, v129).is_empty());
        let mut channel = slot();
        channel["extension"][0]["valueCode"] = json!("Carrier pigeon");
        assert!(binding_warnings(&channel, v127)[0].contains("Carrier pigeon"));
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
        assert_fails!(
            search_bundle(&b(vec![slot(), org.clone()]), &asked),
            "not in the Bundle"
        );
        assert_fails!(
            search_bundle(&b(vec![slot(), schedule()]), &asked),
            "Organization"
        );
        let mut late = slot();
        late["end"] = json!("2030-07-02T00:15:00+01:00");
        assert_fails!(
            search_bundle(&b(vec![late, schedule(), org]), &asked),
            "window"
        );
        assert_eq!(search_bundle(&b(vec![]), &asked).unwrap(), 0);
    }

    #[test]
    fn an_unsupported_include_is_refused_or_ignored() {
        use crate::gpconnect::ErrorCode;
        let asked = SearchAsked {
            start: time::parse_date_time("2030-07-01T00:00:00+01:00").unwrap(),
            end: time::parse_date_time("2030-07-02T00:00:00+01:00").unwrap(),
            practitioners: false,
            locations: false,
        };
        let codes = [ErrorCode::InvalidParameter, ErrorCode::BadRequest];
        let ct = [("Content-Type", "application/fhir+json;charset=utf-8")];
        let x = |status: u16, body: &Value| {
            crate::checks::fixtures::exchange(status, &ct, &body.to_string())
        };
        let org = json!({"resourceType": "Organization", "id": "1", "meta": {"versionId": "1", "profile": [profiles::ORGANIZATION]},
            "identifier": [{"system": crate::gpconnect::systems::ODS_ORGANIZATION_CODE, "value": "A1"}], "name": "X"});
        let b = |rs: Vec<Value>| json!({"resourceType": "Bundle", "type": "searchset", "entry": rs.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>()});
        refused_or_ignored(
            &x(200, &b(vec![slot(), schedule(), org.clone()])),
            &codes,
            &asked,
        )
        .unwrap();
        let patient = json!({"resourceType": "Patient", "id": "1"});
        assert_fails!(
            refused_or_ignored(
                &x(200, &b(vec![slot(), schedule(), org, patient])),
                &codes,
                &asked
            ),
            "Patient"
        );
        let oo = |code: &str, ty: &str| {
            json!({"resourceType": "OperationOutcome", "meta": {"profile": [profiles::OPERATION_OUTCOME]},
            "issue": [{"severity": "error", "code": ty, "details": {"coding": [{"system": crate::gpconnect::systems::SPINE_ERROR_OR_WARNING_CODE, "code": code, "display": "x"}]}}]})
        };
        refused_or_ignored(&x(422, &oo("INVALID_PARAMETER", "invalid")), &codes, &asked).unwrap();
        assert!(refused_or_ignored(
            &x(500, &oo("INTERNAL_SERVER_ERROR", "exception")),
            &codes,
            &asked
        )
        .is_err());
    }
}

/// The free Slots of `bundles` lying entirely inside `[start, end]`, by id, with their times.
fn slots_inside<'a>(
    bundles: &[&'a Value],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(&'a str, String)> {
    let mut out: Vec<(&str, String)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for b in bundles {
        for s in bundle::entries(b) {
            if s.get("resourceType").and_then(Value::as_str) != Some("Slot") {
                continue;
            }
            let at = |p: &str| s.at(p).and_then(Value::as_str).unwrap_or_default();
            let (Some(st), Some(en)) = (
                time::parse_date_time(at("/start")),
                time::parse_date_time(at("/end")),
            ) else {
                continue;
            };
            if st >= start && en <= end && seen.insert(id(s)) {
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

/// Recall of a free-slot search (GP Connect 1.2.7, "Search for free slots": every free slot in the window is returned): every
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
