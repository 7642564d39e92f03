@documents @patient @since:1.5.0
Feature: Access Document - find a patient
  GET [documents root]/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{NHS number}, with the Access
  Document interaction id. Unlike Foundations' Find a patient, only active patients with a Regular/GMS
  registration are returned (a temporary registration is not found), and identifier problems are 422
  INVALID_PARAMETER (1.5.0+). Failing to find a patient is a 200 with an empty Bundle; an NHS number failing
  its check digit is 400 INVALID_NHS_NUMBER. A patient who dissented is still found: the dissent is answered
  by the search for documents.

  NHS Digital's provider suite (StructuredDocuments.feature) maps here: "Documents Patient Search and check
  response conforms with the GPConnect specification" and "... results should contain a logical identifier"
  (DOC-PAT-01 over patients 1 to 8 and more); "Documents Patient Search resource should contain NHS number
  identifier returned as XML", "The Documents Patient Search endpoint should accept the accept header",
  "The Documents patient search endpoint should accept the format parameter" and its "after / before the
  identifier parameter" variants (DOC-PAT-01, one row each); "... valid response check caching headers exist"
  (DOC-PAT-01, Cache-Control on every 200) and "... invalid response check caching headers exist" (the error
  scenarios below); "When a patient is not found on the provider system an empty bundle should be
  returned", "... does not return deceased patient", "... patient with a sensitive flag should return no
  results" and "... with a inactive flag should return no results" (DOC-PAT-02); "... should return an
  error when no system is supplied" and "... when a blank system is supplied", "... response should be an
  error if no value is sent" (DOC-PAT-03); "... should fail if no identifier parameter is include", "...
  The identifier parameter should be rejected if the case is incorrect" and "... should error if multiple
  parameters valid or invalid are sent" (DOC-PAT-04); "... for a No Consent Patient search gets a valid
  response" (DOC-PAT-06); "... should contain a preferred branch" (DOC-PAT-09).

  Where the page (identifier missing: INVALID_PARAMETER) and NHS Digital's suite (400 BAD_REQUEST for a
  missing, mis-cased or repeated identifier) name different codes, either is accepted.

  Specification:
  - GP Connect 1.6.0, Access Document, Find a patient: https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_use_case_find_a_patient.html

  @req:DOC-PAT-01
  Scenario Outline: Finding <patient> on the documents root returns that one patient, conformant to CareConnect-GPC-Patient-1
    Given a "documents find patient" request for "<patient>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Patient of "<patient>" conforming to CareConnect-GPC-Patient-1
    And the response is valid against the profiles it declares

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
      | patient16 |
      | patient17 |
      | patient19 |
      | patient20 |

  @req:DOC-PAT-01
  Scenario Outline: A documents find with Accept <accept> is answered in <format>
    Given a "documents find patient" request for "patient2"
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Patient of "patient2" conforming to CareConnect-GPC-Patient-1
    And the response is valid against the profiles it declares

    Examples:
      | accept                | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | format |
      | application/fhir+xml  | XML    |

  @req:DOC-PAT-01
  Scenario Outline: A documents find with _format <_format> before the identifier is answered in <format>
    Given a "documents find patient" request with no parameters
    And the query parameter identifier is added for "patient2"
    And the query parameter "_format" is "<_format>" placed first
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Patient of "patient2" conforming to CareConnect-GPC-Patient-1

    Examples:
      | _format               | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | _format               | format |
      | application/fhir+xml  | XML    |

  @req:DOC-PAT-01
  Scenario Outline: A documents find with _format <_format> after the identifier is answered in <format>
    Given a "documents find patient" request for "patient2"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Patient of "patient2" conforming to CareConnect-GPC-Patient-1

    Examples:
      | _format               | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | _format               | format |
      | application/fhir+xml  | XML    |

  @req:DOC-PAT-02
  Scenario Outline: Finding <patient> (<why>) on the documents root returns an empty Bundle
    Given a "documents find patient" request for "<patient>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with 0 entries

    Examples:
      | patient            | why                          |
      | patientNotInSystem | not held by the provider     |
      | patient9           | PDS sensitive                |
      | patient10          | PDS sensitive                |
      | patient18          | deceased long ago            |
      | patient21          | registration inactive (left) |

  @req:DOC-PAT-03
  Scenario Outline: A documents find whose identifier <form> is INVALID_PARAMETER
    Given a "documents find patient" request with no parameters
    And the query parameter "identifier" is "<identifier>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | form                          | identifier                                              |
      | has no system                 | 9690937286                                              |
      | has an empty system           | \|9690937286                                            |
      | has an empty value            | https://fhir.nhs.uk/Id/nhs-number\|                     |
      | has an unrecognised system    | https://fhir.nhs.uk/Id/ods-organization-code\|9690937286 |
      | has a system of the wrong case | https://fhir.nhs.uk/Id/NHS-NUMBER\|9690937286          |

  @req:DOC-PAT-04
  Scenario: A documents find without the identifier parameter is refused
    Given a "documents find patient" request with no parameters
    When the request is sent
    Then the response is the error "INVALID_PARAMETER" or the error "BAD_REQUEST"
    And the response has Cache-Control no-store

  @req:DOC-PAT-04
  Scenario: A documents find with the parameter name written Identifier is refused
    Given a "documents find patient" request with no parameters
    And the query parameter "Identifier" is "https://fhir.nhs.uk/Id/nhs-number|9690937286"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER" or the error "BAD_REQUEST"
    And the response has Cache-Control no-store

  @req:DOC-PAT-04
  Scenario Outline: A documents find with the identifier given twice (<first> then <second>) is refused
    Given a "documents find patient" request for "<first>"
    And the query parameter identifier is added for "<second>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER" or the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | first    | second   |
      | patient2 | patient2 |
      | patient2 | patient3 |

  @req:DOC-PAT-05
  Scenario Outline: The NHS number <number> (<why>) is INVALID_NHS_NUMBER on the documents root
    Given a "documents find patient" request with no parameters
    And the query parameter "identifier" is "https://fhir.nhs.uk/Id/nhs-number|<number>"
    When the request is sent
    Then the response is the error "INVALID_NHS_NUMBER"
    And the response has Cache-Control no-store

    Examples:
      | number      | why                     |
      | 1234567890  | check digit would be 10 |
      | 9658218866  | wrong check digit       |
      | 969093728   | nine digits             |
      | 969093728A  | a letter                |

  @req:DOC-PAT-06
  Scenario: A patient who dissented from sharing is still found on the documents root
    Given a "documents find patient" request for "patient15"
    When the request is sent
    Then the response status is 200
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Patient of "patient15" conforming to CareConnect-GPC-Patient-1

  @req:DOC-PAT-07
  Scenario: A patient registered temporarily is found by Foundations but not on the documents root
    Given a "register patient" request for a new person from the register pool
    When the request is sent
    Then the response status is 200
    And the registered patient is registered as temporary
    And a find for the registered patient returns it
    And a documents find for the registered patient returns no patient

  @req:DOC-PAT-09
  Scenario Outline: The patient found on the documents root carries the registration details with its preferred branch surgery (<patient>)
    Given a "documents find patient" request for "<patient>"
    When the request is sent
    Then the response status is 200
    And the response is a searchset Bundle with exactly one entry
    And the patient carries the registration details extension once

    Examples:
      | patient  |
      | patient2 |
      | patient3 |
