//! Deliberate faults the reference provider can be started with.
//!
//! The harness is only worth trusting if it notices when a provider breaks a rule. Each [`Fault`] breaks
//! exactly one rule, so a proof test can start the provider with that fault and assert that the matching
//! check (and only that check) fails. Faults are applied where the behaviour is produced: the guard, the
//! handlers, or the response finaliser; [`FaultSet`] is the one place that answers "is this fault on?".
//!
//! Each variant names, in brackets, the specification page (or its section) that states the rule:
//! General API guidance (Caching headers, Content types, Character encoding, Content compression, Managing
//! resource contention) <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html>;
//! Security guidance <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_api_security_guidance.html>;
//! Cross-organisation audit and provenance (JWT claims, requested_scope)
//! <https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_cross_organisation_audit_and_provenance.html>;
//! Error handling guidance <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html>;
//! FHIR implementation guidance (Resource metadata)
//! <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_api_guidance.html>; the Foundations and
//! Appointment Management use-case pages (Find a patient, Register a patient, Book, Cancel, Search for free
//! slots) under <https://developer.nhs.uk/apis/gpconnect-1-2-7/>; and for Access Record Structured,
//! Retrieve a patient's structured record and List under <https://developer.nhs.uk/apis/gpconnect-1-6-0/>; for
//! Access Document, Search for a patient's documents, Retrieve a document, Binary and Migrate a document
//! under the same 1.6.0 root (`access_documents_development_*.html`); for Access Record HTML, Retrieve a
//! care record section, HTML layout and the HTML implementation guide under
//! <https://developer.nhs.uk/apis/gpconnect-0-7-2/> (`accessrecord_*.html`).

/// One deliberately broken rule. The doc comment of each variant names the rule it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Fault {
    /// Breaks: every response carries `Cache-Control: no-store` (General API guidance, Caching headers). The header is dropped.
    OmitCacheControl,
    /// Breaks: reads carry `ETag: W/"<versionId>"` (General API guidance, Managing resource contention). The header is dropped.
    OmitEtag,
    /// Breaks: the ETag equals `meta.versionId` (Managing resource contention). The ETag names a different version.
    EtagMismatch,
    /// Breaks: all SSP headers are present, else 400 BAD_REQUEST (Security guidance). Missing headers are ignored.
    AcceptMissingSspHeader,
    /// Breaks: `Ssp-To` must be the provider's own ASID (Security guidance). Any ASID is accepted.
    AcceptWrongAsid,
    /// Breaks: `Ssp-InteractionID` must match the endpoint and verb (Security guidance). Any value is accepted.
    IgnoreInteractionId,
    /// Breaks: expired JWTs (`exp` in the past) are rejected with 400 (audit and provenance, JWT claims). They are accepted.
    AcceptExpiredJwt,
    /// Breaks: `requested_scope` must be the interaction's scope (audit and provenance, requested_scope). Any scope is accepted.
    IgnoreScope,
    /// Breaks: `issue.details.coding.system` is the Spine-ErrorOrWarningCode-1 CodeSystem URL (Error handling guidance). The
    /// ValueSet URL (the old spec-example mistake) is sent instead.
    WrongErrorCodeSystem,
    /// Breaks: each error code has its HTTP status (Error handling guidance). Every error is sent as 500.
    WrongHttpStatusForErrors,
    /// Breaks: every error carries an OperationOutcome (Error handling guidance). Errors have an empty body.
    NoOperationOutcomeBody,
    /// Breaks: `_format`/`Accept` choose the response format (General API guidance, Content types). Responses are always JSON.
    IgnoreFormat,
    /// Breaks: `Content-Type` is `application/fhir+json;charset=utf-8` (Character encoding). `application/json` is sent.
    WrongContentType,
    /// Breaks: gzip is used when `Accept-Encoding: gzip` is sent (Content compression). Responses are never compressed.
    NoGzip,
    /// Breaks: Find a patient omits PDS-sensitive patients (Find a patient). They are returned.
    FindReturnsSensitive,
    /// Breaks: Find a patient returns only active patients (Find a patient). Deceased ones are returned.
    FindReturnsDeceased,
    /// Breaks: an NHS number failing the modulus-11 check is rejected with INVALID_NHS_NUMBER (Find a
    /// patient). Find a patient answers with an empty Bundle instead.
    AcceptInvalidNhsNumber,
    /// Breaks: a Patient never carries `maritalStatus` (Find a patient). Every Patient carries one.
    PatientWithForbiddenElement,
    /// Breaks: the structured record Bundle's `entry.fullUrl` MUST NOT be populated (Access Record
    /// Structured, the Bundle). Every entry of every Bundle carries one; in Foundations and Appointments
    /// Bundles that is only a SHOULD NOT, which the report shows as a warning.
    BundleWithFullUrl,
    /// Breaks: every resource carries `meta.profile` (Resource metadata). It is removed from every resource.
    MissingMetaProfile,
    /// Breaks: every resource carries `meta.versionId` (Resource metadata). It is removed from every resource.
    MissingVersionId,
    /// Breaks: a read returns the resource whose `id` is the requested id (Resource metadata). The id is altered.
    ReadWrongId,
    /// Breaks: registering an already active patient is rejected with 409 DUPLICATE_REJECTED
    /// (Register a patient). A second record is created.
    RegisterAllowsDuplicate,
    /// Breaks: registration is always temporary, code `T` (Register a patient). It is made Regular (`R`).
    RegisterAsRegular,
    /// Breaks: a slot that is no longer free cannot be booked, 409 DUPLICATE_REJECTED (Book an appointment).
    /// Bookings of busy slots succeed.
    AcceptDoubleBooking,
    /// Breaks: amend/cancel with an `If-Match` that is not the current version is refused with 409 (Managing resource contention).
    /// The If-Match header is ignored.
    AcceptStaleIfMatch,
    /// Breaks: a cancel carries the cancellation-reason extension (Cancel an appointment). Cancels without one
    /// succeed.
    CancelWithoutReason,
    /// Breaks: free-slot search returns only slots lying entirely inside the requested window (Search for free slots). Slots
    /// up to a day either side are returned too.
    SlotsOutsideWindow,
    /// Breaks: every requested clinical area has its primary List (Retrieve a patient's structured record). The medications
    /// List is left out.
    StructuredListMissing,
    /// Breaks: `medicationSearchFromDate` returns only medications active on or after it (Retrieve a patient's structured record). It is
    /// ignored.
    StructuredDateFilterIgnored,
    /// Breaks: `includeResolvedAllergies=false` excludes resolved allergies (Retrieve a patient's structured record). The "Ended allergies"
    /// List is returned anyway.
    StructuredResolvedAllergiesReturned,
    /// Breaks: every reference resolves inside the Bundle (structured record response). Recorders point at a Practitioner that is
    /// not in it.
    StructuredDanglingReference,
    /// Breaks: each primary List has its area's SNOMED code (List). The allergies List carries the
    /// "Ended allergies" code.
    StructuredWrongListCode,
    /// Breaks: `Bundle.id` equals the request's Ssp-TraceID (1.5.0+, structured record response). A fresh id is sent.
    StructuredBundleIdNotTraceId,
    /// Breaks: `medicationSearchFromDate` returns every medication active on or after it (§4.1). Only
    /// medications started on or after it are returned (running repeats started earlier are dropped).
    StructuredMedicationDateOverApplied,
    /// Breaks: `consultationSearchPeriod` bounds are inclusive (§4.1). Consultations on the start or end
    /// day are left out.
    StructuredConsultationPeriodExclusive,
    /// Breaks: `includeNumberOfMostRecent` returns the N latest consultations (§4.1). The N oldest are sent.
    StructuredMostRecentOldest,
    /// Breaks: `filterStatus` returns every problem with that status (§4.1). Minor problems are dropped too.
    StructuredProblemStatusOverApplied,
    /// Breaks: a date or period filter returns the items that match it (§4.1). Any dated filter empties
    /// its area.
    StructuredFilterReturnsNothing,
    /// Breaks: `includeResolvedAllergies=false` still returns every current allergy (§4.1). The last current
    /// allergy is left out.
    StructuredCurrentAllergyDropped,
    /// Breaks: without `includeNotGiven` only given immunisations are returned (§4.1). Not-given ones come
    /// too.
    StructuredNotGivenReturned,
    /// Breaks: confidential items are withheld from direct care (§4.2, §5.5). They are sent, labelled and
    /// listed, while the List still says they were withheld.
    StructuredConfidentialItemSent,
    /// Breaks: every request carries the SSP headers, checked by each endpoint (GP Connect 1.2.7, "Spine Secure Proxy" request headers). The
    /// Structured endpoints ignore missing or wrong ones.
    StructuredIgnoresSspHeaders,
    /// Breaks: every request carries a valid JWT (GP Connect 1.2.7, "Cross-organisation audit and provenance"). The Structured endpoints ignore the
    /// Authorization header.
    StructuredIgnoresJwt,
    /// Breaks: every request carries the SSP headers, checked by each endpoint (GP Connect 1.2.7, "Spine Secure Proxy" request headers). The
    /// Appointments endpoints ignore missing or wrong ones.
    AppointmentsIgnoreSspHeaders,
    /// Breaks: free-slot search returns every free slot in the window (GP Connect 1.2.7, "Search for free slots"). The `end` bound
    /// is read as exclusive, so the window's last day is dropped.
    SlotSearchDropsLastDay,
    /// Breaks: Retrieve returns all the patient's appointments in the range (GP Connect 1.2.7, "Retrieve a patient's appointments"). The
    /// patient's latest booking is left out (a stale index).
    RetrieveOmitsNewBooking,
    /// Breaks: Retrieve returns cancelled appointments too (GP Connect 1.2.7, "Retrieve a patient's appointments"). They are left out.
    RetrieveOmitsCancelled,
    /// Breaks: a read returns the current version (§10). A cancelled appointment is read as it was before
    /// the cancel.
    StaleReadAfterCancel,
    /// Breaks: `Appointment.serviceCategory.text` is the practice-defined type of the booked slot's
    /// schedule (1.2.7, Book, Read, Retrieve and Cancel an appointment, Payload response body). The slot
    /// type is stored and sent in its place.
    ServiceCategoryNotFromSchedule,
    /// Breaks: a cancel changes only the status and the cancellation reason, and its response carries
    /// the appointment's `serviceType` and `serviceCategory` (1.2.7, Cancel an appointment). They are
    /// taken from the request, so a cancel that leaves them out, as a consumer built before 1.2.7 does,
    /// wipes them.
    CancelDropsServiceTypes,
    /// Breaks: the SSP is authenticated by its client certificate before anything is served (Security
    /// guidance, Secure connection negotiation). Served over TLS (`serve --tls`), the provider asks for a
    /// client certificate but serves connections that present none.
    AcceptNoClientCert,
    /// Breaks: client certificates must be in date (Security guidance, Client certificates (TLSMA)).
    /// Served over TLS, the provider accepts a client certificate from its CA that has expired.
    AcceptExpiredClientCert,
    /// Breaks: HTTP Strict Transport Security is employed (Security guidance). Served over TLS, responses
    /// carry no Strict-Transport-Security header.
    NoHsts,
    /// Breaks: every entry of an Access Document searchset carries an absolute `fullUrl` (Search for a
    /// patient's documents, Bundle). The `fullUrl`s are relative (`Type/id`).
    DocumentsRelativeFullUrl,
    /// Breaks: an Access Document searchset's `Bundle.id` is the request's Ssp-TraceID (Search for a
    /// patient's documents). A fresh id is sent.
    DocumentsBundleIdNotTraceId,
    /// Breaks: a search without the five mandatory `_include`/`_revinclude` parameters is INVALID_PARAMETER
    /// (Search for a patient's documents, Error handling). It is answered as if they were there.
    DocumentsIncludesNotRequired,
    /// Breaks: `author` returns only the documents that organisation wrote (Search for a patient's
    /// documents). The ODS code is ignored and every document comes back.
    DocumentsAuthorFilterIgnored,
    /// Breaks: a `created` search compares `indexed` where a document has no `created` (Search for a
    /// patient's documents, response). Such documents are dropped from every `created` search.
    DocumentsCreatedFilterDropsIndexed,
    /// Breaks: Retrieve a document refuses a document over 5 MB with NO_RECORD_FOUND, and searches list it
    /// as a placeholder without URL (Retrieve a document). It is listed with its URL and served.
    DocumentsOversizeServed,
    /// Breaks: the Binary of a document carries its `contentType` (Binary). It is left out.
    DocumentsBinaryWithoutContentType,
    /// Breaks: Migrate a document serves a confidential document only with the `conf/R` scope, else
    /// refuses it with 403 (Migrate a document). It is served with `conf/N`.
    DocumentsConfidentialWithoutScope,
    /// Breaks: `requesting_practitioner` is a SHOULD for Migrate structured record (Cross-organisation
    /// audit and provenance, 1.6.0). A migrate without it is refused with 400, as other interactions are.
    MigrateRequiresPractitioner,
    /// Breaks: the section's HTML carries no script, style, frame, form or object (Access Record HTML,
    /// HTML implementation guide). Every view carries a `<script>` element.
    HtmlScriptInView,
    /// Breaks: each filtered (sub)section shows its date banner (Access Record HTML, HTML layout). The
    /// date banners are left out.
    HtmlDateBannerMissing,
    /// Breaks: table columns come in the view's order (Access Record HTML, HTML implementation guide).
    /// The second and third columns of every table are swapped.
    HtmlColumnsOutOfOrder,
    /// Breaks: record section codes are case-sensitive, a lower-case code is INVALID_PARAMETER
    /// (Retrieve a care record section). Any case is accepted.
    HtmlSectionCodeCaseIgnored,
    /// Breaks: All Medication's Last Issued Date is the latest issue of the medication (Access Record
    /// HTML, HTML implementation guide, Medications). The first issue is shown instead.
    HtmlMedicationLastIssueFirst,
    /// Breaks: a time period includes both its end days (Retrieve a care record section, time period).
    /// Items of the period's last day are left out of the filtered tables.
    HtmlPeriodEndExclusive,
    /// Breaks: a year or year-month end is widened to the last day it covers, 2016-02 to 29-Feb-2016
    /// (HTML layout, date banners). The end is read as the first day it covers.
    HtmlPeriodEndNotWidened,
    /// Breaks: a patient who dissented gets 403 NO_PATIENT_CONSENT (Retrieve a care record section,
    /// error handling). Their record is returned.
    HtmlDissentIgnored,
    /// Breaks: a deceased patient's record is available only within 28 days of death (Retrieve a care
    /// record section, 0.7.4). Records of patients who died long ago are returned.
    HtmlDeceasedWindowIgnored,
    /// Breaks: the Composition's references resolve within the Bundle (Retrieve a care record section,
    /// the response Bundle). Its custodian names an Organization the Bundle does not hold.
    HtmlDanglingReference,
    /// Breaks: both DSTU2 formats are served, `_format` then `Accept` choosing (FHIR API guidance,
    /// content types). The DSTU2 root always answers JSON.
    HtmlXmlIgnored,
    /// Breaks: the 0.x answers are FHIR DSTU2 conforming to the GP Connect DSTU2 profiles (Retrieve a care
    /// record section, Payload response body). The care record's Patient names its GP practice with the
    /// STU3 element `generalPractitioner`, which DSTU2 does not have (it calls the GP `careProvider`).
    HtmlPatientWithStu3Element,
    /// Breaks: a 0.x token's requesting_practitioner names the user by an SDS user id and a name
    /// (Cross-organisation audit and provenance, JSON Web Tokens). A practitioner without SDS user id,
    /// without identifier or without name is accepted.
    HtmlJwtPractitionerUnchecked,
    /// Breaks: a consumer whose user has no SDS user id sends `UNK`, which providers accept
    /// (Cross-organisation audit and provenance, JSON Web Tokens). A token with it is refused.
    HtmlJwtUnkRefused,
}

impl Fault {
    /// Every fault, in declaration order.
    pub const ALL: &'static [Fault] = &[
        Fault::OmitCacheControl,
        Fault::OmitEtag,
        Fault::EtagMismatch,
        Fault::AcceptMissingSspHeader,
        Fault::AcceptWrongAsid,
        Fault::IgnoreInteractionId,
        Fault::AcceptExpiredJwt,
        Fault::IgnoreScope,
        Fault::WrongErrorCodeSystem,
        Fault::WrongHttpStatusForErrors,
        Fault::NoOperationOutcomeBody,
        Fault::IgnoreFormat,
        Fault::WrongContentType,
        Fault::NoGzip,
        Fault::FindReturnsSensitive,
        Fault::FindReturnsDeceased,
        Fault::AcceptInvalidNhsNumber,
        Fault::PatientWithForbiddenElement,
        Fault::BundleWithFullUrl,
        Fault::MissingMetaProfile,
        Fault::MissingVersionId,
        Fault::ReadWrongId,
        Fault::RegisterAllowsDuplicate,
        Fault::RegisterAsRegular,
        Fault::AcceptDoubleBooking,
        Fault::AcceptStaleIfMatch,
        Fault::CancelWithoutReason,
        Fault::SlotsOutsideWindow,
        Fault::StructuredListMissing,
        Fault::StructuredDateFilterIgnored,
        Fault::StructuredResolvedAllergiesReturned,
        Fault::StructuredDanglingReference,
        Fault::StructuredWrongListCode,
        Fault::StructuredBundleIdNotTraceId,
        Fault::StructuredMedicationDateOverApplied,
        Fault::StructuredConsultationPeriodExclusive,
        Fault::StructuredMostRecentOldest,
        Fault::StructuredProblemStatusOverApplied,
        Fault::StructuredFilterReturnsNothing,
        Fault::StructuredCurrentAllergyDropped,
        Fault::StructuredNotGivenReturned,
        Fault::StructuredConfidentialItemSent,
        Fault::StructuredIgnoresSspHeaders,
        Fault::StructuredIgnoresJwt,
        Fault::AppointmentsIgnoreSspHeaders,
        Fault::SlotSearchDropsLastDay,
        Fault::RetrieveOmitsNewBooking,
        Fault::RetrieveOmitsCancelled,
        Fault::StaleReadAfterCancel,
        Fault::ServiceCategoryNotFromSchedule,
        Fault::CancelDropsServiceTypes,
        Fault::AcceptNoClientCert,
        Fault::AcceptExpiredClientCert,
        Fault::NoHsts,
        Fault::DocumentsRelativeFullUrl,
        Fault::DocumentsBundleIdNotTraceId,
        Fault::DocumentsIncludesNotRequired,
        Fault::DocumentsAuthorFilterIgnored,
        Fault::DocumentsCreatedFilterDropsIndexed,
        Fault::DocumentsOversizeServed,
        Fault::DocumentsBinaryWithoutContentType,
        Fault::DocumentsConfidentialWithoutScope,
        Fault::MigrateRequiresPractitioner,
        Fault::HtmlScriptInView,
        Fault::HtmlDateBannerMissing,
        Fault::HtmlColumnsOutOfOrder,
        Fault::HtmlSectionCodeCaseIgnored,
        Fault::HtmlMedicationLastIssueFirst,
        Fault::HtmlPeriodEndExclusive,
        Fault::HtmlPeriodEndNotWidened,
        Fault::HtmlDissentIgnored,
        Fault::HtmlDeceasedWindowIgnored,
        Fault::HtmlDanglingReference,
        Fault::HtmlXmlIgnored,
        Fault::HtmlPatientWithStu3Element,
        Fault::HtmlJwtPractitionerUnchecked,
        Fault::HtmlJwtUnkRefused,
    ];

    /// The kebab-case name used on the command line (`--fault omit-cache-control`).
    pub fn name(self) -> &'static str {
        match self {
            Fault::OmitCacheControl => "omit-cache-control",
            Fault::OmitEtag => "omit-etag",
            Fault::EtagMismatch => "etag-mismatch",
            Fault::AcceptMissingSspHeader => "accept-missing-ssp-header",
            Fault::AcceptWrongAsid => "accept-wrong-asid",
            Fault::IgnoreInteractionId => "ignore-interaction-id",
            Fault::AcceptExpiredJwt => "accept-expired-jwt",
            Fault::IgnoreScope => "ignore-scope",
            Fault::WrongErrorCodeSystem => "wrong-error-code-system",
            Fault::WrongHttpStatusForErrors => "wrong-http-status-for-errors",
            Fault::NoOperationOutcomeBody => "no-operation-outcome-body",
            Fault::IgnoreFormat => "ignore-format",
            Fault::WrongContentType => "wrong-content-type",
            Fault::NoGzip => "no-gzip",
            Fault::FindReturnsSensitive => "find-returns-sensitive",
            Fault::FindReturnsDeceased => "find-returns-deceased",
            Fault::AcceptInvalidNhsNumber => "accept-invalid-nhs-number",
            Fault::PatientWithForbiddenElement => "patient-with-forbidden-element",
            Fault::BundleWithFullUrl => "bundle-with-full-url",
            Fault::MissingMetaProfile => "missing-meta-profile",
            Fault::MissingVersionId => "missing-version-id",
            Fault::ReadWrongId => "read-wrong-id",
            Fault::RegisterAllowsDuplicate => "register-allows-duplicate",
            Fault::RegisterAsRegular => "register-as-regular",
            Fault::StructuredListMissing => "structured-list-missing",
            Fault::StructuredDateFilterIgnored => "structured-date-filter-ignored",
            Fault::StructuredResolvedAllergiesReturned => "structured-resolved-allergies-returned",
            Fault::StructuredDanglingReference => "structured-dangling-reference",
            Fault::StructuredWrongListCode => "structured-wrong-list-code",
            Fault::StructuredBundleIdNotTraceId => "structured-bundle-id-not-trace-id",
            Fault::AcceptDoubleBooking => "accept-double-booking",
            Fault::AcceptStaleIfMatch => "accept-stale-if-match",
            Fault::CancelWithoutReason => "cancel-without-reason",
            Fault::SlotsOutsideWindow => "slots-outside-window",
            Fault::StructuredMedicationDateOverApplied => "structured-medication-date-over-applied",
            Fault::StructuredConsultationPeriodExclusive => {
                "structured-consultation-period-exclusive"
            }
            Fault::StructuredMostRecentOldest => "structured-most-recent-oldest",
            Fault::StructuredProblemStatusOverApplied => "structured-problem-status-over-applied",
            Fault::StructuredFilterReturnsNothing => "structured-filter-returns-nothing",
            Fault::StructuredCurrentAllergyDropped => "structured-current-allergy-dropped",
            Fault::StructuredNotGivenReturned => "structured-not-given-returned",
            Fault::StructuredConfidentialItemSent => "structured-confidential-item-sent",
            Fault::StructuredIgnoresSspHeaders => "structured-ignores-ssp-headers",
            Fault::StructuredIgnoresJwt => "structured-ignores-jwt",
            Fault::AppointmentsIgnoreSspHeaders => "appointments-ignore-ssp-headers",
            Fault::SlotSearchDropsLastDay => "slot-search-drops-last-day",
            Fault::RetrieveOmitsNewBooking => "retrieve-omits-new-booking",
            Fault::RetrieveOmitsCancelled => "retrieve-omits-cancelled",
            Fault::StaleReadAfterCancel => "stale-read-after-cancel",
            Fault::ServiceCategoryNotFromSchedule => "service-category-not-from-schedule",
            Fault::CancelDropsServiceTypes => "cancel-drops-service-types",
            Fault::AcceptNoClientCert => "accept-no-client-cert",
            Fault::AcceptExpiredClientCert => "accept-expired-client-cert",
            Fault::NoHsts => "no-hsts",
            Fault::DocumentsRelativeFullUrl => "documents-relative-full-url",
            Fault::DocumentsBundleIdNotTraceId => "documents-bundle-id-not-trace-id",
            Fault::DocumentsIncludesNotRequired => "documents-includes-not-required",
            Fault::DocumentsAuthorFilterIgnored => "documents-author-filter-ignored",
            Fault::DocumentsCreatedFilterDropsIndexed => "documents-created-filter-drops-indexed",
            Fault::DocumentsOversizeServed => "documents-oversize-served",
            Fault::DocumentsBinaryWithoutContentType => "documents-binary-without-content-type",
            Fault::DocumentsConfidentialWithoutScope => "documents-confidential-without-scope",
            Fault::MigrateRequiresPractitioner => "migrate-requires-practitioner",
            Fault::HtmlScriptInView => "html-script-in-view",
            Fault::HtmlDateBannerMissing => "html-date-banner-missing",
            Fault::HtmlColumnsOutOfOrder => "html-columns-out-of-order",
            Fault::HtmlSectionCodeCaseIgnored => "html-section-code-case-ignored",
            Fault::HtmlMedicationLastIssueFirst => "html-medication-last-issue-first",
            Fault::HtmlPeriodEndExclusive => "html-period-end-exclusive",
            Fault::HtmlPeriodEndNotWidened => "html-period-end-not-widened",
            Fault::HtmlDissentIgnored => "html-dissent-ignored",
            Fault::HtmlDeceasedWindowIgnored => "html-deceased-window-ignored",
            Fault::HtmlDanglingReference => "html-dangling-reference",
            Fault::HtmlXmlIgnored => "html-xml-ignored",
            Fault::HtmlPatientWithStu3Element => "html-patient-with-stu3-element",
            Fault::HtmlJwtPractitionerUnchecked => "html-jwt-practitioner-unchecked",
            Fault::HtmlJwtUnkRefused => "html-jwt-unk-refused",
        }
    }

    /// The requirement ids whose scenarios this fault must turn red: the proof holds for a fault only
    /// when every one of them has a failed scenario (a fault caught only by unrelated scenarios is a
    /// hole in the scenarios its rule belongs to).
    pub fn breaks(self) -> &'static [&'static str] {
        match self {
            Fault::OmitCacheControl => &["XC-CACHE-01"],
            Fault::OmitEtag => &["XC-ETAG-01"],
            Fault::EtagMismatch => &["XC-ETAG-01"],
            Fault::AcceptMissingSspHeader => &["XC-HDR-01"],
            Fault::AcceptWrongAsid => &["XC-HDR-02"],
            Fault::IgnoreInteractionId => &["XC-HDR-04"],
            Fault::AcceptExpiredJwt => &["XC-JWT-06"],
            Fault::IgnoreScope => &["XC-JWT-09"],
            Fault::WrongErrorCodeSystem => &["XC-ERR-01"],
            Fault::WrongHttpStatusForErrors => &["XC-ERR-01"],
            Fault::NoOperationOutcomeBody => &["XC-ERR-01"],
            Fault::IgnoreFormat => &["XC-FMT-01", "STR-MET-01"],
            Fault::WrongContentType => &["XC-FMT-01"],
            Fault::NoGzip => &["XC-FMT-10"],
            Fault::FindReturnsSensitive => &["FND-PAT-FIND-02"],
            Fault::FindReturnsDeceased => &["FND-PAT-FIND-02"],
            Fault::AcceptInvalidNhsNumber => &["FND-PAT-FIND-06"],
            Fault::PatientWithForbiddenElement => &["FND-PAT-READ-01"],
            Fault::BundleWithFullUrl => &["STR-BUNDLE-01"],
            Fault::MissingMetaProfile => &["FND-PAT-READ-01"],
            Fault::MissingVersionId => &["FND-PAT-READ-01"],
            Fault::ReadWrongId => &["FND-PAT-READ-01"],
            Fault::RegisterAllowsDuplicate => &["FND-PAT-REG-04"],
            Fault::RegisterAsRegular => &["FND-PAT-REG-01"],
            Fault::AcceptDoubleBooking => &["APT-BOOK-09"],
            Fault::AcceptStaleIfMatch => &["APT-CONC-03"],
            Fault::CancelWithoutReason => &["APT-CANCEL-03"],
            Fault::SlotsOutsideWindow => &["APT-SLOT-01"],
            Fault::StructuredListMissing => &["STR-MED-01"],
            Fault::StructuredDateFilterIgnored => &["STR-MED-03"],
            Fault::StructuredResolvedAllergiesReturned => &["STR-ALG-02"],
            Fault::StructuredDanglingReference => &["STR-BUNDLE-01"],
            Fault::StructuredWrongListCode => &["STR-ALG-01"],
            Fault::StructuredBundleIdNotTraceId => &["STR-BUNDLE-02"],
            Fault::StructuredMedicationDateOverApplied => &["STR-MED-03"],
            Fault::StructuredConsultationPeriodExclusive => &["STR-CON-02"],
            Fault::StructuredMostRecentOldest => &["STR-CON-03"],
            Fault::StructuredProblemStatusOverApplied => &["STR-PRB-04"],
            Fault::StructuredFilterReturnsNothing => &[
                "STR-MED-03",
                "STR-CON-02",
                "STR-UNC-02",
                "STR-INV-02",
                "STR-REF-02",
                "STR-DRY-02",
            ],
            Fault::StructuredCurrentAllergyDropped => &["STR-ALG-13"],
            Fault::StructuredNotGivenReturned => &["STR-IMM-02", "STR-IMM-08"],
            Fault::StructuredConfidentialItemSent => &["STR-MED-12"],
            Fault::StructuredIgnoresSspHeaders => &["XC-HDR-07"],
            Fault::StructuredIgnoresJwt => &["XC-JWT-16"],
            Fault::AppointmentsIgnoreSspHeaders => &["XC-HDR-06"],
            Fault::SlotSearchDropsLastDay => &["APT-SLOT-01"],
            Fault::RetrieveOmitsNewBooking => &["APT-RETR-01", "APT-RETR-04"],
            Fault::RetrieveOmitsCancelled => &["APT-RETR-03"],
            Fault::StaleReadAfterCancel => &["APT-READ-04"],
            Fault::ServiceCategoryNotFromSchedule => {
                &["APT-BOOK-16", "APT-READ-06", "APT-RETR-09", "APT-CANCEL-08"]
            }
            Fault::CancelDropsServiceTypes => &["APT-CANCEL-09"],
            Fault::AcceptNoClientCert => &["XC-TLS-02"],
            Fault::AcceptExpiredClientCert => &["XC-TLS-04"],
            Fault::NoHsts => &["XC-TLS-05"],
            Fault::DocumentsRelativeFullUrl => &["DOC-SEARCH-02"],
            Fault::DocumentsBundleIdNotTraceId => &["DOC-SEARCH-03"],
            Fault::DocumentsIncludesNotRequired => &["DOC-SEARCH-05"],
            Fault::DocumentsAuthorFilterIgnored => &["DOC-SEARCH-07"],
            Fault::DocumentsCreatedFilterDropsIndexed => &["DOC-SEARCH-06"],
            Fault::DocumentsOversizeServed => &["DOC-RETR-03"],
            Fault::DocumentsBinaryWithoutContentType => &["DOC-RETR-01"],
            Fault::DocumentsConfidentialWithoutScope => &["DOC-MIG-03"],
            Fault::MigrateRequiresPractitioner => &["STR-MIG-13"],
            Fault::HtmlScriptInView => &["HTML-SAFE-02"],
            Fault::HtmlDateBannerMissing => &["HTML-BAN-01"],
            Fault::HtmlColumnsOutOfOrder => &["HTML-TAB-02"],
            Fault::HtmlSectionCodeCaseIgnored => &["HTML-REQ-04"],
            Fault::HtmlMedicationLastIssueFirst => &["HTML-MED-01"],
            Fault::HtmlPeriodEndExclusive => &["HTML-FLT-01"],
            Fault::HtmlPeriodEndNotWidened => &["HTML-BAN-01"],
            Fault::HtmlDissentIgnored => &["HTML-PAT-04"],
            Fault::HtmlDeceasedWindowIgnored => &["HTML-PAT-06"],
            Fault::HtmlDanglingReference => &["HTML-BUN-02"],
            Fault::HtmlXmlIgnored => &["HTML-FMT-01"],
            Fault::HtmlPatientWithStu3Element => &["HTML-PROF-01"],
            Fault::HtmlJwtPractitionerUnchecked => &["HTML-JWT-02"],
            Fault::HtmlJwtUnkRefused => &["HTML-JWT-03"],
        }
    }

    /// Whether the fault concerns the TLS layer, so shows only when the provider is served over TLS.
    pub fn needs_tls(self) -> bool {
        matches!(
            self,
            Fault::AcceptNoClientCert | Fault::AcceptExpiredClientCert | Fault::NoHsts
        )
    }

    /// The tag expression selecting the scenarios of [`breaks`](Fault::breaks).
    pub fn tag_expression(self) -> String {
        self.breaks()
            .iter()
            .map(|r| format!("@req:{r}"))
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// Look a fault up by its [`name`](Fault::name).
    pub fn from_name(name: &str) -> Option<Fault> {
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The faults a running provider has switched on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultSet(Vec<Fault>);

impl FaultSet {
    pub fn new(faults: &[Fault]) -> FaultSet {
        let mut v = faults.to_vec();
        v.dedup();
        FaultSet(v)
    }

    /// Whether `fault` is on.
    pub fn has(&self, fault: Fault) -> bool {
        self.0.contains(&fault)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn all_lists_every_variant_once_and_names_match_clap() {
        assert_eq!(Fault::ALL.len(), Fault::value_variants().len());
        for f in Fault::ALL {
            assert_eq!(Fault::from_name(f.name()), Some(*f));
            let clap_name = f.to_possible_value().map(|p| p.get_name().to_string());
            assert_eq!(clap_name.as_deref(), Some(f.name()));
        }
    }

    #[test]
    fn every_fault_declares_well_formed_requirements() {
        for f in Fault::ALL {
            assert!(!f.breaks().is_empty(), "{f} declares no requirement");
            for r in f.breaks() {
                let (area, n) = r.rsplit_once('-').expect("AREA-NN");
                assert!(
                    !area.is_empty() && n.len() == 2 && n.bytes().all(|b| b.is_ascii_digit()),
                    "{f}: {r:?} is not a requirement id"
                );
            }
        }
        assert_eq!(Fault::AcceptWrongAsid.tag_expression(), "@req:XC-HDR-02");
        assert_eq!(
            Fault::RetrieveOmitsNewBooking.tag_expression(),
            "@req:APT-RETR-01 or @req:APT-RETR-04"
        );
    }
}
