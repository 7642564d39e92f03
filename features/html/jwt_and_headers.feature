@html
Feature: Access Record HTML - the 0.x token and the SSP headers
  Every request to the DSTU2 root carries the Ssp-TraceID, Ssp-From, Ssp-To and Ssp-InteractionID headers
  and a 0.x token: the claims iss, sub, aud, exp, iat, reason_for_request, requested_record,
  requested_scope and the requesting_device, _organization and _practitioner resources; aud is
  https://authorize.fhir.nhs.net/token, exp 300 seconds after iat, reason_for_request directcare and the
  scope patient/*.read for a care record. A request that breaks any of these is refused with 400 and an
  OperationOutcome (BAD_REQUEST in the error spreadsheet).

  NHS Digital's 0.x provider suite (JWT.feature): "JWT - missing claim" for each of the eleven claims,
  "JWT - aud is not the authorization server", "JWT - reason for request is not directcare", "JWT -
  requested scope is not patient/*.read", "JWT - expiry time is more than 5 minutes after creation" and
  "JWT - expired" (HTML-JWT-01); SpineSecurityProxy.feature: "Request with missing Ssp-TraceID / Ssp-From /
  Ssp-To / Ssp-InteractionId", "Request with Ssp-InteractionId not matching the request", "Request with an
  Ssp-To that is not the provider's ASID" (HTML-SSP-01).

  Specification:
  - GP Connect 0.7.2, Cross-organisation audit and provenance: https://developer.nhs.uk/apis/gpconnect-0-7-2/integration_cross_organisation_audit_and_provenance.html
  - GP Connect 0.7.2, Spine Security Proxy implementation guide: https://developer.nhs.uk/apis/gpconnect-0-7-2/integration_spine_security_proxy_implementation_guide.html

  @req:HTML-JWT-01
  Scenario Outline: A token without <claim> is refused
    Given a care record request for "patient2" section "SUM"
    And the JWT claim "<claim>" is removed
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | claim                   |
      | iss                     |
      | sub                     |
      | aud                     |
      | exp                     |
      | iat                     |
      | reason_for_request      |
      | requested_record        |
      | requested_scope         |
      | requesting_device       |
      | requesting_organization |
      | requesting_practitioner |

  @req:HTML-JWT-01
  Scenario Outline: A token whose <claim> is <value> is refused
    Given a care record request for "patient2" section "SUM"
    And the JWT claim "<claim>" is "<value>"
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | claim              | value                                                   |
      | aud                | https://provider.example.nhs.uk/B82617/DSTU2/0/gpconnect |
      | reason_for_request | secondaryuses                                           |
      | requested_scope    | organization/*.read                                     |
      | requested_scope    | encounter/*.read                                        |

  @req:HTML-JWT-01
  Scenario Outline: A token issued <ago> seconds ago expiring <lifetime> seconds after issue is refused
    Given a care record request for "patient2" section "SUM"
    And the JWT was issued <ago> seconds ago and expires <lifetime> seconds after issue
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | ago | lifetime |
      | 0   | 301      |
      | 0   | 299      |
      | 600 | 300      |

  @req:HTML-SSP-01
  Scenario Outline: A request without <header> is refused
    Given a care record request for "patient2" section "SUM"
    And the "<header>" header is removed
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | header            |
      | Ssp-TraceID       |
      | Ssp-From          |
      | Ssp-To            |
      | Ssp-InteractionID |
      | Authorization     |

  @req:HTML-SSP-01
  Scenario Outline: A request whose <header> is <value> is refused
    Given a care record request for "patient2" section "SUM"
    And the "<header>" header is "<value>"
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | header            | value                                                                |
      | Ssp-To            | 200000000359                                                         |
      | Ssp-InteractionID | urn:nhs:names:services:gpconnect:fhir:rest:read:metadata              |
      | Ssp-InteractionID | urn:nhs:names:services:gpconnect:fhir:operation:gpc.getcarerecord-1   |
