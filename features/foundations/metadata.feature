@foundations @metadata
Feature: Get the capability statement (Foundations and Appointment Management)
  GET [base]/metadata always answers 200 with a base-FHIR CapabilityStatement describing the Foundations
  and Appointment Management API: its GP Connect version, FHIR 3.0.1, the JSON format (and XML, which is a
  SHOULD: the @xml rows run only when the provider declares it, see the content negotiation feature), the resources
  with their interactions and search parameters, the two operations with their OperationDefinitions,
  and the unversioned profile list.
  Unlike NHS Digital's suite, each interaction is really looked up: a resource listed without it fails.

  NHS Digital's provider suite (FHIR.feature) maps here too: "Foundations Fhir content type test where
  Accept header is JSON and request payload is XML" and "... Accept header is XML and request payload is
  JSON" (and the 1.2.7 "Fhir content type test ..." pair) are the Accept rows of FND-MET-01: a GET carries
  no payload and the suite sends no Content-Type, so the "payload" varies nothing on the wire (the rule a
  request body decides is XC-FMT-06, on Register patient). "Foundations CapabilityStatement returns correct
  profile versions" is FND-MET-08 as the 1.2.7 statement states it (unversioned URLs); the suite's
  versioned list is the one its 1.6.0 release branch pins.

  Specification:
  - GP Connect 1.2.7, Get the FHIR capability statement (the example CapabilityStatement): https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_get_the_fhir_capability_statement.html

  @req:FND-MET-01
  Scenario Outline: The capability statement is returned in <format> with its fixed elements
    Given a "metadata" request
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a CapabilityStatement with the fixed GP Connect elements
    And the response is valid against the profiles it declares

    Examples:
      | accept                | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | format |
      | application/fhir+xml  | XML    |

  @req:FND-MET-01
  Scenario Outline: _format <format> chooses the capability statement format over Accept <accept>
    Given a "metadata" request
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is a CapabilityStatement with the fixed GP Connect elements
    And the response is valid against the profiles it declares

    Examples:
      | accept                | _format               | format |
      | application/fhir+json | application/fhir+json | JSON   |
      | application/fhir+xml  | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | _format               | format |
      | application/fhir+json | application/fhir+xml  | XML    |
      | application/fhir+xml  | application/fhir+xml  | XML    |

  @req:FND-MET-02
  Scenario: The capability statement version is the GP Connect version the provider implements
    When a "metadata" request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the CapabilityStatement version is the GP Connect version of the target

  @req:FND-MET-03
  Scenario Outline: The capability statement lists <resource> with the <interaction> interaction
    When a "metadata" request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the CapabilityStatement lists <resource> with the "<interaction>" interaction

    Examples:
      | resource     | interaction |
      | Patient      | read        |
      | Patient      | search-type |
      | Organization | read        |
      | Organization | search-type |
      | Practitioner | read        |
      | Practitioner | search-type |
      | Location     | read        |
      | Appointment  | read        |
      | Appointment  | create      |
      | Appointment  | update      |
      | Appointment  | search-type |
      | Slot         | search-type |

  @req:FND-MET-04
  Scenario Outline: The capability statement declares the <resource> search parameter <name>
    When a "metadata" request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the CapabilityStatement lists <resource> with the search parameter "<name>" of type "<type>"

    Examples:
      | resource     | name         | type  |
      | Patient      | identifier   | token |
      | Organization | identifier   | token |
      | Practitioner | identifier   | token |
      | Slot         | start        | date  |
      | Slot         | end          | date  |
      | Slot         | status       | token |
      | Slot         | searchFilter | token |

  @req:FND-MET-05
  Scenario Outline: The capability statement lists the Slot search include <include>
    When a "metadata" request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the CapabilityStatement lists Slot with the search include "<include>"

    Examples:
      | include                      |
      | Schedule:actor:Location      |
      | Schedule:actor:Practitioner  |
      | Slot:schedule                |
      | Location:managingOrganization |

  @req:FND-MET-06
  Scenario: Appointment is declared with updateCreate false
    When a "metadata" request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the CapabilityStatement says Appointment updateCreate is false

  @req:FND-MET-07
  Scenario Outline: The capability statement declares the operation <operation>
    When a "metadata" request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the CapabilityStatement declares the operation "<operation>" with its OperationDefinition

    Examples:
      | operation               |
      | gpc.registerpatient     |
      | gpc.getstructuredrecord |

  @req:FND-MET-08
  Scenario Outline: The capability statement lists the profile <profile>
    When a "metadata" request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the CapabilityStatement lists the profile "<profile>"

    Examples:
      | profile                                  |
      | CareConnect-GPC-Patient-1                |
      | CareConnect-GPC-Organization-1           |
      | CareConnect-GPC-Practitioner-1           |
      | CareConnect-GPC-PractitionerRole-1       |
      | CareConnect-GPC-Location-1               |
      | GPConnect-OperationOutcome-1             |
      | GPConnect-Appointment-1                  |
      | GPConnect-Schedule-1                     |
      | GPConnect-Slot-1                         |
      | CareConnect-GPC-AllergyIntolerance-1     |
      | CareConnect-GPC-Medication-1             |
      | CareConnect-GPC-MedicationStatement-1    |
      | CareConnect-GPC-MedicationRequest-1      |
      | CareConnect-GPC-List-1                   |
      | GPConnect-StructuredRecord-Bundle-1      |

  @req:FND-MET-09
  Scenario Outline: A metadata request with the interaction id of <other> is refused
    Given a "metadata" request
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | other        |
      | read patient |
      | find patient |
