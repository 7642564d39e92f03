@foundations @location
Feature: Read a location
  GET [base]/Location/{id}; Locations have no find interaction, so the target configuration maps each test
  site (SIT1, SIT2...) to its logical id. The provider returns the Location whose id is the one read, with
  an ETag, conformant to CareConnect-GPC-Location-1: meta.profile and versionId, a name, at most one ODS
  site code, the managing organisation as a relative reference (SHALL since 1.2.2) that can be read, and
  never endpoint. An unknown id is an error; the catch-all code is NO_RECORD_FOUND (404).

  Specification:
  - GP Connect 1.2.7, Read a location (request, error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_location.html

  @req:FND-LOC-READ-01
  Scenario Outline: Reading <site> returns that location, conformant to CareConnect-GPC-Location-1
    Given a "read location" request for "<site>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response has an ETag matching its meta.versionId
    And the resource id is the id that was read
    And the response holds a Location conforming to CareConnect-GPC-Location-1
    And the response is valid against the profiles it declares

    Examples:
      | site |
      | SIT1 |
      | SIT2 |
      | SIT3 |

  @req:FND-LOC-READ-02
  Scenario Outline: The managing organisation of <site> can be read
    Given a "read location" request for "<site>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the location's managing organisation can be read as an Organization conforming to CareConnect-GPC-Organization-1

    Examples:
      | site |
      | SIT1 |
      | SIT2 |
      | SIT3 |

  @req:FND-LOC-READ-03
  Scenario Outline: A location read in <format> (Accept <accept>, _format <_format>) is the same location
    Given a "read location" request for "SIT1"
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response has an ETag matching its meta.versionId
    And the resource id is the id that was read
    And the response holds a Location conforming to CareConnect-GPC-Location-1
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

  @req:FND-LOC-READ-03
  Scenario Outline: A location read asked for in <format> by _format alone
    Given a "read location" request for "SIT2"
    And the "Accept" header is removed
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response holds a Location conforming to CareConnect-GPC-Location-1
    And the response is valid against the profiles it declares

    Examples:
      | _format               | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | _format               | format |
      | application/fhir+xml  | XML    |

  @req:FND-LOC-READ-04
  Scenario Outline: Reading the unknown logical id <id> is NO_RECORD_FOUND
    Given a "read location" request for the logical id "<id>"
    When the request is sent
    Then the response is the error "NO_RECORD_FOUND"
    And the response has Cache-Control no-store

    Examples:
      | id             |
      | aaBA           |
      | 1ZEc2          |
      | z.as.dd        |
      | 1.1.22         |
      | 40-9           |
      | nd-skdm.mks--s |

  @req:FND-LOC-READ-05
  Scenario Outline: A location read with the interaction id of <other> is refused
    Given a "read location" request for "SIT1"
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | other             |
      | read organisation |
      | read patient      |
