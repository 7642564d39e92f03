@foundations @organisation
Feature: Read an organisation
  GET [base]/Organization/{id}, with the logical id learnt from Find an organisation. The provider returns the
  Organization whose id is the one read, with an ETag, conformant to CareConnect-GPC-Organization-1:
  meta.profile and versionId, at most one ODS organisation code, a name, valid telecom and address, and
  never contact or endpoint. An unknown id is 404 ORGANISATION_NOT_FOUND.

  Specification:
  - GP Connect 1.2.7, Read an organisation (error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_an_organisation.html

  @req:FND-ORG-READ-01
  Scenario Outline: Reading <organisation> returns that organisation, conformant to CareConnect-GPC-Organization-1
    Given a "read organisation" request for "<organisation>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response has an ETag matching its meta.versionId
    And the resource id is the id that was read
    And the response holds the Organization of "<organisation>" conforming to CareConnect-GPC-Organization-1
    And the response is valid against the profiles it declares

    Examples:
      | organisation |
      | ORG1         |
      | ORG2         |
      | ORG3         |

  @req:FND-ORG-READ-02
  Scenario Outline: An organisation read in <format> (Accept <accept>, _format <_format>) is the same organisation
    Given a "read organisation" request for "ORG1"
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response has an ETag matching its meta.versionId
    And the resource id is the id that was read
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

  @req:FND-ORG-READ-02
  Scenario Outline: An organisation read asked for in <format> by the Accept header alone
    Given a "read organisation" request for "ORG2"
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response holds the Organization of "ORG2" conforming to CareConnect-GPC-Organization-1
    And the response is valid against the profiles it declares

    Examples:
      | accept                | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | format |
      | application/fhir+xml  | XML    |

  @req:FND-ORG-READ-03
  Scenario Outline: Reading the unknown logical id <id> is ORGANISATION_NOT_FOUND
    Given a "read organisation" request for the logical id "<id>"
    When the request is sent
    Then the response is the error "ORGANISATION_NOT_FOUND"
    And the response has Cache-Control no-store

    Examples:
      | id             |
      | aaBA           |
      | 1ZEc2          |
      | z.as.dd        |
      | 1.1.22         |
      | 40-9           |
      | nd-skdm.mks--s |

  @req:FND-ORG-READ-04
  Scenario Outline: An organisation read with the interaction id of <other> is refused
    Given a "read organisation" request for "ORG1"
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | other             |
      | read practitioner |
      | find organisation |
