//! The provider's shared state: settings, faults, the practice's records and the PDS stub.
//!
//! Records are plain structs (what a GP system holds), rendered to FHIR by the resource modules, so that
//! business rules (who is active, who may be shared) read fields rather than JSON. Everything mutable sits
//! behind one `RwLock` that is never held across an `.await`, so concurrent requests are safe and a
//! register's duplicate check and insert are atomic.

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::Value;

use super::chaos::ChaosSet;
use super::faults::FaultSet;
use super::pds::Pds;
use super::seed;
use super::ProviderSettings;

/// A person's name as the practice holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub family: String,
    pub given: Vec<String>,
    pub prefix: Vec<String>,
}

/// Registration type at this practice (CareConnect-RegistrationType-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationType {
    Regular,
    Temporary,
}

/// Registration status at this practice (CareConnect-RegistrationStatus-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStatus {
    Active,
    Inactive,
}

/// One patient record on the practice system.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientRecord {
    /// Logical id (opaque, never changes).
    pub id: String,
    pub version_id: String,
    pub nhs_number: String,
    pub name: Name,
    pub gender: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// FHIR ContactPoint values.
    pub telecom: Vec<Value>,
    /// FHIR Address values.
    pub address: Vec<Value>,
    /// FHIR Patient.contact values.
    pub contact: Vec<Value>,
    /// The NHSCommunication extension, where held.
    pub communication: Option<Value>,
    pub registration_type: RegistrationType,
    pub registration_status: RegistrationStatus,
    /// Start of the registration (`YYYY-MM-DD`).
    pub registration_start: String,
    /// Logical id of the preferred branch surgery Location.
    pub preferred_branch: Option<String>,
    /// PDS sensitive (S-flagged): never shared.
    pub sensitive: bool,
    /// Date of death, when deceased.
    pub deceased: Option<String>,
    /// Birth order in a multiple birth (the allowed form; `multipleBirthBoolean` is forbidden).
    pub multiple_birth: Option<u32>,
}

impl PatientRecord {
    /// Active in the glossary's sense: registration not left and not deceased.
    pub fn is_active(&self) -> bool {
        self.registration_status == RegistrationStatus::Active && self.deceased.is_none()
    }

    /// Whether Find a patient may return this record.
    pub fn is_shareable(&self) -> bool {
        self.is_active() && !self.sensitive
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PractitionerRecord {
    pub id: String,
    pub version_id: String,
    pub sds_user_id: String,
    pub role_profile_ids: Vec<String>,
    pub name: Name,
    pub gender: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationRecord {
    pub id: String,
    pub version_id: String,
    pub ods_code: String,
    pub name: String,
    pub telecom: Vec<Value>,
    pub address: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LocationRecord {
    pub id: String,
    pub version_id: String,
    pub name: String,
    pub site_code: Option<String>,
    /// Logical id of the managing Organization.
    pub managing_organization: String,
    pub telecom: Vec<Value>,
    pub address: Option<Value>,
}

/// Everything the practice system holds.
#[derive(Debug, Clone, Default)]
pub struct Store {
    pub patients: Vec<PatientRecord>,
    pub practitioners: Vec<PractitionerRecord>,
    pub organizations: Vec<OrganizationRecord>,
    pub locations: Vec<LocationRecord>,
    next_id: u64,
    next_version: u64,
}

impl Store {
    /// A fresh logical id for a new record.
    pub fn new_id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    /// A fresh version id, different from every one issued before.
    pub fn new_version(&mut self) -> String {
        self.next_version += 1;
        self.next_version.to_string()
    }

    pub fn patient_by_nhs_number(&self, nhs_number: &str) -> Option<&PatientRecord> {
        self.patients.iter().find(|p| p.nhs_number == nhs_number)
    }

    /// Make sure ids and versions issued later do not collide with the seeded ones.
    pub(crate) fn reserve(&mut self, ids: u64, versions: u64) {
        self.next_id = self.next_id.max(ids);
        self.next_version = self.next_version.max(versions);
    }
}

/// State shared by every request of one running provider.
#[derive(Debug)]
pub struct ProviderState {
    pub settings: ProviderSettings,
    pub faults: FaultSet,
    /// The hostile behaviours played (empty for a normal provider).
    pub chaos: ChaosSet,
    pub pds: Pds,
    store: RwLock<Store>,
}

impl ProviderState {
    /// A provider seeded with the test practice for `settings`.
    pub fn new(settings: ProviderSettings) -> ProviderState {
        let store = seed::store(&settings);
        let pds = seed::pds();
        ProviderState {
            faults: FaultSet::new(&settings.faults),
            chaos: ChaosSet::new(&settings.chaos),
            settings,
            pds,
            store: RwLock::new(store),
        }
    }

    /// Read access; a poisoned lock (a panic mid-write) still yields the data rather than panicking again.
    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }
}
