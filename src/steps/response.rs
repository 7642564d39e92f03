//! Checks on the response that apply to every interaction.

use cucumber::then;

use super::Assurance;
use crate::checks::response::Format;
use crate::checks::{self, CheckResult};
use crate::gpconnect::ErrorCode;

fn error_code(code: &str) -> Result<ErrorCode, String> {
    ErrorCode::from_code(code).ok_or_else(|| format!("{code:?} is not a GP Connect error code"))
}

#[then(expr = "the response status is {int}")]
async fn status(w: &mut Assurance, expected: u16) -> CheckResult {
    checks::response::status_is(w.last()?, expected)
}

#[then(expr = "the response status is {int} or {int}")]
async fn status_either(w: &mut Assurance, a: u16, b: u16) -> CheckResult {
    checks::response::status_in(w.last()?, &[a, b])
}

#[then(expr = "the response is the error {string}")]
async fn is_error(w: &mut Assurance, code: String) -> CheckResult {
    checks::outcome::is_error(w.last()?, error_code(&code)?)
}

#[then(expr = "the response is the error {string} with status {int} or {int}")]
async fn is_error_either(w: &mut Assurance, code: String, a: u16, b: u16) -> CheckResult {
    checks::outcome::is_error_with_status(w.last()?, error_code(&code)?, &[a, b])
}

#[then("the response is an error with an OperationOutcome")]
async fn any_error(w: &mut Assurance) -> CheckResult {
    checks::outcome::is_any_error(w.last()?)
}

#[then("the response is a 4xx error with an OperationOutcome")]
async fn client_error(w: &mut Assurance) -> CheckResult {
    checks::outcome::is_client_error(w.last()?)
}

/// Where the specification does not oblige the provider to refuse: the named error passes, a success
/// passes with a warning on the response, anything else fails.
#[then(expr = "the response is the error {string} or a success, with a warning")]
async fn error_or_success(w: &mut Assurance, code: String) -> CheckResult {
    let note = checks::outcome::is_error_or_success(w.last()?, error_code(&code)?)?;
    if let Some(note) = note {
        super::validation::warn(w, "(response status)", &note)?;
    }
    Ok(())
}

/// As above, where the answer to the request made valid is itself an error (Register of a patient who is
/// already registered answers `otherwise`).
#[then(expr = "the response is the error {string}, or else the error {string} with a warning")]
async fn error_or_else(w: &mut Assurance, code: String, otherwise: String) -> CheckResult {
    let ex = w.last()?;
    if checks::outcome::is_error(ex, error_code(&code)?).is_ok() {
        return Ok(());
    }
    checks::outcome::is_error(ex, error_code(&otherwise)?)
        .map_err(|e| format!("expected the error {code}, or else {otherwise}: {e}"))?;
    let note = format!("the request was answered with {otherwise} rather than refused with {code}");
    super::validation::warn(w, "(response status)", &note)
}

#[then("the response has Cache-Control no-store")]
async fn no_store(w: &mut Assurance) -> CheckResult {
    checks::headers::cache_control_no_store(w.last()?)
}

#[then(expr = "the response body is FHIR {word}")]
async fn body_format(w: &mut Assurance, format: String) -> CheckResult {
    let f = Format::parse(&format)
        .ok_or_else(|| format!("unknown format {format:?}; use JSON or XML"))?;
    checks::response::body_format_is(w.last()?, f)
}

#[then(expr = "the response is a {word} resource")]
async fn resource_type(w: &mut Assurance, ty: String) -> CheckResult {
    let r = w.resource()?;
    checks::response::resource_type_is(&r, &ty)
}

#[then("the response has an ETag matching its meta.versionId")]
async fn etag(w: &mut Assurance) -> CheckResult {
    let r = w.resource()?;
    checks::headers::etag_matches_version(w.last()?, &r)
}

#[then(expr = "the response is a searchset Bundle with {int} entries")]
async fn searchset_n(w: &mut Assurance, n: usize) -> CheckResult {
    let b = w.resource()?;
    checks::bundle::is_searchset(&b)?;
    checks::bundle::entry_count_is(&b, n)
}

#[then(expr = "the response is a searchset Bundle of {word} resources")]
async fn searchset_of(w: &mut Assurance, ty: String) -> CheckResult {
    let b = w.resource()?;
    checks::bundle::is_searchset(&b)?;
    checks::bundle::all_entries_are(&b, &ty)
}
