@html
Feature: Access Record HTML - the 0.x answers are valid FHIR DSTU2
  Every answer of the DSTU2 root is FHIR DSTU2 (1.0.2), not STU3, and conforms to the GP Connect DSTU2
  profile it declares: the searchset Bundle (GPConnect-Searchset-Bundle-1) with the care record
  Composition (GPConnect-CareRecord-Composition-1: type and class, one section coded in
  gpconnect-record-section-1, no entries), the Patient (GPConnect-Patient-1: the NHS number, careProvider
  not generalPractitioner), the Organization (GPConnect-Organization-1), the Device (GPConnect-Device-1);
  errors as GPConnect-OperationOutcome-1 with a code of the Error handling guidance; the Conformance.
  Every response of every @html scenario is validated as it arrives (in JSON and in XML, with the DSTU2
  wire format); these scenarios state the rule for each section, for an error and for the Conformance.

  NHS Digital's 0.x provider suite checks parts of these profiles in AccessRecord.feature (the
  "Bundle/Composition", "Patient" and "Practitioner / Organization / Device" outlines: meta profiles,
  fixed values, section coding, identifiers, codings in the NHS value sets), which HTML-REC-01 also
  covers, and asks for the care record in XML for every section in FhirBase.feature; it has no scenario
  that validates a whole answer against the DSTU2 definitions (HTML-PROF-01).

  Specification:
  - GP Connect 0.7.2, Retrieve a care record section (Payload response body): https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html
  - GP Connect 0.7.2, Error handling guidance: https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_error_handling_guidance.html
  - GP Connect 0.7.2, FHIR API guidance (Conformance): https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_api_guidance.html

  @req:HTML-PROF-01
  Scenario Outline: The <section> care record is valid DSTU2 in <format>
    Given a care record request for "patient2" section "<section>"
    And the "Accept" header is "<format>"
    When the request is sent
    Then the response status is 200
    And the response conforms to the FHIR definitions of its version

    Examples:
      | section | format               |
      | ADM     | application/json+fhir |
      | ALL     | application/json+fhir |
      | CLI     | application/json+fhir |
      | ENC     | application/json+fhir |
      | IMM     | application/json+fhir |
      | MED     | application/json+fhir |
      | OBS     | application/json+fhir |
      | PRB     | application/json+fhir |
      | REF     | application/json+fhir |
      | SUM     | application/json+fhir |
      | SUM     | application/xml+fhir  |
      | ALL     | application/xml+fhir  |

  @req:HTML-PROF-01
  Scenario: An error is a valid GP Connect DSTU2 OperationOutcome
    Given a care record request for the NHS number "9999999999" section "SUM"
    When the request is sent
    Then the response is the 0.x error PATIENT_NOT_FOUND
    And the response conforms to the FHIR definitions of its version

  @req:HTML-PROF-01
  Scenario: The Conformance is valid DSTU2
    When a "html metadata" request is sent
    Then the response status is 200
    And the response conforms to the FHIR definitions of its version
