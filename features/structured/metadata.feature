@structured @metadata
Feature: Get structured record - the structured capability statement
  GET [structured root]/metadata answers 200 with a CapabilityStatement of its own: FHIR 3.0.1, the JSON
  format (XML is a SHOULD: the @xml rows run only when the provider declares it), the supplier's software
  name and version, in the format the consumer asks for (_format wins over Accept), and the profiles of
  what Access Record Structured answers with: the StructuredRecord Bundle, List and the clinical profiles
  of every area the provider's version has (any _history version: the versions each release pins are not
  published for 1.3.x and 1.4.x). Its version and operations are checked in bundle.feature (STR-BUNDLE-07).

  NHS Digital's provider suite (FHIR.feature, the Structured CapabilityStatement group) maps here:
  "Structured CapabilityStatement profile indicates acceptance of xml and json format", "Structured
  CapabilityStatement profile suppliers software versions present" and "Structured CapabilityStatement
  profile supported fhir version" (STR-MET-02); the eight "Structured Fhir content type test where Accept
  header / _format parameter is JSON / XML and request payload is JSON / XML" scenarios (STR-MET-01, one row
  per Accept and _format combination: a GET carries no payload, so the payload variants are the same
  request on the wire); "Structured CapabilityStatement returns correct profile versions" (STR-MET-03, each
  profile at any version: the suite's pins are those of the 1.6.0 release it was branched for).

  Specification:
  - GP Connect 1.6.0, Access Record Structured, Get the FHIR capability statement: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_fhir_capability_statement.html
  - GP Connect 1.6.0, General API guidance, Content types (_format takes precedence over Accept): https://developer.nhs.uk/apis/gpconnect-1-6-0/development_general_api_guidance.html

  @req:STR-MET-01
  Scenario Outline: The structured capability statement is returned in <format> for Accept <accept>
    Given a "structured metadata" request
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a CapabilityStatement resource
    And the response is valid against the profiles it declares

    Examples:
      | accept                | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | format |
      | application/fhir+xml  | XML    |

  @req:STR-MET-01
  Scenario Outline: _format <_format> chooses the structured capability statement format over Accept <accept>
    Given a "structured metadata" request
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a CapabilityStatement resource
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

  @req:STR-MET-02
  Scenario: The structured capability statement declares FHIR 3.0.1, the JSON format and its software
    When a "structured metadata" request is sent
    Then the response status is 200
    And the response body is FHIR JSON
    And the response is a structured CapabilityStatement with FHIR 3.0.1, the JSON format and its software

  @req:STR-MET-03
  Scenario: The structured capability statement lists the profiles of the provider's version
    When a "structured metadata" request is sent
    Then the response status is 200
    And the response body is FHIR JSON
    And the structured CapabilityStatement lists the profiles of the target's version
