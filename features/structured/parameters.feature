@structured @parameters
Feature: Get structured record - request parameters
  POST [structured base]/Patient/$gpc.getstructuredrecord with a FHIR Parameters body. Every part of every
  include parameter is validated: whole dates only, no future dates where the spec forbids them, mandatory
  parts present, unknown parameters answered with a 200 and a NOT_IMPLEMENTED warning (1.2.4+), duplicates
  and not-permitted combinations refused, and the patient must be a shareable, active, regular registration.

  NHS Digital's provider suite (StructuredMultipleRequests.feature): "Structured request sent for
  consultations and problems expect success" is a subset of STR-PARAM-18 (every area at once, each with
  its List); the requests missing includeResolvedAllergies among other areas are STR-ALG-05
  (allergies.feature).

  Specification:
  - GP Connect 1.6.0, Retrieve a patient's structured record (Payload request body; Error handling): https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html

  @req:STR-PARAM-01
  Scenario Outline: A request with only the NHS number of <patient> returns the patient and no clinical area
    Given a structured record request for "<patient>"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the Bundle holds 0 Lists
    And the Bundle has no OperationOutcome

    Examples:
      | patient   |
      | patient1  |
      | patient2  |
      | patient3  |
      | patient4  |
      | patient5  |
      | patient6  |
      | patient12 |
      | patient13 |
      | patient16 |
      | patient17 |

  @req:STR-PARAM-02
  Scenario Outline: An NHS number parameter with <element> "<value>" is refused with its error code
    A value failing the NHS number format or check digit is INVALID_NHS_NUMBER (an empty value may also
    be read as a part with no value, INVALID_PARAMETER); a system that is not the NHS number system
    leaves no valid patientNHSNumber (INVALID_PARAMETER, or INVALID_IDENTIFIER_SYSTEM, or
    INVALID_NHS_NUMBER). Each code with its own status; a 5xx is the provider failing. Get structured
    record, errors: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the NHS number parameter has <element> "<value>"
    When the request is sent
    Then the response is one of the errors "<errors>"

    Examples:
      | element | value          | errors                                                          |
      | value   | 1234567891     | INVALID_NHS_NUMBER                                              |
      | value   |                | INVALID_NHS_NUMBER, INVALID_PARAMETER                           |
      | value   | 96909372       | INVALID_NHS_NUMBER                                              |
      | system  | Invalid-System | INVALID_PARAMETER, INVALID_IDENTIFIER_SYSTEM, INVALID_NHS_NUMBER |
      | system  |                | INVALID_PARAMETER, INVALID_IDENTIFIER_SYSTEM, INVALID_NHS_NUMBER |

  @req:STR-PARAM-03
  Scenario Outline: An NHS number failing the check digit is INVALID_NHS_NUMBER
    Given a structured record request for "patient2"
    And the NHS number parameter has value "<nhs>"
    When the request is sent
    Then the response is the error "INVALID_NHS_NUMBER"

    Examples:
      | nhs        |
      | 1234567891 |
      | 9690937287 |

  @req:STR-PARAM-04
  Scenario: Without patientNHSNumber the request is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the parameter "patientNHSNumber" is renamed "invalidNHSNumberParam"
    And the part "includeResolvedAllergies" of "includeAllergies" is "false"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

  @req:STR-PARAM-05
  Scenario Outline: <patient> (<state>) is PATIENT_NOT_FOUND
    Given a structured record request for "<patient>"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    When the request is sent
    Then the response is the error "PATIENT_NOT_FOUND"

    Examples:
      | patient            | state                    |
      | patientNotInSystem | not known                |
      | patient9           | PDS sensitive            |
      | patient10          | PDS sensitive            |
      | patient18          | deceased                 |
      | patient21          | inactive registration    |

  @req:STR-PARAM-06
  Scenario: A patient who dissented from sharing is NO_PATIENT_CONSENT
    Given a structured record request for "patient15"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is the error "NO_PATIENT_CONSENT"

  @req:STR-PARAM-07
  Scenario Outline: An unrecognised parameter <name> gives a 200 with one NOT_IMPLEMENTED warning
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "false"
    And the parameter "<name>" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has the "allergies" List
    And the Bundle has a NOT_IMPLEMENTED warning for each of "<name>"

    Examples:
      | name                      |
      | inlcudeUnknownAllergies   |
      | includeMadeUpArea         |
      | consultationSearchPeriod  |
      | includeMedications        |

    @until:1.2.7
    Examples: areas that 1.2.x providers do not know
      | name                     |
      | includeConsultations     |
      | includeProblems          |
      | includeImmunisations     |
      | includeUncategorisedData |
      | includeInvestigations    |
      | includeReferrals         |
      | includeDiaryEntries      |

  @req:STR-PARAM-08
  Scenario Outline: An unrecognised part <part> of <parameter> gives a 200 with a warning naming parameter.part
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the part "<part>" of "<parameter>" is "x"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has a NOT_IMPLEMENTED warning for each of "<parameter>.<part>"

    Examples:
      | parameter         | part                      |
      | includeAllergies  | timePeriod                |
      | includeAllergies  | startDate                 |
      | includeAllergies  | endDate                   |
      | includeAllergies  | includePrescriptionIssues |
      | includeMedication | madeUpPart                |
      | includeMedication | medicationDatePeriod      |

  @req:STR-PARAM-09
  Scenario: Three unrecognised names give three warnings, one per name
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the parameter "madeUpOne" is added
    And the parameter "madeUpTwo" is added
    And the part "madeUpPart" of "includeAllergies" is "x"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has a NOT_IMPLEMENTED warning for each of "madeUpOne, madeUpTwo, includeAllergies.madeUpPart"

  @req:STR-PARAM-10
  Scenario: An invalid parameter type alongside an unknown parameter is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is sent as valueString "yes"
    And the parameter "madeUpParameter" is added
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

  @req:STR-PARAM-11
  Scenario Outline: A body that is <kind> is refused with its error code
    A body that is not a Parameters conforming to the OperationDefinition, or that cannot be parsed, is
    INVALID_RESOURCE; a body that is not FHIR JSON at all may also be BAD_REQUEST (a malformed body).
    A 5xx is the provider failing. Get structured record, errors: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html; Error handling:
    https://developer.nhs.uk/apis/gpconnect-1-6-0/development_fhir_error_handling_guidance.html
    Given a structured record request for "patient2"
    And the structured request body is made <kind>
    When the request is sent
    Then the response is one of the errors "<errors>"

    Examples:
      | kind                          | errors                        |
      | a-Patient-resource            | INVALID_RESOURCE              |
      | a-parameter-without-a-name    | INVALID_RESOURCE              |
      | parameters-not-in-an-array    | INVALID_RESOURCE, BAD_REQUEST |
      | not-JSON                      | INVALID_RESOURCE, BAD_REQUEST |

  @req:STR-PARAM-12
  Scenario Outline: <parameter> sent twice is INVALID_RESOURCE
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    And the parameter "<parameter>" is sent twice
    When the request is sent
    Then the response is the error "INVALID_RESOURCE"

    Examples:
      | parameter         |
      | patientNHSNumber  |
      | includeAllergies  |
      | includeMedication |

  @req:STR-PARAM-13
  Scenario Outline: The part <part> sent twice is INVALID_RESOURCE
    Given a structured record request for "patient2"
    And the part "<part>" of "<parameter>" is "<value>"
    And the part "<part>" of "<parameter>" is "<value>"
    When the request is sent
    Then the response is the error "INVALID_RESOURCE"

    Examples:
      | parameter         | part                      | value     |
      | includeAllergies  | includeResolvedAllergies  | true      |
      | includeMedication | includePrescriptionIssues | false     |
      | includeMedication | medicationSearchFromDate  | today-100 |

  @req:STR-PARAM-14
  Scenario Outline: The request and response in <format> give the same conformant Bundle
    Given a structured record request for "patient2"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    And the request body is sent as <body>
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response body is FHIR <format>
    And the response is a structured record Bundle for "patient2"
    And the allergies are valid, resolved allergies included
    And the medications are valid, prescription issues included

    Examples:
      | body | accept                | format |
      | JSON | application/fhir+json | JSON   |

    @xml
    Examples:
      | body | accept                | format |
      | JSON | application/fhir+xml  | XML    |
      | XML  | application/fhir+xml  | XML    |
      | XML  | application/fhir+json | JSON   |

  @req:STR-PARAM-15 @since:1.3.2
  Scenario Outline: <part> of <parameter> may not be sent with <anchor> (INVALID_PARAMETER)
    Given a structured record request for "patient2"
    And the parameter "<anchor>" is added
    And the part "<part>" of "<parameter>" is "<value>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples: with consultations
      | anchor               | parameter                | part                          | value             |
      | includeConsultations | includeMedication        | medicationSearchFromDate      | today-100         |
      | includeConsultations | includeUncategorisedData | uncategorisedDataSearchPeriod | today-300..today  |
      | includeConsultations | includeProblems          | filterStatus                  | active            |
      | includeProblems      | includeMedication        | medicationSearchFromDate      | today-100         |
      | includeProblems      | includeUncategorisedData | uncategorisedDataSearchPeriod | today-300..today  |

    @since:1.5.0
    Examples: with the 1.5.0 areas
      | anchor               | parameter            | part                   | value            |
      | includeConsultations | includeReferrals     | referralSearchPeriod   | today-300..today |
      | includeConsultations | includeDiaryEntries  | diaryEntriesSearchDate | today+10         |
      | includeConsultations | includeImmunisations | includeNotGiven        | true             |
      | includeConsultations | includeImmunisations | includeStatus          | false            |
      | includeProblems      | includeReferrals     | referralSearchPeriod   | today-300..today |
      | includeProblems      | includeDiaryEntries  | diaryEntriesSearchDate | today+10         |
      | includeProblems      | includeImmunisations | includeNotGiven        | true             |
      | includeProblems      | includeImmunisations | includeStatus          | true             |

    @until:1.6.1
    Examples: with the significance filter
      | anchor               | parameter       | part               | value |
      | includeConsultations | includeProblems | filterSignificance | major |

  @req:STR-PARAM-16 @since:1.6.2
  Scenario Outline: The predefined multi-area search <search> is accepted from 1.6.2
    1.6.2 exempts its two predefined searches from the not-permitted combinations: the answer is the
    structured record. Get structured record, predefined searches: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html
    Given a structured record request for "patient2"
    And the part "includeNumberOfMostRecent" of "includeConsultations" is "3"
    And the parameter "includeProblems" is added
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the part "medicationSearchFromDate" of "includeMedication" is "today-365"
    And the parameter "<extra1>" is included
    And the parameter "<extra2>" is included
    When the request is sent
    Then the response is a structured record Bundle for "patient2"

    Examples: accepted
      | search | extra1               | extra2                   |
      | 1      | includeProblems      | includeProblems          |
      | 2      | includeImmunisations | includeUncategorisedData |

  @req:STR-PARAM-16 @since:1.3.2 @until:1.6.1
  Scenario: The predefined multi-area search 2 is a not-permitted combination before 1.6.2
    Before 1.6.2, medicationSearchFromDate with includeConsultations is a not-permitted combination:
    INVALID_PARAMETER. Get structured record, not permitted combinations:
    https://developer.nhs.uk/apis/gpconnect-1-5-0/accessrecord_structured_development_retrieve_patient_record.html
    Given a structured record request for "patient2"
    And the part "includeNumberOfMostRecent" of "includeConsultations" is "3"
    And the parameter "includeProblems" is added
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the part "medicationSearchFromDate" of "includeMedication" is "today-365"
    And the parameter "includeImmunisations" is included
    And the parameter "includeUncategorisedData" is included
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

  @req:STR-PARAM-17
  Scenario: A sensitive patient with unrecognised parameters is still PATIENT_NOT_FOUND
    Given a structured record request for "patient9"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the parameter "madeUpOne" is added
    And the part "madeUpPart" of "includeMedication" is "x"
    When the request is sent
    Then the response is the error "PATIENT_NOT_FOUND"

  @req:STR-PARAM-18
  Scenario Outline: Every clinical area at once for <patient> gives one List per area and no warning
    Given a structured record request for "<patient>"
    And every clinical area is asked for
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the Bundle has no OperationOutcome
    And the Bundle has the "allergies" List
    And the Bundle has the "ended allergies" List
    And the Bundle has the "medications" List

    Examples:
      | patient  |
      | patient1 |
      | patient2 |
      | patient3 |
      | patient4 |
      | patient5 |
