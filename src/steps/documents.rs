//! Access Document steps: searching a patient's documents with the mandatory includes, retrieving and
//! migrating a document from the URL its DocumentReference gives, and the checks of
//! [`crate::checks::documents`] on what came back.
//!
//! Search for a patient's documents: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_search_patient_documents.html>
//! Retrieve a document: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_retrieve_patient_documents.html>
//! Migrate a document: <https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_migrate_patient_documents.html>

use std::sync::Arc;

use cucumber::{given, then};
use serde_json::Value;

use super::request::Subject;
use super::Assurance;
use crate::checks::documents::{self as cd, Attachment};
use crate::checks::{self};
use crate::gpconnect::documents::{self as gd, confidentiality};
use crate::gpconnect::headers::SSP_TRACE_ID;
use crate::gpconnect::{systems, Interaction};
use crate::http::RequestSpec;
use crate::verdict::{Problem, StepResult};

/// What the documents steps of a scenario learnt.
#[derive(Debug, Default)]
pub struct DocumentMemory {
    /// The test-data name of the patient whose documents are searched.
    pub alias: Option<String>,
    /// The attachment the document asked for was described with.
    pub attachment: Option<Attachment>,
    /// The Binary id asked for.
    pub binary_id: Option<String>,
}

impl Assurance {
    /// The patient's logical id on the documents root, learnt as a consumer learns it: Find a patient
    /// (Access Document).
    async fn documents_patient_id(&mut self, alias: &str) -> Result<String, Problem> {
        let key = format!("documents:{alias}");
        if let Some(id) = self.memory.logical_ids.get(&key) {
            return Ok(id.clone());
        }
        let nhs = self.alias(Subject::Patient, alias)?;
        let mut spec = self.new_request(Interaction::DocumentsFindPatient, None);
        spec.add_query("identifier", &format!("{}|{nhs}", systems::NHS_NUMBER));
        let setup = |e: String| {
            Problem::inconclusive(format!(
                "setup: finding {alias} on the documents root to learn its logical id: {e}"
            ))
        };
        let ex = self.send_aside(spec).await;
        if let Some(e) = &ex.error {
            return Err(Problem::error(format!(
                "setup: finding {alias} got no response: {e}"
            )));
        }
        checks::response::status_is(ex, 200).map_err(setup)?;
        let b = checks::response::body_as_json(ex).map_err(setup)?;
        let id = checks::bundle::entries(&b)
            .first()
            .and_then(|p| p.get("id"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                setup("no patient was returned: is this test data on the provider?".into())
            })?
            .to_string();
        self.memory.logical_ids.insert(key, id.clone());
        Ok(id)
    }

    /// A Search for a patient's documents for the logical id `id`, with the mandatory includes.
    fn documents_search_request(&self, id: &str) -> RequestSpec {
        let mut spec = self.new_request(Interaction::SearchDocuments, Some(id));
        for (name, value) in gd::MANDATORY_INCLUDES {
            spec.add_query(name, value);
        }
        spec
    }

    /// The patient's documents as a setup request (all of them, unfiltered).
    async fn documents_of(&mut self, alias: &str) -> Result<Arc<Value>, Problem> {
        let id = self.documents_patient_id(alias).await?;
        let spec = self.documents_search_request(&id);
        let ex = self.send_aside(spec).await;
        checks::response::status_is(ex, 200)
            .and_then(|_| checks::response::body_as_json(ex))
            .map_err(|e| {
                Problem::inconclusive(format!("setup: searching the documents of {alias}: {e}"))
            })
    }

    /// The patient's record through Migrate structured record, as a setup request (1.6.0+).
    async fn migrated_record(
        &mut self,
        alias: &str,
        sensitive: bool,
    ) -> Result<Arc<Value>, Problem> {
        let saved = self.request.take();
        let built = self.migrate_request(alias, sensitive);
        let spec = self.request.take();
        self.request = saved;
        built?;
        let spec = spec.ok_or_else(|| Problem::error("no Migrate request was built"))?;
        let ex = self.send_aside(spec).await;
        checks::response::status_is(ex, 200)
            .and_then(|_| checks::response::body_as_json(ex))
            .map_err(|e| {
                Problem::inconclusive(format!(
                    "setup: migrating the structured record of {alias} to learn its documents: {e}"
                ))
            })
    }

    /// A request for `interaction` addressed to the absolute URL of a document's Binary.
    fn binary_request(&mut self, interaction: Interaction, a: Attachment) -> Result<(), Problem> {
        let at = a.url.rfind("/Binary/").ok_or_else(|| {
            Problem::failed(format!(
                "{} gives the document's url as {:?}, which is not the URL of a Binary",
                a.document, a.url
            ))
        })?;
        let mut spec = self.new_request(interaction, None);
        spec.base = a.url[..at].to_string();
        spec.path = a.url[at..].to_string();
        self.memory.documents.binary_id = Some(a.url[at + "/Binary/".len()..].to_string());
        self.memory.documents.attachment = Some(a);
        self.request = Some(spec);
        Ok(())
    }

    /// A Migrate a document request for `a`, as the patient's new practice, with `scope`.
    fn migrate_document_request(&mut self, a: Attachment, scope: &str) -> StepResult {
        self.binary_request(Interaction::MigrateDocument, a)?;
        let ods = self.alias(
            Subject::Organization,
            crate::config::MIGRATION_PRACTICE_ALIAS,
        )?;
        self.request_mut()?
            .claims_mut()
            .ok_or("the request has no JWT claims")?
            .set("requested_scope", Value::from(scope));
        self.set_requesting_organisation(&ods)
    }

    fn trace_id(&self) -> Result<String, Problem> {
        Ok(self
            .response()?
            .request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(SSP_TRACE_ID))
            .map(|(_, v)| v.clone())
            .unwrap_or_default())
    }

    /// The 200 answer under test, as FHIR JSON.
    fn documents_answer(&self) -> Result<Arc<Value>, Problem> {
        checks::response::status_is(self.response()?, 200)?;
        self.resource()
    }
}

/// The first attachment of `bundle` matching `pick`, or why there is none.
fn pick(
    bundle: &Value,
    what: &str,
    alias: &str,
    choose: impl Fn(&Attachment) -> bool,
) -> Result<Attachment, Problem> {
    cd::attachments(bundle).into_iter().find(choose).ok_or_else(|| {
        Problem::inconclusive(format!(
            "{alias} has no {what} to ask for: the test data needs one (see the feature's description)"
        ))
    })
}

fn restricted_scope(sensitive: bool) -> String {
    format!(
        "{} {}",
        crate::gpconnect::interactions::scope::PATIENT_READ,
        if sensitive {
            confidentiality::RESTRICTED
        } else {
            confidentiality::NORMAL
        }
    )
}

#[given(expr = "a documents search for {string}")]
async fn search_for(w: &mut Assurance, alias: String) -> StepResult {
    let id = w.documents_patient_id(&alias).await?;
    w.request = Some(w.documents_search_request(&id));
    w.memory.documents.alias = Some(alias);
    Ok(())
}

#[given(expr = "a documents search for the logical id {string}")]
async fn search_for_id(w: &mut Assurance, id: String) -> StepResult {
    w.request = Some(w.documents_search_request(&id));
    Ok(())
}

/// Leaves out one of the mandatory parameters, written `name=value`.
#[given(expr = "the search leaves out {string}")]
async fn leave_out(w: &mut Assurance, pair: String) -> StepResult {
    let (name, value) = pair
        .split_once('=')
        .ok_or_else(|| format!("{pair:?} is not name=value"))?;
    let spec = w.request_mut()?;
    let before = spec.query.len();
    spec.query.retain(|(k, v)| !(k == name && v == value));
    if spec.query.len() == before {
        return Err(Problem::error(format!(
            "the search has no parameter {pair}"
        )));
    }
    Ok(())
}

/// `created` with a value that may hold relative dates (`ge{date-365}`).
#[given(expr = "the search parameter created is {string}")]
async fn created(w: &mut Assurance, value: String) -> StepResult {
    let v = super::appointments::expand(&value)?;
    w.request_mut()?.add_query(gd::param::CREATED, &v);
    Ok(())
}

/// `author` as the ODS code of an organisation of the test data.
#[given(expr = "the search parameter author is the ODS code of {string}")]
async fn author(w: &mut Assurance, alias: String) -> StepResult {
    let ods = w.alias(Subject::Organization, &alias)?;
    w.request_mut()?.add_query(
        gd::param::AUTHOR,
        &format!("{}|{ods}", systems::ODS_ORGANIZATION_CODE),
    );
    Ok(())
}

#[given(expr = "a document retrieve for document {int} of {string}")]
async fn retrieve_nth(w: &mut Assurance, n: usize, alias: String) -> StepResult {
    let all = w.documents_of(&alias).await?;
    let a = cd::attachments(&all)
        .into_iter()
        .nth(n.saturating_sub(1))
        .ok_or_else(|| {
            Problem::inconclusive(format!(
                "{alias} has fewer than {n} documents that can be retrieved: the test data needs them"
            ))
        })?;
    w.binary_request(Interaction::RetrieveDocument, a)?;
    Ok(())
}

#[given(expr = "a document retrieve for the Binary id {string}")]
async fn retrieve_id(w: &mut Assurance, id: String) -> StepResult {
    w.request = Some(w.new_request(Interaction::RetrieveDocument, Some(&id)));
    w.memory.documents.binary_id = Some(id);
    Ok(())
}

/// The document over 5 MB, whose URL only the migrated record gives (a search lists it as a
/// placeholder), asked for through Retrieve a document.
#[given(expr = "a document retrieve for the oversize document of {string}")]
async fn retrieve_oversize(w: &mut Assurance, alias: String) -> StepResult {
    let record = w.migrated_record(&alias, false).await?;
    let a = pick(&record, "document over 5 MB", &alias, |a| {
        a.size > gd::MAX_RETRIEVE_BYTES
    })?;
    w.binary_request(Interaction::RetrieveDocument, a)?;
    Ok(())
}

/// Migrate a document for the first document the migrated record lists (NHS Digital's "migrate then
/// migrate the first document").
#[given(
    expr = "a document migrate for the first document of {string} migrated with sensitive information {word}"
)]
async fn migrate_first(w: &mut Assurance, alias: String, sensitive: String) -> StepResult {
    let sensitive = sensitive == "true";
    let record = w.migrated_record(&alias, sensitive).await?;
    let a = pick(&record, "document", &alias, |_| true)?;
    w.migrate_document_request(a, &restricted_scope(sensitive))
}

#[given(expr = "a document migrate for the oversize document of {string}")]
async fn migrate_oversize(w: &mut Assurance, alias: String) -> StepResult {
    let record = w.migrated_record(&alias, false).await?;
    let a = pick(&record, "document over 5 MB", &alias, |a| {
        a.size > gd::MAX_RETRIEVE_BYTES
    })?;
    w.migrate_document_request(a, &restricted_scope(false))
}

/// The document the migrated record (with sensitive information) labels NOPAT, asked for with the
/// scope `conf/N` or `conf/R`.
#[given(expr = "a document migrate for the confidential document of {string} with scope {string}")]
async fn migrate_confidential(w: &mut Assurance, alias: String, scope: String) -> StepResult {
    let record = w.migrated_record(&alias, true).await?;
    let confidential: Vec<String> = cd::document_references(&record)
        .into_iter()
        .filter(|d| checks::structured::has_nopat(d))
        .map(|d| {
            format!(
                "DocumentReference/{}",
                d.get("id").and_then(Value::as_str).unwrap_or_default()
            )
        })
        .collect();
    let a = pick(&record, "confidential document", &alias, |a| {
        confidential.contains(&a.document)
    })?;
    w.migrate_document_request(
        a,
        &format!(
            "{} {scope}",
            crate::gpconnect::interactions::scope::PATIENT_READ
        ),
    )
}

#[then("the response is an Access Document CapabilityStatement")]
async fn capability(w: &mut Assurance) -> StepResult {
    Ok(cd::capability_fixed(&*w.resource()?)?)
}

#[then("the CapabilityStatement version is the Access Document version of the target")]
async fn capability_version(w: &mut Assurance) -> StepResult {
    let expected = w.ctx.config.target.structured_version.clone();
    Ok(checks::capability::version_is(&*w.resource()?, &expected)?)
}

#[then(expr = "the Access Document CapabilityStatement lists the profile {string}")]
async fn capability_profile(w: &mut Assurance, name: String) -> StepResult {
    let url = gd::CAPABILITY_PROFILES
        .iter()
        .map(|(u, _)| *u)
        .find(|u| u.rsplit('/').next() == Some(name.as_str()))
        .ok_or_else(|| format!("{name:?} is not a profile the Access Document statement lists"))?;
    Ok(cd::lists_profile_any_version(&*w.resource()?, url)?)
}

#[then("the response is a documents searchset Bundle")]
async fn searchset(w: &mut Assurance) -> StepResult {
    Ok(cd::searchset_rules(&*w.documents_answer()?)?)
}

#[then("the searchset Bundle id is the request's Ssp-TraceID")]
async fn bundle_id(w: &mut Assurance) -> StepResult {
    let trace = w.trace_id()?;
    Ok(cd::bundle_id_is(&*w.documents_answer()?, &trace)?)
}

#[then("every entry of the Bundle has an absolute fullUrl")]
async fn full_urls(w: &mut Assurance) -> StepResult {
    Ok(cd::full_urls_absolute(&*w.documents_answer()?)?)
}

#[then(expr = "the response holds the documents of {string}")]
async fn documents_of(w: &mut Assurance, alias: String) -> StepResult {
    let nhs = w.alias(Subject::Patient, &alias)?;
    let b = w.documents_answer()?;
    cd::documents_search(&b, &nhs)?;
    Ok(cd::has_documents(&b)?)
}

#[then(expr = "the response holds {string} and no documents")]
async fn no_documents(w: &mut Assurance, alias: String) -> StepResult {
    let nhs = w.alias(Subject::Patient, &alias)?;
    let b = w.documents_answer()?;
    cd::documents_search(&b, &nhs)?;
    Ok(cd::has_no_documents(&b)?)
}

#[then("every Organization in the Bundle manages the record or wrote or holds a document")]
async fn organisations(w: &mut Assurance) -> StepResult {
    Ok(cd::organisations_associated(&*w.documents_answer()?)?)
}

/// Recall and precision of a filter: the same search without it is the oracle.
#[then("the search returns exactly the documents its filter selects")]
async fn filter_exact(w: &mut Assurance) -> StepResult {
    let filtered = w.documents_answer()?;
    let alias = w
        .memory
        .documents
        .alias
        .clone()
        .ok_or_else(|| Problem::error("no documents search for a test patient was made"))?;
    let url = w.response()?.request.url.clone();
    let query = query_of(&url);
    let filter = cd::filter_of(&query)
        .map_err(Problem::error)?
        .ok_or_else(|| Problem::error("the search has no created, author or description filter"))?;
    let unfiltered = w.documents_of(&alias).await?;
    let (must, _) = cd::expected_documents(&unfiltered, &filter);
    if must.is_empty() {
        return Err(Problem::inconclusive(format!(
            "the unfiltered search of {alias} holds no document the filter selects, so the filter cannot be shown to work"
        )));
    }
    Ok(cd::filter_complete(&unfiltered, &filtered, &filter)?)
}

/// The query of a recorded URL, decoded, in order.
fn query_of(url: &str) -> Vec<(String, String)> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let d = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (d(k), d(v))
        })
        .collect()
}

#[then("every document over 5 MB is a placeholder with its size")]
async fn placeholders(w: &mut Assurance) -> StepResult {
    let n = cd::oversize_placeholders(&*w.documents_answer()?)?;
    if n == 0 {
        return Err(Problem::inconclusive(
            "the answer holds no document over 5 MB, so the placeholder rule cannot be tested",
        ));
    }
    Ok(())
}

/// The migrated record with sensitive information names the confidential documents; none may be here.
#[then(expr = "no confidential document of {string} is offered")]
async fn no_confidential(w: &mut Assurance, alias: String) -> StepResult {
    let search = w.documents_answer()?;
    let migrated = w.migrated_record(&alias, true).await?;
    let n = cd::confidential_not_listed(&search, &migrated)?;
    if n == 0 {
        return Err(Problem::inconclusive(format!(
            "the migrated record of {alias} labels no document confidential, so the rule cannot be tested"
        )));
    }
    Ok(())
}

#[then("the response is the Binary of the document")]
async fn is_binary(w: &mut Assurance) -> StepResult {
    let b = w.documents_answer()?;
    let id = w
        .memory
        .documents
        .binary_id
        .clone()
        .ok_or_else(|| Problem::error("no document was asked for"))?;
    Ok(cd::binary(&b, &id, w.memory.documents.attachment.as_ref())?)
}

#[then("every document of the migrated record carries the absolute URL of its Binary")]
async fn migrated_urls(w: &mut Assurance) -> StepResult {
    let n = cd::migrate_document_urls(&*w.documents_answer()?)?;
    if n == 0 {
        return Err(Problem::inconclusive(
            "the migrated record holds no document, so the URLs cannot be judged",
        ));
    }
    Ok(())
}

/// The Patient a Register a patient answered with (the response under test): its NHS number and
/// logical id.
fn registered(w: &Assurance) -> Result<(String, String), Problem> {
    let b = w.documents_answer()?;
    let p = checks::bundle::entries(&b)
        .into_iter()
        .find(|r| r.get("resourceType").and_then(Value::as_str) == Some("Patient"))
        .cloned()
        .ok_or_else(|| Problem::failed("the registration answer holds no Patient"))?;
    let nhs = checks::patient::nhs_number_of(&p)
        .ok_or_else(|| Problem::failed("the registered Patient has no NHS number"))?
        .to_string();
    let id = p
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| Problem::failed("the registered Patient has no id"))?
        .to_string();
    Ok((nhs, id))
}

/// A temporary registration is not Regular/GMS: Find a patient on the documents root leaves it out.
#[then("a documents find for the registered patient returns no patient")]
async fn registered_not_found(w: &mut Assurance) -> StepResult {
    let (nhs, _) = registered(w)?;
    let mut spec = w.new_request(Interaction::DocumentsFindPatient, None);
    spec.add_query("identifier", &format!("{}|{nhs}", systems::NHS_NUMBER));
    let found = super::foundations::follow_up(
        w,
        spec,
        &format!("finding the temporarily registered NHS number {nhs} on the documents root"),
    )
    .await?;
    checks::bundle::is_searchset(&found)?;
    Ok(checks::bundle::entry_count_is(&found, 0).map_err(|e| {
        checks::response::in_context(
            format_args!("a temporary registration ({nhs}) is not Regular/GMS, so Find a patient on the documents root must not return it"),
            e,
        )
    })?)
}

/// A temporary registration is not Regular/GMS: a search for its documents is PATIENT_NOT_FOUND.
#[then("a documents search for the registered patient is PATIENT_NOT_FOUND")]
async fn registered_search_refused(w: &mut Assurance) -> StepResult {
    let (_, id) = registered(w)?;
    let spec = w.documents_search_request(&id);
    let ex = w.send_follow_up(spec).await;
    Ok(
        checks::outcome::is_error(ex, crate::gpconnect::ErrorCode::PatientNotFound).map_err(
            |e| {
                checks::response::in_context(
                    format_args!(
                        "a search of the documents of the temporarily registered patient {id}"
                    ),
                    e,
                )
            },
        )?,
    )
}
