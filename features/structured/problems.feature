@structured @problems @since:1.3.0
Feature: Get structured record - problems
  includeProblems (1.3.0+) with filterStatus (active/inactive) and, up to 1.6.1, filterSignificance
  (major/minor); repeatable until 1.6.1, once only in 1.6.2. The "Problems" List (717711000000103) holds
  the ProblemHeader Conditions matching the filters; from 1.5.0 the items linked to them come with
  "Problems - <area> related to problems" secondary Lists, and related problems outside the query with the
  one "linked problems" List.

  Specification:
  - GP Connect 1.6.0, Problems guidance: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_problems_guidance.html
  - GP Connect 1.6.0, List (secondary Lists): https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html,
  section "Parameters"): filterStatus and filterSignificance return *all* problems with that clinicalStatus and
  significance; a filtered Problems List is compared both ways with the unfiltered one.

  NHS Digital's provider suite (StructuredProblems.feature) maps here: "Retrieve problems structured record
  with status partParameter expected success" (STR-PRB-04), "... with significance partParameter ..."
  (STR-PRB-05), "... with status and significance partParameter ..." (both, on one request), each compared
  with the unfiltered record so an empty List cannot pass; "... for a patient that has repeating pair
  values ..." (STR-PRB-09: the repetitions are accepted; what a union of pairs must return is not compared).

  @req:STR-PRB-01
  Scenario Outline: Problems of <patient> are valid ProblemHeader Conditions
    Given a structured record request for "<patient>"
    And the parameter "includeProblems" is added
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the problems are valid
    And the "problems" List is not empty

    Examples:
      | patient  |
      | patient2 |
      | patient3 |

  @req:STR-PRB-02 @since:1.5.0
  Scenario Outline: A problem of patient2 is linked to a <type> returned with it
    Given a structured record request for "patient2"
    And the parameter "includeProblems" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And a problem is linked to a <type> in the Bundle
    And the Bundle holds <type> resources

    Examples:
      | type              |
      | MedicationRequest |
      | AllergyIntolerance |
      | Observation       |
      | Immunization      |
      | DiagnosticReport  |
      | ReferralRequest   |
      | ProcedureRequest  |
      | Encounter         |

  @req:STR-PRB-03 @since:1.5.0
  Scenario Outline: The secondary List "<list>" holds patient2's items related to problems
    Given a structured record request for "patient2"
    And the parameter "includeProblems" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has the "<list>" List
    And the "<list>" List is not empty

    Examples:
      | list                                                          |
      | Problems - medications related to problems                    |
      | Problems - allergies related to problems                      |
      | Problems - uncategorised data related to problems             |
      | Problems - immunisations related to problems                  |
      | Problems - investigations related to problems                 |
      | Problems - outbound referrals related to problems             |
      | Problems - diary entries related to problems                  |
      | Problems - consultations related to problems                  |

  @req:STR-PRB-04 @since:1.3.1
  Scenario Outline: filterStatus <status> returns only <status> problems
    Given a structured record request for "patient2"
    And the part "filterStatus" of "includeProblems" is "<status>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And every problem in the Problems List has status "<status>"
    And the problems are valid
    And the "problems" answer is complete against the unfiltered record

    Examples:
      | status   |
      | active   |
      | inactive |

  @req:STR-PRB-05 @since:1.3.1 @until:1.6.1
  Scenario Outline: filterSignificance <significance> returns only <significance> problems
    Given a structured record request for "patient2"
    And the part "filterSignificance" of "includeProblems" is "<significance>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And every problem in the Problems List has significance "<significance>"
    And the "problems" answer is complete against the unfiltered record

    Examples:
      | significance |
      | major        |
      | minor        |

  @req:STR-PRB-04 @req:STR-PRB-05 @since:1.3.1 @until:1.6.1
  Scenario Outline: filterStatus <status> with filterSignificance <significance> returns only problems that are both
    Given a structured record request for "patient2"
    And the part "filterStatus" of "includeProblems" is "<status>"
    And the part "filterSignificance" of "includeProblems" is "<significance>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And every problem in the Problems List has status "<status>"
    And every problem in the Problems List has significance "<significance>"
    And the "problems" answer is complete against the unfiltered record

    Examples:
      | status   | significance |
      | active   | major        |
      | inactive | minor        |

  @req:STR-PRB-13 @since:1.3.0 @until:1.3.0
  Scenario Outline: In 1.3.0 includeStatus <status> with includeSignificance <significance> returns only problems that are both
    1.3.0 named the problem filters includeStatus and includeSignificance (a CodeableConcept); 1.3.1
    renamed them filterStatus and filterSignificance.
    Given a structured record request for "patient2"
    And the part "includeStatus" of "includeProblems" is "<status>"
    And the part "includeSignificance" of "includeProblems" is "<significance>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And every problem in the Problems List has status "<status>"
    And every problem in the Problems List has significance "<significance>"
    And the "problems" answer is complete against the unfiltered record

    Examples:
      | status   | significance |
      | active   | major        |
      | inactive | minor        |

  @req:STR-PRB-13 @since:1.3.0 @until:1.3.0
  Scenario: In 1.3.0 filterStatus is not yet a parameter and gets a NOT_IMPLEMENTED warning
    Given a structured record request for "patient2"
    And the part "filterStatus" of "includeProblems" is "active"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has a NOT_IMPLEMENTED warning for each of "includeProblems.filterStatus"

  @req:STR-PRB-06 @since:1.6.2
  Scenario: filterSignificance is no longer a parameter in 1.6.2 and gets a NOT_IMPLEMENTED warning
    Given a structured record request for "patient2"
    And the part "filterSignificance" of "includeProblems" is "major"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has a NOT_IMPLEMENTED warning for each of "includeProblems.filterSignificance"

  @req:STR-PRB-07 @since:1.3.1
  Scenario Outline: filterStatus "<status>" is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "filterStatus" of "includeProblems" is "<status>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | status     |
      | resolved   |
      | recurrence |
      | remission  |
      | null       |
      | off        |
      | Active     |

  @req:STR-PRB-08 @since:1.3.1 @until:1.6.1
  Scenario Outline: filterSignificance "<significance>" is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "filterSignificance" of "includeProblems" is "<significance>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | significance |
      | HIGH         |
      | null         |
      | off          |

  @req:STR-PRB-09 @since:1.6.2
  Scenario: includeProblems sent twice is INVALID_RESOURCE in 1.6.2
    In 1.6.2 includeProblems is 0..1: a Parameters sending it twice does not conform to the
    OperationDefinition, INVALID_RESOURCE. Get structured record, parameters and errors:
    https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html
    Given a structured record request for "patient2"
    And the part "filterStatus" of "includeProblems" is "active"
    And the parameter "includeProblems" is sent twice
    When the request is sent
    Then the response is the error "INVALID_RESOURCE"

  @req:STR-PRB-09 @since:1.3.1 @until:1.6.1
  Scenario: includeProblems sent twice is accepted before 1.6.2
    Before 1.6.2 includeProblems is 0..* (each repetition a status/significance pair): the answer is
    the structured record. Get structured record, parameters:
    https://developer.nhs.uk/apis/gpconnect-1-5-0/accessrecord_structured_development_retrieve_patient_record.html
    Given a structured record request for "patient2"
    And the part "filterStatus" of "includeProblems" is "active"
    And the parameter "includeProblems" is sent twice
    When the request is sent
    Then the response is a structured record Bundle for "patient2"

  @req:STR-PRB-10
  Scenario Outline: <patient> without problems gets the empty Problems List
    Given a structured record request for "<patient>"
    And the parameter "includeProblems" is added
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the "problems" List is empty with the reason no-content-recorded
    And the Bundle holds no Condition resources

    Examples:
      | patient  |
      | patient1 |
      | patient4 |

  @req:STR-PRB-11
  Scenario: An unrecognised problems part gives a 200 with one warning
    Given a structured record request for "patient2"
    And the part "madeUpProblems" of "includeProblems" is "x"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has a NOT_IMPLEMENTED warning for each of "includeProblems.madeUpProblems"

  @req:STR-PRB-12 @since:1.5.0
  Scenario: A problem related to a problem outside the query comes in the linked-problems List
    Given a structured record request for "patient2"
    And the part "filterStatus" of "includeProblems" is "active"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has the "Problems - linked problems not relating to the primary query" List
    And a problem is linked to a Condition in the Bundle
