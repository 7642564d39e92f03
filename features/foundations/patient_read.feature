@foundations @patient
Feature: Read a patient
  GET [base]/Patient/{id}, with the logical id a consumer learns from Find a patient. The provider returns
  the Patient whose id is the one read, with an ETag W/"<versionId>", populated and restricted as for
  Find a patient: CareConnect-GPC-Patient-1 in meta.profile, the NHS number with its verification status,
  one official name, gender, birth date, the managing organisation addressed by the service root, and none
  of the forbidden elements and extensions. PDS-sensitive patients and unknown ids are PATIENT_NOT_FOUND
  (404).

  Specification:
  - GP Connect 1.2.7, Read a patient (error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_patient.html
  - GP Connect 1.2.7, Find a patient (which patients may be returned): https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_patient.html

  @req:FND-PAT-READ-01
  Scenario Outline: Reading <patient> returns that patient, conformant to CareConnect-GPC-Patient-1
    Given a "read patient" request for "<patient>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response has an ETag matching its meta.versionId
    And the resource id is the id that was read
    And the response holds the Patient of "<patient>" conforming to CareConnect-GPC-Patient-1
    And the response is valid against the profiles it declares

    # patient15 has dissented from data sharing: dissent is not applied when Foundations serve Appointment
    # Management, so the patient is read normally (Find a patient, which patients may be returned).
    Examples:
      | patient   |
      | patient1  |
      | patient2  |
      | patient3  |
      | patient4  |
      | patient5  |
      | patient6  |
      | patient7  |
      | patient8  |
      | patient12 |
      | patient13 |
      | patient15 |
      | patient16 |
      | patient17 |
      | patient19 |
      | patient20 |

  @req:FND-PAT-READ-02
  Scenario Outline: A patient read in <format> is the same conformant patient
    Given a "read patient" request for "patient2"
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response has an ETag matching its meta.versionId
    And the resource id is the id that was read
    And the response holds the Patient of "patient2" conforming to CareConnect-GPC-Patient-1
    And the response is valid against the profiles it declares

    Examples:
      | accept                | _format               | format |
      | application/fhir+json | application/fhir+json | JSON   |
      | application/fhir+xml  | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | _format               | format |
      | application/fhir+json | application/fhir+xml  | XML    |
      | application/fhir+xml  | application/fhir+xml  | XML    |

  @req:FND-PAT-READ-02
  Scenario Outline: A patient read asked for in <format> by the Accept header alone
    Given a "read patient" request for "patient3"
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response has an ETag matching its meta.versionId
    And the response holds the Patient of "patient3" conforming to CareConnect-GPC-Patient-1
    And the response is valid against the profiles it declares

    Examples:
      | accept                | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | format |
      | application/fhir+xml  | XML    |

  @req:FND-PAT-READ-03
  Scenario Outline: The managing organisation of <patient> is the practice addressed by the service root
    Given a "read patient" request for "<patient>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the patient's managing organisation is the practice addressed by the service root

    Examples:
      | patient  |
      | patient1 |
      | patient2 |
      | patient4 |

  @req:FND-PAT-READ-04
  Scenario Outline: The preferred branch surgery of <patient> is one of the practice's Locations
    Given a "read patient" request for "<patient>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the patient carries the registration details extension once
    And the patient's preferred branch surgery is a Location managed by that practice

    Examples:
      | patient  |
      | patient2 |
      | patient4 |

  @req:FND-PAT-READ-05
  Scenario Outline: Reading the unknown logical id <id> is PATIENT_NOT_FOUND
    Given a "read patient" request for the logical id "<id>"
    When the request is sent
    Then the response is the error "PATIENT_NOT_FOUND"
    And the response has Cache-Control no-store

    Examples:
      | id                                                         |
      | aaBA                                                       |
      | 1ZEc2                                                      |
      | z.as.dd                                                    |
      | 1.1.22                                                     |
      | 40-9                                                       |
      | nd-skdm.mks--s                                             |
      | 9999999999999999999999999999999999999999999999999999999999 |
      | not-a-patient                                              |

  @req:FND-PAT-READ-06
  Scenario: A patient read with no logical id in the path is an error with an OperationOutcome
    Given a "read patient" request for the logical id "x"
    And the request path is "/Patient/"
    When the request is sent
    Then the response status is 400 or 404
    And the response is an error with an OperationOutcome
    And the response has Cache-Control no-store

  @req:FND-PAT-READ-07
  Scenario Outline: A patient read with the interaction id of <other> is refused
    Given a "read patient" request for "patient2"
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | other             |
      | find patient      |
      | read practitioner |

  @req:FND-PAT-READ-08
  Scenario: A patient read with the organisation scope is refused
    Given a "read patient" request for "patient2"
    And the JWT claim "requested_scope" is "organization/*.read"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store
