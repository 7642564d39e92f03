@html
Feature: Access Record HTML - whose record may be retrieved
  A record is returned only for a patient registered at the practice, traced on PDS, not flagged
  sensitive and who has not dissented; otherwise 404 PATIENT_NOT_FOUND (never revealing that a sensitive
  patient is registered) or 403 NO_PATIENT_CONSENT, for every section. From 0.7.4 a deceased patient's
  record stays available for 28 days after death, its Patient carrying the deceasedDateTime
  (patientRecentlyDeceased died two weeks before the run); after that, and before 0.7.4, a deceased
  patient is not found (patient18 died long ago).

  NHS Digital's 0.x provider suite (AccessRecord.feature): "Request care record for patient not in the
  system" (HTML-PAT-01, here for every section); "Request care record for patient not on Spine"
  (patient14, HTML-PAT-02, every section); "Request care record for a sensitive patient" (patient9,
  HTML-PAT-03, every section); "Request care record where request is made for a patient who has not
  consented" (patient15, one row per section: HTML-PAT-04); "Request care record for a deceased patient
  within the access period" (the suite's patient18, HTML-PAT-05) and "... outside the access period"
  (the suite's patient17, HTML-PAT-06), both 0.7.4 only.

  Specification:
  - GP Connect 0.7.2, Retrieve a care record section: https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html
  - GP Connect 0.7.2, Error handling guidance: https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_error_handling_guidance.html

  @req:HTML-PAT-01
  Scenario Outline: A patient not at the practice is not found (<section>)
    Given a care record request for "patientNotInSystem" section "<section>"
    When the request is sent
    Then the response is the 0.x error PATIENT_NOT_FOUND

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

  @req:HTML-PAT-02
  Scenario Outline: A patient not on Spine is not found (<section>)
    Given a care record request for "patient14" section "<section>"
    When the request is sent
    Then the response is the 0.x error PATIENT_NOT_FOUND

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

  @req:HTML-PAT-03
  Scenario Outline: A sensitive patient is not found (<section>)
    Given a care record request for "patient9" section "<section>"
    When the request is sent
    Then the response is the 0.x error PATIENT_NOT_FOUND

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

  @req:HTML-PAT-05 @since:0.7.4
  Scenario Outline: A patient who died two weeks ago still has their <section> section
    Given a care record request for "patientRecentlyDeceased" section "<section>"
    When the request is sent
    Then the response is the care record section asked for
    And the Patient died within the days a deceased patient's record stays available

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

  @req:HTML-PAT-06
  Scenario Outline: A patient who died long ago is not found (<section>)
    Given a care record request for "patient18" section "<section>"
    When the request is sent
    Then the response is the 0.x error PATIENT_NOT_FOUND

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
