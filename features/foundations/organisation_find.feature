@foundations @organisation
Feature: Find an organisation
  GET [base]/Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code|{ODS code}. The provider
  returns a searchset Bundle of CareConnect-GPC-Organization-1 resources; an ODS code it does not hold
  gives an empty Bundle. A missing identifier is an error with an OperationOutcome; malformed identifiers
  follow the Find error table; a wrong interaction id is 400 BAD_REQUEST.

  Specification:
  - GP Connect 1.2.7, Find an organisation (search parameters, error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_an_organisation.html

  @req:FND-ORG-FIND-01
  Scenario Outline: Finding <organisation> returns that organisation, conformant to CareConnect-GPC-Organization-1
    Given a "find organisation" request for "<organisation>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Organization of "<organisation>" conforming to CareConnect-GPC-Organization-1
    And the response is valid against the profiles it declares

    Examples:
      | organisation |
      | ORG1         |
      | ORG2         |
      | ORG3         |

  @req:FND-ORG-FIND-02
  Scenario: Finding an ODS code the provider does not hold returns an empty Bundle
    Given a "find organisation" request for "unknownORG"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with 0 entries

  @req:FND-ORG-FIND-03
  Scenario: An organisation find without the identifier parameter is refused with a 4xx and an OperationOutcome
    The request is the consumer's error: a 4xx whose GP Connect error code goes with its status (the
    code itself is not fixed). A 5xx is the provider failing, not a refusal. Find an organisation, Error
    handling: https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_an_organisation.html and
    https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html
    Given a "find organisation" request with no parameters
    When the request is sent
    Then the response is a 4xx error with an OperationOutcome
    And the response has Cache-Control no-store

  @req:FND-ORG-FIND-04
  Scenario Outline: An identifier <form> is INVALID_PARAMETER
    Given a "find organisation" request with no parameters
    And the query parameter "identifier" is "<identifier>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | form                 | identifier                                     |
      | with no system       | B82617                                         |
      | with an empty system | \|B82617                                       |
      | with an empty value  | https://fhir.nhs.uk/Id/ods-organization-code\| |

  @req:FND-ORG-FIND-05
  Scenario: An organisation find with the identifier parameter given twice is BAD_REQUEST
    Given a "find organisation" request for "ORG1"
    And the query parameter identifier is added for "ORG2"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

  @req:FND-ORG-FIND-05
  Scenario: An organisation find with the parameter name written Identifier is BAD_REQUEST
    Given a "find organisation" request with no parameters
    And the query parameter "Identifier" is "https://fhir.nhs.uk/Id/ods-organization-code|B82617"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

  @req:FND-ORG-FIND-06
  Scenario Outline: An organisation searched with the <system> system is INVALID_IDENTIFIER_SYSTEM
    Given a "find organisation" request with no parameters
    And the query parameter "identifier" is "<uri>|B82617"
    When the request is sent
    Then the response is the error "INVALID_IDENTIFIER_SYSTEM"
    And the response has Cache-Control no-store

    Examples:
      | system                | uri                                         |
      | ODS site code         | https://fhir.nhs.uk/Id/ods-site-code        |
      | DSTU2 ODS code        | http://fhir.nhs.net/Id/ods-organization-code |

  @req:FND-ORG-FIND-07
  Scenario: An unsupported _count parameter is ignored
    Given a "find organisation" request for "ORG1"
    And the query parameter "_count" is "1"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Organization of "ORG1" conforming to CareConnect-GPC-Organization-1
    And the response is valid against the profiles it declares

  @req:FND-ORG-FIND-08
  Scenario Outline: A found organisation in <format> (Accept <accept>, _format <_format>) is the same organisation
    Given a "find organisation" request for "ORG1"
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Organization of "ORG1" conforming to CareConnect-GPC-Organization-1
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

  @req:FND-ORG-FIND-08
  Scenario Outline: _format <format> with the Accept header removed, placed <where> the identifier
    Given a "find organisation" request with no parameters
    And the "Accept" header is removed
    And the query parameter "<first>" is "<first value>"
    And the query parameter "<second>" is "<second value>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a searchset Bundle with exactly one entry
    And the response holds the Organization of "ORG2" conforming to CareConnect-GPC-Organization-1
    And the response is valid against the profiles it declares

    Examples:
      | format | where  | first      | first value                                       | second     | second value                                      |
      | JSON   | before | _format    | application/fhir+json                             | identifier | https://fhir.nhs.uk/Id/ods-organization-code\|R1A14 |
      | JSON   | after  | identifier | https://fhir.nhs.uk/Id/ods-organization-code\|R1A14 | _format    | application/fhir+json                             |

    @xml
    Examples:
      | format | where  | first      | first value                                       | second     | second value                                      |
      | XML    | before | _format    | application/fhir+xml                              | identifier | https://fhir.nhs.uk/Id/ods-organization-code\|R1A14 |
      | XML    | after  | identifier | https://fhir.nhs.uk/Id/ods-organization-code\|R1A14 | _format    | application/fhir+xml                              |

  @req:FND-ORG-FIND-09
  Scenario Outline: An organisation find with the interaction id of <other> is refused
    Given a "find organisation" request for "ORG1"
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | other             |
      | read practitioner |
      | read organisation |
