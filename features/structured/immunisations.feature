@structured @immunisations @since:1.3.0
Feature: Get structured record - immunisations
  includeImmunisations (1.3.0+) with includeNotGiven (default false) and includeStatus (default true),
  both 1.5.0+. The "Immunisations" List (1102181000000102) holds Immunizations with status completed,
  recordedDate and vaccinationProcedure extensions, no vaccinationProtocol when not given.

  Specification:
  - GP Connect 1.6.0, Immunization: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_immunization.html

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html,
  section "Parameters"): includeNotGiven false returns *all* given immunisations and none not given; compared both
  ways with the record asked with includeNotGiven true.

  @req:STR-IMM-01
  Scenario Outline: Immunisations of <patient> are valid
    Given a structured record request for "<patient>"
    And the parameter "includeImmunisations" is added
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the immunisations are valid, not-given immunisations excluded
    And the "immunisations" List is not empty

    Examples:
      | patient  |
      | patient2 |
      | patient3 |

  @req:STR-IMM-02 @since:1.5.0
  Scenario Outline: includeNotGiven <flag> <returns> immunisations that were not given
    Given a structured record request for "patient2"
    And the part "includeNotGiven" of "includeImmunisations" is "<flag>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the immunisations are valid, not-given immunisations <returns>

    Examples:
      | flag  | returns  |
      | true  | included |
      | false | excluded |

  @req:STR-IMM-03 @since:1.5.0
  Scenario: includeNotGiven true returns the immunisation that was not given
    Given a structured record request for "patient2"
    And the part "includeNotGiven" of "includeImmunisations" is "true"
    When the request is sent
    Then the Bundle holds an Immunization with notGiven true

  @req:STR-IMM-04 @since:1.5.0
  Scenario Outline: includeStatus <flag>: immunisation status observations <returns>
    Given a structured record request for "patient3"
    And the part "includeStatus" of "includeImmunisations" is "<flag>"
    When the request is sent
    Then the response is a structured record Bundle for "patient3"
    And the Bundle holds <returns> resources

    Examples:
      | flag  | returns        |
      | true  | Observation    |
      | false | no Observation |

  @req:STR-IMM-05 @since:1.5.0
  Scenario Outline: <part> "<value>" is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "<part>" of "includeImmunisations" is "<value>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | part            | value |
      | includeNotGiven | yes   |
      | includeNotGiven | null  |
      | includeStatus   | 1     |

  @req:STR-IMM-06
  Scenario: An unrecognised immunisations part gives a 200 with one warning
    Given a structured record request for "patient2"
    And the part "madeUp" of "includeImmunisations" is "x"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has a NOT_IMPLEMENTED warning for each of "includeImmunisations.madeUp"

  @req:STR-IMM-07 @since:1.5.0
  Scenario: Problems linked to immunisations come with the linked-problems List
    Given a structured record request for "patient2"
    And the parameter "includeImmunisations" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And a problem is linked to a Immunization in the Bundle
    And the Bundle has the "Problems - linked problems not relating to the primary query" List

  @req:STR-IMM-08 @since:1.5.0
  Scenario Outline: includeNotGiven <flag> returns every given immunisation of <patient> and none not given
    Given a structured record request for "<patient>"
    And the part "includeNotGiven" of "includeImmunisations" is "<flag>"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the "immunisations" answer is complete against the unfiltered record

    Examples:
      | patient  | flag  |
      | patient2 | false |
      | patient3 | false |
