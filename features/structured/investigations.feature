@structured @investigations @since:1.4.0
Feature: Get structured record - investigations
  includeInvestigations (1.4.x as a beta area, 1.5.0+) with investigationSearchPeriod. The "Investigations and results" List
  (887191000000108) holds DiagnosticReports issued within the period, each with its test group, result and
  filing-comment Observations, Specimen and ProcedureRequest in the Bundle.

  Specification:
  - GP Connect 1.6.0, Investigations guidance: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_pathology_guidance.html

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html,
  section "Parameters"): investigationSearchPeriod returns *all* DiagnosticReports issued within the period (inclusive);
  compared both ways with the unfiltered record.

  Versions: the area and its period arrived in 1.4.x; the period's error rules and the problems linked to
  every area's items (with the "linked problems" List) are stated from 1.5.0, so those scenarios are
  not applicable to a 1.4.x provider.

  @req:STR-INV-01
  Scenario Outline: Investigations of <patient> are valid with their results
    Given a structured record request for "<patient>"
    And the parameter "includeInvestigations" is added
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the investigations are valid
    And the Bundle holds Specimen resources
    And the Bundle holds ProcedureRequest resources
    And the "investigations" List is not empty

    Examples:
      | patient  |
      | patient2 |
      | patient3 |

  @req:STR-INV-02
  Scenario Outline: investigationSearchPeriod <period> returns only reports issued within it
    Given a structured record request for "patient2"
    And the part "investigationSearchPeriod" of "includeInvestigations" is "<period>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And every item of the "investigations" List has its issued within "<period>"
    And the "investigations" answer is complete against the unfiltered record

    Examples:
      | period             |
      | today-100..today   |
      | today-1000..today-100 |
      | today-800..        |

  @req:STR-INV-03 @since:1.5.0
  Scenario Outline: investigationSearchPeriod "<period>" is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "investigationSearchPeriod" of "includeInvestigations" is "<period>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | period                                |
      | 2014..2015-01-01                      |
      | 2014-02..2015-01-01                   |
      | 2014-02-01T10:00:00+01:00..2015-01-01 |
      | X2014-02-01..2015-01-01               |
      | 2014-02-01..2015                      |
      | 2014-02-01..null                      |
      | today+1..                             |
      | 2015-01-01..2014-01-01                |

  @req:STR-INV-04
  Scenario: A period of today gives a 200 and no warning
    Given a structured record request for "patient2"
    And the part "investigationSearchPeriod" of "includeInvestigations" is "today..today"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has no OperationOutcome

  @req:STR-INV-05 @since:1.5.0
  Scenario: A problem of patient2 is linked to a DiagnosticReport
    Given a structured record request for "patient2"
    And the parameter "includeInvestigations" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And a problem is linked to a DiagnosticReport in the Bundle
    And the Bundle has the "Problems - linked problems not relating to the primary query" List

  @req:STR-INV-06
  Scenario: Investigations of patient3 are not linked to problems
    Given a structured record request for "patient3"
    And the parameter "includeInvestigations" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient3"
    And the Bundle holds no Condition resources
