//! Checks on the response that apply to every interaction.

use cucumber::then;

use super::Assurance;
use crate::checks::{self};
use crate::steps::params::{ErrorCodeName, FormatName};
use crate::verdict::StepResult;

#[then(expr = "the response status is {int}")]
async fn status(w: &mut Assurance, expected: u16) -> StepResult {
    Ok(checks::response::status_is(w.response()?, expected)?)
}

#[then(expr = "the response status is {int} or {int}")]
async fn status_either(w: &mut Assurance, a: u16, b: u16) -> StepResult {
    Ok(checks::response::status_in(w.response()?, &[a, b])?)
}

#[then(expr = "the response is the error {error}")]
async fn is_error(w: &mut Assurance, code: ErrorCodeName) -> StepResult {
    Ok(checks::outcome::is_error(w.response()?, code.0)?)
}

#[then(expr = "the response is the error {error} with status {int} or {int}")]
async fn is_error_either(w: &mut Assurance, code: ErrorCodeName, a: u16, b: u16) -> StepResult {
    Ok(checks::outcome::is_error_with_status(
        w.response()?,
        code.0,
        &[a, b],
    )?)
}

#[then("the response is an error with an OperationOutcome")]
async fn any_error(w: &mut Assurance) -> StepResult {
    Ok(checks::outcome::is_any_error(w.response()?)?)
}

#[then("the response is a 4xx error with an OperationOutcome")]
async fn client_error(w: &mut Assurance) -> StepResult {
    Ok(checks::outcome::is_client_error(w.response()?)?)
}

/// Where the specification does not oblige the provider to refuse: the named error passes, a success
/// passes with a warning on the response, anything else fails.
#[then(expr = "the response is the error {error} or a success, with a warning")]
async fn error_or_success(w: &mut Assurance, code: ErrorCodeName) -> StepResult {
    let note = checks::outcome::is_error_or_success(w.response()?, code.0)?;
    if let Some(note) = note {
        super::validation::warn(w, "(response status)", &note)?;
    }
    Ok(())
}

/// As above, where the answer to the request made valid is itself an error (Register of a patient who is
/// already registered answers `otherwise`).
#[then(expr = "the response is the error {error}, or else the error {error} with a warning")]
async fn error_or_else(
    w: &mut Assurance,
    code: ErrorCodeName,
    otherwise: ErrorCodeName,
) -> StepResult {
    let (code, otherwise) = (code.0, otherwise.0);
    let ex = w.response()?;
    if checks::outcome::is_error(ex, code).is_ok() {
        return Ok(());
    }
    checks::outcome::is_error(ex, otherwise).map_err(|e| {
        crate::checks::response::in_context(
            format_args!("expected the error {code}, or else {otherwise}"),
            e,
        )
    })?;
    let note = format!("the request was answered with {otherwise} rather than refused with {code}");
    super::validation::warn(w, "(response status)", &note)
}

#[then("the response has Cache-Control no-store")]
async fn no_store(w: &mut Assurance) -> StepResult {
    Ok(checks::headers::cache_control_no_store(w.response()?)?)
}

#[then(expr = "the response body is FHIR {format}")]
async fn body_format(w: &mut Assurance, format: FormatName) -> StepResult {
    Ok(checks::response::body_format_is(w.response()?, format.0)?)
}

#[then(expr = "the response is a {word} resource")]
async fn resource_type(w: &mut Assurance, ty: String) -> StepResult {
    let r = w.resource()?;
    Ok(checks::response::resource_type_is(&r, &ty)?)
}

#[then("the response has no body")]
async fn no_body(w: &mut Assurance) -> StepResult {
    Ok(checks::response::body_is_empty(w.response()?)?)
}

#[then("the response has an ETag matching its meta.versionId")]
async fn etag(w: &mut Assurance) -> StepResult {
    let r = w.resource()?;
    Ok(checks::headers::etag_matches_version(w.response()?, &r)?)
}

#[then(expr = "the response is a searchset Bundle with {int} entries")]
async fn searchset_n(w: &mut Assurance, n: usize) -> StepResult {
    let b = w.resource()?;
    checks::bundle::is_searchset(&b)?;
    Ok(checks::bundle::entry_count_is(&b, n)?)
}

#[then(expr = "the response is a searchset Bundle of {word} resources")]
async fn searchset_of(w: &mut Assurance, ty: String) -> StepResult {
    let b = w.resource()?;
    checks::bundle::is_searchset(&b)?;
    Ok(checks::bundle::all_entries_are(&b, &ty)?)
}

/// The validation errors already attached to the response (FHIR STU3 or, on the DSTU2 root of Access
/// Record HTML, FHIR DSTU2 and its GP Connect profiles) fail this step, so the rule that responses conform
/// is judged where a scenario states it, not only when the scenario ends.
#[then("the response conforms to the FHIR definitions of its version")]
async fn conforms(w: &mut Assurance) -> StepResult {
    match crate::steps::validation::errors_in(std::slice::from_ref(w.response()?)) {
        Some(message) => Err(message.into()),
        None => Ok(()),
    }
}
