@appointments @amend
Feature: Amend an appointment
  PUT [base]/Appointment/{id} with the update interaction id and If-Match of the current version. Only
  description and comment may change; the provider answers 200 with the appointment, a new versionId and
  ETag, and the text exactly as sent. Any other change, or amending a cancelled appointment, is 422
  INVALID_RESOURCE and changes nothing. The amend body is the appointment as read, modified in place (the
  spec's best practice).

  Specification:
  - GP Connect 1.2.7, Amend an appointment (request body, error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_amend_an_appointment.html

  @req:APT-AMEND-01
  Scenario Outline: Amending the description of <patient>'s appointment
    Given an appointment booked for "<patient>"
    And a "amend appointment" request for the appointment
    And the appointment sent has "the description Amended by the assurance harness"
    When the appointment request is sent
    Then the appointment is amended, changing only "description"
    And the response has Cache-Control no-store

    Examples:
      | patient  |
      | patient1 |
      | patient2 |
      | patient3 |

  @req:APT-AMEND-02
  Scenario Outline: Amending with <change> changes only <elements>
    Given an appointment booked for "patient4"
    And a "amend appointment" request for the appointment
    And the appointment sent has "<change>"
    When the appointment request is sent
    Then the appointment is amended, changing only "<elements>"

    Examples:
      | change                          | elements    |
      | the comment Please bring a list | comment     |
      | a comment of 500 characters     | comment     |
      | a description of 100 characters | description |
      | the description Short           | description |

  @req:APT-AMEND-02
  Scenario: Amending description and comment together
    Given an appointment booked for "patient5"
    And a "amend appointment" request for the appointment
    And the appointment sent has "the description Both changed"
    And the appointment sent has "the comment Both changed too"
    When the appointment request is sent
    Then the appointment is amended, changing only "description, comment"

  @req:APT-AMEND-03
  Scenario Outline: serviceType/serviceCategory are provider-owned: an amend with <change> still succeeds
    Given an appointment booked for "patient5"
    And a "amend appointment" request for the appointment
    And the appointment sent has "<change>"
    And the appointment sent has "the description Backward compatible"
    When the appointment request is sent
    Then the appointment is amended, changing only "description"

    Examples:
      | change                            |
      | no serviceType or serviceCategory |
      | a serviceType and serviceCategory |

  @req:APT-AMEND-04
  Scenario Outline: An amend that changes <change> is INVALID_RESOURCE and changes nothing
    Given an appointment booked for "patient6"
    And a "amend appointment" request for the appointment
    And the appointment sent has "<change>"
    When the appointment request is sent
    Then the response is the error "INVALID_RESOURCE"
    And the response has Cache-Control no-store
    And the appointment is unchanged on the provider

    Examples:
      | change                                 |
      | the priority 5                         |
      | a start five minutes later             |
      | an end five minutes later              |
      | the status cancelled                   |
      | a cancellation reason                  |
      | an extra participant Practitioner/2    |
      | an absolute patient reference          |
      | no location participant                |
      | an unknown element                     |
      | no slot                                |
      | a reason                               |
      | a specialty                            |
      | no booking organisation                |
      | a booking organisation without telecom |
      | an identifier                          |
      | a minutesDuration of 30                |
      | no created                             |
      | a second patient participant           |
      | another location                       |
      | a booking organisation without a name  |
      | the status pending                     |

  @req:APT-AMEND-05
  Scenario: A cancelled appointment cannot be amended
    Given an appointment booked for "patient7"
    And the appointment has been cancelled
    And a "amend appointment" request for the appointment
    And the appointment sent has "the description Too late"
    When the appointment request is sent
    Then the response is the error "INVALID_RESOURCE"
    And the appointment is unchanged on the provider

  @req:APT-AMEND-06
  Scenario: An amend whose body is not an Appointment is refused
    Given an appointment booked for "patient8"
    And a "amend appointment" request for the appointment
    And the appointment sent has "the resourceType Patient"
    When the appointment request is sent
    Then the response is one of the errors "INVALID_RESOURCE, BAD_REQUEST"
    And the appointment is unchanged on the provider

  @req:APT-AMEND-07
  Scenario Outline: An amended <element> of <n> characters is refused or stored without truncation
    A text longer than the provider stores is refused with 422 INVALID_RESOURCE; otherwise it is stored
    and returned unaltered. Amend an appointment:
    https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_amend_an_appointment.html
    Given an appointment booked for "patient12"
    And a "amend appointment" request for the appointment
    And the appointment sent has "a <element> of <n> characters"
    When the appointment request is sent
    Then the request is refused, or the text is stored unaltered

    Examples:
      | element     | n    |
      | description | 101  |
      | comment     | 501  |
      | comment     | 5000 |

  @req:APT-AMEND-08
  Scenario Outline: An amend answered in <format> (Accept <accept>)
    Given an appointment booked for "patient13"
    And a "amend appointment" request for the appointment
    And the appointment sent has "the description Format test"
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

  @req:APT-AMEND-09
  Scenario: An amend sent with the interaction id of read appointment is refused
    Given an appointment booked for "patient13"
    And a "amend appointment" request for the appointment
    And the appointment sent has "the description Wrong interaction"
    And the Ssp-InteractionID is that of "read appointment"
    When the appointment request is sent
    Then the response is the error "BAD_REQUEST"
    And the appointment is unchanged on the provider
