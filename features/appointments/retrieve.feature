@appointments @retrieve
Feature: Retrieve a patient's appointments
  GET [base]/Patient/{id}/Appointment?start=ge{date}&start=le{date} answers a
  searchset Bundle of that patient's appointments starting in the range, cancelled ones included, each a
  conformant GPConnect-Appointment-1. Other patients' appointments are never returned (checked on every
  entry), and the appointments this scenario booked must all be there. The two bounds are full dates, one
  ge and one le, not in the past, in order; anything else is 422 INVALID_PARAMETER. Scenarios book for
  patients other than patient20, which is kept free of appointments.

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_retrieve_a_patients_appointments.html,
  section "Retrieve a patient's appointments"): every appointment in the range is returned, cancelled
  ones included with status cancelled; each scenario books first, so an empty answer cannot pass.

  NHS Digital's provider suite (AppointmentRetrieve.feature): "Retrieve a patient's appointments expecting
  servicecategory is populated" is APT-RETR-09, the appointment booked here judged as on Book
  (book.feature, APT-BOOK-16).

  Specification:
  - GP Connect 1.2.7, Retrieve a patient's appointments (search parameters, error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_retrieve_a_patients_appointments.html

  @req:APT-RETR-01
  Scenario Outline: After booking <n> appointments for <patient>, the retrieve returns them
    Given <n> appointments booked for "<patient>"
    And a retrieve of the appointments of "<patient>" from 0 to 14 days ahead
    When the request is sent
    Then the response holds the patient's appointments in the range, including those booked here

    Examples:
      | n | patient  |
      | 1 | patient4 |
      | 2 | patient5 |
      | 3 | patient6 |

  @req:APT-RETR-02
  Scenario Outline: A patient with no appointments gets an empty Bundle (<from> to <to> days ahead)
    Given a retrieve of the appointments of "patient20" from <from> to <to> days ahead
    When the request is sent
    Then the retrieve returns no appointment
    And the response has Cache-Control no-store

    Examples:
      | from | to |
      | 0    | 14 |
      | 0    | 0  |
      | 10   | 60 |

  @req:APT-RETR-03
  Scenario: Cancelled appointments are returned too
    Given an appointment booked for "patient7"
    And the appointment has been cancelled
    And a retrieve of the appointments of "patient7" from 0 to 15 days ahead
    When the request is sent
    Then the response holds the patient's appointments in the range, including those booked here
    And the appointment booked here is retrieved with status "cancelled"

  @req:APT-RETR-04
  Scenario Outline: Retrieving for <patient> only returns appointments of that patient in the range
    An appointment is booked first, so an empty answer cannot pass: the range must hold it.
    Given an appointment booked for "<patient>"
    And a retrieve of the appointments of "<patient>" from <from> to <to> days ahead
    When the request is sent
    Then the response holds the patient's appointments in the range, including those booked here
    And the appointment booked here is retrieved with status "booked"

    Examples:
      | patient  | from | to |
      | patient1 | 0    | 30 |
      | patient2 | 1    | 14 |
      | patient3 | 0    | 14 |

  @req:APT-RETR-05
  Scenario Outline: The range <a> / <b> is INVALID_PARAMETER
    Given a retrieve of the appointments of "patient1" with start "<a>" and start "<b>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | a                      | b                      |
      | ge{year+1}             | le{date+5}             |
      | ge{date+1}             | le{year+1}             |
      | ge{month+1}            | le{date+40}            |
      | ge{date+1}             | le{month+2}            |
      | ge{datetime+1}         | le{date+5}             |
      | ge{date+1}             | le{datetime+5}         |
      | ge{datetimeNoOffset+1} | le{date+5}             |
      | ge{date+1}             | le{datetimeNoOffset+5} |
      | ge{datetimeZ+1}        | le{date+5}             |
      | ge{date+1}             | le{datetimeZ+5}        |
      | ge{date+1}             | lt{date+5}             |
      | ge{date+1}             | gt{date+5}             |
      | ge{date+1}             | eq{date+5}             |
      | ge{date+1}             | ge{date+5}             |
      | lt{date+1}             | le{date+5}             |
      | gt{date+1}             | le{date+5}             |
      | eqs{date+1}            | le{date+5}             |
      | le{date+1}             | le{date+5}             |
      | random123              | le{date+5}             |
      | ge{date+1}             |                        |
      | le{date+5}             |                        |
      | ge2010-01-01           | le2010-02-01           |
      | ge2010-01-01           | le{date+5}             |
      | ge{date-1}             | le{date+5}             |
      | ge{date+5}             | le{date+1}             |

  @req:APT-RETR-06
  Scenario Outline: Retrieving the appointments of the unknown patient <id> is PATIENT_NOT_FOUND
    Given a "retrieve appointments" request for the logical id "<id>"
    And the search parameter "start" is "ge{date+0}"
    And the search parameter "start" is also "le{date+7}"
    When the request is sent
    Then the response is the error "PATIENT_NOT_FOUND"

    Examples:
      | id       |
      | dd       |
      | 99999999 |

  @req:APT-RETR-07
  Scenario Outline: A retrieve with the JWT scope <scope> is refused
    Given a retrieve of the appointments of "patient1" from 0 to 7 days ahead
    And the JWT claim "requested_scope" is "<scope>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | scope                |
      | patient/*.write      |
      | organization/*.write |

  @req:APT-RETR-07
  Scenario: A retrieve with the interaction id of find organisation is refused
    Given a retrieve of the appointments of "patient1" from 0 to 7 days ahead
    And the Ssp-InteractionID is that of "find organisation"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

  @req:APT-RETR-08
  Scenario Outline: The retrieve Bundle in <format> (Accept <accept>)
    Given an appointment booked for "patient8"
    And a retrieve of the appointments of "patient8" from 0 to 14 days ahead
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response body is FHIR <format>
    And the response holds the patient's appointments in the range, including those booked here

    Examples:
      | accept                | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | format |
      | application/fhir+xml  | XML    |

  @req:APT-RETR-08
  Scenario: Extra valid parameters (_sort) are tolerated
    Given a retrieve of the appointments of "patient2" from 0 to 7 days ahead
    And the search parameter "_sort" is "date"
    When the request is sent
    Then the response holds the patient's appointments in the range, including those booked here

  @req:APT-RETR-09 @since:1.2.7
  Scenario: A retrieved appointment carries the type of its slot and of its schedule
    Given an appointment booked for "patient4"
    And a retrieve of the appointments of "patient4" from 0 to 14 days ahead
    When the request is sent
    Then the response holds the patient's appointments in the range, including those booked here
    And the appointment carries the type of its slot and of its schedule
