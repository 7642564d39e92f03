@jwt @foundations
Feature: The JWT bearer token on Foundations requests
  Every request carries "Authorization: Bearer <JWT>": an unsecured token (alg none, empty signature, so it
  ends with a dot) whose claims say who is asking and why. The provider SHALL check a bearer token is
  present and correctly formed; invalid claims are a 400 BAD_REQUEST (error handling guidance). Where the
  spec itself is split (a wrong resource type inside a claim: 400 BAD_REQUEST or 422 INVALID_RESOURCE)
  either answer is accepted. The official suite runs these against metadata; here the rules are also run
  against patient-facing interactions, since a guard on one endpoint proves nothing about the others.

  Specification:
  - GP Connect 1.2.7, Cross-organisation audit and provenance (the JWT and its claims): https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_cross_organisation_audit_and_provenance.html
  - GP Connect 1.2.7, Error handling guidance (Security validation errors): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html

  @req:XC-JWT-01
  Scenario Outline: A request without an Authorization header is refused (<interaction>)
    Given a complete "<interaction>" request
    And the "Authorization" header is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | interaction       |
      | metadata          |
      | read patient      |
      | find patient      |
      | register patient  |
      | read practitioner |
      | find organisation |
      | read location     |

  @req:XC-JWT-02
  Scenario Outline: A bearer token sent <malformation> is refused
    Given a complete "<interaction>" request
    And the bearer token is sent "<malformation>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | interaction  | malformation                    |
      | metadata     | without the Bearer prefix       |
      | metadata     | with the Basic scheme           |
      | metadata     | empty                           |
      | metadata     | not base64url encoded           |
      | metadata     | without the trailing dot        |
      | metadata     | with a fourth part              |
      | metadata     | with a signature                |
      | metadata     | signed with HS256               |
      | metadata     | with a payload that is not JSON |
      | read patient | not base64url encoded           |
      | read patient | without the trailing dot        |
      | find patient | signed with HS256               |

  @req:XC-JWT-03
  Scenario Outline: A token without the <claim> claim is refused (<interaction>)
    Given a complete "<interaction>" request
    And the JWT claim "<claim>" is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples: Capability statement (as the official suite)
      | interaction | claim                   |
      | metadata    | iss                     |
      | metadata    | sub                     |
      | metadata    | aud                     |
      | metadata    | exp                     |
      | metadata    | iat                     |
      | metadata    | reason_for_request      |
      | metadata    | requested_scope         |
      | metadata    | requesting_device       |
      | metadata    | requesting_organization |
      | metadata    | requesting_practitioner |

    Examples: Find a patient
      | interaction  | claim                   |
      | find patient | iss                     |
      | find patient | sub                     |
      | find patient | aud                     |
      | find patient | exp                     |
      | find patient | iat                     |
      | find patient | reason_for_request      |
      | find patient | requested_scope         |
      | find patient | requesting_device       |
      | find patient | requesting_organization |
      | find patient | requesting_practitioner |

  @req:XC-JWT-04
  Scenario Outline: A token whose <claim> claim is <value> is refused
    Null, empty and wrongly-typed claim values are invalid claims (error handling: BAD_REQUEST).
    Given a complete "read patient" request
    And the JWT claim "<claim>" is "<value>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples: null
      | claim                   | value |
      | iss                     | null  |
      | sub                     | null  |
      | aud                     | null  |
      | exp                     | null  |
      | iat                     | null  |
      | reason_for_request      | null  |
      | requested_scope         | null  |
      | requesting_device       | null  |
      | requesting_organization | null  |
      | requesting_practitioner | null  |

    Examples: empty
      | claim              | value |
      | iss                |       |
      | sub                |       |
      | aud                |       |
      | reason_for_request |       |
      | requested_scope    |       |

  @req:XC-JWT-04
  Scenario Outline: A token whose <claim> is a string rather than Unix seconds is refused
    Given a complete "metadata" request
    And the JWT claim "<claim>" is sent as a string
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | claim |
      | exp   |
      | iat   |

  @req:XC-JWT-05
  Scenario Outline: A token whose exp is <lifetime> seconds after iat is refused (<interaction>)
    exp SHALL be exactly 300 seconds after iat.
    Given a complete "<interaction>" request
    And the JWT was issued 0 seconds ago and expires <lifetime> seconds after issue
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | interaction       | lifetime |
      | metadata          | 299      |
      | metadata          | 301      |
      | metadata          | -1       |
      | read organisation | 299      |
      | read organisation | 301      |
      | read organisation | -1       |

  @req:XC-JWT-06
  Scenario Outline: An expired token is refused (<interaction>)
    A consumer whose clock is slow sends a token issued 600 seconds ago that expired 300 seconds ago.
    Given a complete "<interaction>" request
    And the JWT was issued 600 seconds ago and expires 300 seconds after issue
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | interaction  |
      | metadata     |
      | read patient |

  @req:XC-JWT-07
  Scenario Outline: A token issued 200 seconds in the future is accepted (<interaction>)
    Providers SHOULD NOT validate iat against their clock (1.2.3 note; official suite issue #188).
    Given a complete "<interaction>" request
    And the JWT was issued 200 seconds in the future and expires 300 seconds after issue
    When the request is sent
    Then the response status is 200

    Examples:
      | interaction  |
      | metadata     |
      | read patient |

  @req:XC-JWT-08
  Scenario Outline: reason_for_request "<reason>" is refused on <interaction>
    Foundations requests are for direct care; "migration" is only for the GP2GP migrate interactions.
    Given a complete "<interaction>" request
    And the JWT claim "reason_for_request" is "<reason>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | interaction  | reason       |
      | metadata     | secondary    |
      | read patient | migration    |
      | find patient | administration |

  @req:XC-JWT-09
  Scenario Outline: requested_scope "<scope>" is refused on <interaction>
    The scope must be the one the interaction table gives (patient/*.read for patient reads and finds,
    patient/*.write for register, organization/*.read for everything else); a nonsense scope or one for
    the other family of endpoints is a 400 BAD_REQUEST.
    Given a complete "<interaction>" request
    And the JWT claim "requested_scope" is "<scope>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples: Nonsense scope
      | interaction | scope    |
      | metadata    | badScope |
      | read patient| badScope |

    Examples: Scope of the other family of endpoints
      | interaction       | scope               |
      | metadata          | patient/*.read      |
      | read patient      | organization/*.read |
      | find patient      | organization/*.read |
      | register patient  | patient/*.read      |
      | register patient  | organization/*.read |
      | read practitioner | patient/*.read      |
      | find practitioner | patient/*.read      |
      | read organisation | patient/*.read      |
      | find organisation | patient/*.write     |
      | read location     | patient/*.read      |

  @req:XC-JWT-10
  Scenario Outline: A token whose sub is not the requesting practitioner's id is refused (<interaction>)
    Given a complete "<interaction>" request
    And the JWT claim "sub" is "someone-else"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | interaction  |
      | metadata     |
      | read patient |

  @req:XC-JWT-11
  Scenario Outline: A <claim> claim with resourceType "<type>" is refused
    Given a complete "metadata" request
    And the JWT claim "<claim>" has "/resourceType" set to "<type>"
    When the request is sent
    Then the response is the error "BAD_REQUEST" or the error "INVALID_RESOURCE"

    Examples:
      | claim                   | type                |
      | requesting_device       | InvalidResourceType |
      | requesting_device       | Organization        |
      | requesting_organization | InvalidResourceType |
      | requesting_organization | Practitioner        |
      | requesting_practitioner | InvalidResourceType |
      | requesting_practitioner | Patient             |

  @req:XC-JWT-11
  Scenario Outline: A <claim> claim that is not a FHIR resource is refused
    Given a complete "read patient" request
    And the JWT claim "<claim>" is "<value>"
    When the request is sent
    Then the response is the error "BAD_REQUEST" or the error "INVALID_RESOURCE"

    Examples:
      | claim                   | value        |
      | requesting_device       | GPC-ASSURE   |
      | requesting_organization | A1001        |
      | requesting_practitioner | 10019        |
      | requesting_practitioner | []           |

  @req:XC-JWT-11
  Scenario: A requesting_device with an element a Device does not have is refused
    The official suite expects 422 for an invalid Device; a 400 BAD_REQUEST is also what the error
    handling page says for an invalid claim.
    Given a complete "metadata" request
    And the JWT claim "requesting_device" has an unknown element "invalidField"
    When the request is sent
    Then the response is the error "BAD_REQUEST" or the error "INVALID_RESOURCE"

  @req:XC-JWT-11
  Scenario: A requesting_organization without an ODS code is refused
    requesting_organization SHALL carry an identifier with the ODS organisation code system.
    Given a complete "read patient" request
    And the JWT requesting_organization has no ODS code
    When the request is sent
    Then the response is the error "BAD_REQUEST" or the error "INVALID_RESOURCE"

  @req:XC-JWT-12
  Scenario Outline: A practitioner without a smartcard (SDS ids UNK) is accepted (<interaction>)
    Given a complete "<interaction>" request
    And the JWT requesting_practitioner SDS user id and role profile id are "UNK"
    When the request is sent
    Then the response status is 200

    Examples:
      | interaction  |
      | metadata     |
      | read patient |

  @req:XC-JWT-13
  Scenario Outline: A practitioner with only an SDS user id (no role profile, no local id) is accepted (<interaction>)
    Providers must tolerate consumers that send neither the role profile nor the local identifier.
    Given a complete "<interaction>" request
    And the JWT requesting_practitioner carries only its SDS user id
    When the request is sent
    Then the response status is 200

    Examples:
      | interaction  |
      | metadata     |
      | find patient |

  @req:XC-JWT-14
  Scenario Outline: An aud of "<aud>" is accepted (<interaction>)
    aud should be the provider's service root, but the official suite sends the 0.x value and expects
    success, so a strict equality check would fail every consumer built against it.
    Given a complete "<interaction>" request
    And the JWT claim "aud" is "<aud>"
    When the request is sent
    Then the response status is 200

    Examples:
      | interaction       | aud                                      |
      | metadata          | https://authorize.fhir.nhs.net/token     |
      | read patient      | https://authorize.fhir.nhs.net/token/    |
      | find organisation | https://providersupplier.thirdparty.nhs.uk/GP0001/STU3/1 |

  @req:XC-JWT-15
  Scenario: A requesting_organization identified with the DSTU2 ODS code system is accepted
    The official suite's "RC5 backward compatibility": the older identifier system is still accepted.
    Given a complete "metadata" request
    And the JWT requesting_organization uses the DSTU2 ODS code system
    When the request is sent
    Then the response status is 200
