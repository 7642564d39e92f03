//! Access Record HTML steps (GP Connect 0.x, DSTU2): building `$gpc.getcarerecord` requests (and
//! breaking them), and the checks of [`crate::checks::html`] on the answer.
//!
//! Retrieve a care record section: <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html>
//! HTML layout: <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_html_layout.html>

use cucumber::{given, then};
use serde_json::{json, Value};

use super::request::Subject;
use super::structured::expand_date;
use super::Assurance;
use crate::checks::html as ch;
use crate::checks::html_record as cr;
use crate::gpconnect::headers::AUTHORIZATION;
use crate::gpconnect::html::{self as gh, param, systems, ErrorCode0, Section};
use crate::gpconnect::Interaction;
use crate::http::request::Body;
use crate::verdict::{Problem, StepResult};

/// What the care record steps of a scenario asked for.
#[derive(Debug, Default)]
pub struct HtmlMemory {
    /// The section asked for (a valid code).
    pub section: Option<Section>,
    /// The `timePeriod` sent, as text (`today±N` already turned into a date).
    pub start: Option<String>,
    pub end: Option<String>,
    /// The NHS number and section code of the request, as sent.
    pub nhs_number: Option<String>,
    pub code: Option<String>,
    /// The change made to the request's 0.x token, if any.
    pub token_change: Option<gh::TokenChange>,
}

impl Assurance {
    /// The Parameters body of the request under construction.
    fn care_parameters_mut(&mut self) -> Result<&mut Vec<Value>, Problem> {
        match &mut self.request_mut()?.body {
            Some(Body::Resource(v)) => v
                .get_mut("parameter")
                .and_then(Value::as_array_mut)
                .ok_or_else(|| Problem::error("the request body has no parameter list")),
            _ => Err(Problem::error(
                "no care record request is being built: start with 'Given a care record request for ...'",
            )),
        }
    }

    fn care_parameter_mut(&mut self, name: &str) -> Result<&mut Value, Problem> {
        self.care_parameters_mut()?
            .iter_mut()
            .find(|p| p["name"] == name)
            .ok_or_else(|| Problem::error(format!("the request has no {name} parameter")))
    }

    fn set_period(&mut self) -> StepResult {
        let (start, end) = (self.memory.html.start.clone(), self.memory.html.end.clone());
        let mut period = serde_json::Map::new();
        if let Some(s) = start {
            period.insert("start".into(), Value::from(s));
        }
        if let Some(e) = end {
            period.insert("end".into(), Value::from(e));
        }
        let params = self.care_parameters_mut()?;
        params.retain(|p| p["name"] != param::TIME_PERIOD);
        params.push(json!({"name": param::TIME_PERIOD, "valuePeriod": period}));
        Ok(())
    }

    /// The section asked for, and the section's HTML parsed.
    fn html_view(&self) -> Result<(Section, ch::CareRecord), Problem> {
        let section = self
            .memory
            .html
            .section
            .ok_or_else(|| Problem::error("no record section was asked for"))?;
        crate::checks::response::status_is(self.response()?, 200)?;
        let record = ch::care_record(&*self.resource()?, section)?;
        Ok((section, record))
    }

    fn parsed_view(&self) -> Result<(Section, ch::Element), Problem> {
        let (section, record) = self.html_view()?;
        Ok((section, ch::parse_div(&record.div)?))
    }

    fn expected(&self, section: Section) -> Result<ch::Expected, Problem> {
        let h = &self.memory.html;
        let period = if h.start.is_some() || h.end.is_some() {
            Some(ch::period_days(h.start.as_deref(), h.end.as_deref())?)
        } else {
            None
        };
        Ok(ch::Expected {
            section,
            version: self.ctx.config.target.html_version.clone(),
            period,
        })
    }
}

fn parameters(nhs: &str, code: &str) -> Value {
    json!({"resourceType": "Parameters", "parameter": [
        {"name": param::PATIENT_NHS_NUMBER, "valueIdentifier": {"system": systems::NHS_NUMBER, "value": nhs}},
        {"name": param::RECORD_SECTION, "valueCodeableConcept": {"coding": [{"system": systems::RECORD_SECTION, "code": code}]}},
    ]})
}

/// A complete request for `section` (sent as written, so wrong codes can be tried) of `alias`, whose
/// NHS number is also the JWT's `requested_record`.
#[given(expr = "a care record request for {string} section {string}")]
async fn care_record_request(w: &mut Assurance, alias: String, code: String) -> StepResult {
    let nhs = w.alias(Subject::Patient, &alias)?;
    build(w, &nhs, &code)
}

/// As above with an NHS number written out (unknown or malformed numbers).
#[given(expr = "a care record request for the NHS number {string} section {string}")]
async fn care_record_request_nhs(w: &mut Assurance, nhs: String, code: String) -> StepResult {
    build(w, &nhs, &code)
}

fn build(w: &mut Assurance, nhs: &str, code: &str) -> StepResult {
    let mut spec = w.new_request(Interaction::GetCareRecord, None);
    if let Some(claims) = spec.claims_mut() {
        gh::request_patient(claims, nhs);
    }
    spec.body = Some(Body::Resource(parameters(nhs, code)));
    w.request = Some(spec);
    w.memory.html.section = Section::from_code(code);
    w.memory.html.nhs_number = Some(nhs.to_string());
    w.memory.html.code = Some(code.to_string());
    Ok(())
}

#[given(expr = "the care record period starts {string} and ends {string}")]
async fn period_both(w: &mut Assurance, start: String, end: String) -> StepResult {
    w.memory.html.start = Some(expand_date(&start));
    w.memory.html.end = Some(expand_date(&end));
    w.set_period()
}

#[given(expr = "the care record period starts {string}")]
async fn period_start(w: &mut Assurance, start: String) -> StepResult {
    w.memory.html.start = Some(expand_date(&start));
    w.set_period()
}

#[given(expr = "the care record period ends {string}")]
async fn period_end(w: &mut Assurance, end: String) -> StepResult {
    w.memory.html.end = Some(expand_date(&end));
    w.set_period()
}

/// A `timePeriod` with neither start nor end.
#[given("the care record period is empty")]
async fn period_empty(w: &mut Assurance) -> StepResult {
    w.set_period()
}

#[given(expr = "the care record parameter {string} is left out")]
async fn parameter_removed(w: &mut Assurance, name: String) -> StepResult {
    w.care_parameter_mut(&name)?;
    w.care_parameters_mut()?
        .retain(|p| p["name"] != name.as_str());
    Ok(())
}

#[given(expr = "the care record parameter {string} is named {string}")]
async fn parameter_renamed(w: &mut Assurance, name: String, written: String) -> StepResult {
    w.care_parameter_mut(&name)?["name"] = Value::from(written);
    Ok(())
}

#[given("the care record parameters are sent in reverse order")]
async fn parameters_reversed(w: &mut Assurance) -> StepResult {
    w.care_parameters_mut()?.reverse();
    Ok(())
}

#[given(expr = "the care record parameter {string} is sent twice")]
async fn parameter_twice(w: &mut Assurance, name: String) -> StepResult {
    let copy = w.care_parameter_mut(&name)?.clone();
    w.care_parameters_mut()?.push(copy);
    Ok(())
}

/// The parameter's value sent as a `valueString` instead of its type.
#[given(expr = "the care record parameter {string} is sent as a string")]
async fn parameter_as_string(w: &mut Assurance, name: String) -> StepResult {
    let p = w.care_parameter_mut(&name)?;
    *p = json!({"name": name, "valueString": "x"});
    Ok(())
}

#[given(expr = "the record section system is {string}")]
async fn section_system(w: &mut Assurance, system: String) -> StepResult {
    w.care_parameter_mut(param::RECORD_SECTION)?["valueCodeableConcept"]["coding"][0]["system"] =
        Value::from(system);
    Ok(())
}

#[given(expr = "the NHS number identifier system is {string}")]
async fn nhs_system(w: &mut Assurance, system: String) -> StepResult {
    w.care_parameter_mut(param::PATIENT_NHS_NUMBER)?["valueIdentifier"]["system"] =
        Value::from(system);
    Ok(())
}

/// The request body replaced by another resource type.
#[given(expr = "the care record request body is a {word} resource")]
async fn body_other(w: &mut Assurance, resource_type: String) -> StepResult {
    w.request_mut()?.body = Some(Body::Resource(json!({"resourceType": resource_type})));
    Ok(())
}

/// The JWT's `requested_record` names another patient than the body.
#[given(expr = "the JWT requested_record is {string}")]
async fn requested_record(w: &mut Assurance, alias: String) -> StepResult {
    let nhs = w.alias(Subject::Patient, &alias)?;
    let claims = w
        .request_mut()?
        .claims_mut()
        .ok_or("the request has no JWT claims")?;
    gh::request_patient(claims, &nhs);
    Ok(())
}

/// One of the 0.x token changes of [`gh::TokenChange`], by its wording.
#[given(expr = "the 0.x token is changed so that {string}")]
async fn token_changed(w: &mut Assurance, wording: String) -> StepResult {
    let change = gh::TokenChange::from_wording(&wording).ok_or_else(|| {
        let known: Vec<&str> = gh::TokenChange::ALL.iter().map(|c| c.wording()).collect();
        Problem::error(format!(
            "unknown 0.x token change {wording:?}; known: {}",
            known.join(", ")
        ))
    })?;
    let request = w.request_mut()?;
    let claims = request
        .claims_mut()
        .ok_or("the request has no JWT claims to change")?;
    change.apply(claims, chrono::Utc::now().timestamp());
    // A change in the encoding replaces the token the request would encode from its claims.
    if change == gh::TokenChange::NotBase64 {
        let token = change.encode(claims);
        request.set_header(AUTHORIZATION, &format!("Bearer {token}"));
    }
    w.memory.html.token_change = Some(change);
    Ok(())
}

/// The answer the feature names must be the one the 0.x token rules give, and the provider's.
#[then(expr = "the changed token is answered {string}")]
async fn token_answered(w: &mut Assurance, written: String) -> StepResult {
    let change = w
        .memory
        .html
        .token_change
        .ok_or_else(|| Problem::error("no 0.x token change was made"))?;
    let answer = change.answer();
    if answer.describe() != written {
        return Err(Problem::error(format!(
            "the scenario expects {written:?} for {:?}, but the 0.x token rules answer {:?}",
            change.wording(),
            answer.describe()
        )));
    }
    let status = crate::checks::response::response(w.response()?)?.status;
    ch::token_answer(answer, &*w.resource()?, status)?;
    Ok(())
}

#[then(expr = "the response is the 0.x error {word}")]
async fn error_0x(w: &mut Assurance, code: String) -> StepResult {
    let code = ErrorCode0::from_code(&code)
        .ok_or_else(|| Problem::error(format!("{code} is not a 0.x error code")))?;
    let ex = w.response()?;
    let status = crate::checks::response::response(ex)?.status;
    ch::error_0x(code.http_status(), &*w.resource()?, status, Some(code))?;
    Ok(())
}

#[then(expr = "the response is a {int} error with an OperationOutcome")]
async fn error_any(w: &mut Assurance, want: u16) -> StepResult {
    let status = crate::checks::response::response(w.response()?)?.status;
    ch::error_0x(want, &*w.resource()?, status, None)?;
    Ok(())
}

#[then("the response is an Access Record HTML Conformance")]
async fn conformance(w: &mut Assurance) -> StepResult {
    crate::checks::response::status_is(w.response()?, 200)?;
    ch::conformance(&*w.resource()?)?;
    Ok(())
}

#[then("the Conformance version is the Access Record HTML version of the target")]
async fn conformance_version(w: &mut Assurance) -> StepResult {
    let body = w.resource()?;
    let want = &w.ctx.config.target.html_version;
    if body["version"] != want.as_str() {
        return Err(format!("the Conformance version is {}, not {want}", body["version"]).into());
    }
    Ok(())
}

#[then("the response is the care record section asked for")]
async fn section_asked_for(w: &mut Assurance) -> StepResult {
    w.html_view()?;
    Ok(())
}

#[then("the section's HTML is well-formed XHTML")]
async fn well_formed(w: &mut Assurance) -> StepResult {
    let (_, root) = w.parsed_view()?;
    ch::in_xhtml_namespace(&root)?;
    Ok(())
}

#[then("the section's HTML is safe to show")]
async fn safe(w: &mut Assurance) -> StepResult {
    let (_, root) = w.parsed_view()?;
    ch::is_safe(&root)?;
    Ok(())
}

#[then("the section's HTML has no formatting characters")]
async fn no_formatting(w: &mut Assurance) -> StepResult {
    let (_, record) = w.html_view()?;
    ch::no_formatting_characters(&record.div)?;
    Ok(())
}

#[then("the section's HTML has the section's headings")]
async fn headings(w: &mut Assurance) -> StepResult {
    let (section, root) = w.parsed_view()?;
    ch::headings(&root, &w.expected(section)?)?;
    Ok(())
}

#[then("the section's HTML has the section's tables")]
async fn tables(w: &mut Assurance) -> StepResult {
    let (section, root) = w.parsed_view()?;
    let expected = w.expected(section)?;
    // 0.5.x tables carry no id: each is found under its own heading.
    if gh::Layout::of(&expected.version).section_heading {
        ch::tables(&root, &expected)?;
    } else {
        ch::layout_05(&root, &expected)?;
    }
    Ok(())
}

#[then("the section's tables have the view's columns in order")]
async fn columns(w: &mut Assurance) -> StepResult {
    let (section, root) = w.parsed_view()?;
    ch::columns(&root, &w.expected(section)?)?;
    Ok(())
}

#[then("the section's HTML shows its dates in date columns")]
async fn dates(w: &mut Assurance) -> StepResult {
    let (section, root) = w.parsed_view()?;
    ch::date_cells(&root, &w.expected(section)?)?;
    Ok(())
}

/// The 0.5.x views: well-formed, safe, without formatting characters, and laid out as 0.5.x lays
/// them out.
#[then("the section's HTML is laid out as the 0.5.x views are")]
async fn layout_05(w: &mut Assurance) -> StepResult {
    let (section, record) = w.html_view()?;
    ch::no_formatting_characters(&record.div)?;
    let root = ch::parse_div(&record.div)?;
    ch::in_xhtml_namespace(&root)?;
    ch::is_safe(&root)?;
    ch::layout_05(&root, &w.expected(section)?)?;
    Ok(())
}

#[then("the section's HTML shows the 0.5.x banners of the period sent")]
async fn banners_05(w: &mut Assurance) -> StepResult {
    let (section, root) = w.parsed_view()?;
    ch::banners_05(&root, &w.expected(section)?)?;
    Ok(())
}

#[then("the section's HTML shows the banners of the period sent")]
async fn banners(w: &mut Assurance) -> StepResult {
    let (section, root) = w.parsed_view()?;
    ch::banners(&root, &w.expected(section)?)?;
    Ok(())
}

#[then("the section's HTML shows the GP transfer banner")]
async fn transfer(w: &mut Assurance) -> StepResult {
    let (_, root) = w.parsed_view()?;
    ch::transfer_banner(&root)?;
    Ok(())
}

#[then("All Medication agrees with All Medication Issues")]
async fn medication_grouping(w: &mut Assurance) -> StepResult {
    let (_, root) = w.parsed_view()?;
    ch::medication_grouping(&root, &w.ctx.config.target.html_version)?;
    Ok(())
}

/// Precision and recall of the period: the same request without it (a setup request) is the oracle.
#[then("the section's tables hold exactly the rows of the unfiltered view within the period")]
async fn filtered_rows(w: &mut Assurance) -> StepResult {
    let (section, root) = w.parsed_view()?;
    let expected = w.expected(section)?;
    let (nhs, code) = match (&w.memory.html.nhs_number, &w.memory.html.code) {
        (Some(n), Some(c)) => (n.clone(), c.clone()),
        _ => return Err(Problem::error("no care record request was built")),
    };
    let mut spec = w.new_request(Interaction::GetCareRecord, None);
    if let Some(claims) = spec.claims_mut() {
        gh::request_patient(claims, &nhs);
    }
    spec.body = Some(Body::Resource(parameters(&nhs, &code)));
    let exchange = w.send_aside(spec).await;
    let unfiltered = crate::checks::response::body_as_json(exchange).map_err(|e| {
        Problem::inconclusive(format!(
            "the section without the period could not be read: {e}"
        ))
    })?;
    let record = ch::care_record(&unfiltered, section).map_err(|e| {
        Problem::inconclusive(format!(
            "the section without the period could not be read: {e}"
        ))
    })?;
    let all = ch::parse_div(&record.div)?;
    ch::filtered_rows(&root, &all, &expected)?;
    Ok(())
}

#[then("the care record Bundle holds its entries as the profiles require")]
async fn bundle_entries(w: &mut Assurance) -> StepResult {
    w.html_view()?;
    cr::bundle_entries(&*w.resource()?)?;
    Ok(())
}

#[then("every reference of the care record resolves within the Bundle")]
async fn references(w: &mut Assurance) -> StepResult {
    w.html_view()?;
    cr::references_resolve(&*w.resource()?)?;
    Ok(())
}

#[then("the Composition carries its fixed values")]
async fn composition_values(w: &mut Assurance) -> StepResult {
    let (section, _) = w.html_view()?;
    cr::composition_values(&*w.resource()?, section)?;
    Ok(())
}

#[then(expr = "the care record's {word} follows its 0.x profile")]
async fn resource_values(w: &mut Assurance, resource_type: String) -> StepResult {
    w.html_view()?;
    let bundle = w.resource()?;
    match resource_type.as_str() {
        "Patient" => cr::patient_values(&bundle)?,
        "Practitioner" => cr::practitioner_values(&bundle)?,
        "Organization" => cr::organization_values(&bundle)?,
        "Device" => cr::device_values(&bundle)?,
        other => {
            return Err(Problem::error(format!(
                "{other} is not a resource of the care record (Patient, Practitioner, Organization, Device)"
            )))
        }
    }
    Ok(())
}

#[then("the Patient died within the days a deceased patient's record stays available")]
async fn deceased_within(w: &mut Assurance) -> StepResult {
    w.html_view()?;
    cr::deceased_within(
        &*w.resource()?,
        chrono::Utc::now().date_naive(),
        gh::DECEASED_WINDOW_DAYS,
    )?;
    Ok(())
}

/// `JSON` or `XML`, in the DSTU2 media types.
#[then(expr = "the response body is DSTU2 {word}")]
async fn response_dstu2_format(w: &mut Assurance, format: String) -> StepResult {
    let mime = match format.as_str() {
        "JSON" => gh::mime::JSON,
        "XML" => gh::mime::XML,
        other => {
            return Err(Problem::error(format!(
                "{other} is not a DSTU2 format (JSON or XML)"
            )))
        }
    };
    ch::dstu2_format(w.response()?, mime)?;
    Ok(())
}

#[then("the request is refused with an OperationOutcome")]
async fn refused(w: &mut Assurance) -> StepResult {
    let status = crate::checks::response::response(w.response()?)?.status;
    ch::refused(status, &*w.resource()?)?;
    Ok(())
}

/// The DSTU2 media type of a format name in a scenario table: `JSON`, `XML`, or `-` for none.
fn dstu2_mime(name: &str) -> Result<Option<&'static str>, Problem> {
    match name {
        "-" => Ok(None),
        "JSON" => Ok(Some(gh::mime::JSON)),
        "XML" => Ok(Some(gh::mime::XML)),
        other => Err(Problem::error(format!(
            "{other} is not a DSTU2 format (JSON, XML, or - for none)"
        ))),
    }
}

/// The request's body format (Content-Type), Accept and `_format`, each JSON, XML or `-` (left out).
#[given(expr = "the DSTU2 request has Content-Type {word}, Accept {word} and _format {word}")]
async fn dstu2_negotiation(
    w: &mut Assurance,
    content: String,
    accept: String,
    format: String,
) -> StepResult {
    let (content, accept, format) = (
        dstu2_mime(&content)?,
        dstu2_mime(&accept)?,
        dstu2_mime(&format)?,
    );
    let request = w.request_mut()?;
    match content {
        Some(m) => request.set_header("Content-Type", m),
        None => request.remove_header("Content-Type"),
    }
    match accept {
        Some(m) => request.set_header("Accept", m),
        None => request.remove_header("Accept"),
    }
    request.remove_query("_format");
    if let Some(m) = format {
        request.add_query("_format", m);
    }
    Ok(())
}

#[then(expr = "the XML body is a DSTU2 {word}")]
async fn xml_root(w: &mut Assurance, resource_type: String) -> StepResult {
    let body = &crate::checks::response::response(w.response()?)?.body;
    ch::xml_root_is(body, &resource_type)?;
    Ok(())
}
