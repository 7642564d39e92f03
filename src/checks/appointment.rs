//! GPConnect-Appointment-1 as Book, Read, Retrieve, Amend and Cancel return it (the use-case pages below),
//! and the comparisons that prove an amend or cancel changed only what it may.
//!
//! Book an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_book_an_appointment.html>
//! Read an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_read_an_appointment.html>
//! Retrieve a patient's appointments: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_retrieve_a_patients_appointments.html>
//! Amend an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_amend_an_appointment.html>
//! Cancel an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_cancel_an_appointment.html>

use serde_json::Value;

use super::resource::{
    declares_profile, has_id, has_version_id, identifiers_complete, lacks_elements,
};
use super::response::resource_type_is;
use super::response::{body_as_json, response};
use super::slot::{
    delivery_channel, extensions, has_type_text, local_date_time, practitioner_role,
};
use super::{ensure, outcome, CheckResult};
use crate::fhir::Pointer as _;
use crate::gpconnect::appointments::{self as apt, change};
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::ErrorCode;
use crate::http::Exchange;

/// (type, id) of every participant actor, failing on a participant without a relative actor reference.
pub fn participants(a: &Value) -> Result<Vec<(String, String)>, String> {
    let list = a
        .get("participant")
        .and_then(Value::as_array)
        .ok_or("Appointment.participant is not populated")?;
    list.iter()
        .enumerate()
        .map(|(i, p)| {
            let r = p.at("/actor/reference").and_then(Value::as_str).ok_or_else(|| format!("Appointment.participant[{i}].actor.reference is missing"))?;
            let (t, id) = r.split_once('/').filter(|(t, id)| !t.contains(':') && !id.is_empty() && !id.contains('/')).ok_or_else(|| {
                format!("Appointment.participant[{i}].actor.reference {r:?} is not a relative reference Type/id")
            })?;
            ensure(["Patient", "Practitioner", "Location", "Device", "RelatedPerson", "HealthcareService"].contains(&t), || {
                format!("Appointment.participant[{i}] is a {t}, which GPConnect-Appointment-1 does not allow")
            })?;
            ensure(p.get("status").and_then(Value::as_str).is_some_and(|s| !s.is_empty()), || format!("Appointment.participant[{i}].status is missing"))?;
            Ok((t.to_string(), id.to_string()))
        })
        .collect()
}

/// The logical id of the one Patient participant.
pub fn patient_id(a: &Value) -> Result<String, String> {
    let patients: Vec<String> = participants(a)?
        .into_iter()
        .filter(|(t, _)| t == "Patient")
        .map(|(_, i)| i)
        .collect();
    match patients.as_slice() {
        [one] => Ok(one.clone()),
        other => Err(format!(
            "Appointment has {} Patient participants; exactly one",
            other.len()
        )),
    }
}

/// The slot ids an appointment holds.
pub fn slot_ids(a: &Value) -> Vec<String> {
    a.get("slot")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("reference").and_then(Value::as_str))
        .filter_map(|r| r.strip_prefix("Slot/"))
        .map(str::to_string)
        .collect()
}

/// The contained Organization the bookingOrganisation extension points at.
pub fn booking_organisation(a: &Value) -> Result<&Value, String> {
    let ext = extensions(a, apt::EXT_BOOKING_ORGANISATION);
    ensure(ext.len() == 1, || {
        format!("Appointment carries {} bookingOrganisation extensions; exactly one (Must-Support, stored as sent)", ext.len())
    })?;
    let reference = ext[0]
        .at("/valueReference/reference")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    let local = reference.strip_prefix('#').ok_or_else(|| {
        format!("bookingOrganisation references {reference:?}; it must be a contained #id")
    })?;
    let org = a
        .get("contained")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|c| c.get("id").and_then(Value::as_str) == Some(local))
        .ok_or_else(|| {
            format!("bookingOrganisation references #{local}, which is not contained")
        })?;
    resource_type_is(org, "Organization")?;
    declares_profile(org, profiles::ORGANIZATION)?;
    ensure(
        !super::resource::identifier_values(org, systems::ODS_ORGANIZATION_CODE).is_empty(),
        || "the booking organisation has no ODS code".to_string(),
    )?;
    ensure(
        org.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.trim().is_empty()),
        || "the booking organisation has no name".to_string(),
    )?;
    ensure(
        org.get("telecom")
            .and_then(Value::as_array)
            .is_some_and(|t| !t.is_empty()),
        || "the booking organisation has no telecom".to_string(),
    )?;
    Ok(org)
}

/// Every rule of GPConnect-Appointment-1 as returned by a provider.
pub fn conforms(a: &Value) -> CheckResult {
    resource_type_is(a, "Appointment")?;
    has_id(a, None)?;
    has_version_id(a)?;
    declares_profile(a, profiles::APPOINTMENT)?;
    identifiers_complete(a)?;
    lacks_elements(a, apt::APPOINTMENT_FORBIDDEN)?;
    let status = a.get("status").and_then(Value::as_str).unwrap_or("(none)");
    ensure(
        [
            "booked",
            "cancelled",
            "arrived",
            "fulfilled",
            "noshow",
            "pending",
            "proposed",
            "entered-in-error",
        ]
        .contains(&status),
        || format!("Appointment.status {status:?} is not an appointment status"),
    )?;
    let start = local_date_time(a, "/start", "Appointment.start")?;
    let end = local_date_time(a, "/end", "Appointment.end")?;
    ensure(start < end, || {
        "Appointment.end is not after its start".to_string()
    })?;
    if a.get("created").is_some() {
        local_date_time(a, "/created", "Appointment.created")?;
    }
    ensure(
        a.get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| !d.trim().is_empty()),
        || "Appointment.description is not populated (1..1)".to_string(),
    )?;
    ensure(!slot_ids(a).is_empty(), || {
        "Appointment.slot holds no Slot/<id> reference".to_string()
    })?;
    let parts = participants(a)?;
    patient_id(a)?;
    ensure(parts.iter().any(|(t, _)| t == "Location"), || {
        "Appointment has no Location participant".to_string()
    })?;
    has_type_text(a, "serviceType")?;
    // bookingOrganisation is 0..1 on GPConnect-Appointment-1: a consumer SHALL send it on Book and the
    // provider SHALL return it as stored (checked by `matches_booking` on appointments booked through GP
    // Connect), but Read and Retrieve return every appointment in the book, including those booked
    // outside GP Connect, which have none (Read an appointment:
    // https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_read_an_appointment.html).
    let booking_organisations = extensions(a, apt::EXT_BOOKING_ORGANISATION).len();
    ensure(booking_organisations <= 1, || {
        format!("Appointment carries {booking_organisations} bookingOrganisation extensions; at most one (0..1)")
    })?;
    if booking_organisations == 1 {
        booking_organisation(a)?;
    }
    for e in extensions(a, apt::EXT_PRACTITIONER_ROLE) {
        practitioner_role(e, "Appointment")?;
    }
    delivery_channel(a, "Appointment")?;
    let reasons = extensions(a, apt::EXT_CANCELLATION_REASON);
    if status == "cancelled" {
        ensure(reasons.len() == 1, || {
            format!(
                "a cancelled Appointment carries {} cancellation reasons; exactly one",
                reasons.len()
            )
        })?;
        ensure(
            reasons[0]
                .get("valueString")
                .and_then(Value::as_str)
                .is_some_and(|r| !r.is_empty()),
            || "the cancellation reason has no valueString".to_string(),
        )?;
    } else {
        ensure(reasons.is_empty(), || {
            format!("a {status} Appointment carries a cancellation reason")
        })?;
    }
    Ok(())
}

/// The practice-defined type a resource carries in `element` (`serviceType`, a list, or
/// `serviceCategory`, one CodeableConcept in STU3): the first `text`, trimmed, when it is not empty.
pub fn type_text(resource: &Value, element: &str) -> Option<String> {
    let v = match resource.get(element)? {
        Value::Array(a) => a.first()?,
        o => o,
    };
    v.get("text")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// An appointment's types against the slot it booked and that slot's Schedule (1.2.7+): Book, Read,
/// Retrieve, Amend and Cancel all say the provider "SHALL populate `Appointment.serviceType.text` with the
/// practice defined slot type description, and where available `Appointment.serviceCategory.text` with a
/// practice defined schedule type description", the same descriptions Search for free slots puts in
/// `Slot.serviceType.text` and `Schedule.serviceCategory.text` (Book an appointment, Payload response
/// body: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_book_an_appointment.html>).
///
/// A type that is populated but is not the slot's (or the schedule's) is a failure: the element is
/// filled, with something other than what the SHALL names. A `serviceCategory` left out although the
/// schedule has a type is not: "where available" leaves the provider room (a record that keeps no
/// schedule name with the appointment), so it comes back as `Ok(Some(warning))`. A schedule without a type
/// asks nothing of the appointment.
pub fn service_types(
    a: &Value,
    slots: &[Value],
    schedule: &Value,
) -> Result<Option<String>, String> {
    let id = a.get("id").and_then(Value::as_str).unwrap_or("?");
    if let Some(slot_type) = slots.first().and_then(|s| type_text(s, "serviceType")) {
        let got = type_text(a, "serviceType");
        ensure(got.as_deref() == Some(slot_type.as_str()), || {
            let found = got
                .as_ref()
                .map_or("none".to_string(), |g| format!("{g:?}"));
            format!(
                "Appointment/{id} has serviceType.text {found}; the slot it booked has the type \
                 {slot_type:?}, which it SHALL carry"
            )
        })?;
    }
    let Some(schedule_type) = type_text(schedule, "serviceCategory") else {
        return Ok(None);
    };
    match type_text(a, "serviceCategory") {
        None => Ok(Some(format!(
            "Appointment/{id} has no serviceCategory.text although the schedule of its slot has the type {schedule_type:?}; it is populated where available"
        ))),
        Some(got) if got == schedule_type => Ok(None),
        Some(got) => Err(format!(
            "Appointment/{id} has serviceCategory.text {got:?}; the schedule of the slot it booked has the type {schedule_type:?}, which it SHALL carry"
        )),
    }
}

/// A cancel (or amend) kept the types the appointment had: a type it carried before is still there,
/// unchanged (Cancel an appointment, Payload response body: the response carries `serviceType.text` and
/// `serviceCategory.text`, and a cancel changes only the status and the reason:
/// <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_cancel_an_appointment.html>).
pub fn types_kept(before: &Value, after: &Value) -> CheckResult {
    for element in ["serviceType", "serviceCategory"] {
        if let Some(was) = type_text(before, element) {
            let now = type_text(after, element);
            ensure(now.as_deref() == Some(was.as_str()), || {
                let found = now
                    .as_ref()
                    .map_or("gone".to_string(), |n| format!("{n:?}"));
                format!(
                    "{element}.text was {was:?} and is now {found}; a cancel changes only the \
                     status and the cancellation reason, whatever the request sent in the types"
                )
            })?;
        }
    }
    Ok(())
}

/// Only `allowed` elements changed from `before` to `after`, as the amend and cancel rules compare them
/// ([`change::changed_elements`]).
pub fn only_changed(before: &Value, after: &Value, allowed: &[&str]) -> CheckResult {
    let diff = change::changed_elements(before, after, allowed);
    ensure(diff.is_empty(), || {
        format!(
            "these elements changed although only {allowed:?} may: {}",
            diff.join(", ")
        )
    })
}

/// The version changed from `before`.
pub fn new_version(before: &Value, after: &Value) -> CheckResult {
    let v = |r: &Value| {
        r.at("/meta/versionId")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (a, b) = (v(before), v(after));
    ensure(b.is_some() && a != b, || {
        format!("meta.versionId is still {b:?}; every change SHALL produce a new version")
    })
}

/// A text element is returned exactly as sent (no truncation).
pub fn text_kept(sent: &Value, returned: &Value, element: &str) -> CheckResult {
    let s = sent.get(element).and_then(Value::as_str);
    let r = returned.get(element).and_then(Value::as_str);
    ensure(s == r, || {
        let len = |x: Option<&str>| x.map(|t| t.chars().count()).unwrap_or(0);
        format!("Appointment.{element} was sent with {} characters and returned with {} ({:?}); it SHALL be stored and returned unaltered", len(s), len(r), r.map(|t| t.chars().take(40).collect::<String>()))
    })
}

/// The booking is returned as sent: slots, participants, start/end instants, description/comment and the
/// booking organisation's ODS code, name and telecom.
pub fn matches_booking(sent: &Value, returned: &Value) -> CheckResult {
    let mut s = slot_ids(sent);
    let mut r = slot_ids(returned);
    s.sort();
    r.sort();
    ensure(s == r, || {
        format!("the appointment holds slots {r:?}; the booking asked for {s:?}")
    })?;
    let mut ps = participants(sent)?;
    let mut pr = participants(returned)?;
    ps.sort();
    pr.sort();
    ensure(ps == pr, || {
        format!("the appointment's participants are {pr:?}; the booking sent {ps:?}")
    })?;
    for k in ["start", "end"] {
        let t = |v: &Value| {
            v.get(k)
                .and_then(Value::as_str)
                .and_then(|x| chrono::DateTime::parse_from_rfc3339(x).ok())
        };
        ensure(t(sent).is_some() && t(sent) == t(returned), || {
            format!(
                "Appointment.{k} is {:?}; the booking sent {:?}",
                returned.get(k),
                sent.get(k)
            )
        })?;
    }
    text_kept(sent, returned, "description")?;
    text_kept(sent, returned, "comment")?;
    let (os, or) = (booking_organisation(sent)?, booking_organisation(returned)?);
    for k in ["identifier", "name", "telecom"] {
        ensure(os.get(k) == or.get(k), || {
            format!(
                "the booking organisation's {k} was not stored as sent: {:?} became {:?}",
                os.get(k),
                or.get(k)
            )
        })?;
    }
    Ok(())
}

/// A Book or Amend carrying a description or comment longer than the provider stores is either refused
/// with 422 INVALID_RESOURCE (the resource breaks a business rule; a 5xx is the provider failing) or
/// accepted with both texts stored unaltered (Book an appointment, description and comment:
/// https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_book_an_appointment.html; error
/// codes: https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html).
pub fn refused_or_stored(exchange: &Exchange, sent: &Value) -> CheckResult {
    let status = response(exchange)?.status;
    if status == 200 || status == 201 {
        let a = body_as_json(exchange)?;
        text_kept(sent, &a, "description")?;
        text_kept(sent, &a, "comment")
    } else {
        outcome::is_error(exchange, ErrorCode::InvalidResource)
    }
}

/// What a follow-up read shows about an appointment a refused request must not have changed: the read
/// SHALL succeed (the appointment is in the future; cancelled ones are read too), and the appointment
/// has the version and content it had before.
pub fn read_shows_unchanged(known: &Value, read: &Exchange) -> CheckResult {
    let status = response(read)?.status;
    let id = known.get("id").and_then(Value::as_str).unwrap_or("?");
    ensure(status == 200, || {
        format!("the follow-up read of Appointment/{id} was answered with HTTP {status}: a read of a future appointment SHALL succeed, so nothing shows the refused request left it unchanged")
    })?;
    let now = body_as_json(read)?;
    ensure(
        now.at("/meta/versionId") == known.at("/meta/versionId"),
        || {
            format!(
                "the refused request still changed the appointment: version {:?} became {:?}",
                known.at("/meta/versionId"),
                now.at("/meta/versionId")
            )
        },
    )?;
    only_changed(known, &now, &[])
}

/// A cancel of an appointment that is already cancelled: the specification lists no error for it
/// (Cancel an appointment, provider errors:
/// https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_cancel_an_appointment.html),
/// so either a refusal (a 4xx with a GP Connect code) or a 200 whose appointment is still cancelled with
/// nothing else changed. Returns whether it was refused.
pub fn cancel_again_outcome(exchange: &Exchange, before: &Value) -> Result<bool, String> {
    let status = response(exchange)?.status;
    if status == 200 {
        let a = body_as_json(exchange)?;
        conforms(&a)?;
        ensure(a["status"] == "cancelled", || {
            format!(
                "cancelling a cancelled appointment made its status {}",
                a["status"]
            )
        })?;
        only_changed(before, &a, &[])?;
        Ok(false)
    } else {
        outcome::is_client_error(exchange)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub fn appointment() -> Value {
        json!({"resourceType": "Appointment", "id": "7", "meta": {"versionId": "3", "profile": [profiles::APPOINTMENT]},
            "contained": [{"resourceType": "Organization", "id": "1", "meta": {"profile": [profiles::ORGANIZATION]},
                "identifier": [{"system": systems::ODS_ORGANIZATION_CODE, "value": "A1"}], "name": "C", "telecom": [{"system": "phone", "value": "1"}]}],
            "extension": [{"url": apt::EXT_BOOKING_ORGANISATION, "valueReference": {"reference": "#1"}}],
            "status": "booked", "serviceType": [{"text": "GP"}], "description": "d",
            "start": "2030-07-01T09:00:00+01:00", "end": "2030-07-01T09:15:00+01:00", "created": "2030-06-01T09:00:00+01:00",
            "slot": [{"reference": "Slot/1"}],
            "participant": [{"actor": {"reference": "Patient/1"}, "status": "accepted"}, {"actor": {"reference": "Location/1"}, "status": "accepted"}]})
    }

    fn broken(f: impl FnOnce(&mut Value)) -> Value {
        let mut a = appointment();
        f(&mut a);
        a
    }

    #[test]
    fn conformance_catches_defects() {
        conforms(&appointment()).unwrap();
        assert_fails!(
            conforms(&broken(|a| a["reason"] = json!([{"text": "x"}]))),
            "Appointment.reason is populated"
        );
        assert_fails!(
            conforms(&broken(|a| a["start"] = json!("2030-07-01T08:00:00Z"))),
            "UK local time"
        );
        // An appointment booked outside GP Connect has no booking organisation (0..1).
        let mut outside = appointment();
        outside["extension"] = json!([]);
        outside.as_object_mut().unwrap().remove("contained");
        conforms(&outside).unwrap();
        assert_fails!(
            conforms(&broken(|a| {
                let e = a["extension"][0].clone();
                a["extension"] = json!([e.clone(), e]);
            })),
            "at most one"
        );
        assert_fails!(
            conforms(&broken(|a| a["status"] = json!("cancelled"))),
            "0 cancellation reasons"
        );
        assert_fails!(
            conforms(&broken(|a| a["meta"]["profile"] =
                json!([format!("{}/_history/1.9", profiles::APPOINTMENT)]))),
            "Appointment.meta.profile"
        );
        assert_fails!(
            conforms(&broken(|a| a["description"] = json!(" "))),
            "Appointment.description is not populated"
        );
    }

    #[test]
    fn participants_and_booking_organisation() {
        let a = appointment();
        assert_eq!(patient_id(&a).unwrap(), "1");
        let absolute =
            broken(|a| a["participant"][0]["actor"]["reference"] = json!("http://x/Patient/1"));
        assert_fails!(
            participants(&absolute),
            "is not a relative reference Type/id"
        );
        assert_fails!(
            participants(&broken(
                |a| a["participant"][0]["actor"]["reference"] = json!("Group/1")
            )),
            "is a Group"
        );
        assert_fails!(
            participants(&broken(|a| a["participant"][1]["status"] = json!(""))),
            "participant[1].status is missing"
        );
        let no_patient =
            broken(|a| a["participant"][0]["actor"]["reference"] = json!("Practitioner/1"));
        assert_fails!(patient_id(&no_patient), "has 0 Patient participants");
        assert_eq!(booking_organisation(&a).unwrap()["name"], "C");
        assert_fails!(
            booking_organisation(&broken(|a| a["contained"][0]["telecom"] = json!([]))),
            "has no telecom"
        );
        assert_fails!(
            booking_organisation(&broken(
                |a| a["extension"][0]["valueReference"]["reference"] = json!("Organization/1")
            )),
            "it must be a contained #id"
        );
        assert_fails!(
            booking_organisation(&broken(|a| a["contained"][0]["id"] = json!("2"))),
            "#1, which is not contained"
        );
        assert_fails!(
            booking_organisation(&broken(|a| a["contained"][0]["meta"]["profile"] =
                json!([format!("{}x", profiles::ORGANIZATION)]))),
            "CareConnect-GPC-Organization-1x"
        );
    }

    #[test]
    fn comparisons() {
        let a = appointment();
        let mut b = a.clone();
        b["description"] = json!("new");
        b["meta"]["versionId"] = json!("4");
        only_changed(&a, &b, &["description"]).unwrap();
        assert_fails!(only_changed(&a, &b, &["comment"]), "description");
        new_version(&a, &b).unwrap();
        assert_fails!(new_version(&a, &a), "meta.versionId is still");
        text_kept(&b, &b, "description").unwrap();
        let mut cut = b.clone();
        cut["description"] = json!("ne");
        assert_fails!(
            text_kept(&b, &cut, "description"),
            "sent with 3 characters and returned with 2"
        );
        let mut reason = a.clone();
        reason["extension"]
            .as_array_mut()
            .unwrap()
            .push(json!({"url": apt::EXT_CANCELLATION_REASON, "valueString": "r"}));
        assert_fails!(
            only_changed(&a, &reason, apt::change::AMEND_MAY_CHANGE),
            "extension"
        );
        reason["status"] = json!("cancelled");
        only_changed(&a, &reason, apt::change::CANCEL_MAY_CHANGE).unwrap();
        matches_booking(&a, &a).unwrap();
        assert_fails!(
            matches_booking(&a, &b),
            "Appointment.description was sent with"
        );
    }

    fn slot_and_schedule() -> (Vec<Value>, Value) {
        (
            vec![json!({"resourceType": "Slot", "id": "1", "serviceType": [{"text": "GP"}]})],
            json!({"resourceType": "Schedule", "id": "4", "serviceCategory": {"text": "Morning surgery"}}),
        )
    }

    #[test]
    fn types_come_from_the_slot_and_its_schedule() {
        let (slots, schedule) = slot_and_schedule();
        let a = broken(|a| a["serviceCategory"] = json!({"text": "Morning surgery"}));
        assert_eq!(service_types(&a, &slots, &schedule), Ok(None));
        // Missing where the schedule has a type: a warning, not a failure ("where available").
        let warning = service_types(&appointment(), &slots, &schedule)
            .unwrap()
            .expect("a warning");
        assert!(warning.contains("no serviceCategory.text"), "{warning}");
        // A different text (the consumer's, say) is a failure.
        assert_fails!(
            service_types(
                &broken(|a| a["serviceCategory"] = json!({"text": "Consumer-chosen"})),
                &slots,
                &schedule
            ),
            "has serviceCategory.text \"Consumer-chosen\""
        );
        assert_fails!(
            service_types(
                &broken(|a| {
                    a["serviceCategory"] = json!({"text": "Morning surgery"});
                    a["serviceType"] = json!([{"text": "Nurse"}]);
                }),
                &slots,
                &schedule
            ),
            "the slot it booked has the type \"GP\""
        );
        // A schedule without a type asks for nothing.
        let untyped = json!({"resourceType": "Schedule", "id": "4"});
        assert_eq!(service_types(&appointment(), &slots, &untyped), Ok(None));
        assert_eq!(
            service_types(
                &broken(|a| a["serviceCategory"] = json!({"text": "Anything"})),
                &slots,
                &untyped
            ),
            Ok(None)
        );
        assert_eq!(
            type_text(
                &json!({"serviceCategory": {"text": "  "}}),
                "serviceCategory"
            ),
            None
        );
    }

    #[test]
    fn a_cancel_keeps_the_types() {
        let before = broken(|a| a["serviceCategory"] = json!({"text": "Morning surgery"}));
        let mut after = before.clone();
        after["status"] = json!("cancelled");
        types_kept(&before, &after).unwrap();
        after.as_object_mut().unwrap().remove("serviceCategory");
        assert_fails!(
            types_kept(&before, &after),
            "serviceCategory.text was \"Morning surgery\" and is now gone"
        );
        after["serviceCategory"] = json!({"text": "Morning surgery"});
        after["serviceType"] = json!([{"text": "Other"}]);
        assert_fails!(
            types_kept(&before, &after),
            "serviceType.text was \"GP\" and is now \"Other\""
        );
    }

    fn json_exchange(status: u16, body: &Value) -> Exchange {
        crate::checks::fixtures::exchange(
            status,
            &[("Content-Type", "application/fhir+json;charset=utf-8")],
            &body.to_string(),
        )
    }

    fn error_body(code: &str, issue_type: &str) -> Value {
        json!({"resourceType": "OperationOutcome", "meta": {"profile": [profiles::OPERATION_OUTCOME]},
            "issue": [{"severity": "error", "code": issue_type, "details": {"coding": [{"system": systems::SPINE_ERROR_OR_WARNING_CODE, "code": code, "display": "x"}]}}]})
    }

    #[test]
    fn long_texts_are_refused_as_invalid_resource_or_kept() {
        let mut sent = appointment();
        sent["description"] = json!("d".repeat(101));
        refused_or_stored(&json_exchange(201, &sent), &sent).unwrap();
        let mut cut = sent.clone();
        cut["description"] = json!("d".repeat(100));
        assert_fails!(
            refused_or_stored(&json_exchange(201, &cut), &sent),
            "unaltered"
        );
        refused_or_stored(
            &json_exchange(422, &error_body("INVALID_RESOURCE", "invalid")),
            &sent,
        )
        .unwrap();
        assert!(refused_or_stored(
            &json_exchange(500, &error_body("INTERNAL_SERVER_ERROR", "exception")),
            &sent
        )
        .is_err());
        assert!(refused_or_stored(
            &json_exchange(400, &error_body("BAD_REQUEST", "invalid")),
            &sent
        )
        .is_err());
    }

    #[test]
    fn a_failed_follow_up_read_is_not_proof_of_no_change() {
        let a = appointment();
        read_shows_unchanged(&a, &json_exchange(200, &a)).unwrap();
        let mut changed = a.clone();
        changed["meta"]["versionId"] = json!("4");
        assert_fails!(
            read_shows_unchanged(&a, &json_exchange(200, &changed)),
            "version"
        );
        assert_fails!(
            read_shows_unchanged(
                &a,
                &json_exchange(404, &error_body("NO_RECORD_FOUND", "not-found"))
            ),
            "HTTP 404"
        );
        assert!(read_shows_unchanged(
            &a,
            &json_exchange(500, &error_body("INTERNAL_SERVER_ERROR", "exception"))
        )
        .is_err());
    }

    #[test]
    fn cancelling_again_is_refused_or_changes_nothing() {
        let mut before = appointment();
        before["status"] = json!("cancelled");
        before["extension"]
            .as_array_mut()
            .unwrap()
            .push(json!({"url": apt::EXT_CANCELLATION_REASON, "valueString": "r"}));
        assert!(!cancel_again_outcome(&json_exchange(200, &before), &before).unwrap());
        assert!(cancel_again_outcome(
            &json_exchange(422, &error_body("INVALID_RESOURCE", "invalid")),
            &before
        )
        .unwrap());
        let mut moved = before.clone();
        moved["comment"] = json!("changed");
        assert_fails!(
            cancel_again_outcome(&json_exchange(200, &moved), &before),
            "comment"
        );
        assert!(cancel_again_outcome(
            &json_exchange(500, &error_body("INTERNAL_SERVER_ERROR", "exception")),
            &before
        )
        .is_err());
    }
}
