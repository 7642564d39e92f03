@appointments @prefer
Feature: The Prefer header on Book, Amend and Cancel
  A consumer may send Prefer: return=representation or return=minimal with a booking, an amend or a
  cancel. The header is optional, so it is never a reason to refuse: the request succeeds either way.
  Servers SHALL return the full resource by default (and so for return=representation), and SHOULD
  honour return=minimal by answering without a body; a provider that returns the resource anyway ends
  those scenarios as warnings, never failures. A booking answered without a body is still cancelled
  when the scenario ends: its Location header names it.

  NHS Digital's provider suite maps here: "Book appointment prefer header set to representation" and
  "Amend appointment prefer header set to representation" / "Cancel appointment prefer header set to
  representation" (APT-PREF-01); "Book appointment prefer header set to minimal", "Amend appointment
  prefer header set to minimal" and "Cancel appointment prefer header set to minimal" (APT-PREF-01 for the
  success, APT-PREF-02 for the empty body the suite requires, which the specification words as a SHOULD).

  Specification:
  - GP Connect 1.2.7, General API guidance, HTTP headers (Prefer): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html

  @req:APT-PREF-01
  Scenario: A booking with Prefer return=representation is answered with the appointment
    Given a booking for "patient3" in a free slot
    And the "Prefer" header is "return=representation"
    When the booking is sent
    Then the response status is 201
    And the response is a Appointment resource
    And the response has an ETag matching its meta.versionId

  @req:APT-PREF-01
  Scenario: A booking with Prefer return=minimal succeeds
    Given a booking for "patient3" in a free slot
    And the "Prefer" header is "return=minimal"
    When the booking is sent
    Then the response status is 201

  @req:APT-PREF-02
  Scenario: A booking with Prefer return=minimal is answered without a body
    Given a booking for "patient2" in a free slot
    And the "Prefer" header is "return=minimal"
    When the booking is sent
    Then the response status is 201
    And the response has no body

  @req:APT-PREF-01
  Scenario Outline: An amend with Prefer <prefer> succeeds
    Given an appointment booked for "patient2"
    And a "amend appointment" request for the appointment
    And the appointment sent has "the description Prefer test"
    And the "Prefer" header is "<prefer>"
    When the appointment request is sent
    Then the response status is 200

    Examples:
      | prefer                |
      | return=representation |
      | return=minimal        |

  @req:APT-PREF-01
  Scenario: An amend with Prefer return=representation is answered with the amended appointment
    Given an appointment booked for "patient3"
    And a "amend appointment" request for the appointment
    And the appointment sent has "the description Prefer representation"
    And the "Prefer" header is "return=representation"
    When the appointment request is sent
    Then the appointment is amended, changing only "description"

  @req:APT-PREF-02
  Scenario: An amend with Prefer return=minimal is answered without a body
    Given an appointment booked for "patient3"
    And a "amend appointment" request for the appointment
    And the appointment sent has "the description Prefer minimal"
    And the "Prefer" header is "return=minimal"
    When the appointment request is sent
    Then the response status is 200
    And the response has no body

  @req:APT-PREF-01
  Scenario: A cancel with Prefer return=representation is answered with the cancelled appointment
    Given an appointment booked for "patient2"
    And a "cancel appointment" request for the appointment
    And the "Prefer" header is "return=representation"
    When the appointment request is sent
    Then the appointment is cancelled with the reason sent and nothing else changed

  @req:APT-PREF-01
  Scenario: A cancel with Prefer return=minimal succeeds
    Given an appointment booked for "patient2"
    And a "cancel appointment" request for the appointment
    And the "Prefer" header is "return=minimal"
    When the appointment request is sent
    Then the response status is 200

  @req:APT-PREF-02
  Scenario: A cancel with Prefer return=minimal is answered without a body
    Given an appointment booked for "patient3"
    And a "cancel appointment" request for the appointment
    And the "Prefer" header is "return=minimal"
    When the appointment request is sent
    Then the response status is 200
    And the response has no body
