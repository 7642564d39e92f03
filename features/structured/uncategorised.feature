@structured @uncategorised @since:1.3.0
Feature: Get structured record - uncategorised data
  includeUncategorisedData (1.3.0+) with uncategorisedDataSearchPeriod (whole dates, not in the future,
  start not after end). The "Uncategorised data" List (826501000000100) holds CareConnect-GPC-Observations
  whose effective date is within the period.

  Specification:
  - GP Connect 1.6.0, Observation - uncategorised data: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_observation_uncategorisedData.html

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html,
  section "Parameters"): uncategorisedDataSearchPeriod returns *all* Observations whose effective date is within the
  period (inclusive; undated items too from 1.5.0); compared both ways with the unfiltered record.

  @req:STR-UNC-01
  Scenario Outline: Uncategorised data of <patient> are valid Observations
    Given a structured record request for "<patient>"
    And the parameter "includeUncategorisedData" is added
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the observations are valid
    And the "uncategorised data" List is not empty

    Examples:
      | patient  |
      | patient2 |
      | patient3 |

  @req:STR-UNC-02
  Scenario Outline: uncategorisedDataSearchPeriod <period> returns only observations within it
    Given a structured record request for "patient2"
    And the part "uncategorisedDataSearchPeriod" of "includeUncategorisedData" is "<period>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And every item of the "uncategorised data" List has its effectiveDateTime within "<period>"
    And the "uncategorised data" answer is complete against the unfiltered record

    Examples:
      | period              |
      | today-100..today    |
      | today-500..today-60 |
      | today-1000..        |
      | ..today-300         |

  @req:STR-UNC-03
  Scenario: A period ending today gives a 200 and no warning
    Given a structured record request for "patient2"
    And the part "uncategorisedDataSearchPeriod" of "includeUncategorisedData" is "today..today"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has no OperationOutcome

  @req:STR-UNC-04
  Scenario Outline: uncategorisedDataSearchPeriod "<period>" is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "uncategorisedDataSearchPeriod" of "includeUncategorisedData" is "<period>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | period                                |
      | 2014..2015-01-01                      |
      | 2014-02..2015-01-01                   |
      | 2014-02-01T10:00:00+01:00..2015-01-01 |
      | X2014-02-01..2015-01-01               |
      | 2014-02-01..2015                      |
      | 2014-02-01..2015-01                   |
      | 2014-02-01..X2015-01-01               |
      | 2014-02-01..null                      |
      | today+1..                             |
      | 2015-01-01..2014-01-01                |

  @req:STR-UNC-05 @since:1.5.0
  Scenario: Problems linked to uncategorised data come with the linked-problems List
    Given a structured record request for "patient2"
    And the parameter "includeUncategorisedData" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And a problem is linked to a Observation in the Bundle

  @req:STR-UNC-06
  Scenario: Confidential observations are withheld with the confidential-items warning
    Given a structured record request for "patient2"
    And the parameter "includeUncategorisedData" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the "uncategorised data" List carries the warning "confidential-items"

  @req:STR-UNC-06 @since:1.6.0
  Scenario: The confidential observation is not in the Bundle
    The warning says an item was withheld; the item itself must be absent. The non-withheld view
    (Migrate with sensitive information, confidential items labelled NOPAT) names it. Lists, warning
    codes: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html
    Given a structured record request for "patient2"
    And the parameter "includeUncategorisedData" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the confidential items of the "uncategorised data" area are not in the Bundle
