//! Book, Read, Retrieve, Amend and Cancel (the use-case pages below).
//!
//! A booking is validated in full before the book is locked; then, under the lock, the slots are checked
//! free and marked booked in one step. Amend and cancel compare the incoming resource with the stored one
//! element by element: only `description`/`comment` (amend) or `status` plus the cancellation reason
//! (cancel) may differ; `serviceType`/`serviceCategory` are provider-owned and ignored when sent.
//!
//! Book an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_book_an_appointment.html>
//! Read an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_read_an_appointment.html>
//! Retrieve a patient's appointments: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_retrieve_a_patients_appointments.html>
//! Amend an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_amend_an_appointment.html>
//! Cancel an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_cancel_an_appointment.html>

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::header::{HOST, LAST_MODIFIED, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::diary::{Appointment, Diary, Occupancy, Schedule};
use super::slots::{practitioner_role, Filter};
use crate::gpconnect::appointments as apt;
use crate::gpconnect::appointments::{change, time};
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::{ErrorCode, Interaction};
use crate::provider::faults::Fault;
use crate::provider::foundations::search::searchset;
use crate::provider::negotiate::FhirBody;
use crate::provider::outcome::ApiError;
use crate::provider::query;
use crate::provider::respond::Fhir;
use crate::provider::state::ProviderState;

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::invalid_resource(msg)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn array_of<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A relative reference `Type/id`, or an error naming `what`.
fn relative<'a>(reference: Option<&'a str>, what: &str) -> Result<(&'a str, &'a str), ApiError> {
    let r = reference.ok_or_else(|| invalid(format!("{what} has no reference")))?;
    let (ty, id) = r
        .split_once('/')
        .filter(|(t, id)| {
            !t.is_empty()
                && !id.is_empty()
                && !id.contains('/')
                && t.chars().all(|c| c.is_ascii_alphabetic())
        })
        .ok_or_else(|| invalid(format!("{what} {r:?} is not a relative reference Type/id")))?;
    Ok((ty, id))
}

/// What a valid booking refers to.
#[derive(Debug, Clone)]
struct Booking {
    patient: String,
    locations: Vec<String>,
    practitioners: Vec<String>,
    slots: Vec<String>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    org_type: Option<String>,
    org_ods: String,
}

/// The rules every Appointment body follows (profile and GP Connect exclusions).
fn check_shape(body: &Value) -> Result<(), ApiError> {
    let obj = body
        .as_object()
        .ok_or_else(|| invalid("the body is not a FHIR resource"))?;
    let ty = str_of(body, "resourceType").unwrap_or_default();
    if ty != "Appointment" {
        return Err(invalid(format!("the body is a {ty:?}, not an Appointment")));
    }
    if let Some(k) = obj
        .keys()
        .find(|k| !apt::APPOINTMENT_ELEMENTS.contains(&k.as_str()))
    {
        return Err(invalid(format!(
            "Appointment.{k} is not an element of an STU3 Appointment"
        )));
    }
    if let Some(k) = apt::APPOINTMENT_FORBIDDEN
        .iter()
        .find(|k| obj.contains_key(**k))
    {
        return Err(invalid(format!("Appointment.{k} SHALL NOT be sent")));
    }
    if !profiles::declares(body, profiles::APPOINTMENT) {
        return Err(invalid(format!(
            "Appointment.meta.profile must contain {}",
            profiles::APPOINTMENT
        )));
    }
    match str_of(body, "description") {
        Some(d) if !d.trim().is_empty() => {
            if d.chars().count() > apt::DESCRIPTION_MAX {
                return Err(invalid(format!(
                    "description is longer than the {} characters stored",
                    apt::DESCRIPTION_MAX
                )));
            }
        }
        _ => return Err(invalid("description is required (1..1)")),
    }
    if let Some(c) = body.get("comment") {
        let c = c
            .as_str()
            .ok_or_else(|| invalid("comment is not a string"))?;
        if c.chars().count() > apt::COMMENT_MAX {
            return Err(invalid(format!(
                "comment is longer than the {} characters stored",
                apt::COMMENT_MAX
            )));
        }
    }
    for (i, id) in array_of(body, "identifier").iter().enumerate() {
        if str_of(id, "system").is_none_or(str::is_empty)
            || str_of(id, "value").is_none_or(str::is_empty)
        {
            return Err(invalid(format!(
                "identifier[{i}] needs a system and a value"
            )));
        }
    }
    Ok(())
}

/// The booking organisation: extension → contained CareConnect-GPC-Organization-1 with ODS code, name,
/// telecom and (if any) a GPConnect-OrganisationType-1 type. Returns (type, ODS code).
fn booking_organisation(body: &Value) -> Result<(Option<String>, String), ApiError> {
    let ext: Vec<&Value> = array_of(body, "extension")
        .iter()
        .filter(|e| str_of(e, "url") == Some(apt::EXT_BOOKING_ORGANISATION))
        .collect();
    let [ext] = ext.as_slice() else {
        return Err(invalid(
            "exactly one bookingOrganisation extension is required",
        ));
    };
    let reference = ext
        .pointer("/valueReference/reference")
        .and_then(Value::as_str);
    let local = reference.and_then(|r| r.strip_prefix('#')).ok_or_else(|| {
        invalid(format!(
            "bookingOrganisation must reference a contained Organization (#id), got {reference:?}"
        ))
    })?;
    let org = array_of(body, "contained")
        .iter()
        .find(|c| str_of(c, "id") == Some(local))
        .ok_or_else(|| invalid(format!("no contained resource has the id {local:?}")))?;
    if str_of(org, "resourceType") != Some("Organization") {
        return Err(invalid("the booking organisation is not an Organization"));
    }
    if !profiles::declares(org, profiles::ORGANIZATION) {
        return Err(invalid(format!(
            "the booking organisation must declare {}",
            profiles::ORGANIZATION
        )));
    }
    let ods = array_of(org, "identifier")
        .iter()
        .find(|i| str_of(i, "system") == Some(systems::ODS_ORGANIZATION_CODE))
        .and_then(|i| str_of(i, "value"))
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| invalid("the booking organisation has no ODS code identifier"))?;
    if str_of(org, "name").is_none_or(|n| n.trim().is_empty()) {
        return Err(invalid("the booking organisation has no name"));
    }
    if array_of(org, "telecom").is_empty() {
        return Err(invalid("the booking organisation has no telecom"));
    }
    let mut org_type = None;
    for t in array_of(org, "type") {
        for c in array_of(t, "coding") {
            let (system, code) = (
                str_of(c, "system").unwrap_or_default(),
                str_of(c, "code").unwrap_or_default(),
            );
            if system != apt::CS_ORGANISATION_TYPE || !apt::ORGANISATION_TYPES.contains(&code) {
                return Err(invalid(format!("booking organisation type {system}|{code} is not in GPConnect-OrganisationType-1")));
            }
            org_type = Some(code.to_string());
        }
    }
    Ok((org_type, ods.to_string()))
}

/// Parse a date-time the consumer sent (any explicit offset).
fn instant(body: &Value, key: &str) -> Result<DateTime<Utc>, ApiError> {
    let raw = str_of(body, key).ok_or_else(|| invalid(format!("Appointment.{key} is required")))?;
    DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            invalid(format!(
                "Appointment.{key} {raw:?} is not a dateTime with an offset"
            ))
        })
}

/// Validate a booking body (everything that does not need the book).
fn parse_booking(body: &Value) -> Result<Booking, ApiError> {
    check_shape(body)?;
    if str_of(body, "status") != Some("booked") {
        return Err(invalid(format!(
            "status must be booked, got {:?}",
            str_of(body, "status")
        )));
    }
    if array_of(body, "extension")
        .iter()
        .any(|e| str_of(e, "url") == Some(apt::EXT_CANCELLATION_REASON))
    {
        return Err(invalid("a booking SHALL NOT carry a cancellation reason"));
    }
    let start = instant(body, "start")?;
    let end = instant(body, "end")?;
    instant(body, "created")?;
    let participants = array_of(body, "participant");
    if participants.is_empty() {
        return Err(invalid("participant is required"));
    }
    let (mut patients, mut locations, mut practitioners) = (Vec::new(), Vec::new(), Vec::new());
    for (i, p) in participants.iter().enumerate() {
        if str_of(p, "status").is_none_or(str::is_empty) {
            return Err(invalid(format!("participant[{i}].status is required")));
        }
        let (ty, id) = relative(
            p.pointer("/actor/reference").and_then(Value::as_str),
            &format!("participant[{i}].actor"),
        )?;
        match ty {
            "Patient" => patients.push(id.to_string()),
            "Location" => locations.push(id.to_string()),
            "Practitioner" => practitioners.push(id.to_string()),
            other => return Err(invalid(format!("participant[{i}] is a {other}; GP Connect books Patients, Locations and Practitioners"))),
        }
    }
    let [patient] = patients.as_slice() else {
        return Err(invalid(format!(
            "exactly one Patient participant is required, found {}",
            patients.len()
        )));
    };
    if locations.is_empty() {
        return Err(invalid("a Location participant is required"));
    }
    let slots = array_of(body, "slot")
        .iter()
        .enumerate()
        .map(
            |(i, s)| match relative(str_of(s, "reference"), &format!("slot[{i}]"))? {
                ("Slot", id) => Ok(id.to_string()),
                (ty, _) => Err(invalid(format!("slot[{i}] references a {ty}"))),
            },
        )
        .collect::<Result<Vec<_>, _>>()?;
    if slots.is_empty() {
        return Err(invalid("slot is required"));
    }
    let (org_type, org_ods) = booking_organisation(body)?;
    Ok(Booking {
        patient: patient.clone(),
        locations,
        practitioners,
        slots,
        start,
        end,
        org_type,
        org_ods,
    })
}

/// The stored form of a booking: what was sent plus id, meta, local-time dates and the provider-owned
/// slot type, schedule type, practitioner role and delivery channel.
fn stored_resource(
    body: &Value,
    id: &str,
    version: &str,
    b: &Booking,
    schedule: &Schedule,
    category_is_slot_type: bool,
) -> Value {
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("Appointment"));
    r.insert("id".into(), json!(id));
    r.insert(
        "meta".into(),
        json!({"versionId": version, "profile": [profiles::APPOINTMENT]}),
    );
    if let Some(obj) = body.as_object() {
        for (k, v) in obj {
            if !matches!(
                k.as_str(),
                "resourceType" | "id" | "meta" | "serviceType" | "serviceCategory"
            ) {
                r.insert(k.clone(), v.clone());
            }
        }
    }
    let mut extensions: Vec<Value> = array_of(body, "extension")
        .iter()
        .filter(|e| {
            !matches!(
                str_of(e, "url"),
                Some(apt::EXT_PRACTITIONER_ROLE | apt::EXT_DELIVERY_CHANNEL)
            )
        })
        .cloned()
        .collect();
    extensions.push(practitioner_role(schedule));
    extensions.push(json!({"url": apt::EXT_DELIVERY_CHANNEL, "valueCode": schedule.channel}));
    r.insert("extension".into(), Value::Array(extensions));
    // STU3: Appointment.serviceCategory is a single CodeableConcept, serviceType repeats.
    let category = if category_is_slot_type {
        schedule.slot_type
    } else {
        schedule.category
    };
    r.insert("serviceCategory".into(), json!({"text": category}));
    r.insert("serviceType".into(), json!([{"text": schedule.slot_type}]));
    r.insert("start".into(), json!(time::format(b.start)));
    r.insert("end".into(), json!(time::format(b.end)));
    if let Ok(created) = instant(body, "created") {
        r.insert("created".into(), json!(time::format(created)));
    }
    Value::Object(r)
}

fn service_root(state: &ProviderState, headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}{}", state.settings.foundations_path())
}

/// A 200/201 Appointment with its ETag, and for creates `Location` and `Last-Modified`. With
/// `Prefer: return=minimal` in `headers` (book, amend, cancel) the body is left out and the headers
/// kept, as the General API guidance says a server SHOULD.
fn appointment_response(
    status: StatusCode,
    resource: Value,
    location: Option<String>,
    headers: Option<&HeaderMap>,
) -> Response {
    let minimal = headers
        .and_then(|h| h.get(crate::gpconnect::headers::PREFER))
        .and_then(|v| v.to_str().ok())
        .is_some_and(crate::gpconnect::headers::prefers_minimal);
    let mut fhir = Fhir::resource(resource);
    fhir.status = status;
    let mut res = if minimal {
        let mut res = Response::new(axum::body::Body::empty());
        *res.status_mut() = status;
        if let Some(v) = fhir
            .etag
            .and_then(|v| HeaderValue::from_str(&crate::gpconnect::headers::weak_etag(&v)).ok())
        {
            res.headers_mut().insert(axum::http::header::ETAG, v);
        }
        res
    } else {
        fhir.into_response()
    };
    if let Some(l) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        res.headers_mut().insert(LOCATION, l);
    }
    if let Ok(v) =
        HeaderValue::from_str(&Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        res.headers_mut().insert(LAST_MODIFIED, v);
    }
    res
}

/// `POST /Appointment`.
pub async fn book(
    State(state): State<Arc<ProviderState>>,
    Extension(diary): Extension<Arc<Diary>>,
    headers: HeaderMap,
    FhirBody(body): FhirBody,
) -> Result<Response, ApiError> {
    let b = parse_booking(&body)?;
    {
        let store = state.read();
        if !store
            .patients
            .iter()
            .any(|p| p.id == b.patient && !p.sensitive)
        {
            return Err(ApiError::new(
                ErrorCode::PatientNotFound,
                format!("no patient with logical id {:?}", b.patient),
            ));
        }
        if let Some(l) = b
            .locations
            .iter()
            .find(|l| !store.locations.iter().any(|x| &x.id == *l))
        {
            return Err(ApiError::new(
                ErrorCode::ReferenceNotFound,
                format!("no location with logical id {l:?}"),
            ));
        }
        if let Some(p) = b
            .practitioners
            .iter()
            .find(|p| !store.practitioners.iter().any(|x| &x.id == *p))
        {
            return Err(ApiError::new(
                ErrorCode::ReferenceNotFound,
                format!("no practitioner with logical id {p:?}"),
            ));
        }
    }
    let mut book = diary.lock();
    let mut slots = Vec::new();
    for id in &b.slots {
        let slot = book
            .slots
            .get(id)
            .ok_or_else(|| invalid(format!("there is no slot Slot/{id}")))?;
        slots.push(slot.clone());
    }
    slots.sort_by_key(|s| s.start);
    let first = &slots[0];
    let last = &slots[slots.len() - 1];
    let schedule = book
        .schedule(&first.schedule_id)
        .cloned()
        .ok_or_else(|| invalid("the slot has no schedule"))?;
    for pair in slots.windows(2) {
        if pair[0].end != pair[1].start {
            return Err(invalid(format!(
                "Slot/{} and Slot/{} are not contiguous",
                pair[0].id, pair[1].id
            )));
        }
        // Same schedule implies the same delivery channel and slot type in this book.
        if pair[0].schedule_id != pair[1].schedule_id {
            return Err(invalid(format!(
                "Slot/{} and Slot/{} belong to different schedules",
                pair[0].id, pair[1].id
            )));
        }
    }
    if first.start != b.start || last.end != b.end {
        return Err(invalid(format!(
            "start/end {} – {} do not match the slots ({} – {})",
            time::format(b.start),
            time::format(b.end),
            time::format(first.start),
            time::format(last.end)
        )));
    }
    if first.start <= Utc::now() {
        return Err(invalid(
            "the slot is in the past; only future appointments can be booked",
        ));
    }
    if !b.locations.contains(&schedule.location_id) {
        return Err(invalid(format!(
            "the Location participant is not Location/{}, where the slot's schedule is held",
            schedule.location_id
        )));
    }
    let consumer = Filter {
        org_type: b.org_type.clone(),
        ods_code: Some(b.org_ods.clone()),
    };
    if slots.iter().any(|s| !s.bookable) || !consumer.admits(&schedule) {
        return Err(invalid(
            "the slot is not bookable by this booking organisation (slot availability rules)",
        ));
    }
    if !state.faults.has(Fault::AcceptDoubleBooking) {
        if let Some(taken) = slots.iter().find(|s| !s.is_free()) {
            return Err(ApiError::new(
                ErrorCode::DuplicateRejected,
                format!("Slot/{} is no longer free", taken.id),
            ));
        }
    }
    let id = book.new_appointment_id();
    let version = book.new_version();
    let resource = stored_resource(
        &body,
        &id,
        &version,
        &b,
        &schedule,
        state.faults.has(Fault::ServiceCategoryNotFromSchedule),
    );
    book.occupy(&b.slots, &Occupancy::Booked(id.clone()));
    book.appointments.insert(
        id.clone(),
        Appointment {
            id: id.clone(),
            version_id: version.clone(),
            patient_id: b.patient.clone(),
            slot_ids: b.slots.clone(),
            start: b.start,
            resource: resource.clone(),
        },
    );
    drop(book);
    let location = format!(
        "{}/Appointment/{id}/_history/{version}",
        service_root(&state, &headers)
    );
    Ok(appointment_response(
        StatusCode::CREATED,
        resource,
        Some(location),
        Some(&headers),
    ))
}

/// `GET /Appointment/{id}`.
pub async fn read(
    State(state): State<Arc<ProviderState>>,
    Extension(diary): Extension<Arc<Diary>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let book = diary.lock();
    let a = book.appointments.get(&id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoRecordFound,
            format!("no appointment with logical id {id:?}"),
        )
    })?;
    if a.start <= Utc::now() {
        return Err(invalid(format!("Appointment/{id} is in the past")));
    }
    let mut resource = a.resource.clone();
    if a.is_cancelled() && state.faults.has(Fault::StaleReadAfterCancel) {
        stale_before_cancel(&mut resource);
    }
    Ok(appointment_response(StatusCode::OK, resource, None, None))
}

/// The appointment as it was before its cancel (the stale-read fault): booked, without the reason, the
/// previous versionId.
fn stale_before_cancel(resource: &mut Value) {
    resource["status"] = json!("booked");
    if let Some(ext) = resource.get_mut("extension").and_then(Value::as_array_mut) {
        ext.retain(|e| e["url"] != apt::EXT_CANCELLATION_REASON);
    }
    let previous = resource
        .pointer("/meta/versionId")
        .and_then(Value::as_str)
        .and_then(|v| v.parse::<u64>().ok())
        .map(|v| v.saturating_sub(1).max(1).to_string());
    if let Some(p) = previous {
        resource["meta"]["versionId"] = json!(p);
    }
}

/// `PUT /Appointment/{id}`: amend or cancel, chosen by `Ssp-InteractionID`.
pub async fn update(
    State(state): State<Arc<ProviderState>>,
    Extension(diary): Extension<Arc<Diary>>,
    Extension(interaction): Extension<Interaction>,
    Path(id): Path<String>,
    headers: HeaderMap,
    FhirBody(body): FhirBody,
) -> Result<Response, ApiError> {
    let cancel = interaction == Interaction::CancelAppointment;
    if str_of(&body, "resourceType") != Some("Appointment") {
        return Err(invalid("the body is not an Appointment"));
    }
    if str_of(&body, "id").is_some_and(|b| b != id) {
        return Err(invalid(format!(
            "the body's id is not {id:?}, the appointment addressed"
        )));
    }
    let if_match = headers
        .get(crate::gpconnect::headers::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let v = v.trim();
            v.strip_prefix("W/")
                .unwrap_or(v)
                .trim_matches('"')
                .to_string()
        });
    let mut book = diary.lock();
    let a = book.appointments.get(&id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoRecordFound,
            format!("no appointment with logical id {id:?}"),
        )
    })?;
    if !state.faults.has(Fault::AcceptStaleIfMatch) {
        match if_match {
            None => {
                return Err(ApiError::bad_request(
                    "If-Match is required on amend and cancel (W/\"<versionId>\")",
                ))
            }
            Some(v) if v != a.version_id => {
                return Err(ApiError::new(
                    ErrorCode::FhirConstraintViolation,
                    format!(
                        "If-Match version {v:?} is not the current version {:?}",
                        a.version_id
                    ),
                )
                .with_status(StatusCode::CONFLICT))
            }
            Some(_) => {}
        }
    }
    if a.is_cancelled() {
        return Err(invalid(format!(
            "Appointment/{id} is cancelled and cannot be changed"
        )));
    }
    if a.start <= Utc::now() {
        return Err(invalid(format!(
            "Appointment/{id} is in the past and cannot be changed"
        )));
    }
    let (may_change, what) = if cancel {
        (
            change::CANCEL_MAY_CHANGE,
            "a cancel may only change status and add the cancellation reason",
        )
    } else {
        (
            change::AMEND_MAY_CHANGE,
            "an amend may only change description and comment",
        )
    };
    // The body's id is checked against the URL above; the narrative is the provider's own.
    let skip: Vec<&str> = may_change.iter().copied().chain(["id", "text"]).collect();
    let diff = change::changed_elements(&a.resource, &body, &skip);
    if !diff.is_empty() {
        return Err(invalid(format!(
            "{what}; these elements differ from the stored appointment: {}",
            diff.join(", ")
        )));
    }
    if cancel {
        if str_of(&body, "status") != Some("cancelled") {
            return Err(invalid("a cancel sets status to cancelled"));
        }
        let reason = array_of(&body, "extension")
            .iter()
            .find(|e| str_of(e, "url") == Some(apt::EXT_CANCELLATION_REASON))
            .and_then(|e| str_of(e, "valueString"))
            .filter(|r| !r.trim().is_empty());
        if reason.is_none() && !state.faults.has(Fault::CancelWithoutReason) {
            return Err(ApiError::invalid_parameter(
                "the cancellation-reason extension with a valueString is required",
            ));
        }
    } else {
        check_shape(&body)?;
    }
    let slot_ids = a.slot_ids.clone();
    let mut resource = a.resource.clone();
    let version = book.new_version();
    let taken: &[&str] = match (cancel, state.faults.has(Fault::CancelDropsServiceTypes)) {
        (true, true) => &["status", "extension", "serviceType", "serviceCategory"],
        (true, false) => &["status", "extension"],
        (false, _) => &["description", "comment"],
    };
    for key in taken {
        match body.get(*key) {
            Some(v) => resource[*key] = v.clone(),
            None => {
                if let Some(o) = resource.as_object_mut() {
                    o.remove(*key);
                }
            }
        }
    }
    resource["meta"]["versionId"] = json!(version);
    if cancel {
        book.occupy(&slot_ids, &Occupancy::Free);
    }
    if let Some(a) = book.appointments.get_mut(&id) {
        a.version_id = version;
        a.resource = resource.clone();
    }
    Ok(appointment_response(
        StatusCode::OK,
        resource,
        None,
        Some(&headers),
    ))
}

/// Validate the two `start` bounds of a retrieve: `ge` and `le`, full dates, not in the past, in order.
fn retrieve_range(raw: Option<&str>) -> Result<(chrono::NaiveDate, chrono::NaiveDate), ApiError> {
    let pairs = query::pairs(raw);
    let starts = query::values(&pairs, "start");
    let [a, b] = starts.as_slice() else {
        return Err(ApiError::invalid_parameter(format!(
            "exactly two start parameters (ge and le) are required, got {}",
            starts.len()
        )));
    };
    let date = |v: &str, prefix: &str| {
        v.strip_prefix(prefix)
            .and_then(time::parse_date)
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!("start {v:?} must be {prefix}yyyy-mm-dd"))
            })
    };
    let (ge, le) = if a.starts_with("ge") {
        (date(a, "ge")?, date(b, "le")?)
    } else {
        (date(b, "ge")?, date(a, "le")?)
    };
    if ge < time::today() {
        return Err(ApiError::invalid_parameter(format!(
            "the range starts {ge}, in the past; only today or later can be retrieved"
        )));
    }
    if le < ge {
        return Err(ApiError::invalid_parameter(format!(
            "the range ends {le}, before it starts {ge}"
        )));
    }
    Ok((ge, le))
}

/// `GET /Patient/{id}/Appointment?start=ge..&start=le..`.
pub async fn retrieve(
    State(state): State<Arc<ProviderState>>,
    Extension(diary): Extension<Arc<Diary>>,
    Path(patient): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Fhir, ApiError> {
    if !state
        .read()
        .patients
        .iter()
        .any(|p| p.id == patient && !p.sensitive)
    {
        return Err(ApiError::new(
            ErrorCode::PatientNotFound,
            format!("no patient with logical id {patient:?}"),
        ));
    }
    let (ge, le) = retrieve_range(raw.as_deref())?;
    let book = diary.lock();
    let omit_cancelled = state.faults.has(Fault::RetrieveOmitsCancelled);
    // The latest booking of the patient, which a stale index would not know yet.
    let latest = book
        .appointments
        .values()
        .filter(|a| a.patient_id == patient)
        .filter_map(|a| a.id.parse::<u64>().ok())
        .max()
        .filter(|_| state.faults.has(Fault::RetrieveOmitsNewBooking))
        .map(|n| n.to_string());
    let found = book
        .appointments
        .values()
        .filter(|a| a.patient_id == patient)
        .filter(|a| latest.as_deref() != Some(a.id.as_str()))
        .filter(|a| !(omit_cancelled && a.is_cancelled()))
        .filter(|a| {
            let d = time::local(a.start).date_naive();
            d >= ge && d <= le
        })
        .map(|a| a.resource.clone())
        .collect();
    Ok(Fhir::ok(searchset(found)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retrieve_ranges() {
        let today = time::today();
        let d = |n: i64| {
            (today + chrono::Duration::days(n))
                .format("%Y-%m-%d")
                .to_string()
        };
        assert!(retrieve_range(Some(&format!("start=ge{}&start=le{}", d(0), d(3)))).is_ok());
        assert!(retrieve_range(Some(&format!("start=le{}&start=ge{}", d(3), d(0)))).is_ok());
        assert!(retrieve_range(Some(&format!("start=ge{}&start=le{}", d(-1), d(3)))).is_err());
        assert!(retrieve_range(Some(&format!("start=ge{}&start=le{}", d(3), d(1)))).is_err());
        assert!(retrieve_range(Some(&format!("start=ge{}", d(1)))).is_err());
        assert!(retrieve_range(Some(&format!("start=ge{}&start=ge{}", d(1), d(2)))).is_err());
    }
}
