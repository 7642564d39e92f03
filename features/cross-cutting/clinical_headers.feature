@headers
Feature: Spine Secure Proxy headers and the JWT on Appointments and Structured requests
  Every endpoint checks the SSP headers and the bearer token itself: a guard proven on Foundations says
  nothing about the Appointments or Structured endpoints, which may sit in another component of the
  provider's system. The probes of headers.feature and jwt.feature are repeated here on a representative
  interaction of each: search free slots, book and read an appointment; get (and, from 1.6.0, migrate) a
  structured record. A missing or wrong Ssp-TraceID, Ssp-From, Ssp-To or Ssp-InteractionID is 400
  BAD_REQUEST (https://developer.nhs.uk/apis/gpconnect-1-6-0/integration_spine_secure_proxy.html,
  section "Provider responsibilities"); so is a request without a bearer token or with an expired one
  (https://developer.nhs.uk/apis/gpconnect-1-6-0/integration_cross_organisation_audit_and_provenance.html,
  section "JSON Web Token"). Each request is otherwise complete, so a provider that ignored the broken
  header would answer it with a success.

  @req:XC-HDR-06 @appointments
  Scenario Outline: A free slot search without the <header> header is refused
    Given a free slot search from 1 to 7 days ahead
    And the "<header>" header is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | header            |
      | Ssp-TraceID       |
      | Ssp-From          |
      | Ssp-To            |
      | Ssp-InteractionID |

  @req:XC-HDR-06 @appointments
  Scenario Outline: A free slot search whose <header> header is "<value>" is refused
    Given a free slot search from 1 to 7 days ahead
    And the "<header>" header is "<value>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | header            | value                                                      |
      | Ssp-To            | 123456789123                                               |
      | Ssp-InteractionID | urn:nhs:names:services:gpconnect:fhir:rest:read:metadata-1 |

  @req:XC-HDR-06 @appointments
  Scenario Outline: A booking without the <header> header is refused and books nothing
    Given a booking for "patient2" in a free slot
    And the "<header>" header is removed
    When the booking is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | header            |
      | Ssp-TraceID       |
      | Ssp-From          |
      | Ssp-To            |
      | Ssp-InteractionID |

  @req:XC-HDR-06 @appointments
  Scenario Outline: An appointment read without the <header> header is refused
    Given an appointment booked for "patient2"
    And a "read appointment" request for the appointment
    And the "<header>" header is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | header            |
      | Ssp-TraceID       |
      | Ssp-From          |
      | Ssp-To            |
      | Ssp-InteractionID |

  @req:XC-HDR-07 @structured
  Scenario Outline: A structured record request without the <header> header is refused
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the "<header>" header is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | header            |
      | Ssp-TraceID       |
      | Ssp-From          |
      | Ssp-To            |
      | Ssp-InteractionID |

  @req:XC-HDR-07 @structured
  Scenario Outline: A structured record request whose <header> header is "<value>" is refused
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the "<header>" header is "<value>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | header            | value                                                      |
      | Ssp-To            | 123456789123                                               |
      | Ssp-InteractionID | urn:nhs:names:services:gpconnect:fhir:rest:read:metadata-1 |

  @req:XC-HDR-07 @structured @since:1.6.0
  Scenario Outline: A migrate structured record request without the <header> header is refused
    Given a migrate structured record request for "patient2" with sensitive information false
    And the "<header>" header is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | header            |
      | Ssp-TraceID       |
      | Ssp-To            |
      | Ssp-InteractionID |

  @req:XC-JWT-16 @jwt @appointments
  Scenario: A free slot search without an Authorization header is refused
    Given a free slot search from 1 to 7 days ahead
    And the "Authorization" header is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"

  @req:XC-JWT-16 @jwt @appointments
  Scenario: A free slot search with an expired token is refused
    Given a free slot search from 1 to 7 days ahead
    And the JWT was issued 600 seconds ago and expires 300 seconds after issue
    When the request is sent
    Then the response is the error "BAD_REQUEST"

  @req:XC-JWT-16 @jwt @appointments
  Scenario: A booking without an Authorization header is refused
    Given a booking for "patient2" in a free slot
    And the "Authorization" header is removed
    When the booking is sent
    Then the response is the error "BAD_REQUEST"

  @req:XC-JWT-16 @jwt @structured
  Scenario: A structured record request without an Authorization header is refused
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the "Authorization" header is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"

  @req:XC-JWT-16 @jwt @structured
  Scenario: A structured record request with an expired token is refused
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the JWT was issued 600 seconds ago and expires 300 seconds after issue
    When the request is sent
    Then the response is the error "BAD_REQUEST"

  @req:XC-JWT-16 @jwt @structured @since:1.6.0
  Scenario: A migrate structured record request without an Authorization header is refused
    Given a migrate structured record request for "patient2" with sensitive information false
    And the "Authorization" header is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"
