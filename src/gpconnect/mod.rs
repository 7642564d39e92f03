//! GP Connect protocol knowledge, as data.
//!
//! Everything the specification fixes (interaction IDs, URL templates, scopes, error codes, header names,
//! identifier systems, the JWT shape, NHS-number validation) lives here, in tables and enums, so that steps,
//! the HTTP client and the reference provider all read the same facts.

pub mod appointments;
pub mod capability;
pub mod documents;
pub mod errors;
pub mod headers;
pub mod html;
pub mod interactions;
pub mod jwt;
pub mod nhs_number;
pub mod register;
pub mod requirements;
pub mod systems;
pub mod test_data;
pub mod transport;
pub mod version;

pub use errors::ErrorCode;
pub use interactions::{Capability, Interaction};
pub mod structured;
