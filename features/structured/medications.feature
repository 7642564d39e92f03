@structured @medications
Feature: Get structured record - medications and medical devices
  includeMedication with includePrescriptionIssues (optional from 1.2.6, default true) and
  medicationSearchFromDate (a whole date no later than today). The "Medications and medical devices" List
  (933361000000108) references MedicationStatements; each is basedOn its authorisation (MedicationRequest
  intent plan) and references its Medication; issues (intent order, basedOn the plan) only when asked; an
  acute prescription has at most one issue; with a search date, only medications active on or after it.

  NHS Digital's provider suite (StructuredMedications.feature, AccessStructuredRecordMedications.feature)
  maps here: "Retrieve the medication structured record section for a patient with medication prescribed
  elsewhere" (STR-MED-01, the patient12 rows: every MedicationStatement carries its prescribingAgency
  extension, and a medication prescribed elsewhere says so there); "... for a patient with a start date"
  (STR-MED-03, compared with the unfiltered record).

  Specification:
  - GP Connect 1.6.0, MedicationStatement: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_medicationstatement.html
  - GP Connect 1.6.0, MedicationRequest: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_medicationrequest.html

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html,
  section "Parameters"): medicationSearchFromDate returns *all* medications active on or after the date (end on or after
  it; acute without end: started on or after it; repeat without end: always), so a filtered answer is
  compared both ways with the same patient's unfiltered record.

  @req:STR-MED-01
  Scenario Outline: Medications of <patient> with prescription issues <issues>
    Given a structured record request for "<patient>"
    And the part "includePrescriptionIssues" of "includeMedication" is "<flag>"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the medications are valid, prescription issues <issues>
    And the Bundle has the "medications" List
    And the "medications" List holds what the test data promises for "<patient>"

    Examples:
      | patient   | flag  | issues   |
      | patient2  | true  | included |
      | patient2  | false | excluded |
      | patient3  | true  | included |
      | patient3  | false | excluded |
      | patient5  | true  | included |
      | patient5  | false | excluded |
      | patient12 | true  | included |
      | patient12 | false | excluded |
      | patient13 | true  | included |
      | patient16 | true  | included |
      | patient16 | false | excluded |

  @req:STR-MED-02
  Scenario Outline: Without includePrescriptionIssues (1.2.6+) issues are returned for <patient>
    Given a structured record request for "<patient>"
    And the parameter "includeMedication" is added
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the medications are valid, prescription issues included
    And the Bundle holds MedicationRequests with intent "order"

    Examples:
      | patient  |
      | patient2 |
      | patient5 |

  @req:STR-MED-03
  Scenario Outline: medicationSearchFromDate <from> returns only medications of <patient> active on or after it
    Given a structured record request for "<patient>"
    And the part "medicationSearchFromDate" of "includeMedication" is "<from>"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the medications are valid and active on or after "<from>"
    And the "medications" answer is complete against the unfiltered record

    Examples:
      | patient   | from      |
      | patient2  | today-1095 |
      | patient2  | today-365  |
      | patient2  | today-30   |
      | patient2  | today      |
      | patient3  | today-1095 |
      | patient5  | today-365  |
      | patient12 | today-1095 |
      | patient16 | today-100  |

  @req:STR-MED-04
  Scenario Outline: medicationSearchFromDate "<from>" is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "medicationSearchFromDate" of "includeMedication" is "<from>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | from                      |
      | X2014-02-03               |
      |                           |
      | 2014                      |
      | 2014-02                   |
      | null                      |
      | 2014-02-03T10:00:00       |
      | 2014-02-03T10:00:00+01:00 |
      | 2014-13-01                |
      | 2014-02-30                |
      | today+1                   |
      | today+400                 |

  @req:STR-MED-05
  Scenario Outline: includePrescriptionIssues <case> is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "includePrescriptionIssues" of "includeMedication" is sent as <element> "<value>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | case                   | element      | value |
      | as a string            | valueString  | true  |
      | as a non-boolean       | valueBoolean | maybe |
      | with a null value      | valueBoolean | null  |

  @req:STR-MED-06
  Scenario Outline: <patient> with no medications gets an empty medications List
    Given a structured record request for "<patient>"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the "medications" List is empty with the reason no-content-recorded
    And the Bundle holds no MedicationStatement resources

    Examples:
      | patient  |
      | patient1 |
      | patient4 |

  @req:STR-MED-07
  Scenario: Without includeMedication no medication resource is returned
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle holds no MedicationStatement resources
    And the Bundle holds no Medication resources
    And the Bundle has no "medications" List

  @req:STR-MED-08
  Scenario: A confidential medication is withheld with the confidential-items warning
    Given a structured record request for "patient2"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the "medications" List carries the warning "confidential-items"

  @req:STR-MED-08 @since:1.6.0
  Scenario: The confidential medication is not in the Bundle
    The warning says an item was withheld; the item itself must be absent. The non-withheld view
    (Migrate with sensitive information, confidential items labelled NOPAT) names it. Lists, warning
    codes: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html
    Given a structured record request for "patient2"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the confidential items of the "medications" area are not in the Bundle

  @req:STR-MED-09
  Scenario: A record in transit carries data-in-transit on the medications List
    Given a structured record request for "patient13"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient13"
    And the "medications" List carries the warning "data-in-transit"

  @req:STR-MED-10 @since:1.5.0
  Scenario: Problems linked to medications come with their linked-problems List
    Given a structured record request for "patient2"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle holds 2 Lists
    And the Bundle has the "Problems - linked problems not relating to the primary query" List
    And a problem is linked to a MedicationRequest in the Bundle

  @req:STR-MED-11
  Scenario Outline: An unrecognised medication part <part> gives a 200 with a warning
    Given a structured record request for "patient2"
    And the part "<part>" of "includeMedication" is "x"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the medications are valid, prescription issues included
    And the Bundle has a NOT_IMPLEMENTED warning for each of "includeMedication.<part>"

    Examples:
      | part                    |
      | medicationSearchToDate  |
      | includeRepeatsOnly      |

  @req:STR-MED-12 @since:1.6.0
  Scenario: patient2's confidential medication is withheld, not only announced
    The "confidential-items" warning says something was withheld; the items the provider labels
    confidential when it migrates the record with sensitive information must then be absent from the
    direct-care answer (https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html,
    section "Confidential data").
    Given a structured record request for "patient2"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the "medications" List carries the warning "confidential-items"
    And no item the provider labels confidential for "patient2" is in the answer
