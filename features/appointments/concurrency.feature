@appointments @concurrency
Feature: Appointment versions, ETag and If-Match
  Read, create and update responses carry ETag W/"<versionId>" equal to meta.versionId; Amend and Cancel
  SHALL send If-Match with the current ETag; a stale version is 409 (FHIR_CONSTRAINT_VIOLATION, as NHS
  Digital's suite expects) and nothing changes; every successful change produces a new versionId. Two
  bookings of one slot at the same instant: exactly one wins.

  Specification:
  - GP Connect 1.2.7, General API guidance (Managing resource contention): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html
  - GP Connect 1.2.7, Amend an appointment (error handling): https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_amend_an_appointment.html
  - GP Connect 1.2.7, Cancel an appointment (error handling): https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_cancel_an_appointment.html

  @req:APT-CONC-01
  Scenario: Book, read, amend and cancel each answer with an ETag equal to meta.versionId
    Given a booking for "patient15" in a free slot
    When the booking is sent
    Then the response has an ETag matching its meta.versionId
    Given a "read appointment" request for the appointment
    When the request is sent
    Then the response has an ETag matching its meta.versionId
    Given a "amend appointment" request for the appointment
    And the appointment sent has "the description Version two"
    When the appointment request is sent
    Then the response has an ETag matching its meta.versionId
    And the appointment is amended, changing only "description"
    Given a "cancel appointment" request for the appointment
    When the appointment request is sent
    Then the response has an ETag matching its meta.versionId
    And the appointment is cancelled with the reason sent and nothing else changed
    And every version of the appointment had a different versionId

  @req:APT-CONC-02
  Scenario Outline: A <request> without If-Match is refused and changes nothing
    If-Match is a required header on Amend and Cancel; a missing expected header is 400 BAD_REQUEST
    (a 5xx is the provider failing, not a refusal). Amend an appointment, Cancel an appointment and
    Error handling:
    https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_amend_an_appointment.html,
    https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_cancel_an_appointment.html,
    https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html
    Given an appointment booked for "patient15"
    And a "<request>" request for the appointment
    And the appointment sent has "the description No If-Match"
    And the "If-Match" header is removed
    When the appointment request is sent
    Then the response is the error "BAD_REQUEST"
    And the appointment is unchanged on the provider

    Examples:
      | request            |
      | amend appointment  |
      | cancel appointment |

  @req:APT-CONC-03
  Scenario Outline: A <request> with the If-Match of the previous version is 409 and changes nothing
    Given an appointment booked for "patient16"
    And the appointment has been amended with "the description Moved on"
    And a "<request>" request for the appointment
    And the If-Match header is the appointment's previous version
    When the appointment request is sent
    Then the response is the error "FHIR_CONSTRAINT_VIOLATION" with status 409 or 409
    And the appointment is unchanged on the provider

    Examples:
      | request            |
      | amend appointment  |
      | cancel appointment |

  @req:APT-CONC-03
  Scenario Outline: A <request> with the If-Match of version <version> is 409 and changes nothing
    Given an appointment booked for "patient17"
    And a "<request>" request for the appointment
    And the If-Match header is the weak ETag of version "<version>"
    When the appointment request is sent
    Then the response is the error "FHIR_CONSTRAINT_VIOLATION" with status 409 or 409
    And the appointment is unchanged on the provider

    Examples:
      | request            | version     |
      | amend appointment  | invalidEtag |
      | cancel appointment | invalidEtag |
      | amend appointment  | 0           |
      | cancel appointment | 999999999   |

  @req:APT-CONC-04
  Scenario: Every change produces a new versionId
    Given an appointment booked for "patient16"
    And the appointment has been amended with "the description First amend"
    And the appointment has been amended with "the comment Second amend"
    And the appointment has been cancelled
    Then every version of the appointment had a different versionId

  @req:APT-CONC-05
  Scenario Outline: Two bookings of one slot at the same instant (<a>, <b>): exactly one wins
    When one free slot is booked for "<a>" and "<b>" at the same instant
    Then exactly one of the two bookings succeeded and the other is the error "DUPLICATE_REJECTED"

    Examples:
      | a        | b         |
      | patient1 | patient2  |
      | patient3 | patient4  |
      | patient5 | patient5  |
