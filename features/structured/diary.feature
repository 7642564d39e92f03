@structured @diary @since:1.5.0
Feature: Get structured record - diary entries
  includeDiaryEntries (1.5.0+) with diaryEntriesSearchDate (a whole date, today or later). The "Patient
  recall administration" List (714311000000108) holds incomplete (active) diary ProcedureRequests due on
  or before the date.

  Specification:
  - GP Connect 1.6.0, Diary entry: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_diaryentry.html

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html,
  section "Parameters"): diaryEntriesSearchDate returns *all* incomplete diary entries on or before the date (inclusive);
  compared both ways with the unfiltered record.

  @req:STR-DRY-01
  Scenario Outline: Diary entries of <patient> are valid and only incomplete ones
    Given a structured record request for "<patient>"
    And the parameter "includeDiaryEntries" is added
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the diary entries are valid
    And the "diary entries" List is not empty

    Examples:
      | patient  |
      | patient2 |
      | patient3 |

  @req:STR-DRY-02
  Scenario Outline: diaryEntriesSearchDate <date> returns entries due on or before it
    Given a structured record request for "patient2"
    And the part "diaryEntriesSearchDate" of "includeDiaryEntries" is "<date>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the diary entries are valid
    And every item of the "diary entries" List has its occurrenceDateTime within "..<date>"
    And the "diary entries" answer is complete against the unfiltered record

    Examples:
      | date     |
      | today    |
      | today+10 |
      | today+100 |

  @req:STR-DRY-03
  Scenario Outline: diaryEntriesSearchDate "<date>" is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "diaryEntriesSearchDate" of "includeDiaryEntries" is "<date>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | date                      |
      | today-20                  |
      | today-1                   |
      | 2030                      |
      | 2030-02                   |
      | 2030-02-03T10:00:00       |
      | 2030-02-03T10:00:00+01:00 |
      | X2030-02-03               |
      | null                      |

  @req:STR-DRY-04
  Scenario: A problem of patient2 is linked to a diary entry
    Given a structured record request for "patient2"
    And the parameter "includeDiaryEntries" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle holds 2 Lists
    And a problem is linked to a ProcedureRequest in the Bundle

  @req:STR-DRY-05
  Scenario: Diary entries of patient3 bring no problem
    Given a structured record request for "patient3"
    And the parameter "includeDiaryEntries" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient3"
    And the Bundle holds 1 Lists
    And the Bundle holds no Condition resources
