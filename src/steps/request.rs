//! Building and sending requests: which interaction, for whom, and what is changed from a valid request.

use cucumber::{given, when};
use serde_json::Value;

use super::Assurance;
use crate::checks::response::Format;
use crate::checks::{self};
use crate::gpconnect::headers::SSP_INTERACTION_ID;
use crate::gpconnect::interactions::Interaction;
use crate::gpconnect::systems;
use crate::http::{Body, RequestSpec};
use crate::steps::params::{FormatName, InteractionName};
use crate::verdict::{Problem, StepResult};

/// Look up an interaction by its feature-file name.
pub fn interaction(name: &str) -> Result<Interaction, Problem> {
    Ok(Interaction::from_name(name).ok_or_else(|| {
        format!(
            "unknown interaction {name:?}; known: {}",
            Interaction::names().join(", ")
        )
    })?)
}

/// The kind of test data an interaction's subject is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Patient,
    Practitioner,
    Organization,
    Location,
}

impl Subject {
    /// The subject of an interaction that takes one.
    pub fn of(interaction: Interaction) -> Option<Subject> {
        use Interaction::*;
        match interaction {
            ReadPatient
            | FindPatient
            | RegisterPatient
            | RetrieveAppointments
            | GetStructuredRecord
            | MigrateStructuredRecord
            | DocumentsFindPatient
            | SearchDocuments => Some(Subject::Patient),
            ReadPractitioner | FindPractitioner => Some(Subject::Practitioner),
            ReadOrganization | FindOrganization => Some(Subject::Organization),
            ReadLocation => Some(Subject::Location),
            _ => None,
        }
    }

    /// The identifier system the subject is found by.
    pub fn system(self) -> &'static str {
        match self {
            Subject::Patient => systems::NHS_NUMBER,
            Subject::Practitioner => systems::SDS_USER_ID,
            Subject::Organization => systems::ODS_ORGANIZATION_CODE,
            Subject::Location => systems::ODS_SITE_CODE,
        }
    }

    fn find(self) -> Option<Interaction> {
        match self {
            Subject::Patient => Some(Interaction::FindPatient),
            Subject::Practitioner => Some(Interaction::FindPractitioner),
            Subject::Organization => Some(Interaction::FindOrganization),
            Subject::Location => None,
        }
    }

    fn config_key(self) -> &'static str {
        match self {
            Subject::Patient => "data.patients",
            Subject::Practitioner => "data.practitioners",
            Subject::Organization => "data.organizations",
            Subject::Location => "data.locations",
        }
    }
}

impl Assurance {
    /// The provider's business identifier (or, for locations, logical id) for a test-data alias.
    pub fn alias(&self, subject: Subject, alias: &str) -> Result<String, Problem> {
        let data = &self.ctx.config.data;
        let map = match subject {
            Subject::Patient => &data.patients,
            Subject::Practitioner => &data.practitioners,
            Subject::Organization => &data.organizations,
            Subject::Location => &data.locations,
        };
        // An empty value unmaps a name (e.g. `GPC_ASSURE_DATA_PATIENTS_patient2=` for a provider
        // without that test patient).
        map.get(alias).filter(|v| !v.is_empty()).cloned().ok_or_else(|| {
            Problem::inconclusive(format!("the test data name {alias:?} is not mapped; add it under [{}] in the target configuration", subject.config_key()))
        })
    }

    /// A valid request for `interaction`.
    pub fn new_request(&self, interaction: Interaction, id: Option<&str>) -> RequestSpec {
        RequestSpec::new(&self.ctx.config, interaction, id)
    }

    /// Find a subject by its alias and return its logical id (the way a consumer learns it).
    pub async fn logical_id(&mut self, subject: Subject, alias: &str) -> Result<String, Problem> {
        if let Some(id) = self.memory.logical_ids.get(alias) {
            return Ok(id.clone());
        }
        let business_id = self.alias(subject, alias)?;
        let Some(find) = subject.find() else {
            // Locations have no find interaction: the configuration maps them to logical ids.
            return Ok(business_id);
        };
        let mut spec = self.new_request(find, None);
        spec.add_query("identifier", &format!("{}|{business_id}", subject.system()));
        // A setup request: when it does not give the id, the rule under test cannot be tried. The
        // find's own rules are judged by the find scenarios, not here.
        let setup = |e: String| {
            Problem::inconclusive(format!(
                "setup: finding {alias} ({}|{business_id}) to learn its logical id: {e}",
                subject.system()
            ))
        };
        let exchange = self.send_aside(spec).await;
        if let Some(e) = &exchange.error {
            return Err(Problem::error(format!(
                "setup: finding {alias} got no response: {e}"
            )));
        }
        checks::response::status_is(exchange, 200).map_err(setup)?;
        let bundle = checks::response::body_as_json(exchange).map_err(setup)?;
        let entries = checks::bundle::entries(&bundle);
        let first = entries.first().ok_or_else(|| {
            setup("no entry was returned: is this test data on the provider? Map it under [data.*] in the target configuration".into())
        })?;
        let id = first
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| setup("the entry found has no id".into()))?
            .to_string();
        self.memory
            .logical_ids
            .insert(alias.to_string(), id.clone());
        Ok(id)
    }

    /// Start a request for `interaction` about the test-data `alias`: a find gets its identifier
    /// parameter, a read or compartment search the alias's logical id.
    pub async fn start_request_for(&mut self, interaction: Interaction, alias: &str) -> StepResult {
        let subject = Subject::of(interaction).ok_or_else(|| format!("the {interaction} interaction is not about a patient, practitioner, organisation or location"))?;
        let spec = if interaction.spec().path.contains("{id}") {
            let id = self.logical_id(subject, alias).await?;
            self.new_request(interaction, Some(&id))
        } else if interaction.spec().method == crate::gpconnect::interactions::Method::Get {
            let value = self.alias(subject, alias)?;
            let mut spec = self.new_request(interaction, None);
            spec.add_query("identifier", &format!("{}|{value}", subject.system()));
            spec
        } else {
            return Err(format!(
                "the {interaction} request takes a body; use the steps that build one"
            )
            .into());
        };
        self.request = Some(spec);
        Ok(())
    }
}

#[given(expr = "a {interaction} request")]
async fn a_request(w: &mut Assurance, name: InteractionName) -> StepResult {
    let i = name.0;
    w.request = Some(w.new_request(i, None));
    Ok(())
}

#[given(expr = "a {interaction} request for {string}")]
async fn a_request_for(w: &mut Assurance, name: InteractionName, alias: String) -> StepResult {
    let i = name.0;
    w.start_request_for(i, &alias).await
}

#[given(expr = "a {interaction} request for the logical id {string}")]
async fn a_request_for_id(w: &mut Assurance, name: InteractionName, id: String) -> StepResult {
    let i = name.0;
    w.request = Some(w.new_request(i, Some(&id)));
    Ok(())
}

#[given(expr = "the {string} header is removed")]
async fn header_removed(w: &mut Assurance, name: String) -> StepResult {
    w.request_mut()?.remove_header(&name);
    Ok(())
}

#[given(expr = "the {string} header is {string}")]
async fn header_set(w: &mut Assurance, name: String, value: String) -> StepResult {
    w.request_mut()?.set_header(&name, &value);
    Ok(())
}

#[given(expr = "the Ssp-InteractionID is that of {interaction}")]
async fn interaction_id_of(w: &mut Assurance, name: InteractionName) -> StepResult {
    let other = name.0;
    w.request_mut()?
        .set_header(SSP_INTERACTION_ID, other.spec().id);
    Ok(())
}

#[given(expr = "the query parameter {string} is {string}")]
async fn query_added(w: &mut Assurance, name: String, value: String) -> StepResult {
    w.request_mut()?.add_query(&name, &value);
    Ok(())
}

#[given(expr = "the query parameter {string} is removed")]
async fn query_removed(w: &mut Assurance, name: String) -> StepResult {
    w.request_mut()?.remove_query(&name);
    Ok(())
}

#[given(expr = "the HTTP method is {word}")]
async fn method_set(w: &mut Assurance, method: String) -> StepResult {
    w.request_mut()?.method = method;
    Ok(())
}

#[given(expr = "the request path is {string}")]
async fn path_set(w: &mut Assurance, path: String) -> StepResult {
    w.request_mut()?.path = path;
    Ok(())
}

#[given(expr = "the request body is sent as {format}")]
async fn body_format(w: &mut Assurance, format: FormatName) -> StepResult {
    let f = format.0;
    let mime = match f {
        Format::Json => systems::mime::FHIR_JSON_UTF8,
        Format::Xml => systems::mime::FHIR_XML_UTF8,
    };
    w.request_mut()?.set_header("Content-Type", mime);
    Ok(())
}

#[given(expr = "the request body is {string}")]
async fn raw_body(w: &mut Assurance, body: String) -> StepResult {
    w.request_mut()?.body = Some(Body::Raw(body));
    Ok(())
}

#[given(expr = "the JWT claim {string} is removed")]
async fn claim_removed(w: &mut Assurance, claim: String) -> StepResult {
    claims(w)?.remove(&claim);
    Ok(())
}

#[given(expr = "the JWT claim {string} is {string}")]
async fn claim_set(w: &mut Assurance, claim: String, value: String) -> StepResult {
    // A value that parses as JSON (number, object, array, true/false/null) is sent as that JSON.
    let v = serde_json::from_str(&value).unwrap_or(Value::String(value));
    claims(w)?.set(&claim, v);
    Ok(())
}

#[given(expr = "the JWT claim {string} has {string} set to {string}")]
async fn claim_member_set(
    w: &mut Assurance,
    claim: String,
    pointer: String,
    value: String,
) -> StepResult {
    let c = claims(w)?;
    let v = serde_json::from_str(&value).unwrap_or(Value::String(value));
    let target =
        c.0.get_mut(&claim)
            .and_then(|x| x.pointer_mut(&pointer))
            .ok_or_else(|| format!("the JWT claim {claim} has no member at {pointer}"))?;
    *target = v;
    Ok(())
}

#[given(expr = "the JWT was issued {int} seconds ago and expires {int} seconds after issue")]
async fn claim_times(w: &mut Assurance, ago: i64, lifetime: i64) -> StepResult {
    let iat = chrono::Utc::now().timestamp() - ago;
    let c = claims(w)?;
    c.set("iat", Value::from(iat));
    c.set("exp", Value::from(iat + lifetime));
    Ok(())
}

fn claims(w: &mut Assurance) -> Result<&mut crate::gpconnect::jwt::Claims, Problem> {
    Ok(w.request_mut()?.claims_mut().ok_or_else(|| {
        "the Authorization header was replaced, so there are no JWT claims to change".to_string()
    })?)
}

#[when("the request is sent")]
async fn send(w: &mut Assurance) -> StepResult {
    w.send().await
}

#[when(expr = "a {interaction} request is sent")]
async fn send_plain(w: &mut Assurance, name: InteractionName) -> StepResult {
    a_request(w, name).await?;
    w.send().await
}
