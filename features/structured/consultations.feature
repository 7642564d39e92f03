@structured @consultations @since:1.3.0
Feature: Get structured record - consultations
  includeConsultations (1.3.0+) with consultationSearchPeriod or includeNumberOfMostRecent, never both
  (INVALID_RESOURCE). The "List of consultations" List references the Encounters; each Encounter has its
  Consultation List (325851000000107) holding Topic Lists (25851000000105) holding Category (heading)
  Lists (24781000000107), all with id, encounter, date and orderedBy; the items the headings hold are in
  the Bundle, and from 1.5.0 come with "Consultations - <area> contained in consultations" Lists.

  NHS Digital's provider suite (StructuredConsultations.feature) maps here: "Verify Consultations structured
  record for a Patient includeConsultation and consultationSearchPeriod partParameter", "Retrieve
  consultations structured record with startDate only expected success" and "... with endDate value only
  ..." (STR-CON-02: each period's answer is compared with the unfiltered record, so an empty List cannot
  pass).

  Specification:
  - GP Connect 1.6.0, Consultations guidance: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_consultation_guidance.html
  - GP Connect 1.6.0, Encounter: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_encounter.html
  - GP Connect 1.6.0, List (consultation, topic and category Lists): https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html,
  section "Parameters"): consultationSearchPeriod returns *all* Encounters starting on or after its start and ending on
  or before its end (bounds inclusive), includeNumberOfMostRecent the N latest; a filtered answer is
  compared both ways with the same patient's unfiltered record.

  @req:STR-CON-01
  Scenario Outline: Consultations of <patient> with their consultation, topic and heading Lists
    Given a structured record request for "<patient>"
    And the parameter "includeConsultations" is added
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the consultations are valid with their consultation, topic and heading Lists
    And the "consultations" List is not empty

    Examples:
      | patient  |
      | patient2 |
      | patient3 |

  @req:STR-CON-02
  Scenario Outline: consultationSearchPeriod <period> returns only consultations within it
    Given a structured record request for "patient2"
    And the part "consultationSearchPeriod" of "includeConsultations" is "<period>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the consultations are valid with their consultation, topic and heading Lists
    And every consultation started on or after "<start>"
    And every consultation started on or before "<end>"
    And the "consultations" answer is complete against the unfiltered record

    Examples:
      | period                  | start      | end       |
      | today-365..today        | today-365  | today     |
      | today-1000..today-100   | today-1000 | today-100 |
      | today-900..             | today-900  | today     |
      | ..today-300             | 1900-01-01 | today-300 |
      | today-10..today-10      | today-10   | today-10  |

  @req:STR-CON-03
  Scenario Outline: includeNumberOfMostRecent <n> returns at most <n> consultations
    Given a structured record request for "patient2"
    And the part "includeNumberOfMostRecent" of "includeConsultations" is "<n>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And at most <n> consultations are returned
    And the consultations are valid with their consultation, topic and heading Lists
    And the "consultations" answer is complete against the unfiltered record

    Examples:
      | n |
      | 1 |
      | 2 |
      | 3 |

  @req:STR-CON-04
  Scenario: A search period and a number of most recent together are INVALID_RESOURCE
    Given a structured record request for "patient2"
    And the part "consultationSearchPeriod" of "includeConsultations" is "today-365..today"
    And the part "includeNumberOfMostRecent" of "includeConsultations" is "3"
    When the request is sent
    Then the response is the error "INVALID_RESOURCE"

  @req:STR-CON-05
  Scenario Outline: consultationSearchPeriod "<period>" is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "consultationSearchPeriod" of "includeConsultations" is "<period>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | period                                          |
      | 2014..2015-01-01                                |
      | 2014-02..2015-01-01                             |
      | 2014-02-01T10:00:00..2015-01-01                 |
      | 2014-02-01T10:00:00+01:00..2015-01-01           |
      | X2014-02-01..2015-01-01                         |
      | null..2015-01-01                                |
      | 2014-02-01..2015                                |
      | 2014-02-01..2015-01                             |
      | 2014-02-01..2015-01-01T10:00:00                 |
      | 2014-02-01..2015-01-01T10:00:00+01:00           |
      | 2014-02-01..X2015-01-01                         |
      | 2014-02-01..null                                |
      | today+1..                                       |
      | ..today+1                                       |
      | today+10..today+20                              |
      | today-10..today-20                              |
      | 2015-01-01..2014-01-01                          |

  @req:STR-CON-06
  Scenario Outline: includeNumberOfMostRecent "<n>" is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "includeNumberOfMostRecent" of "includeConsultations" is "<n>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | n    |
      | 0    |
      | -1   |
      | abc  |
      | null |

  @req:STR-CON-07 @since:1.5.0
  Scenario Outline: Items held by patient2's consultations come with "<list>"
    Given a structured record request for "patient2"
    And the parameter "includeConsultations" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has the "<list>" List
    And the "<list>" List is not empty

    Examples:
      | list                                                        |
      | Consultations - medications contained in consultations       |
      | Consultations - uncategorised data contained in consultations |
      | Consultations - problems contained in consultations          |
      | Consultations - outbound referrals in consultations          |

  @req:STR-CON-08
  Scenario: consultationSearchPeriod sent as a parameter of its own is unrecognised
    Given a structured record request for "patient2"
    And the parameter "consultationSearchPeriod" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has a NOT_IMPLEMENTED warning for each of "consultationSearchPeriod"
