@appointments @cancel
Feature: Cancel an appointment
  PUT [base]/Appointment/{id} with the cancel interaction id and If-Match of the current version: status
  becomes cancelled and the cancellation-reason extension (valueString) is required; nothing else may
  change. The provider answers 200 with the cancelled appointment, the reason as sent and a new versionId,
  and the slots are offered again. A missing or empty reason is INVALID_PARAMETER, any other change
  INVALID_RESOURCE; a refused cancel changes nothing.

  NHS Digital's provider suite (AppointmentCancel.feature) maps here too: "Cancel appointment using the
  _format parameter / the accept header / the accept header and _format parameter (and content-type) to
  request response format" (APT-CANCEL-06, one row per Accept, _format and body format combination). The
  Prefer scenarios are in prefer.feature. "Successfully Cancel an appointment that has serviceCategory
  populated" and "... that has serviceType populated" are APT-CANCEL-08 (the cancel sends the appointment
  as the provider returned it, both types included); "Successfully Cancel an appointment ensuring
  backwards compatibility with consumers that do not send ServiceCategory And serviceType expect success"
  is APT-CANCEL-09.

  Slot and schedule type (1.2.7+): the cancel response carries them as on Book (book.feature,
  APT-BOOK-16), and a cancel changes only the status and the reason, so a type the appointment was booked
  with that is changed or gone fails. A consumer built before 1.2.7 sends neither element; leaving out
  the provider's own elements changes nothing, so that cancel succeeds too. These scenarios judge the
  types alone; the rest of the cancel is APT-CANCEL-01's.

  Specification:
  - GP Connect 1.2.7, Cancel an appointment (request body, error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_cancel_an_appointment.html

  @req:APT-CANCEL-01
  Scenario Outline: Cancelling <patient>'s appointment
    Given an appointment booked for "<patient>"
    And a "cancel appointment" request for the appointment
    When the appointment request is sent
    Then the appointment is cancelled with the reason sent and nothing else changed
    And the response has Cache-Control no-store
    And the appointment's slots are offered as free again

    Examples:
      | patient  |
      | patient1 |
      | patient2 |
      | patient3 |
      | patient15 |
      | patient16 |

  @req:APT-CANCEL-01
  Scenario: Cancelling an appointment over two slots frees both
    Given an appointment booked for "patient4" in 2 contiguous slots
    And a "cancel appointment" request for the appointment
    When the appointment request is sent
    Then the appointment is cancelled with the reason sent and nothing else changed
    And the appointment's slots are offered as free again

  @req:APT-CANCEL-02
  Scenario Outline: The cancellation reason "<reason>" is returned as sent
    Given an appointment booked for "patient5"
    And a "cancel appointment" request for the appointment
    And the appointment sent has "the cancellation reason <reason>"
    When the appointment request is sent
    Then the appointment is cancelled with the reason sent and nothing else changed

    Examples:
      | reason                          |
      | double booked                   |
      | Patient unwell                  |
      | Clinician unavailable that day  |

  @req:APT-CANCEL-03
  Scenario Outline: A cancel with <change> is refused and changes nothing
    Given an appointment booked for "patient6"
    And a "cancel appointment" request for the appointment
    And the appointment sent has "<change>"
    When the appointment request is sent
    Then the response is one of the errors "INVALID_PARAMETER, INVALID_RESOURCE"
    And the response has Cache-Control no-store
    And the appointment is unchanged on the provider

    Examples:
      | change                                     |
      | no cancellation reason                     |
      | an empty cancellation reason               |
      | a cancellation reason at a misspelt URL    |

  @req:APT-CANCEL-04
  Scenario Outline: A cancel that also changes <change> is INVALID_RESOURCE and changes nothing
    Given an appointment booked for "patient7"
    And a "cancel appointment" request for the appointment
    And the appointment sent has "<change>"
    When the appointment request is sent
    Then the response is the error "INVALID_RESOURCE"
    And the appointment is unchanged on the provider

    Examples:
      | change                              |
      | the description Changed on cancel   |
      | the comment Changed on cancel       |
      | an extra participant Location/2     |
      | an extra participant Patient/2      |
      | an extra participant Practitioner/2 |
      | a start five minutes later          |
      | the priority 3                      |
      | an absolute patient reference       |
      | a booking organisation reference that is absolute |
      | the status booked                   |
      | no location participant             |
      | an unknown element                  |
      | a reason                            |
      | no slot                             |

  @req:APT-CANCEL-05
  Scenario: Cancelling an already cancelled appointment changes nothing
    The specification lists no error for a second cancel (the provider errors are: another element
    changed, the appointment in the past, a stale If-Match, a visit), so a provider may refuse it (a
    4xx with a GP Connect error code) or answer 200 with the appointment still cancelled and nothing else
    changed; either way the stored appointment is unchanged. Cancel an appointment:
    https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_cancel_an_appointment.html
    Given an appointment booked for "patient8"
    And the appointment has been cancelled
    And a "cancel appointment" request for the appointment
    When the appointment request is sent
    Then the cancel is refused, or answered with the appointment still cancelled and nothing else changed

  @req:APT-CANCEL-06
  Scenario Outline: A cancel answered in <format> (Accept <accept>)
    Given an appointment booked for "patient12"
    And a "cancel appointment" request for the appointment
    And the "Accept" header is "<accept>"
    When the appointment request is sent
    Then the response status is 200
    And the response body is FHIR <format>
    And the response has an ETag matching its meta.versionId

    Examples:
      | accept                | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | format |
      | application/fhir+xml  | XML    |

  @req:APT-CANCEL-06
  Scenario Outline: A cancel with _format <_format> (Accept <accept>) is answered in <format>
    Given an appointment booked for "patient12"
    And a "cancel appointment" request for the appointment
    And the request body is sent as <body>
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the appointment request is sent
    Then the response status is 200
    And the response body is FHIR <format>
    And the response has an ETag matching its meta.versionId

    Examples:
      | body | accept                | _format               | format |
      | JSON | application/fhir+xml  | application/fhir+json | JSON   |

    @xml
    Examples:
      | body | accept                | _format               | format |
      | JSON | application/fhir+json | application/fhir+xml  | XML    |
      | XML  | application/fhir+xml  | application/fhir+xml  | XML    |
      | XML  | application/fhir+json | application/fhir+json | JSON   |

  @req:APT-CANCEL-07
  Scenario: A cancel sent with the amend interaction id is an amend, and an amend may not cancel
    Given an appointment booked for "patient13"
    And a "cancel appointment" request for the appointment
    And the Ssp-InteractionID is that of "amend appointment"
    When the appointment request is sent
    Then the response is the error "INVALID_RESOURCE"
    And the appointment is unchanged on the provider

  @req:APT-CANCEL-08 @since:1.2.7
  Scenario: The cancelled appointment carries the type of its slot and of its schedule, as booked
    Given an appointment booked for "patient1"
    And a "cancel appointment" request for the appointment
    When the appointment request is sent
    Then the response status is 200
    And the appointment carries the type of its slot and of its schedule
    And the appointment keeps the types it was booked with

  @req:APT-CANCEL-09 @since:1.2.7
  Scenario: A cancel without serviceType and serviceCategory, as sent before 1.2.7, succeeds and keeps them
    Given an appointment booked for "patient3"
    And a "cancel appointment" request for the appointment
    And the appointment sent has "no serviceType or serviceCategory"
    When the appointment request is sent
    Then the response status is 200
    And the appointment returned has status "cancelled"
    And the appointment keeps the types it was booked with
    And the appointment carries the type of its slot and of its schedule
