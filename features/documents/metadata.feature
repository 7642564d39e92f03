@documents @metadata @since:1.5.0
Feature: Access Document - the capability statement
  GET [documents root]/metadata answers 200 with a CapabilityStatement of its own: FHIR 3.0.1, the JSON
  format (XML is a SHOULD: the @xml rows run only when the provider declares it), Patient read and
  search-type, DocumentReference search-type with its four search includes and the created, author and
  description search parameters, Binary read, and the versioned profiles Access Document answers with.

  NHS Digital's provider suite (FHIR.feature, the 21 Documents CapabilityStatement scenarios) maps here:
  "Fhir Get Metadata and Check Version of Documents CapabilityStatement" (DOC-MET-02); "Documents
  CapabilityStatement profile indicates acceptance of xml and json format", "... suppliers software versions
  present", "... supported fhir version" and the ten "Documents Fhir content type test where Accept header /
  _format parameter is JSON / XML ..." scenarios (DOC-MET-01, one row per Accept and _format combination; a
  GET carries no payload, so the payload variants are the same request); "Documents CapabilityStatement
  returns correct profile versions" (DOC-MET-06); "... supports the Patient read / Patient search / Binary
  Read / DocumentReference search operation" (DOC-MET-03); "Check Documents CapabilityStatement includes
  specific searchInclude" (DOC-MET-04) and "... specific searchParams" (DOC-MET-05). Unlike that suite, each
  interaction is really looked up: a resource listed without it fails.

  Specification:
  - GP Connect 1.6.0, Access Document, Get the FHIR capability statement: https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_use_case_get_the_fhir_capability_statement.html
  - GP Connect 1.6.0, Search for a patient's documents (search parameters, _include parameters): https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_search_patient_documents.html

  @req:DOC-MET-01
  Scenario Outline: The documents capability statement is returned in <format> for Accept <accept>
    Given a "documents metadata" request
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is an Access Document CapabilityStatement
    And the response is valid against the profiles it declares

    Examples:
      | accept                | format |
      | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | format |
      | application/fhir+xml  | XML    |

  @req:DOC-MET-01
  Scenario Outline: _format <_format> chooses the documents capability statement format over Accept <accept>
    Given a "documents metadata" request
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR <format>
    And the response is an Access Document CapabilityStatement
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

  @req:DOC-MET-02
  Scenario: The documents capability statement version is the version the provider implements
    When a "documents metadata" request is sent
    Then the response status is 200
    And the response body is FHIR JSON
    And the CapabilityStatement version is the Access Document version of the target

  @req:DOC-MET-03
  Scenario Outline: The documents capability statement lists <resource> with the <interaction> interaction
    When a "documents metadata" request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the CapabilityStatement lists <resource> with the "<interaction>" interaction

    Examples:
      | resource          | interaction |
      | Patient           | read        |
      | Patient           | search-type |
      | DocumentReference | search-type |
      | Binary            | read        |

  @req:DOC-MET-04
  Scenario Outline: The documents capability statement lists the search include <include>
    When a "documents metadata" request is sent
    Then the response status is 200
    And the response body is FHIR JSON
    And the CapabilityStatement lists DocumentReference with the search include "<include>"

    Examples:
      | include                                  |
      | DocumentReference:subject:Patient        |
      | DocumentReference:custodian:Organization |
      | DocumentReference:author:Organization    |
      | DocumentReference:author:Practitioner    |

  @req:DOC-MET-05
  Scenario Outline: The documents capability statement declares the search parameter <name>
    When a "documents metadata" request is sent
    Then the response status is 200
    And the response body is FHIR JSON
    And the CapabilityStatement lists DocumentReference with the search parameter "<name>" of type "<type>"

    Examples:
      | name        | type   |
      | created     | date   |
      | author      | token  |
      | description | string |

  @req:DOC-MET-06
  Scenario Outline: The documents capability statement lists the profile <profile>
    When a "documents metadata" request is sent
    Then the response status is 200
    And the response body is FHIR JSON
    And the Access Document CapabilityStatement lists the profile "<profile>"

    Examples:
      | profile                             |
      | CareConnect-GPC-Patient-1           |
      | CareConnect-GPC-Organization-1      |
      | CareConnect-GPC-Practitioner-1      |
      | CareConnect-GPC-PractitionerRole-1  |
      | GPConnect-OperationOutcome-1        |
      | CareConnect-GPC-DocumentReference-1 |
      | GPConnect-Searchset-Bundle-1        |
