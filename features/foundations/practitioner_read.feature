@foundations @practitioner
Feature: Read a practitioner
  GET [base]/Practitioner/{id}, with the logical id learnt from Find a practitioner. The provider returns
  the Practitioner whose id is the one read, with an ETag, conformant to CareConnect-GPC-Practitioner-1:
  meta.profile and versionId, exactly one SDS user id and every SDS role profile id it holds, one name
  (with a family name before 1.6.2), and never telecom, address, birthDate, photo, qualification or
  communication. An unknown id is a 404; the error table's code is PRACTITIONER_NOT_FOUND.

  Specification:
  - GP Connect 1.2.7, Read a practitioner (error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_practitioner.html

  @req:FND-PRA-READ-01
  Scenario Outline: Reading <practitioner> returns that practitioner with its <roles> SDS role profile ids
    Given a "read practitioner" request for "<practitioner>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response has an ETag matching its meta.versionId
    And the resource id is the id that was read
    And the response holds the Practitioner of "<practitioner>" with <roles> SDS role profile ids conforming to CareConnect-GPC-Practitioner-1
    And the response is valid against the profiles it declares

    Examples:
      | practitioner  | roles |
      | practitioner1 | 0     |
      | practitioner2 | 1     |
      | practitioner3 | 2     |
      | practitioner5 | 1     |

  @req:FND-PRA-READ-02
  Scenario Outline: A practitioner read in <format> (Accept <accept>, _format <_format>) is the same practitioner
    Given a "read practitioner" request for "practitioner3"
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response has an ETag matching its meta.versionId
    And the resource id is the id that was read
    And the response holds the Practitioner of "practitioner3" with 2 SDS role profile ids conforming to CareConnect-GPC-Practitioner-1
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

  @req:FND-PRA-READ-02
  Scenario Outline: A practitioner read asked for in <format> by the Accept header alone
    Given a "read practitioner" request for "practitioner2"
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response holds the Practitioner of "practitioner2" with 1 SDS role profile ids conforming to CareConnect-GPC-Practitioner-1
    And the response is valid against the profiles it declares

    Examples:
      | accept                | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | format |
      | application/fhir+xml  | XML    |

  @req:FND-PRA-READ-03
  Scenario Outline: Reading the unknown logical id <id> is PRACTITIONER_NOT_FOUND
    Given a "read practitioner" request for the logical id "<id>"
    When the request is sent
    Then the response is the error "PRACTITIONER_NOT_FOUND"
    And the response has Cache-Control no-store

    Examples:
      | id             |
      | aaBA           |
      | 1ZEc2          |
      | z.as.dd        |
      | 1.1.22         |
      | 40-9           |
      | nd-skdm.mks--s |

  @req:FND-PRA-READ-04
  Scenario Outline: A practitioner read with the interaction id of <other> is refused
    Given a "read practitioner" request for "practitioner1"
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | other             |
      | read location     |
      | find practitioner |

  @req:FND-PRA-READ-05
  Scenario: A practitioner read with the patient scope is refused
    Given a "read practitioner" request for "practitioner1"
    And the JWT claim "requested_scope" is "patient/*.read"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store
