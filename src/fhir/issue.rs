//! Validation issues.

use serde::{Deserialize, Serialize};

/// Severity of an [`Issue`] (serialised lowercase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
        })
    }
}

/// One finding of the validator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub severity: Severity,
    /// FHIRPath-style location, e.g. `Bundle.entry[3].resource.ofType(Patient).identifier[0].system`.
    pub location: String,
    /// Canonical URL of the profile (or base definition) the rule comes from.
    pub profile: Option<String>,
    /// Element id in that profile (`Patient.identifier:nhsNumber.system`).
    pub element: Option<String>,
    pub message: String,
}

impl Issue {
    pub fn new(
        severity: Severity,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Issue {
            severity,
            location: location.into(),
            profile: None,
            element: None,
            message: message.into(),
        }
    }
    pub fn error(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, location, message)
    }
    pub fn from_rule(mut self, profile: &str, element: &str) -> Self {
        self.profile = Some(profile.to_string());
        self.element = Some(element.to_string());
        self
    }
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.severity, self.location, self.message)?;
        if let Some(p) = &self.profile {
            write!(f, " [{}", p)?;
            if let Some(e) = &self.element {
                write!(f, " {e}")?;
            }
            write!(f, "]")?;
        }
        Ok(())
    }
}
