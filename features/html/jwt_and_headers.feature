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
  "JWT - expired" (HTML-JWT-01), "JWT not base64 encoded" (HTML-JWT-02); "JWT requesting device is not
  valid FHIR device resource", "JWT requesting organization is not valid FHIR organization resource", "JWT
  requesting practitioner is not valid FHIR practitioner resource", "JWT requesting device /
  organization / practitioner invalid resourceType", "JWT requesting organization identifier does not
  contain an ODS code", "JWT requesting organization does not contain and identifier", "JWT requesting
  practitioner identifier does not contain an SDS Id", "JWT requesting practitioner does not contain
  identifier", "JWT requesting practitioner name does not contain a family or given name" and "JWT User
  Id does not match requesting practitioner id" (HTML-JWT-02); "JWT requesting practitioner UNK value",
  "JWT Missing sdsRoleProfile and guid" and "JWT creation time in the future" (HTML-JWT-03). The suite's
  "JWT - Consumer clock is slow 600s" (issued 600 seconds ago, exp 300 seconds after it) is the expired
  token of HTML-JWT-01. SpineSecurityProxy.feature: "Request with missing Ssp-TraceID / Ssp-From /
  Ssp-To / Ssp-InteractionId", "Request with Ssp-InteractionId not matching the request", "Request with an
  Ssp-To that is not the provider's ASID" (HTML-SSP-01).

  The resources inside the token need only be valid base DSTU2 resources, not GP Connect profile
  instances. The error spreadsheet of Error handling answers an invalid requesting_device with 422
  INVALID_RESOURCE and every other token fault, an invalid requesting_organization or
  requesting_practitioner among them ("JWT invalid resource"), with 400 BAD_REQUEST; NHS Digital's suite
  expects 422 for those two, so either is accepted there. A wrong resourceType is 400 in both. A
  practitioner is named by its SDS user id (UNK when the user has none) and a name; the token guidance
  says a local user id and a job role may be missing, and from 0.5.2 / 0.7.2 that iat is not validated:
  a token issued ahead of the provider's clock is served while its exp (300 seconds later) has not passed.

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

  @req:HTML-JWT-02
  Scenario Outline: A token whose <change> is refused
    Given a care record request for "patient2" section "SUM"
    And the 0.x token is changed so that "<change>"
    When the request is sent
    Then the changed token is answered "<answer>"

    Examples:
      | change                                                        | answer                                  |
      | requesting_device has an element DSTU2 does not define        | 422 INVALID_RESOURCE                    |
      | requesting_organization has an element DSTU2 does not define  | 400 BAD_REQUEST or 422 INVALID_RESOURCE |
      | requesting_practitioner has an element DSTU2 does not define  | 400 BAD_REQUEST or 422 INVALID_RESOURCE |
      | requesting_device has another resourceType                    | 400 BAD_REQUEST                         |
      | requesting_organization has another resourceType              | 400 BAD_REQUEST                         |
      | requesting_practitioner has another resourceType              | 400 BAD_REQUEST                         |
      | requesting_organization has no ODS code                       | 400 BAD_REQUEST                         |
      | requesting_organization has no identifier                     | 400 BAD_REQUEST                         |
      | requesting_practitioner has no SDS user id                    | 400 BAD_REQUEST                         |
      | requesting_practitioner has no identifier                     | 400 BAD_REQUEST                         |
      | requesting_practitioner has no name                           | 400 BAD_REQUEST                         |
      | sub is not the requesting_practitioner id                     | 400 BAD_REQUEST                         |
      | token parts are not base64url encoded                         | 400 BAD_REQUEST                         |

  @req:HTML-JWT-03
  Scenario Outline: A token whose <change> is accepted
    Given a care record request for "patient2" section "SUM"
    And the 0.x token is changed so that "<change>"
    When the request is sent
    Then the changed token is answered "accepted"

    Examples:
      | change                                                        |
      | requesting_practitioner SDS user id is UNK                    |
      | requesting_practitioner has no job role and no local user id  |
      | iat is 200 seconds in the future, exp 300 seconds after it    |

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
