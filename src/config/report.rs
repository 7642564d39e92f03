//! `[report]`: who and what the report is about, for its cover sheet. Every key is optional; an
//! assurance analyst fills them in so the printed report says which supplier's product, at which
//! version, was assessed, by whom, and who signs it off.

use serde::{Deserialize, Serialize};

use super::{invalid, ConfigError};

/// Longest value of a one-line key (supplier, product, names...), in characters.
pub const MAX_LINE_CHARS: usize = 200;
/// Longest `notes`, in characters.
pub const MAX_NOTES_CHARS: usize = 4000;
/// Most sign-off boxes the cover sheet holds.
pub const MAX_SIGN_OFF: usize = 12;

/// The cover sheet's facts (`[report]` in the configuration).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReportConfig {
    /// The supplier whose system is assessed.
    pub supplier: Option<String>,
    /// The product (the GP system) assessed.
    pub product: Option<String>,
    /// The product's version or release.
    pub product_version: Option<String>,
    /// ODS code of the practice; defaults to `target.provider_ods_code`.
    pub ods_code: Option<String>,
    /// ASID of the provider system; defaults to `target.provider_asid`.
    pub asid: Option<String>,
    /// Who ran the assessment.
    pub assessor: Option<String>,
    /// The people who sign the report off: a box each, with their role and (optionally) name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sign_off: Vec<SignOff>,
    /// Free text printed on the cover sheet (scope, caveats, ticket numbers).
    pub notes: Option<String>,
}

/// One sign-off box of the cover sheet.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SignOff {
    /// What the signatory signs as (e.g. `Clinical Safety Officer`).
    pub role: String,
    /// Who signs, when known in advance; the box is left to be filled in otherwise.
    #[serde(default)]
    pub name: Option<String>,
}

impl ReportConfig {
    /// Check the values: none blank, one-line keys on one line and of reasonable length, the ASID
    /// numeric, at most [`MAX_SIGN_OFF`] sign-off boxes, each with a role.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let lines = [
            ("report.supplier", &self.supplier),
            ("report.product", &self.product),
            ("report.product_version", &self.product_version),
            ("report.ods_code", &self.ods_code),
            ("report.asid", &self.asid),
            ("report.assessor", &self.assessor),
        ];
        for (key, value) in lines {
            if let Some(v) = value {
                one_line(key, v)?;
            }
        }
        if let Some(asid) = &self.asid {
            if !asid.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ConfigError::Invalid {
                    key: "report.asid".into(),
                    message: format!("an ASID is numeric, got {asid:?}"),
                });
            }
        }
        if let Some(notes) = &self.notes {
            not_blank("report.notes", notes)?;
            if notes.chars().count() > MAX_NOTES_CHARS {
                return Err(invalid(
                    "report.notes",
                    &format!("is longer than {MAX_NOTES_CHARS} characters"),
                ));
            }
            if notes
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
            {
                return Err(invalid(
                    "report.notes",
                    "holds a control character (only line breaks and tabs are allowed)",
                ));
            }
        }
        if self.sign_off.len() > MAX_SIGN_OFF {
            return Err(invalid(
                "report.sign_off",
                &format!(
                    "has {} entries; the cover sheet holds at most {MAX_SIGN_OFF}",
                    self.sign_off.len()
                ),
            ));
        }
        for (i, s) in self.sign_off.iter().enumerate() {
            one_line(&format!("report.sign_off[{i}].role"), &s.role)?;
            if let Some(name) = &s.name {
                one_line(&format!("report.sign_off[{i}].name"), name)?;
            }
        }
        Ok(())
    }
}

fn not_blank(key: &str, value: &str) -> Result<(), ConfigError> {
    if value.trim().is_empty() {
        return Err(invalid(
            key,
            "must not be empty (leave the key out when there is nothing to say)",
        ));
    }
    Ok(())
}

fn one_line(key: &str, value: &str) -> Result<(), ConfigError> {
    not_blank(key, value)?;
    if value.chars().any(char::is_control) {
        return Err(invalid(
            key,
            "must be one line of text (no line breaks or control characters)",
        ));
    }
    if value.chars().count() > MAX_LINE_CHARS {
        return Err(invalid(
            key,
            &format!("is longer than {MAX_LINE_CHARS} characters"),
        ));
    }
    Ok(())
}
