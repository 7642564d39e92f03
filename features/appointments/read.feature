@appointments @read
Feature: Read an appointment
  GET [base]/Appointment/{id} answers 200 with the GPConnect-Appointment-1 as stored,
  with ETag = W/"meta.versionId", whoever booked it. An unknown id is 404 (NO_RECORD_FOUND is the
  catch-all). Each scenario books its own appointment, cancelled in teardown.

  NHS Digital's provider suite (AppointmentRead.feature): "Read a patient's appointments expecting
  servicecategory is populated" is APT-READ-06, judged as on Book (book.feature, APT-BOOK-16).

  Specification:
  - GP Connect 1.2.7, Read an appointment (request operation, error handling): https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_read_an_appointment.html

  @req:APT-READ-01
  Scenario Outline: An appointment booked for <patient> can be read back as stored
    Given an appointment booked for "<patient>"
    And a "read appointment" request for the appointment
    When the request is sent
    Then the response is the appointment
    And the response has Cache-Control no-store

    Examples:
      | patient  |
      | patient1 |
      | patient2 |
      | patient3 |
      | patient4 |
      | patient12 |
      | patient13 |

  @req:APT-READ-01
  Scenario: An appointment over three slots can be read back as stored
    Given an appointment booked for "patient5" in 3 contiguous slots
    And a "read appointment" request for the appointment
    When the request is sent
    Then the response is the appointment

  @req:APT-READ-01
  Scenario: An appointment is read by an organisation other than the one that booked it
    A read is answered whatever the booking organisation. NHS Digital's provider suite
    (AppointmentRead.feature): "I perform a successful Read appointment with JWT Org Different".
    Given an appointment booked for "patient2"
    And a "read appointment" request for the appointment
    And the JWT claim "requesting_organization" has "/identifier/0/value" set to "R1A14"
    And the JWT claim "requesting_organization" has "/name" set to "Another organisation"
    When the request is sent
    Then the response is the appointment

  @req:APT-READ-02
  Scenario Outline: An appointment read in <format> (Accept <accept>, _format <_format>)
    Given an appointment booked for "patient6"
    And a "read appointment" request for the appointment
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR <format>
    And the response has an ETag matching its meta.versionId
    And the response is a Appointment resource

    Examples:
      | accept                | _format               | format |
      | application/fhir+json | application/fhir+json | JSON   |
      | application/fhir+xml  | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | _format               | format |
      | application/fhir+json | application/fhir+xml  | XML    |
      | application/fhir+xml  | application/fhir+xml  | XML    |

  @req:APT-READ-03
  Scenario Outline: Reading the unknown appointment <id> is NO_RECORD_FOUND
    Given a "read appointment" request for the logical id "<id>"
    When the request is sent
    Then the response is the error "NO_RECORD_FOUND"
    And the response has Cache-Control no-store

    Examples:
      | id          |
      | Invalid4321 |
      | 8888888888  |
      | 555555      |

  @req:APT-READ-04
  Scenario: A cancelled future appointment can still be read, cancelled with its reason
    Given an appointment booked for "patient7"
    And the appointment has been cancelled
    And a "read appointment" request for the appointment
    When the request is sent
    Then the response is the appointment

  @req:APT-READ-05
  Scenario Outline: A read with the interaction id of <other> is refused
    Given an appointment booked for "patient8"
    And a "read appointment" request for the appointment
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | other             |
      | read patient      |
      | amend appointment |

  @req:APT-READ-05
  Scenario: A read with the JWT scope patient/*.write is refused
    Given an appointment booked for "patient8"
    And a "read appointment" request for the appointment
    And the JWT claim "requested_scope" is "patient/*.write"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

  @req:APT-READ-06 @since:1.2.7
  Scenario: A read appointment carries the type of its slot and of its schedule
    Given an appointment booked for "patient3"
    And a "read appointment" request for the appointment
    When the request is sent
    Then the response status is 200
    And the appointment carries the type of its slot and of its schedule
