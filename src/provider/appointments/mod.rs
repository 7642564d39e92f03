//! Appointment Management, served from the Foundations service root.
//!
//! [`diary`] holds the appointment book (generated relative to today), [`slots`] the free-slot search,
//! [`appointment`] book/read/retrieve/amend/cancel; UK local time is in `gpconnect::appointments::time`. The book travels to the
//! handlers as an axum `Extension`, so this capability needs no field in the shared provider state.
//!
//! Appointment Management: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments.html>

pub mod appointment;
pub mod diary;
pub mod slots;

use std::sync::Arc;

use axum::routing::{get, post, put};
use axum::{Extension, Router};

use super::guard::guarded;
use super::state::ProviderState;
use crate::gpconnect::Interaction;

pub use diary::Diary;

/// The Appointment Management routes, with a fresh book.
pub fn routes(state: &Arc<ProviderState>) -> Router<Arc<ProviderState>> {
    let diary = Arc::new(Diary::new());
    let appointment_path = Interaction::ReadAppointment.spec().path;
    Router::new()
        .route(
            Interaction::SearchFreeSlots.spec().path,
            guarded(state, &[Interaction::SearchFreeSlots], get(slots::search)),
        )
        .route(
            Interaction::BookAppointment.spec().path,
            guarded(
                state,
                &[Interaction::BookAppointment],
                post(appointment::book),
            ),
        )
        .route(
            appointment_path,
            guarded(
                state,
                &[Interaction::ReadAppointment],
                get(appointment::read),
            ),
        )
        .route(
            appointment_path,
            guarded(
                state,
                &[
                    Interaction::AmendAppointment,
                    Interaction::CancelAppointment,
                ],
                put(appointment::update),
            ),
        )
        .route(
            Interaction::RetrieveAppointments.spec().path,
            guarded(
                state,
                &[Interaction::RetrieveAppointments],
                get(appointment::retrieve),
            ),
        )
        .layer(Extension(diary))
}
