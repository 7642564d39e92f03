@html
Feature: Access Record HTML - the Conformance of the DSTU2 service root
  GET [DSTU2 root]/metadata answers 200 with a DSTU2 Conformance (not a CapabilityStatement): FHIR 1.0.2,
  both DSTU2 media types declared, the software named with its version, and the gpc.getcarerecord
  operation with its definition. The request carries a 0.x token: aud https://authorize.fhir.nhs.net/token,
  requested_record the practice's Organization, interaction id without the -1 suffix.

  NHS Digital's 0.x provider suite (FhirBase.feature): "Conformance profile supports the gpc.getcarerecord
  operation", "Conformance profile indicates acceptance of xml and json format", "Conformance profile
  supplier software versions present", "Conformance profile supported fhir version" (HTML-MET-01);
  "Fhir Get Metadata and Check Version" (HTML-MET-02, a SHOULD: a warning when it differs).

  Specification:
  - GP Connect 0.7.2, FHIR API guidance (Conformance): https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_api_guidance.html
  - GP Connect 0.7.2, Cross-organisation audit and provenance: https://developer.nhs.uk/apis/gpconnect-0-7-2/integration_cross_organisation_audit_and_provenance.html

  @req:HTML-MET-01
  Scenario: The DSTU2 root answers with its Conformance
    When a "html metadata" request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response is an Access Record HTML Conformance

  @req:HTML-MET-01
  Scenario Outline: The Conformance is returned for Accept <accept>
    Given a "html metadata" request
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response is an Access Record HTML Conformance

    Examples:
      | accept               |
      | application/json+fhir |
      | */*                  |

  @req:HTML-MET-02
  Scenario: The Conformance version is the version the provider implements
    When a "html metadata" request is sent
    Then the response status is 200
    And the Conformance version is the Access Record HTML version of the target
