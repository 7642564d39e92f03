@structured @allergies
Feature: Get structured record - allergies and adverse reactions
  includeAllergies with its mandatory includeResolvedAllergies part. The "Allergies and adverse reactions"
  List (886921000000105) references the active AllergyIntolerances; resolved ones are returned only when
  asked, and then only as resources contained in the "Ended allergies" List (1103671000000101). Every
  AllergyIntolerance populates its mandatory elements: clinicalStatus, verificationStatus fixed
  "unconfirmed", category medication or environment, code, patient, assertedDate, recorder, and the
  allergyEnd extension when resolved.

  Specification:
  - GP Connect 1.6.0, Retrieve a patient's structured record (the allergies parameters and response): https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html
  - GP Connect 1.6.0, AllergyIntolerance: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_allergyintolerance.html

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html,
  section "Parameters"): includeResolvedAllergies=false returns *all* current allergies; the primary List is compared
  both ways with the record asked with resolved allergies.

  @req:STR-ALG-01
  Scenario Outline: Allergies of <patient> including resolved ones: the active List and the Ended allergies List
    Given a structured record request for "<patient>"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the allergies are valid, resolved allergies included
    And the "allergies" List is not empty
    And the Bundle has the "ended allergies" List

    Examples:
      | patient   |
      | patient2  |
      | patient3  |
      | patient4  |
      | patient6  |
      | patient7  |
      | patient8  |
      | patient13 |
      | patient16 |
      | patient17 |

  @req:STR-ALG-14
  Scenario: An allergy ended without a recorded reason (patient16) gives "No information available"
    A legacy record may hold an ended allergy without the reason it ended; reasonEnded is still sent, with
    the fixed text. NHS Digital's provider suite: "Check allergy legacy endReason" (StructuredAllergies and
    AccessStructuredRecordAllergies), whose test data gives patient16 such an allergy.
    Given a structured record request for "patient16"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient16"
    And an ended allergy has the end reason "No information available"

  @req:STR-ALG-02
  Scenario Outline: Allergies of <patient> excluding resolved ones: no Ended allergies List, no resolved allergy
    Given a structured record request for "<patient>"
    And the part "includeResolvedAllergies" of "includeAllergies" is "false"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the allergies are valid, resolved allergies excluded
    And the Bundle has no "ended allergies" List

    Examples:
      | patient   |
      | patient2  |
      | patient3  |
      | patient4  |
      | patient6  |
      | patient7  |
      | patient8  |
      | patient13 |
      | patient16 |
      | patient17 |

  @req:STR-ALG-03
  Scenario Outline: A patient with no allergies gets empty Lists with the no-content-recorded reason (resolved <resolved>)
    Given a structured record request for "patient1"
    And the part "includeResolvedAllergies" of "includeAllergies" is "<resolved>"
    When the request is sent
    Then the response is a structured record Bundle for "patient1"
    And the "allergies" List is empty with the reason no-content-recorded
    And the Bundle holds no AllergyIntolerance resources

    Examples:
      | resolved |
      | true     |
      | false    |

  @req:STR-ALG-04
  Scenario Outline: includeAllergies <case> is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "<part>" of "includeAllergies" is sent as <element> "<value>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | case                                   | part                      | element      | value |
      | with a string for the boolean          | includeResolvedAllergies  | valueString  | true  |
      | with a null boolean                    | includeResolvedAllergies  | valueBoolean | null  |
      | with a non-boolean                     | includeResolvedAllergies  | valueBoolean | yes   |
      | with a misspelt mandatory part         | includeResolvedAllergiess | valueBoolean | true  |
      | with a date instead of the boolean     | includeResolvedAllergies  | valueDate    | 2020-01-01 |

  @req:STR-ALG-05
  Scenario: includeAllergies without its mandatory part is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the parameter "includeAllergies" is added
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

  @req:STR-ALG-05
  Scenario Outline: includeAllergies without its mandatory part is INVALID_PARAMETER beside <others>
    The other areas asked for are valid; the missing part still makes the whole request an error. NHS
    Digital's provider suite (StructuredMultipleRequests.feature): "Structured request sent with three
    parameters and no expected mandatory for includeResolvedAllergies - expected failure", "... with
    multiple valid parameters but not including the mandatory part parameters ..." and "... with valid
    partParameter for includeMedications and without the mandatory partParameter for includeAllergies ...".
    Given a structured record request for "patient2"
    And the parameter "includeAllergies" is added
    And the part "<part>" of "includeMedication" is "<value>"
    And the parameter "<other>" is included
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | others                               | part                      | value     | other             |
      | medications from a date              | medicationSearchFromDate  | today-365 | includeMedication |
      | medications without issues, problems | includePrescriptionIssues | false     | includeProblems   |

  @req:STR-ALG-06
  Scenario: includeResolvedAllergies with no value is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" has no value
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

  @req:STR-ALG-07
  Scenario Outline: Confidential allergies of <patient> are withheld with the confidential-items warning
    Given a structured record request for "<patient>"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the "allergies" List carries the warning "confidential-items"

    Examples:
      | patient   |
      | patient16 |
      | patient17 |

  @req:STR-ALG-07 @since:1.6.0
  Scenario Outline: The confidential allergy of <patient> is not in the Bundle
    The confidential-items warning says an item was withheld; the item itself must be absent. The
    target's data cannot say which allergy is confidential, so the non-withheld view (Migrate with
    sensitive information, where confidential items carry the NOPAT label) names it. Lists, warning
    codes: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html
    Given a structured record request for "<patient>"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the confidential items of the "allergies" area are not in the Bundle

    Examples:
      | patient   |
      | patient16 |
      | patient17 |

  @req:STR-ALG-08
  Scenario: A record in transit carries data-in-transit on both allergy Lists
    Given a structured record request for "patient13"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient13"
    And the "allergies" List carries the warning "data-in-transit"
    And the "ended allergies" List carries the warning "data-in-transit"

  @req:STR-ALG-09
  Scenario: Third-party data awaiting filing is flagged on the allergies List
    Given a structured record request for "patient16"
    And the part "includeResolvedAllergies" of "includeAllergies" is "false"
    When the request is sent
    Then the response is a structured record Bundle for "patient16"
    And the "allergies" List carries the warning "data-awaiting-filing"

  @req:STR-ALG-10 @since:1.5.0
  Scenario Outline: Problems linked to patient2's allergies come with the linked-problems List (resolved <resolved>)
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "<resolved>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle holds <lists> Lists
    And the Bundle has the "Problems - linked problems not relating to the primary query" List
    And a problem is linked to a AllergyIntolerance in the Bundle
    And the problems in the Bundle are valid

    Examples:
      | resolved | lists |
      | true     | 3     |
      | false    | 2     |

  @req:STR-ALG-11
  Scenario Outline: Allergies not linked to problems bring no problem (patient3, resolved <resolved>)
    Given a structured record request for "patient3"
    And the part "includeResolvedAllergies" of "includeAllergies" is "<resolved>"
    When the request is sent
    Then the response is a structured record Bundle for "patient3"
    And the Bundle holds no Condition resources
    And the Bundle has no "Problems - linked problems not relating to the primary query" List

    Examples:
      | resolved |
      | true     |
      | false    |

  @req:STR-ALG-12 @until:1.4.9
  Scenario: Before 1.5.0 allergies come without linked problems
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle holds 2 Lists
    And the Bundle holds no Condition resources

  @req:STR-ALG-13
  Scenario Outline: Excluding resolved allergies still returns every current allergy of <patient>
    Given a structured record request for "<patient>"
    And the part "includeResolvedAllergies" of "includeAllergies" is "false"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the "allergies" answer is complete against the unfiltered record

    Examples:
      | patient  |
      | patient2 |
      | patient3 |
