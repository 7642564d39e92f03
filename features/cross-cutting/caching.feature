@caching @foundations
Feature: Caching headers on Foundations responses
  Every response, success or error, SHALL carry Cache-Control: no-store, so no intermediary keeps patient
  data (the official suite checks valid and invalid responses of every interaction).
  Every read SHALL carry ETag: W/"<versionId>", a weak validator equal to the resource's meta.versionId.

  Specification:
  - GP Connect 1.2.7, General API guidance (Caching headers; Managing resource contention): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html

  @req:XC-CACHE-01
  Scenario Outline: A successful <interaction> response carries Cache-Control no-store
    Given a complete "<interaction>" request
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store

    Examples:
      | interaction       |
      | metadata          |
      | read patient      |
      | find patient      |
      | read practitioner |
      | find practitioner |
      | read organisation |
      | find organisation |
      | read location     |

  @req:XC-CACHE-01
  Scenario: A successful register patient response carries Cache-Control no-store
    Given a "register patient" request for a new person from the register pool
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store

  @req:XC-CACHE-02
  Scenario Outline: A <interaction> request refused for its Ssp-InteractionID carries Cache-Control no-store
    Given a complete "<interaction>" request
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | interaction       | other             |
      | metadata          | read location     |
      | read patient      | read organisation |
      | find patient      | find practitioner |
      | register patient  | read patient      |
      | read practitioner | read organisation |
      | find practitioner | find patient      |
      | read organisation | find organisation |
      | find organisation | read practitioner |
      | read location     | metadata          |

  @req:XC-CACHE-02
  Scenario Outline: A <interaction> of an unknown id (<error>) carries Cache-Control no-store
    Given a "<interaction>" request for the logical id "gpc-assure-no-such-id"
    When the request is sent
    Then the response is the error "<error>"
    And the response has Cache-Control no-store

    Examples:
      | interaction       | error                  |
      | read patient      | PATIENT_NOT_FOUND      |
      | read practitioner | PRACTITIONER_NOT_FOUND |
      | read organisation | ORGANISATION_NOT_FOUND |
      | read location     | NO_RECORD_FOUND        |

  @req:XC-CACHE-02
  Scenario Outline: A <interaction> with an unsupported identifier system carries Cache-Control no-store
    Given a "<interaction>" request
    And the query parameter "identifier" is "https://example.org/Id/unknown|12345"
    When the request is sent
    Then the response is the error "INVALID_IDENTIFIER_SYSTEM"
    And the response has Cache-Control no-store

    Examples:
      | interaction       |
      | find patient      |
      | find practitioner |
      | find organisation |

  @req:XC-CACHE-02
  Scenario: A register patient refused as a duplicate carries Cache-Control no-store
    Given a complete "register patient" request
    When the request is sent
    Then the response is the error "DUPLICATE_REJECTED"
    And the response has Cache-Control no-store

  @req:XC-CACHE-02
  Scenario Outline: A <kind> refusal of a <interaction> request carries Cache-Control no-store
    Given a complete "<interaction>" request
    And the <change>
    When the request is sent
    Then the response is an error with an OperationOutcome
    And the response has Cache-Control no-store

    Examples:
      | kind               | interaction       | change                                      |
      | missing token      | read patient      | "Authorization" header is removed           |
      | expired token      | find organisation | JWT was issued 600 seconds ago and expires 300 seconds after issue |
      | unsupported format | metadata          | query parameter "_format" is "text/plain"   |
      | wrong verb         | read location     | HTTP method is DELETE                       |
      | unknown path       | metadata          | request path is "/metadatas"                |

  @req:XC-ETAG-01
  Scenario Outline: A <interaction> in <format> carries a weak ETag equal to its meta.versionId
    Given a complete "<interaction>" request
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response status is 200
    And the response has an ETag matching its meta.versionId

    Examples:
      | interaction       | format parameter      | format |
      | read patient      | application/fhir+json | JSON   |
      | read practitioner | application/fhir+json | JSON   |
      | read organisation | application/fhir+json | JSON   |
      | read location     | application/fhir+json | JSON   |

    @xml
    Examples:
      | interaction       | format parameter      | format |
      | read patient      | application/fhir+xml  | XML    |
      | read practitioner | application/fhir+xml  | XML    |
      | read organisation | application/fhir+xml  | XML    |
      | read location     | application/fhir+xml  | XML    |
