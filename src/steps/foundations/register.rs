//! Register a patient.
//!
//! Bodies are built in code ([`crate::gpconnect::register`]) for people of `[data] register_pool`, PDS
//! people not registered at the practice. A scenario that should register someone takes a person no other
//! scenario of the run has claimed and whom a Find a patient shows is not registered, so runs repeat
//! against one long-running provider until the pool is used up. Scenarios sending an invalid body share a
//! "sample" person taken from the other end of the pool (also checked not registered), so a provider that
//! wrongly accepts an invalid body cannot spoil a person another scenario is about to register.
//!
//! Register a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_register_a_patient.html>

use cucumber::{given, then, when};
use serde_json::Value;

use super::single_resource;
use crate::checks::{self, bundle, response};
use crate::config::PdsPerson;
use crate::gpconnect::register::{self as body, apply_change};
use crate::gpconnect::{systems, Interaction};
use crate::http::{Body, Exchange};
use crate::steps::request::Subject;
use crate::steps::Assurance;
use crate::verdict::{Problem, StepResult};

const POOL_EXHAUSTED: &str = "the register pool is used up: every person in [data] register_pool is claimed by another scenario of \
     this run or already registered at the provider. Add people who are on PDS but not registered at the practice to [data] register_pool";

/// Whether a Find a patient for `nhs` returns a patient.
async fn is_registered(w: &mut Assurance, nhs: &str) -> Result<bool, Problem> {
    let mut spec = w.new_request(Interaction::FindPatient, None);
    spec.add_query("identifier", &format!("{}|{nhs}", systems::NHS_NUMBER));
    let ex = w.send_aside(spec).await;
    response::status_is(ex, 200).map_err(|e| {
        format!("finding NHS number {nhs} to see whether it is registered already: {e}")
    })?;
    Ok(!bundle::entries(&*response::body_as_json(ex)?).is_empty())
}

/// Claim `nhs` as the shared sample for invalid bodies: refused when a registering scenario has it.
fn claim_sample(w: &Assurance, nhs: &str) -> bool {
    let mut set = w.ctx.claimed.lock().unwrap_or_else(|e| e.into_inner());
    let marker = format!("sample:{nhs}");
    if set.contains(nhs) && !set.contains(&marker) {
        return false;
    }
    set.insert(nhs.to_string());
    set.insert(marker);
    true
}

/// A pool person for this scenario: `registering` scenarios take one exclusively from the front of the
/// pool; others share a sample from the back. Either way the person is not registered yet.
async fn pool_person(w: &mut Assurance, registering: bool) -> Result<PdsPerson, Problem> {
    let mut pool = w.ctx.config.data.register_pool.clone();
    if !registering {
        pool.reverse();
    }
    for person in pool {
        let claimed = if registering {
            w.ctx.claim(&person.nhs_number)
        } else {
            claim_sample(w, &person.nhs_number)
        };
        if claimed && !is_registered(w, &person.nhs_number).await? {
            return Ok(person);
        }
    }
    Err(Problem::inconclusive(POOL_EXHAUSTED))
}

fn start(w: &mut Assurance, body: Value) {
    let mut spec = w.new_request(Interaction::RegisterPatient, None);
    spec.body = Some(Body::Resource(body));
    w.request = Some(spec);
}

#[given(expr = "a \"register patient\" request for a new person from the register pool")]
async fn for_new_person(w: &mut Assurance) -> StepResult {
    let person = pool_person(w, true).await?;
    start(w, body::valid_body(&person));
    Ok(())
}

#[given(expr = "a \"register patient\" request for a sample person from the register pool")]
async fn for_sample_person(w: &mut Assurance) -> StepResult {
    let person = pool_person(w, false).await?;
    start(w, body::valid_body(&person));
    Ok(())
}

/// Re-sending an already registered patient exactly as Find a patient returned them.
#[given(
    expr = "a \"register patient\" request for {string} with the demographics its find returns"
)]
async fn for_registered_patient(w: &mut Assurance, alias: String) -> StepResult {
    let nhs = w.alias(Subject::Patient, &alias)?;
    let mut spec = w.new_request(Interaction::FindPatient, None);
    spec.add_query("identifier", &format!("{}|{nhs}", systems::NHS_NUMBER));
    let ex = w.send_aside(spec).await;
    response::status_is(ex, 200)
        .map_err(|e| crate::checks::response::in_context(format_args!("finding {alias}"), e))?;
    let found = bundle::entries(&*response::body_as_json(ex)?)
        .first()
        .map(|p| (*p).clone());
    let found = found.ok_or_else(|| {
        format!("finding {alias} returned no patient, so its demographics are unknown")
    })?;
    start(w, body::body_from_patient(&nhs, &found));
    Ok(())
}

/// The NHS number of a test patient whose demographics the configuration does not hold (sensitive,
/// deceased, superseded, not on PDS), sent with a sample person's other demographics.
#[given(
    expr = "a \"register patient\" request for the NHS number of {string} with the demographics of a sample person"
)]
async fn for_nhs_number_of(w: &mut Assurance, alias: String) -> StepResult {
    let nhs = w.alias(Subject::Patient, &alias)?;
    let mut person = pool_person(w, false).await?;
    person.nhs_number = nhs;
    start(w, body::valid_body(&person));
    Ok(())
}

#[given(expr = "the registration body is changed to have {string}")]
async fn change(w: &mut Assurance, what: String) -> StepResult {
    match w.request_mut()?.body.as_mut() {
        Some(Body::Resource(b)) => Ok(apply_change(b, &what)?),
        _ => Err("the request being built has no register body to change".into()),
    }
}

/// The last register exchange of the scenario.
fn last_register(w: &Assurance) -> Result<&Exchange, Problem> {
    let name = Interaction::RegisterPatient.spec().name;
    w.exchanges
        .iter()
        .rev()
        .find(|e| e.interaction.as_deref() == Some(name))
        .ok_or_else(|| "no register patient request was sent".into())
}

/// The body of the last register request, as sent (XML bodies parsed back).
fn sent_body(w: &Assurance) -> Result<Value, Problem> {
    let req = &last_register(w)?.request;
    let text = req
        .body
        .as_deref()
        .ok_or("the register request had no body")?;
    let ct = req
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str());
    Ok(crate::fhir::parse_body(text.as_bytes(), ct)
        .map_err(|e| format!("cannot read back the register body sent: {e}"))?)
}

#[when("the same registration is sent again")]
async fn send_again(w: &mut Assurance) -> StepResult {
    let b = sent_body(w)?;
    start(w, b);
    w.send().await
}

#[then("the response is a register response Bundle holding one Patient")]
async fn response_bundle(w: &mut Assurance) -> StepResult {
    let b = w.resource()?;
    checks::register::response_bundle(&b)?;
    Ok(bundle::all_entries_are(&b, "Patient")?)
}

/// The registered Patient follows CareConnect-GPC-Patient-1 like a found one, and carries what was sent.
#[then("the registered patient conforms to CareConnect-GPC-Patient-1 and echoes what was sent")]
async fn registered_conforms(w: &mut Assurance) -> StepResult {
    let sent = sent_body(w)?;
    let sent_patient = body::patient(&sent).ok_or("the register body sent has no Patient")?;
    let p = single_resource(w, "Patient")?;
    checks::patient::conforms(&p, checks::patient::nhs_number_of(sent_patient))?;
    Ok(checks::register::echoes(&p, sent_patient)?)
}

#[then("the registered patient is registered as temporary")]
async fn temporary(w: &mut Assurance) -> StepResult {
    let p = single_resource(w, "Patient")?;
    Ok(checks::register::is_temporary_registration(&p)?)
}

/// A temporary registration counts as active: Find a patient now returns the same patient.
#[then("a find for the registered patient returns it")]
async fn find_returns_it(w: &mut Assurance) -> StepResult {
    let p = single_resource(w, "Patient")?;
    let id = p
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let nhs = checks::patient::nhs_number_of(&p)
        .ok_or("the registered Patient has no NHS number")?
        .to_string();
    let mut spec = w.new_request(Interaction::FindPatient, None);
    spec.add_query("identifier", &format!("{}|{nhs}", systems::NHS_NUMBER));
    let found =
        super::follow_up(w, spec, &format!("finding the registered NHS number {nhs}")).await?;
    bundle::is_searchset(&found)?;
    let entries = bundle::entries(&found);
    checks::ensure(entries.len() == 1, || {
        format!("after registration, Find a patient for {nhs} returned {} patients; expected the one registered", entries.len())
    })?;
    Ok(
        checks::resource::has_id(entries[0], Some(&id)).map_err(|e| {
            crate::checks::response::in_context(
                format_args!("after registration, Find a patient for {nhs}"),
                e,
            )
        })?,
    )
}
