//! The table of GP Connect 1.x interactions (Interaction IDs).
//!
//! Steps name an interaction; the client derives method, path, Ssp-InteractionID and JWT scope from here.
//!
//! Interaction IDs: <https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_interaction_ids.html>

use serde::Serialize;

/// Which FHIR server (service root) an interaction is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    /// Foundations and Appointment Management share one service root.
    Foundations,
    Appointments,
    Structured,
    Documents,
    /// Access Record HTML (GP Connect 0.x, FHIR DSTU2), on a DSTU2 service root of its own.
    Html,
}

impl Capability {
    /// Whether this capability is served from the Foundations/Appointments service root.
    pub fn uses_foundations_root(self) -> bool {
        matches!(self, Capability::Foundations | Capability::Appointments)
    }

    /// The JSON media type requests of this capability send and accept (DSTU2 names for Access Record
    /// HTML).
    pub fn json_media_type(self) -> &'static str {
        match self {
            Capability::Html => super::html::mime::JSON,
            _ => super::systems::mime::FHIR_JSON_UTF8,
        }
    }
}

/// HTTP methods GP Connect uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Method {
    Get,
    Post,
    Put,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

/// JWT `requested_scope` values.
pub mod scope {
    pub const PATIENT_READ: &str = "patient/*.read";
    pub const PATIENT_WRITE: &str = "patient/*.write";
    pub const ORGANIZATION_READ: &str = "organization/*.read";
    pub const ORGANIZATION_WRITE: &str = "organization/*.write";
}

/// One row of the interaction table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InteractionSpec {
    /// Name used in feature files, e.g. `read patient`.
    pub name: &'static str,
    pub capability: Capability,
    pub method: Method,
    /// Path relative to the service root; `{id}` is the logical id placeholder.
    pub path: &'static str,
    /// The `Ssp-InteractionID` value.
    pub id: &'static str,
    /// The JWT `requested_scope` (confidentiality scopes are added separately where they apply).
    pub scope: &'static str,
    /// The GP Connect version that introduced it.
    pub since: &'static str,
}

macro_rules! interactions {
    ($( $variant:ident => { $name:literal, $cap:ident, $method:ident, $path:literal, $urn:literal, $scope:ident, $since:literal } ),+ $(,)?) => {
        /// A GP Connect 1.x interaction.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Interaction { $( $variant ),+ }

        impl Interaction {
            /// Every interaction, in table order.
            pub const ALL: &'static [Interaction] = &[ $( Interaction::$variant ),+ ];

            /// This interaction's row of the table.
            pub fn spec(self) -> InteractionSpec {
                match self {
                    $( Interaction::$variant => InteractionSpec {
                        name: $name,
                        capability: Capability::$cap,
                        method: Method::$method,
                        path: $path,
                        id: $urn,
                        scope: scope::$scope,
                        since: $since,
                    } ),+
                }
            }
        }
    };
}

interactions! {
    Metadata => { "metadata", Foundations, Get, "/metadata", "urn:nhs:names:services:gpconnect:fhir:rest:read:metadata-1", ORGANIZATION_READ, "1.0" },
    ReadPatient => { "read patient", Foundations, Get, "/Patient/{id}", "urn:nhs:names:services:gpconnect:fhir:rest:read:patient-1", PATIENT_READ, "1.0" },
    FindPatient => { "find patient", Foundations, Get, "/Patient", "urn:nhs:names:services:gpconnect:fhir:rest:search:patient-1", PATIENT_READ, "1.0" },
    ReadPractitioner => { "read practitioner", Foundations, Get, "/Practitioner/{id}", "urn:nhs:names:services:gpconnect:fhir:rest:read:practitioner-1", ORGANIZATION_READ, "1.0" },
    FindPractitioner => { "find practitioner", Foundations, Get, "/Practitioner", "urn:nhs:names:services:gpconnect:fhir:rest:search:practitioner-1", ORGANIZATION_READ, "1.0" },
    ReadOrganization => { "read organisation", Foundations, Get, "/Organization/{id}", "urn:nhs:names:services:gpconnect:fhir:rest:read:organization-1", ORGANIZATION_READ, "1.0" },
    FindOrganization => { "find organisation", Foundations, Get, "/Organization", "urn:nhs:names:services:gpconnect:fhir:rest:search:organization-1", ORGANIZATION_READ, "1.0" },
    ReadLocation => { "read location", Foundations, Get, "/Location/{id}", "urn:nhs:names:services:gpconnect:fhir:rest:read:location-1", ORGANIZATION_READ, "1.0" },
    RegisterPatient => { "register patient", Foundations, Post, "/Patient/$gpc.registerpatient", "urn:nhs:names:services:gpconnect:fhir:operation:gpc.registerpatient-1", PATIENT_WRITE, "1.0" },
    SearchFreeSlots => { "search free slots", Appointments, Get, "/Slot", "urn:nhs:names:services:gpconnect:fhir:rest:search:slot-1", ORGANIZATION_READ, "1.0" },
    ReadAppointment => { "read appointment", Appointments, Get, "/Appointment/{id}", "urn:nhs:names:services:gpconnect:fhir:rest:read:appointment-1", PATIENT_READ, "1.0" },
    BookAppointment => { "book appointment", Appointments, Post, "/Appointment", "urn:nhs:names:services:gpconnect:fhir:rest:create:appointment-1", PATIENT_WRITE, "1.0" },
    AmendAppointment => { "amend appointment", Appointments, Put, "/Appointment/{id}", "urn:nhs:names:services:gpconnect:fhir:rest:update:appointment-1", PATIENT_WRITE, "1.0" },
    CancelAppointment => { "cancel appointment", Appointments, Put, "/Appointment/{id}", "urn:nhs:names:services:gpconnect:fhir:rest:cancel:appointment-1", PATIENT_WRITE, "1.0" },
    RetrieveAppointments => { "retrieve appointments", Appointments, Get, "/Patient/{id}/Appointment", "urn:nhs:names:services:gpconnect:fhir:rest:search:patient_appointments-1", PATIENT_READ, "1.0" },
    GetStructuredRecord => { "get structured record", Structured, Post, "/Patient/$gpc.getstructuredrecord", "urn:nhs:names:services:gpconnect:fhir:operation:gpc.getstructuredrecord-1", PATIENT_READ, "1.2.0" },
    StructuredMetadata => { "structured metadata", Structured, Get, "/metadata", "urn:nhs:names:services:gpconnect:structured:fhir:rest:read:metadata-1", ORGANIZATION_READ, "1.2.6" },
    MigrateStructuredRecord => { "migrate structured record", Structured, Post, "/Patient/$gpc.migratestructuredrecord", "urn:nhs:names:services:gpconnect:fhir:operation:gpc.migratestructuredrecord-1", PATIENT_READ, "1.6.0" },
    DocumentsMetadata => { "documents metadata", Documents, Get, "/metadata", "urn:nhs:names:services:gpconnect:documents:fhir:rest:read:metadata-1", ORGANIZATION_READ, "1.5.0" },
    DocumentsFindPatient => { "documents find patient", Documents, Get, "/Patient", "urn:nhs:names:services:gpconnect:documents:fhir:rest:search:patient-1", PATIENT_READ, "1.5.0" },
    SearchDocuments => { "search documents", Documents, Get, "/Patient/{id}/DocumentReference", "urn:nhs:names:services:gpconnect:documents:fhir:rest:search:documentreference-1", PATIENT_READ, "1.5.0" },
    RetrieveDocument => { "retrieve document", Documents, Get, "/Binary/{id}", "urn:nhs:names:services:gpconnect:documents:fhir:rest:read:binary-1", PATIENT_READ, "1.5.0" },
    MigrateDocument => { "migrate document", Documents, Get, "/Binary/{id}", "urn:nhs:names:services:gpconnect:documents:fhir:rest:migrate:binary-1", PATIENT_READ, "1.6.0" },
    // Access Record HTML (0.x): interaction ids without the `-1` major version.
    // https://developer.nhs.uk/apis/gpconnect-0-7-2/integration_interaction_ids.html
    HtmlMetadata => { "html metadata", Html, Get, "/metadata", "urn:nhs:names:services:gpconnect:fhir:rest:read:metadata", ORGANIZATION_READ, "0.5.0" },
    GetCareRecord => { "get care record", Html, Post, "/Patient/$gpc.getcarerecord", "urn:nhs:names:services:gpconnect:fhir:operation:gpc.getcarerecord", PATIENT_READ, "0.5.0" },
}

impl Interaction {
    /// Find an interaction by its feature-file name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Interaction> {
        let name = name.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|i| i.spec().name.eq_ignore_ascii_case(name))
    }

    /// Find an interaction by its `Ssp-InteractionID`.
    pub fn from_id(id: &str) -> Option<Interaction> {
        Self::ALL.iter().copied().find(|i| i.spec().id == id)
    }

    /// The names of all interactions, for error messages.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|i| i.spec().name).collect()
    }

    /// The path with `{id}` replaced by `id`.
    pub fn path_for(self, id: Option<&str>) -> String {
        let p = self.spec().path;
        match id {
            Some(id) => p.replace("{id}", id),
            None => p.to_string(),
        }
    }
}

impl std::fmt::Display for Interaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.spec().name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_unique() {
        let mut ids: Vec<_> = Interaction::ALL.iter().map(|i| i.spec().id).collect();
        let mut names: Vec<_> = Interaction::ALL.iter().map(|i| i.spec().name).collect();
        ids.sort();
        ids.dedup();
        names.sort();
        names.dedup();
        assert_eq!(ids.len(), Interaction::ALL.len());
        assert_eq!(names.len(), Interaction::ALL.len());
    }

    #[test]
    fn every_id_carries_its_major_version() {
        for i in Interaction::ALL {
            let s = i.spec();
            if s.capability == Capability::Html {
                // 0.x ids carry no version suffix.
                assert!(!s.id.ends_with("-1"), "{}", s.id);
                continue;
            }
            assert!(
                s.id.starts_with("urn:nhs:names:services:gpconnect:"),
                "{}",
                s.id
            );
            assert!(s.id.ends_with("-1"), "{}", s.id);
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(
            Interaction::from_name("Read Patient"),
            Some(Interaction::ReadPatient)
        );
        assert_eq!(
            Interaction::from_id("urn:nhs:names:services:gpconnect:fhir:rest:search:slot-1"),
            Some(Interaction::SearchFreeSlots)
        );
        assert_eq!(Interaction::ReadPatient.path_for(Some("7")), "/Patient/7");
        assert_eq!(Interaction::from_name("nope"), None);
    }
}
