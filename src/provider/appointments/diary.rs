//! The practice's appointment book: schedules, slots and appointments.
//!
//! Slots are generated relative to the day the provider starts, so a long-lived `gpc-assure serve` and a
//! test started today both find free slots in the next fortnight, some past slots (searching the past is
//! allowed, booking it is not), busy slots, slots that are not GP Connect bookable, and slots restricted
//! by organisation type or ODS code (Slot availability management). Appointments keep the resource as stored, so
//! amend and cancel can compare element by element, and carry a version that changes on every write.
//!
//! Everything sits behind one mutex that is never held across an `.await`: a booking's "are the slots
//! free?" check and the marking of them as busy happen under one lock, so two bookings of one slot at the
//! same instant cannot both win.
//!
//! Slot availability management: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_provider_sys_slot_availability.html>

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde_json::Value;

use crate::gpconnect::appointments::time;

/// Days before today that slots are generated for (past slots for search-in-the-past and refused bookings).
pub const PAST_DAYS: i64 = 3;
/// Days after today that slots are generated for (beyond a fortnight, so any 14-day window is full).
pub const FUTURE_DAYS: i64 = 24;
/// Slots per schedule per day, from [`FIRST_SLOT`], each [`SLOT_MINUTES`] long, back to back.
pub const SLOTS_PER_DAY: u32 = 14;
pub const SLOT_MINUTES: i64 = 15;
/// Local time of the first slot of a session.
pub const FIRST_SLOT: (u32, u32) = (9, 0);

/// One schedule (a practitioner's session at a location, or a location-only rota).
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub id: String,
    pub version_id: String,
    pub practitioner_id: Option<String>,
    pub location_id: String,
    /// SDS job role (code, display) from GPConnect-PractitionerRole-1.
    pub role: (&'static str, &'static str),
    /// Practice-defined schedule type, sent as `serviceCategory.text`.
    pub category: &'static str,
    /// Practice-defined slot type of its slots, sent as `Slot.serviceType.text`.
    pub slot_type: &'static str,
    pub channel: &'static str,
    /// Only bookable by consumers of this organisation type (none: any).
    pub org_type: Option<&'static str>,
    /// Only bookable by these ODS codes (empty: any).
    pub ods_codes: Vec<String>,
}

/// Why a slot is not free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Occupancy {
    Free,
    /// Busy in the practice's own system (booked outside GP Connect, blocked...).
    Busy,
    /// Holds this GP Connect appointment.
    Booked(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub id: String,
    pub version_id: String,
    pub schedule_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Marked "GP Connect bookable" by the practice.
    pub bookable: bool,
    pub occupancy: Occupancy,
}

impl Slot {
    pub fn is_free(&self) -> bool {
        self.occupancy == Occupancy::Free
    }
}

/// A booked (or cancelled) appointment, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Appointment {
    pub id: String,
    pub version_id: String,
    pub patient_id: String,
    pub slot_ids: Vec<String>,
    pub start: DateTime<Utc>,
    /// The GPConnect-Appointment-1 resource exactly as it is returned (id and meta included).
    pub resource: Value,
}

impl Appointment {
    pub fn is_cancelled(&self) -> bool {
        self.resource.get("status").and_then(Value::as_str) == Some("cancelled")
    }
}

/// The appointment book.
#[derive(Debug, Default)]
pub struct Book {
    pub schedules: Vec<Schedule>,
    /// By id, in id order (ids are zero-padded so the order is also time order per schedule).
    pub slots: BTreeMap<String, Slot>,
    pub appointments: BTreeMap<String, Appointment>,
    next_id: u64,
    next_version: u64,
}

impl Book {
    pub fn new_appointment_id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    /// A version id never issued before by this book.
    pub fn new_version(&mut self) -> String {
        self.next_version += 1;
        self.next_version.to_string()
    }

    pub fn schedule(&self, id: &str) -> Option<&Schedule> {
        self.schedules.iter().find(|s| s.id == id)
    }

    /// Mark `slot_ids` as `occupancy`, bumping each slot's version.
    pub fn occupy(&mut self, slot_ids: &[String], occupancy: &Occupancy) {
        for id in slot_ids {
            self.next_version += 1;
            let version = self.next_version.to_string();
            if let Some(s) = self.slots.get_mut(id) {
                s.occupancy = occupancy.clone();
                s.version_id = version;
            }
        }
    }
}

/// The schedules of the test practice: practitioner and location logical ids follow the Foundations seed
/// (practitioners 1, 2, 3, 5; locations 1 and 2 of ORG1, location 3 of ORG2).
fn schedules() -> Vec<Schedule> {
    let s = |id: &str,
             practitioner: Option<&str>,
             location: &str,
             role: (&'static str, &'static str),
             category: &'static str,
             slot_type: &'static str,
             channel: &'static str| Schedule {
        id: id.to_string(),
        version_id: format!("5{id}"),
        practitioner_id: practitioner.map(str::to_string),
        location_id: location.to_string(),
        role,
        category,
        slot_type,
        channel,
        org_type: None,
        ods_codes: Vec::new(),
    };
    let gp = ("R0260", "General Medical Practitioner");
    let salaried = ("R0270", "Salaried General Practitioner");
    let nurse = ("R0620", "Staff Nurse");
    let mut urgent = s(
        "4",
        Some("5"),
        "2",
        gp,
        "Urgent care session",
        "Urgent appointment",
        "In-person",
    );
    urgent.org_type = Some("urgent-care");
    let mut partner = s(
        "5",
        None,
        "3",
        nurse,
        "Trust clinic",
        "Trust clinic appointment",
        "In-person",
    );
    partner.ods_codes = vec!["R1A14".to_string()];
    vec![
        s(
            "1",
            Some("1"),
            "1",
            gp,
            "Morning surgery",
            "General GP Appointment",
            "In-person",
        ),
        s(
            "2",
            Some("2"),
            "2",
            salaried,
            "Telephone triage",
            "Telephone consultation",
            "Telephone",
        ),
        s(
            "3",
            Some("3"),
            "1",
            nurse,
            "Nurse clinic",
            "Video consultation",
            "Video",
        ),
        urgent,
        partner,
    ]
}

/// A book for the days around `today` (UK date).
pub fn generate(today: chrono::NaiveDate) -> Book {
    let mut book = Book {
        schedules: schedules(),
        ..Book::default()
    };
    let first = NaiveTime::from_hms_opt(FIRST_SLOT.0, FIRST_SLOT.1, 0).unwrap_or_default();
    let mut n: u64 = 0;
    for schedule in book.schedules.clone() {
        for day in -PAST_DAYS..=FUTURE_DAYS {
            let date = today + Duration::days(day);
            let session_start = time::at(date, first);
            for i in 0..SLOTS_PER_DAY {
                n += 1;
                let start = session_start + Duration::minutes(SLOT_MINUTES * i64::from(i));
                // A fixed pattern so every day has free pairs, busy slots and non-bookable slots.
                let busy = i % 5 == 3;
                let bookable = i % 7 != 6;
                book.slots.insert(
                    format!("{n:05}"),
                    Slot {
                        id: format!("{n:05}"),
                        version_id: format!("6{n}"),
                        schedule_id: schedule.id.clone(),
                        start,
                        end: start + Duration::minutes(SLOT_MINUTES),
                        bookable,
                        occupancy: if busy {
                            Occupancy::Busy
                        } else {
                            Occupancy::Free
                        },
                    },
                );
            }
        }
    }
    book.next_version = 1000;
    book
}

/// The book of one running provider.
#[derive(Debug)]
pub struct Diary(Mutex<Book>);

impl Diary {
    pub fn new() -> Diary {
        Diary(Mutex::new(generate(time::today())))
    }

    /// The book; a poisoned lock still yields the data rather than panicking again.
    pub fn lock(&self) -> MutexGuard<'_, Book> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for Diary {
    fn default() -> Self {
        Diary::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_future_day_has_free_bookable_contiguous_slots() {
        let today = time::today();
        let book = generate(today);
        for day in 1..=14 {
            let date = today + Duration::days(day);
            let free: Vec<&Slot> = book
                .slots
                .values()
                .filter(|s| s.schedule_id == "1" && time::local(s.start).date_naive() == date)
                .filter(|s| s.is_free() && s.bookable)
                .collect();
            assert!(free.len() >= 8, "day {day}: {}", free.len());
            assert!(free.windows(2).any(|w| w[0].end == w[1].start));
        }
        assert!(book.slots.values().any(|s| !s.bookable));
        assert!(book.slots.values().any(|s| s.occupancy == Occupancy::Busy));
        assert!(book
            .slots
            .values()
            .any(|s| s.start < Utc::now() - Duration::days(1)));
    }
}
