@appointments @book
Feature: Book an appointment
  POST [base]/Appointment with a GPConnect-Appointment-1. Each scenario searches the
  next fortnight for free slots and claims its own (no two scenarios of a run use one slot); every
  appointment it books is cancelled in teardown, pass or fail. A valid booking answers 201 with the
  Appointment as stored (Location [base]/Appointment/{id}/_history/{vid}, ETag = meta.versionId), holding
  the slots, participants, start/end, description, comment and booking organisation that were sent, and
  the slots then stop being offered. Invalid bodies are 422 INVALID_RESOURCE and book nothing; a slot that
  is no longer free is 409 DUPLICATE_REJECTED.

  NHS Digital's provider suite (AppointmentBook.feature) maps here too: "Book appointment accept header and
  _format parameter to request response format" and "Book appointment _format parameter only but varying
  request content types" (APT-BOOK-12, the _format rows, the body sent in JSON and XML); "Book appointment and
  send an invalid appointment resource" (APT-BOOK-04, the row "nothing but its resourceType"); "Book
  Appointment with invalid url for booking appointment" is XC-HTTP-02 (http.feature, POST /Appointmentqq/!).
  The Prefer scenarios are in prefer.feature. "Book single appointment for Patient expecting servicecategory
  is populated" and "Book single appointment expecting servicecategory in response when ServiceCategory
  and serviceType are in request but ignored" are APT-BOOK-16 (below); "... ensuring backwards
  compatibility with consumers that do not send ServiceCategory And serviceType" is APT-BOOK-01, whose
  bookings send neither.

  Slot and schedule type (1.2.7+, APT-BOOK-16): the provider SHALL populate serviceType.text with the
  practice-defined slot type and, where available, serviceCategory.text with the practice-defined schedule
  type, the descriptions Search for free slots gives the booked slot (Slot.serviceType.text) and its
  Schedule (Schedule.serviceCategory.text). Each scenario keeps the Schedule of the slot it books. A type
  that is there but is not the slot's or the schedule's breaks the SHALL (the element is populated with
  something else) and fails; a serviceCategory left out although the schedule has a type is a warning on
  the response, since "where available" leaves a provider room; a schedule without a type asks nothing.
  What a booking sends in the two elements is ignored: they are the provider's own. These scenarios judge
  the types alone; the rest of the booking is APT-BOOK-01's.

  Specification:
  - GP Connect 1.2.7, Book an appointment (request body, error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_book_an_appointment.html
  - GP Connect 1.2.7, Search for free slots (Payload response body, slot and schedule types): https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_search_for_free_slots.html

  @req:APT-BOOK-01
  Scenario Outline: Booking a free slot for <patient> creates the appointment as requested
    Given a booking for "<patient>" in a free slot
    When the booking is sent
    Then the appointment is booked as requested
    And the slots booked are no longer offered as free

    Examples:
      | patient   |
      | patient1  |
      | patient2  |
      | patient3  |
      | patient4  |
      | patient5  |
      | patient6  |
      | patient7  |
      | patient8  |
      | patient12 |
      | patient13 |
      | patient15 |
      | patient16 |

  @req:APT-BOOK-02
  Scenario Outline: A booking with <change> is accepted and returned as sent
    Given a booking for "patient1" in a free slot
    And the booking has "<change>"
    When the booking is sent
    Then the appointment is booked as requested

    Examples:
      | change                              |
      | a comment of 40 characters          |
      | a comment of 500 characters         |
      | a description of 100 characters     |
      | no practitioner participant         |
      | no organisation type                |
      | an identifier                       |
      | a deliveryChannel extension Video   |
      | a practitionerRole extension R0260  |
      | a serviceType and serviceCategory   |
      | the priority 1                      |
      | a minutesDuration of 15             |
      | the description Routine review      |
      | a comment of 1 characters           |
      | a practitionerRole extension R0620  |
      | a deliveryChannel extension Telephone |

  @req:APT-BOOK-03
  Scenario Outline: Booking <n> contiguous slots of one schedule makes one appointment
    Given a booking for "patient2" in <n> contiguous free slots
    When the booking is sent
    Then the appointment is booked as requested
    And the slots booked are no longer offered as free

    Examples:
      | n |
      | 2 |
      | 3 |

  @req:APT-BOOK-04
  Scenario Outline: A booking with <change> is INVALID_RESOURCE and books nothing
    Given a booking for "patient3" in a free slot
    And the booking has "<change>"
    When the booking is sent
    Then the response is the error "INVALID_RESOURCE"
    And the response has Cache-Control no-store
    And the slots are still offered as free

    Examples:
      | change                                   |
      | no patient participant                   |
      | no location participant                  |
      | no participants                          |
      | a second patient participant             |
      | a participant without an actor           |
      | participants without a status            |
      | an absolute patient reference            |
      | no start                                 |
      | no end                                   |
      | no status                                |
      | no slot                                  |
      | no description                           |
      | no created                               |
      | no meta.profile                          |
      | the status pending                       |
      | the status cancelled                     |
      | a reason                                 |
      | a specialty                              |
      | an appointmentType                       |
      | an unknown element                       |
      | the resourceType AppointmentResponse     |
      | an identifier without a value            |
      | a cancellation reason                    |
      | an absolute slot reference               |
      | nothing but its resourceType             |

  @req:APT-BOOK-05
  Scenario Outline: A booking whose start or end does not match its slot (<change>) is refused
    Given a booking for "patient4" in a free slot
    And the booking has "<change>"
    When the booking is sent
    Then the response is the error "INVALID_RESOURCE"
    And the slots are still offered as free

    Examples:
      | change                     |
      | a start five minutes later |
      | an end five minutes later  |
      | a start one day later      |

  @req:APT-BOOK-05
  Scenario Outline: A booking of the unknown slot <slot> is refused
    Given a booking for "patient4" in a free slot
    And the booking has "the slot reference <slot>"
    When the booking is sent
    Then the response status is 422
    And the response is one of the errors "INVALID_RESOURCE, REFERENCE_NOT_FOUND"

    Examples:
      | slot               |
      | Slot/hello         |
      | Slot/45555g55555   |
      | Slot/45555555##    |
      | Schedule/1         |

  @req:APT-BOOK-06
  Scenario Outline: A booking with <change> is INVALID_RESOURCE (booking organisation)
    Given a booking for "patient5" in a free slot
    And the booking has "<change>"
    When the booking is sent
    Then the response is the error "INVALID_RESOURCE"
    And the slots are still offered as free

    Examples:
      | change                                                         |
      | no booking organisation                                        |
      | a booking organisation without a name                          |
      | a booking organisation without telecom                         |
      | a booking organisation without an ODS code                     |
      | a booking organisation without meta.profile                    |
      | a booking organisation reference that is absolute              |
      | a booking organisation reference to a missing contained resource |
      | a booking organisation extension with a valueString            |
      | the organisation type oncology                                 |

  @req:APT-BOOK-07
  Scenario Outline: A <element> of <n> characters is refused or stored without truncation
    A text longer than the provider stores is refused with 422 INVALID_RESOURCE; otherwise it is stored
    and returned unaltered. Book an appointment:
    https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_book_an_appointment.html
    Given a booking for "patient6" in a free slot
    And the booking has "a <element> of <n> characters"
    When the booking is sent
    Then the request is refused, or the text is stored unaltered

    Examples:
      | element     | n    |
      | description | 101  |
      | description | 1000 |
      | comment     | 501  |
      | comment     | 5000 |

  @req:APT-BOOK-08
  Scenario: Two slots that are not contiguous cannot be booked as one appointment
    Given a booking for "patient7" in two free slots that are not contiguous
    When the booking is sent
    Then the response is the error "INVALID_RESOURCE"
    And the slots are still offered as free

  @req:APT-BOOK-08
  Scenario: Adjacent slots of different schedules cannot be booked as one appointment
    Given a booking for "patient7" in two adjacent free slots of different schedules
    When the booking is sent
    Then the response is the error "INVALID_RESOURCE"
    And the slots are still offered as free

  @req:APT-BOOK-09
  Scenario Outline: Booking a slot already booked for <first> again for <second> is DUPLICATE_REJECTED
    Given a booking for "<first>" in a free slot
    When the booking is sent
    Then the appointment is booked as requested
    When the same slots are booked again for "<second>"
    Then the response is the error "DUPLICATE_REJECTED"
    And the response has Cache-Control no-store

    Examples:
      | first    | second   |
      | patient1 | patient2 |
      | patient3 | patient3 |
      | patient8 | patient4 |

  @req:APT-BOOK-10
  Scenario Outline: A booking for the unknown patient <id> is refused
    Given a booking for "patient1" in a free slot
    And the booking has "the patient <id>"
    When the booking is sent
    Then the response is one of the errors "PATIENT_NOT_FOUND, REFERENCE_NOT_FOUND, INVALID_RESOURCE"
    And the slots are still offered as free

    Examples:
      | id        |
      | 999999999 |
      | unknown-1 |

  @req:APT-BOOK-10
  Scenario: A booking at an unknown location is refused
    Given a booking for "patient1" in a free slot
    And the booking has "the location 99999"
    When the booking is sent
    Then the response is one of the errors "REFERENCE_NOT_FOUND, INVALID_RESOURCE"
    And the slots are still offered as free

  @req:APT-BOOK-11
  Scenario: A slot that has already passed cannot be booked
    An appointment starting in the past breaks a business rule of the Appointment sent: 422
    INVALID_RESOURCE (a 5xx is the provider failing, not a refusal). Book an appointment and Error
    handling: https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_book_an_appointment.html,
    https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html
    Given a booking for "patient2" in a slot that has already passed
    When the booking is sent
    Then the response is the error "INVALID_RESOURCE"
    And no appointment was booked

  @req:APT-BOOK-12
  Scenario Outline: A booking sent as <body> with the response asked for in <format>
    Given a booking for "patient3" in a free slot
    And the request body is sent as <body>
    And the "Accept" header is "<accept>"
    When the booking is sent
    Then the response status is 201
    And the response body is FHIR <format>
    And the response has an ETag matching its meta.versionId
    And the response is a Appointment resource

    Examples:
      | body | accept                | format |
      | JSON | application/fhir+json | JSON   |

    @xml
    Examples:
      | body | accept                | format |
      | JSON | application/fhir+xml  | XML    |
      | XML  | application/fhir+xml  | XML    |
      | XML  | application/fhir+json | JSON   |

  @req:APT-BOOK-12
  Scenario Outline: A booking with _format <_format> (Accept <accept>) is answered in <format>
    Given a booking for "patient3" in a free slot
    And the request body is sent as <body>
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the booking is sent
    Then the response status is 201
    And the response body is FHIR <format>
    And the response is a Appointment resource

    Examples:
      | body | accept                | _format               | format |
      | JSON | application/fhir+xml  | application/fhir+json | JSON   |

    @xml
    Examples:
      | body | accept                | _format               | format |
      | JSON | application/fhir+json | application/fhir+xml  | XML    |
      | XML  | application/fhir+json | application/fhir+xml  | XML    |
      | XML  | application/fhir+xml  | application/fhir+json | JSON   |

  @req:APT-BOOK-13
  Scenario Outline: A booking with the interaction id of <other> is refused
    Given a booking for "patient4" in a free slot
    And the Ssp-InteractionID is that of "<other>"
    When the booking is sent
    Then the response is the error "BAD_REQUEST"
    And the slots are still offered as free

    Examples:
      | other              |
      | amend appointment  |
      | search free slots  |

  @req:APT-BOOK-13
  Scenario Outline: A booking with the JWT scope <scope> is refused
    Given a booking for "patient4" in a free slot
    And the JWT claim "requested_scope" is "<scope>"
    When the booking is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | scope                |
      | patient/*.read       |
      | organization/*.write |

  @req:APT-BOOK-16 @since:1.2.7
  Scenario: The appointment booked carries the type of its slot and of its schedule
    Given a booking for "patient1" in a free slot
    When the booking is sent
    Then the response status is 201
    And the appointment carries the type of its slot and of its schedule

  @req:APT-BOOK-16 @since:1.2.7
  Scenario: A booking that sends its own serviceType and serviceCategory gets the slot's and the schedule's
    Given a booking for "patient3" in a free slot
    And the booking has "a serviceType and serviceCategory"
    When the booking is sent
    Then the response status is 201
    And the appointment carries the type of its slot and of its schedule
