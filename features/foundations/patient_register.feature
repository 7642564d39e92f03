@foundations @patient @register
Feature: Register a patient
  POST [base]/Patient/$gpc.registerpatient with a Parameters body holding one registerPatient Patient
  creates a temporary registration (never Regular/GMS) for a person on PDS, and answers 200 with a
  GPConnect-Searchset-Bundle-1 holding exactly the registered Patient, which Find a patient then returns.
  The Patient sent SHALL carry meta.profile, the NHS number, one official name with family and given
  names, and the birth date; it SHOULD carry gender, at most one home address, phones with distinct uses,
  at most one email and one nhsCommunication; it MAY carry a temporary address; everything else MUST NOT
  be populated. PDS decides who may be registered: deceased, sensitive or untraceable people are
  INVALID_PATIENT_DEMOGRAPHICS, superseded numbers INVALID_NHS_NUMBER, and an already active patient
  DUPLICATE_REJECTED.

  NHS Digital's provider suite (PatientRegister.feature): "Register patient with Address and Invalid
  Telecom elements" is FND-PAT-REG-09 (its invalid telecoms are two of the same use, one row per use).
  "Register patient and check preferred branch" has no counterpart: registrationDetails.preferredBranchSurgery
  is populated where the practice holds it, so a provider without branch surgeries conforms without it
  (see requirements/README.md).

  Specification:
  - GP Connect 1.2.7, Register a patient (request body, provider processing, error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_register_a_patient.html

  Bodies are built for people of [data] register_pool (people on PDS not registered at the practice).
  A scenario that registers someone takes a person no other scenario has claimed and whom Find a patient
  shows is not registered yet; when the pool is used up the scenario fails asking for more people.
  Invalid bodies use a shared sample person, changed in exactly one way.

  Where the spec's error table (an invalid Parameters or Patient, or missing minimum details, is
  422 INVALID_RESOURCE; a person PDS cannot verify is INVALID_PATIENT_DEMOGRAPHICS) and NHS Digital's
  suite (400 BAD_REQUEST or INVALID_NHS_NUMBER) name different codes, either is accepted.

  @req:FND-PAT-REG-01
  Scenario: Registering a person from PDS creates a temporary registration that Find a patient returns
    Given a "register patient" request for a new person from the register pool
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a register response Bundle holding one Patient
    And the registered patient conforms to CareConnect-GPC-Patient-1 and echoes what was sent
    And the registered patient is registered as temporary
    And the response is valid against the profiles it declares
    And a find for the registered patient returns it

  @req:FND-PAT-REG-02
  Scenario Outline: A registration sent as <body> with Accept <accept> and _format <_format> is answered in <format>
    Given a "register patient" request for a new person from the register pool
    And the request body is sent as <body>
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a register response Bundle holding one Patient
    And the registered patient conforms to CareConnect-GPC-Patient-1 and echoes what was sent
    And the registered patient is registered as temporary
    And the response is valid against the profiles it declares

    @xml
    Examples:
      | body | accept                | _format               | format |
      | XML  | application/fhir+xml  | application/fhir+xml  | XML    |
      | JSON | application/fhir+json | application/fhir+xml  | XML    |
      | XML  | application/fhir+xml  | application/fhir+json | JSON   |

  @req:FND-PAT-REG-03
  Scenario Outline: A registration with <change> (allowed) succeeds and echoes what was sent
    Given a "register patient" request for a new person from the register pool
    And the registration body is changed to have "<change>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a register response Bundle holding one Patient
    And the registered patient conforms to CareConnect-GPC-Patient-1 and echoes what was sent
    And the registered patient is registered as temporary
    And the response is valid against the profiles it declares

    Examples:
      | change                                |
      | no gender                             |
      | 2 extra given names                   |
      | an address with use home              |
      | addresses with uses home and temp     |
      | addresses with uses temp and home     |
      | telecoms with uses home and mobile    |
      | telecoms with uses work and email     |
      | telecoms with uses mobile and temp    |
      | an nhsCommunication extension         |
      | the NHS number verification extension |

  @req:FND-PAT-REG-04
  Scenario: Registering the same person twice is DUPLICATE_REJECTED the second time
    Given a "register patient" request for a new person from the register pool
    When the request is sent
    Then the response status is 200
    When the same registration is sent again
    Then the response is the error "DUPLICATE_REJECTED"
    And the response has Cache-Control no-store

  @req:FND-PAT-REG-04
  Scenario Outline: Registering <patient>, already registered at the practice, is DUPLICATE_REJECTED
    Given a "register patient" request for "<patient>" with the demographics its find returns
    When the request is sent
    Then the response is the error "DUPLICATE_REJECTED"
    And the response has Cache-Control no-store

    Examples:
      | patient  |
      | patient1 |
      | patient2 |

  @req:FND-PAT-REG-05
  Scenario Outline: Registering the NHS number of <patient> (<why>) is INVALID_PATIENT_DEMOGRAPHICS
    Given a "register patient" request for the NHS number of "<patient>" with the demographics of a sample person
    When the request is sent
    Then the response is the error "INVALID_PATIENT_DEMOGRAPHICS"
    And the response has Cache-Control no-store

    Examples:
      | patient            | why                                   |
      | patient9           | PDS sensitive                         |
      | patient10          | PDS sensitive                         |
      | patient18          | deceased                              |
      | patient14          | on the practice system but not on PDS |
      | patientNotInSystem | not on PDS                            |

  @req:FND-PAT-REG-06
  Scenario: Registering the superseded NHS number of patient11 is INVALID_NHS_NUMBER
    Given a "register patient" request for the NHS number of "patient11" with the demographics of a sample person
    When the request is sent
    Then the response is the error "INVALID_NHS_NUMBER"
    And the response has Cache-Control no-store

  @req:FND-PAT-REG-07
  Scenario Outline: A registration with <change> is INVALID_NHS_NUMBER
    Given a "register patient" request for a sample person from the register pool
    And the registration body is changed to have "<change>"
    When the request is sent
    Then the response is the error "INVALID_NHS_NUMBER"
    And the response has Cache-Control no-store

    Examples:
      | change                 |
      | the NHS number 34555##4 |
      | the NHS number hello    |
      | the NHS number 999999999 |
      | the NHS number 9000000008 |
      | the NHS number 90000000090 |
      | the NHS number 1234567890 |

  @req:FND-PAT-REG-07
  Scenario: A registration with no identifier is INVALID_NHS_NUMBER or INVALID_RESOURCE
    Given a "register patient" request for a sample person from the register pool
    And the registration body is changed to have "no identifier"
    When the request is sent
    Then the response is the error "INVALID_NHS_NUMBER" or the error "INVALID_RESOURCE"
    And the response has Cache-Control no-store

  @req:FND-PAT-REG-08
  Scenario Outline: A registration missing a minimum detail (<change>) is refused
    Given a "register patient" request for a sample person from the register pool
    And the request body is sent as <body>
    And the registration body is changed to have "<change>"
    When the request is sent
    Then the response is the error "BAD_REQUEST" or the error "INVALID_RESOURCE"
    And the response has Cache-Control no-store

    Examples:
      | change                         | body |
      | no birthDate                   | JSON |
      | no official name               | JSON |
      | no family name                 | JSON |
      | an identifier without a system | JSON |

    @xml
    Examples:
      | change                         | body |
      | no birthDate                   | XML  |
      | no family name                 | XML  |

  @req:FND-PAT-REG-09
  Scenario Outline: A registration with two telecoms of the same kind (<kind>) is refused
    Given a "register patient" request for a sample person from the register pool
    And the registration body is changed to have "telecoms with uses <kind> and <kind>"
    When the request is sent
    Then the response is the error "BAD_REQUEST" or the error "INVALID_RESOURCE"
    And the response has Cache-Control no-store

    Examples:
      | kind   |
      | home   |
      | work   |
      | mobile |
      | temp   |
      | email  |

  @req:FND-PAT-REG-10
  Scenario Outline: A registration whose family name (<family>) does not match PDS is refused
    Given a "register patient" request for a sample person from the register pool
    And the registration body is changed to have "the family name <family>"
    When the request is sent
    Then the response is the error "BAD_REQUEST" or the error "INVALID_PATIENT_DEMOGRAPHICS"
    And the response has Cache-Control no-store

    Examples:
      | family        |
      | GPCASSURENOT  |
      | ZZ            |
      | SMITH-JONES   |

  @req:FND-PAT-REG-11
  Scenario Outline: A registration with the Patient element <element>, which MUST NOT be sent, is INVALID_RESOURCE
    Given a "register patient" request for a sample person from the register pool
    And the registration body is changed to have "the element <element>"
    When the request is sent
    Then the response is the error "INVALID_RESOURCE"
    And the response has Cache-Control no-store

    Examples:
      | element              |
      | active               |
      | multipleBirthBoolean |
      | generalPractitioner  |
      | contact              |
      | managingOrganization |
      | maritalStatus        |
      | animal               |
      | communication        |
      | photo                |
      | deceasedBoolean      |
      | link                 |

  @req:FND-PAT-REG-12
  Scenario Outline: A registration with <change> is INVALID_RESOURCE
    Given a "register patient" request for a sample person from the register pool
    And the registration body is changed to have "<change>"
    When the request is sent
    Then the response is the error "INVALID_RESOURCE"
    And the response has Cache-Control no-store

    Examples:
      | change                                          |
      | an unknown element                              |
      | the resourceType InvalidResourceType            |
      | the Patient resourceType InvalidResourceType    |
      | an Organization in the registerPatient parameter |
      | no registerPatient parameter                    |
      | an extra parameter registerOrganization         |
      | meta.profile of a Practitioner                  |
      | two nhsCommunication extensions                 |

  @req:FND-PAT-REG-13
  Scenario Outline: A registration with <change> (only one home and one temporary address) is INVALID_RESOURCE
    Given a "register patient" request for a sample person from the register pool
    And the registration body is changed to have "<change>"
    When the request is sent
    Then the response is the error "INVALID_RESOURCE"
    And the response has Cache-Control no-store

    Examples:
      | change                            |
      | two addresses without a use       |
      | an address with use work          |
      | an address with use old           |
      | addresses with uses home and work |
      | addresses with uses home and home |
      | addresses with uses home and old  |
      | addresses with uses old and work  |
      | addresses with uses old and old   |
      | addresses with uses old and temp  |
      | addresses with uses temp and work |
      | addresses with uses temp and temp |
      | addresses with uses temp and old  |

  @req:FND-PAT-REG-14
  Scenario: The registerPatient parameter sent twice is refused
    Given a "register patient" request for a sample person from the register pool
    And the registration body is changed to have "the registerPatient parameter twice"
    When the request is sent
    Then the response is the error "BAD_REQUEST" or the error "INVALID_RESOURCE"
    And the response has Cache-Control no-store

  @req:FND-PAT-REG-15
  Scenario Outline: A registration with the read scope <scope> is BAD_REQUEST
    Given a "register patient" request for a sample person from the register pool
    And the JWT claim "requested_scope" is "<scope>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | scope               |
      | patient/*.read      |
      | organization/*.read |

  @req:FND-PAT-REG-16
  Scenario Outline: A registration posted to the mistyped operation <path> is an error with an OperationOutcome
    Given a "register patient" request for a sample person from the register pool
    And the request path is "<path>"
    When the request is sent
    Then the response is an error with an OperationOutcome
    And the response has Cache-Control no-store

    Examples:
      | path                         |
      | /Patient/$gpc.registerpatien |
      | /Patient/$gpc.registerpatient2 |
