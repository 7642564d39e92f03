@html
Feature: Access Record HTML - whose record may be retrieved
  A record is returned only for a patient registered at the practice, traced on PDS, not flagged
  sensitive and who has not dissented; otherwise 404 PATIENT_NOT_FOUND (never revealing that a sensitive
  patient is registered) or 403 NO_PATIENT_CONSENT, for every section.

  NHS Digital's 0.x provider suite (AccessRecord.feature): "Request care record for patient not in the
  system" (HTML-PAT-01); "Request care record for patient not on Spine" (patient14, HTML-PAT-02);
  "Request care record for a sensitive patient" (patient9, HTML-PAT-03); "Request care record where
  request is made for a patient who has not consented" (patient15, one row per section: HTML-PAT-04).

  Specification:
  - GP Connect 0.7.2, Retrieve a care record section: https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html
  - GP Connect 0.7.2, Error handling guidance: https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_error_handling_guidance.html

  @req:HTML-PAT-01
  Scenario: A patient not at the practice is not found
    Given a care record request for the NHS number "9999999999" section "SUM"
    When the request is sent
    Then the response is the 0.x error PATIENT_NOT_FOUND

  @req:HTML-PAT-02
  Scenario: A patient not on Spine is not found
    Given a care record request for "patient14" section "SUM"
    When the request is sent
    Then the response is the 0.x error PATIENT_NOT_FOUND

  @req:HTML-PAT-03
  Scenario Outline: A sensitive patient is not found (<section>)
    Given a care record request for "patient9" section "<section>"
    When the request is sent
    Then the response is the 0.x error PATIENT_NOT_FOUND

    Examples:
      | section |
      | SUM     |
      | ENC     |

  @req:HTML-PAT-04
  Scenario Outline: A patient who dissented gets no <section> section
    Given a care record request for "patient15" section "<section>"
    When the request is sent
    Then the response is the 0.x error NO_PATIENT_CONSENT

    Examples:
      | section |
      | ADM     |
      | ALL     |
      | CLI     |
      | ENC     |
      | IMM     |
      | MED     |
      | OBS     |
      | PRB     |
      | REF     |
      | SUM     |
