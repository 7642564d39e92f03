//! Search by business identifier (`?identifier=system|value`) with the official suite's error table
//! (Find a patient: response), and searchset Bundles.
//!
//! Find a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_patient.html>

use serde_json::{json, Value};

use crate::gpconnect::ErrorCode;
use crate::provider::outcome::ApiError;
use crate::provider::query;

/// The identifier value of a search, once the query is known to name exactly `system`.
///
/// | query | error |
/// |---|---|
/// | no `identifier` (including a mis-cased `Identifier`) | 400 BAD_REQUEST |
/// | two `identifier` parameters | 400 BAD_REQUEST |
/// | no `|`, empty system or empty value | 422 INVALID_PARAMETER |
/// | a system other than `system` | 400 INVALID_IDENTIFIER_SYSTEM |
///
/// Other parameters (`_count`, `_sort`, `_format`...) are ignored.
pub fn identifier_value(raw_query: Option<&str>, system: &str) -> Result<String, ApiError> {
    let pairs = query::pairs(raw_query);
    let values = query::values(&pairs, "identifier");
    let token = match values.as_slice() {
        [] => {
            return Err(ApiError::bad_request(
                "the identifier search parameter is required",
            ))
        }
        [one] => *one,
        _ => {
            return Err(ApiError::bad_request(
                "the identifier search parameter may be given only once",
            ))
        }
    };
    let Some((sys, value)) = token.split_once('|') else {
        return Err(ApiError::invalid_parameter(format!(
            "identifier {token:?} has no system; expected {system}|<value>"
        )));
    };
    if sys.trim().is_empty() {
        return Err(ApiError::invalid_parameter(format!(
            "identifier {token:?} has an empty system"
        )));
    }
    if value.trim().is_empty() {
        return Err(ApiError::invalid_parameter(format!(
            "identifier {token:?} has an empty value"
        )));
    }
    if sys != system {
        return Err(ApiError::new(
            ErrorCode::InvalidIdentifierSystem,
            format!("identifier system {sys:?} is not supported; expected {system}"),
        ));
    }
    Ok(value.to_string())
}

/// A searchset Bundle of `resources` (no `fullUrl`, no `total`).
pub fn searchset(resources: Vec<Value>) -> Value {
    let mut bundle = json!({
        "resourceType": "Bundle",
        "id": uuid::Uuid::new_v4().to_string(),
        "type": "searchset",
    });
    // FHIR JSON has no empty arrays: an empty search result simply has no `entry`.
    if !resources.is_empty() {
        bundle["entry"] = resources
            .into_iter()
            .map(|r| json!({"resource": r}))
            .collect();
    }
    bundle
}

#[cfg(test)]
mod tests {
    use super::*;
    const SYS: &str = "https://fhir.nhs.uk/Id/nhs-number";

    fn code(q: &str) -> &'static str {
        identifier_value(Some(q), SYS).unwrap_err().code.code()
    }

    #[test]
    fn official_suite_table() {
        assert_eq!(identifier_value(Some("identifier=https://fhir.nhs.uk/Id/nhs-number%7C9690937278&_count=1&_sort=status"), SYS).unwrap(), "9690937278");
        assert_eq!(code(""), "BAD_REQUEST");
        assert_eq!(
            code("Identifier=https://fhir.nhs.uk/Id/nhs-number|9690937278"),
            "BAD_REQUEST"
        );
        assert_eq!(code("identifier=https://fhir.nhs.uk/Id/nhs-number|1&identifier=https://fhir.nhs.uk/Id/nhs-number|1"), "BAD_REQUEST");
        assert_eq!(code("identifier=9658218873"), "INVALID_PARAMETER");
        assert_eq!(code("identifier=|9658218873"), "INVALID_PARAMETER");
        assert_eq!(
            code("identifier=https://fhir.nhs.uk/Id/nhs-number|"),
            "INVALID_PARAMETER"
        );
        assert_eq!(
            code("identifier=https://example.org/id|9658218873"),
            "INVALID_IDENTIFIER_SYSTEM"
        );
    }
}
