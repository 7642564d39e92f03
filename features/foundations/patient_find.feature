@foundations @patient
Feature: Find a patient
  GET [base]/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{NHS number}. The provider returns a
  searchset Bundle of only active, shareable patients: sensitive, deceased and inactive patients, and NHS
  numbers it does not hold, give an empty Bundle (200), never an error. Each Patient conforms to
  CareConnect-GPC-Patient-1 as Foundations restricts it. An identifier with no system, an empty system or
  an empty value is 422 INVALID_PARAMETER; a missing, mis-cased or repeated identifier parameter is 400
  BAD_REQUEST (NHS Digital's suite, where the spec is silent); another identifier system is
  INVALID_IDENTIFIER_SYSTEM and an NHS number failing the modulus-11 check INVALID_NHS_NUMBER (400).

  Specification:
  - GP Connect 1.2.7, Find a patient (search parameters, error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_patient.html
  - GP Connect 1.2.7, Error handling guidance (Identity validation errors; failure to find is not an error): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html

  @req:FND-PAT-FIND-01
  Scenario Outline: Finding <patient> returns that one patient, conformant to CareConnect-GPC-Patient-1
    Given a "find patient" request for "<patient>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Patient of "<patient>" conforming to CareConnect-GPC-Patient-1
    And the response is valid against the profiles it declares

    # patient15 has dissented from sharing, which Foundations for Appointment Management ignore.
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

  @req:FND-PAT-FIND-02
  Scenario Outline: Finding <patient> (<why>) returns an empty Bundle, not an error
    Given a "find patient" request for "<patient>"
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
      | patient18          | deceased                     |
      | patient21          | registration inactive (left) |

  @req:FND-PAT-FIND-03
  Scenario Outline: A found patient carries the registration details with its preferred branch surgery (<patient>)
    Given a "find patient" request for "<patient>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with exactly one entry
    And the patient carries the registration details extension once
    And the patient's preferred branch surgery is a Location managed by that practice
    And the patient's managing organisation is the practice addressed by the service root

    Examples:
      | patient  |
      | patient2 |
      | patient3 |

  @req:FND-PAT-FIND-04
  Scenario Outline: An identifier <form> is INVALID_PARAMETER
    Given a "find patient" request with no parameters
    And the query parameter "identifier" is "<identifier>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | form                     | identifier                          |
      | with no system           | 9690937286                          |
      | with an empty system     | \|9690937286                        |
      | with an empty value      | https://fhir.nhs.uk/Id/nhs-number\| |
      | with empty system, value | \|                                  |

  @req:FND-PAT-FIND-05
  Scenario: A find without the identifier parameter is BAD_REQUEST
    Given a "find patient" request with no parameters
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

  @req:FND-PAT-FIND-05
  Scenario: A find with the parameter name written Identifier is BAD_REQUEST
    Given a "find patient" request with no parameters
    And the query parameter "Identifier" is "https://fhir.nhs.uk/Id/nhs-number|9690937286"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

  @req:FND-PAT-FIND-05
  Scenario Outline: A find with the identifier parameter given twice (<first> then <second>) is BAD_REQUEST
    Given a "find patient" request for "<first>"
    And the query parameter identifier is added for "<second>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | first    | second   |
      | patient2 | patient2 |
      | patient2 | patient3 |
      | patient3 | patient2 |

  @req:FND-PAT-FIND-06
  Scenario Outline: The NHS number <number> fails the NHS number checks (<why>) and is INVALID_NHS_NUMBER
    Given a "find patient" request with no parameters
    And the query parameter "identifier" is "https://fhir.nhs.uk/Id/nhs-number|<number>"
    When the request is sent
    Then the response is the error "INVALID_NHS_NUMBER"
    And the response has Cache-Control no-store

    Examples:
      | number      | why                        |
      | 1234567890  | check digit would be 10    |
      | 9658218866  | wrong check digit          |
      | 969093728   | nine digits                |
      | 96909372866 | eleven digits              |
      | 969093728A  | a letter                   |
      | 969 093 7286 | spaces                    |

  @req:FND-PAT-FIND-07
  Scenario Outline: An NHS number searched with the <system> system is INVALID_IDENTIFIER_SYSTEM
    Given a "find patient" request with no parameters
    And the query parameter "identifier" is "<uri>|9690937286"
    When the request is sent
    Then the response is the error "INVALID_IDENTIFIER_SYSTEM"
    And the response has Cache-Control no-store

    Examples:
      | system                | uri                                           |
      | ODS organisation code | https://fhir.nhs.uk/Id/ods-organization-code  |
      | SDS user id           | https://fhir.nhs.uk/Id/sds-user-id            |
      | DSTU2 NHS number      | http://fhir.nhs.net/Id/nhs-number             |

  @req:FND-PAT-FIND-08
  Scenario Outline: Unsupported search parameters <parameters> are ignored
    Given a "find patient" request for "patient2"
    And the query parameter "<name>" is "<value>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Patient of "patient2" conforming to CareConnect-GPC-Patient-1
    And the response is valid against the profiles it declares

    Examples:
      | parameters  | name   | value  |
      | _count=1    | _count | 1      |
      | _sort       | _sort  | status |

  @req:FND-PAT-FIND-09
  Scenario Outline: A found patient in <format> (Accept <accept>, _format <_format>) is the same conformant patient
    Given a "find patient" request for "patient2"
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a searchset Bundle with exactly one entry
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

  @req:FND-PAT-FIND-09
  Scenario Outline: _format <format> placed before the identifier chooses the format
    Given a "find patient" request with no parameters
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    And the query parameter identifier is added for "patient1"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Patient of "patient1" conforming to CareConnect-GPC-Patient-1
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

  @req:FND-PAT-FIND-09
  Scenario Outline: A patient find asked for in <format> by the Accept header alone, for <patient>
    Given a "find patient" request for "<patient>"
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Patient of "<patient>" conforming to CareConnect-GPC-Patient-1
    And the response is valid against the profiles it declares

    Examples:
      | patient  | accept                | format |
      | patient3 | application/fhir+json | JSON   |

    @xml
    Examples:
      | patient  | accept                | format |
      | patient1 | application/fhir+xml  | XML    |
      | patient2 | application/fhir+xml  | XML    |
      | patient3 | application/fhir+xml  | XML    |

  @req:FND-PAT-FIND-10
  Scenario Outline: A patient find with the interaction id of <other> is refused
    Given a "find patient" request for "patient2"
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | other             |
      | read patient      |
      | find practitioner |

  @req:FND-PAT-FIND-11
  Scenario Outline: A patient find with the scope <scope> is refused
    Given a "find patient" request for "patient2"
    And the JWT claim "requested_scope" is "<scope>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | scope               |
      | organization/*.read |
      | patient/*.write     |
