//! Foundations steps: one file per interaction family, plus the few generic steps the
//! Foundations features need that `request.rs`/`response.rs` do not have. Steps stay thin: they find the
//! resource the scenario talks about and call [`crate::checks`].
//!
//! FHIR implementation: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_api_guidance.html>
//! Foundations: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations.html>

mod location;
mod metadata;
mod organisation;
mod patient;
mod practitioner;
mod register;

use std::sync::Arc;

use cucumber::{given, then};
use serde_json::Value;

use super::request::Subject;
use super::Assurance;
use crate::checks::{self, bundle, outcome, response};
use crate::gpconnect::ErrorCode;
use crate::http::RequestSpec;
use crate::steps::params::InteractionName;
use crate::verdict::{Problem, StepResult};

/// The one resource of type `ty` the last response is about: the resource itself (read), or the single
/// entry of a searchset (find, register), failing when the searchset does not hold exactly one.
pub(crate) fn single_resource(w: &Assurance, ty: &str) -> Result<Arc<Value>, Problem> {
    let r = w.resource()?;
    let r = if r.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
        bundle::is_searchset(&r)?;
        let list = bundle::entries(&r);
        checks::ensure(list.len() == 1, || {
            format!(
                "expected the searchset to hold exactly one {ty}, found {} entries",
                list.len()
            )
        })?;
        Arc::new(list[0].clone())
    } else {
        r
    };
    response::resource_type_is(&r, ty)?;
    Ok(r)
}

/// Send a follow-up request (e.g. resolving a reference) and return its 200 body; the response under
/// test stays what it was.
pub(crate) async fn follow_up(
    w: &mut Assurance,
    spec: RequestSpec,
    what: &str,
) -> Result<Arc<Value>, Problem> {
    let ex = w.send_follow_up(spec).await;
    Ok(response::status_is(ex, 200)
        .and_then(|_| response::body_as_json(ex))
        .map_err(|e| response::in_context(what, e))?)
}

/// Whether the target implements a GP Connect version before `(major, minor, patch)`.
pub(crate) fn version_before(w: &Assurance, v: (u32, u32, u32)) -> bool {
    crate::config::parse_version(&w.ctx.config.target.gpconnect_version).is_some_and(|t| t < v)
}

/// Add `identifier=<system>|<business id of alias>` for the subject of the request being built (again,
/// for the "identifier given twice" cases, or after another parameter for the `_format`-first cases).
#[given(expr = "the query parameter identifier is added for {string}")]
async fn identifier_for(w: &mut Assurance, alias: String) -> StepResult {
    let i = w
        .request_mut()?
        .interaction
        .ok_or("the request being built is not for a known interaction")?;
    let subject =
        Subject::of(i).ok_or_else(|| format!("the {i} interaction takes no identifier"))?;
    let value = w.alias(subject, &alias)?;
    w.request_mut()?
        .add_query("identifier", &format!("{}|{value}", subject.system()));
    Ok(())
}

/// A request built without its identifier, so a scenario can add parameters in its own order.
#[given(expr = "a {interaction} request with no parameters")]
async fn request_without_parameters(w: &mut Assurance, name: InteractionName) -> StepResult {
    let i = name.0;
    w.request = Some(w.new_request(i, None));
    Ok(())
}

#[then("the response is a searchset Bundle with exactly one entry")]
async fn one_entry(w: &mut Assurance) -> StepResult {
    let b = w.resource()?;
    bundle::is_searchset(&b)?;
    Ok(bundle::entry_count_is(&b, 1)?)
}

/// A read returns the resource whose `id` is the id in the URL (FHIR implementation: Resource metadata).
#[then("the resource id is the id that was read")]
async fn id_is_the_one_read(w: &mut Assurance) -> StepResult {
    let url = &w.response()?.request.url;
    let path = url.split('?').next().unwrap_or_default();
    let requested = path.rsplit('/').next().unwrap_or_default().to_string();
    let r = w.resource()?;
    Ok(checks::resource::has_id(&r, Some(&requested))?)
}

/// Where the specification's error table and NHS Digital's suite name different codes for one case (Register
/// a patient's error handling table against the suite's finer table), either is conformant; the message gives both failures.
#[then(expr = "the response is the error {string} or the error {string}")]
async fn either_error(w: &mut Assurance, a: String, b: String) -> StepResult {
    let code = |c: &str| {
        ErrorCode::from_code(c).ok_or_else(|| format!("{c:?} is not a GP Connect error code"))
    };
    let (a, b) = (code(&a)?, code(&b)?);
    let ex = w.response()?;
    Ok(outcome::is_error(ex, a).or_else(|ea| {
        outcome::is_error(ex, b)
            .map_err(|eb| format!("expected {a} or {b}; as {a}: {ea}; as {b}: {eb}"))
    })?)
}

/// The response validates against the StructureDefinitions of the profiles its resources declare
/// (`crate::fhir` validator, profile set chosen by the version of the capability that answered). Findings are attached
/// to the exchange as evidence; errors fail the step.
#[then("the response is valid against the profiles it declares")]
async fn valid_against_declared_profiles(w: &mut Assurance) -> StepResult {
    let validator = crate::fhir::validator()
        .map_err(|e| format!("the FHIR validator is not available: {e}"))?;
    let interaction = w
        .response()?
        .interaction
        .as_deref()
        .and_then(crate::gpconnect::Interaction::from_name);
    let set = crate::steps::validation::profile_set(&w.ctx.config, interaction);
    let resource = w.resource()?;
    let issues = validator.validate(&resource, None, set);
    let errors: Vec<String> = issues
        .iter()
        .filter(|i| i.severity == crate::fhir::Severity::Error)
        .map(|i| format!("{}: {}", i.location, i.message))
        .collect();
    let ex = w.response_mut()?;
    ex.findings
        .extend(issues.iter().map(|i| crate::http::evidence::Finding {
            severity: format!("{:?}", i.severity).to_lowercase(),
            location: i.location.clone(),
            message: i.message.clone(),
        }));
    Ok(checks::ensure(errors.is_empty(), || {
        format!(
            "{} profile validation error(s): {}",
            errors.len(),
            errors
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?)
}
