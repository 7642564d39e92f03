@foundations @practitioner
Feature: Find a practitioner
  GET [base]/Practitioner?identifier=https://fhir.nhs.uk/Id/sds-user-id|{SDS user id}. The provider returns a
  searchset Bundle of CareConnect-GPC-Practitioner-1 resources; an SDS user id it does not hold gives an
  empty Bundle, not an error. An empty system or value, or no system, is 422 INVALID_PARAMETER; a missing
  identifier is an error with an OperationOutcome; a mis-cased or repeated identifier parameter is 400
  BAD_REQUEST; an unrecognised system is an error, INVALID_IDENTIFIER_SYSTEM in the error table.

  Specification:
  - GP Connect 1.2.7, Find a practitioner (search parameters, error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_practitioner.html
  - GP Connect 1.2.7, Error handling guidance (error codes): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html

  @req:FND-PRA-FIND-01
  Scenario Outline: Finding <practitioner> returns that practitioner with its <roles> SDS role profile ids
    Given a "find practitioner" request for "<practitioner>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Practitioner of "<practitioner>" with <roles> SDS role profile ids conforming to CareConnect-GPC-Practitioner-1
    And the response is valid against the profiles it declares

    Examples:
      | practitioner  | roles |
      | practitioner1 | 0     |
      | practitioner2 | 1     |
      | practitioner3 | 2     |
      | practitioner5 | 1     |

  @req:FND-PRA-FIND-02
  Scenario: Finding an SDS user id the provider does not hold returns an empty Bundle
    Given a "find practitioner" request for "practitioner4"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with 0 entries

  @req:FND-PRA-FIND-03
  Scenario Outline: An identifier <form> is INVALID_PARAMETER
    Given a "find practitioner" request with no parameters
    And the query parameter "identifier" is "<identifier>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | form                 | identifier                          |
      | with no system       | G13579135                           |
      | with an empty system | \|G13579135                         |
      | with an empty value  | https://fhir.nhs.uk/Id/sds-user-id\| |

  @req:FND-PRA-FIND-04
  Scenario: A practitioner find without the identifier parameter is refused with a 4xx and an OperationOutcome
    The request is the consumer's error: a 4xx whose GP Connect error code goes with its status (the
    code itself is not fixed). A 5xx is the provider failing, not a refusal. Find a practitioner, Error
    handling: https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_practitioner.html and
    https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html
    Given a "find practitioner" request with no parameters
    When the request is sent
    Then the response is a 4xx error with an OperationOutcome
    And the response has Cache-Control no-store

  @req:FND-PRA-FIND-05
  Scenario: A practitioner find with the parameter name written Identifier is BAD_REQUEST
    Given a "find practitioner" request with no parameters
    And the query parameter "Identifier" is "https://fhir.nhs.uk/Id/sds-user-id|G13579135"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

  @req:FND-PRA-FIND-05
  Scenario Outline: A practitioner find with the identifier given twice (<first> then <second>) is BAD_REQUEST
    Given a "find practitioner" request for "<first>"
    And the query parameter identifier is added for "<second>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | first         | second        |
      | practitioner1 | practitioner1 |
      | practitioner1 | practitioner2 |

  @req:FND-PRA-FIND-06
  Scenario: A practitioner searched with the SDS role profile id system is INVALID_IDENTIFIER_SYSTEM
    Given a "find practitioner" request with no parameters
    And the query parameter "identifier" is "https://fhir.nhs.uk/Id/sds-role-profile-id|112233445566"
    When the request is sent
    Then the response is the error "INVALID_IDENTIFIER_SYSTEM"
    And the response has Cache-Control no-store

  @req:FND-PRA-FIND-07
  Scenario: An unsupported _count parameter is ignored
    Given a "find practitioner" request for "practitioner2"
    And the query parameter "_count" is "1"
    And the query parameter "_sort" is "name"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with exactly one entry

  @req:FND-PRA-FIND-08
  Scenario Outline: A found practitioner in <format> (Accept <accept>, _format <_format>) is the same practitioner
    Given a "find practitioner" request for "practitioner2"
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Practitioner of "practitioner2" with 1 SDS role profile ids conforming to CareConnect-GPC-Practitioner-1
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

  @req:FND-PRA-FIND-08
  Scenario Outline: _format <format> placed before the identifier chooses the format
    Given a "find practitioner" request with no parameters
    And the query parameter "_format" is "<_format>"
    And the query parameter identifier is added for "practitioner3"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Practitioner of "practitioner3" with 2 SDS role profile ids conforming to CareConnect-GPC-Practitioner-1
    And the response is valid against the profiles it declares

    Examples:
      | _format               | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | _format               | format |
      | application/fhir+xml  | XML    |

  @req:FND-PRA-FIND-09
  Scenario Outline: A practitioner find with the interaction id of <other> is refused
    Given a "find practitioner" request for "practitioner1"
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | other             |
      | read practitioner |
      | find organisation |
