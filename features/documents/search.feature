@documents @search @since:1.5.0
Feature: Access Document - search for a patient's documents
  GET [documents root]/Patient/{id}/DocumentReference with the five mandatory parameters
  _include=DocumentReference:subject:Patient, :custodian:Organization, :author:Organization,
  :author:Practitioner and _revinclude:recurse=PractitionerRole:practitioner (the logical id learnt from Find
  a patient on the documents root). The answer is a GPConnect-Searchset-Bundle-1 whose Bundle.id is the
  request's Ssp-TraceID and whose every entry has an absolute fullUrl; it holds the Patient, the organisation
  managing the record, the usual GP with a PractitionerRole, the patient's documents as
  CareConnect-GPC-DocumentReference-1 (a document over 5 MB as a placeholder with its real size and no URL),
  and only the organisations those documents name. A missing mandatory parameter or an unsupported one is 422
  INVALID_PARAMETER; an unknown or non-GMS patient is PATIENT_NOT_FOUND; a dissent is NO_PATIENT_CONSENT.
  Confidential documents are never offered to direct care.

  Test data (NHS Digital's provider test data): patient2 has documents (one of them confidential), patient3
  has none, patient4 has one over 5 MB, patient15 has dissented. The reference provider also gives documents
  to patient1, patient5 and patient6.

  NHS Digital's provider suite (StructuredDocuments.feature) maps here: "Search for Documents on a Patient
  with Documents" (DOC-SEARCH-01 to 03, DOC-SEARCH-17, with each DocumentReference judged whole);
  "Search for Documents on a Patient with NO Documents" (DOC-SEARCH-04); "Search for Documents without
  Mandatory include Params expect fail" (DOC-SEARCH-05, one row per parameter); "Search for Documents with
  an invalid parameter" (DOC-SEARCH-10); "Search for Documents on a Patient that doesnt exist"
  (DOC-SEARCH-12); "Search for Documents on a patient which exists on the system as a temporary patient"
  (DOC-SEARCH-13). Its commented-out "larger than 5 MB" check is DOC-SEARCH-15 here. The filters (created,
  author, description) are in filters.feature.

  Specification:
  - GP Connect 1.6.0, Access Document, Search for a patient's documents: https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_search_patient_documents.html
  - GP Connect 1.6.0, Access Document, Bundle (entry.fullUrl): https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_bundle.html
  - GP Connect 1.6.0, Access Document, DocumentReference: https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_documentreference.html
  - GP Connect 1.6.0, Access Document, Documents guidance (file size, confidential documents): https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_documents_guidance.html

  @req:DOC-SEARCH-01
  Scenario Outline: Searching the documents of <patient> returns them with the patient, the practice and the GP
    Given a documents search for "<patient>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a documents searchset Bundle
    And the response holds the documents of "<patient>"
    And the response is valid against the profiles it declares

    Examples:
      | patient  |
      | patient1 |
      | patient2 |
      | patient4 |
      | patient5 |
      | patient6 |

  @req:DOC-SEARCH-01 @xml
  Scenario: A documents search with _format XML is answered in XML
    Given a documents search for "patient2"
    And the query parameter "_format" is "application/fhir+xml"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR XML
    And the response is a documents searchset Bundle
    And the response holds the documents of "patient2"
    And the response is valid against the profiles it declares

  @req:DOC-SEARCH-02
  Scenario Outline: Every entry of the documents Bundle of <patient> has an absolute fullUrl
    Given a documents search for "<patient>"
    When the request is sent
    Then the response status is 200
    And every entry of the Bundle has an absolute fullUrl

    Examples:
      | patient  |
      | patient1 |
      | patient2 |
      | patient3 |
      | patient4 |
      | patient5 |

  @req:DOC-SEARCH-03
  Scenario Outline: The documents Bundle id of <patient> is the request's Ssp-TraceID
    Given a documents search for "<patient>"
    When the request is sent
    Then the response status is 200
    And the searchset Bundle id is the request's Ssp-TraceID

    Examples:
      | patient  |
      | patient1 |
      | patient2 |
      | patient3 |
      | patient4 |

  @req:DOC-SEARCH-04
  Scenario Outline: Searching the documents of <patient>, who has none, returns the patient and no document
    Given a documents search for "<patient>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response is a documents searchset Bundle
    And the response holds "<patient>" and no documents
    And the response is valid against the profiles it declares

    Examples:
      | patient   |
      | patient3  |
      | patient7  |
      | patient8  |
      | patient12 |
      | patient13 |
      | patient16 |
      | patient17 |
      | patient19 |
      | patient20 |

  @req:DOC-SEARCH-05
  Scenario Outline: A documents search without <parameter> is INVALID_PARAMETER
    Given a documents search for "patient2"
    And the search leaves out "<parameter>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | parameter                                         |
      | _include=DocumentReference:subject:Patient        |
      | _include=DocumentReference:custodian:Organization |
      | _include=DocumentReference:author:Organization    |
      | _include=DocumentReference:author:Practitioner    |
      | _revinclude:recurse=PractitionerRole:practitioner |

  @req:DOC-SEARCH-10
  Scenario Outline: A documents search with the unsupported parameter <name> is INVALID_PARAMETER
    Given a documents search for "patient2"
    And the query parameter "<name>" is "<value>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | name         | value                                    |
      | madeUpParam  | 1                                        |
      | type         | http://snomed.info/sct\|373942005        |
      | facility     | http://snomed.info/sct\|394802001        |
      | _sort        | created                                  |

  @req:DOC-SEARCH-12
  Scenario Outline: A documents search for the unknown patient id <id> is PATIENT_NOT_FOUND
    Given a documents search for the logical id "<id>"
    When the request is sent
    Then the response is the error "PATIENT_NOT_FOUND"
    And the response has Cache-Control no-store

    Examples:
      | id                                   |
      | 99999999                             |
      | 3c7e1b5e-0000-4000-8000-000000000000 |

  @req:DOC-SEARCH-13
  Scenario: A documents search for a patient registered temporarily is PATIENT_NOT_FOUND
    Given a "register patient" request for a new person from the register pool
    When the request is sent
    Then the response status is 200
    And the registered patient is registered as temporary
    And a documents search for the registered patient is PATIENT_NOT_FOUND

  @req:DOC-SEARCH-14
  Scenario: A documents search for a patient who dissented from sharing is NO_PATIENT_CONSENT
    Given a documents search for "patient15"
    When the request is sent
    Then the response is the error "NO_PATIENT_CONSENT"
    And the response has Cache-Control no-store

  @req:DOC-SEARCH-15
  Scenario: A document over 5 MB is listed as a placeholder with its real size
    Given a documents search for "patient4"
    When the request is sent
    Then the response status is 200
    And the response holds the documents of "patient4"
    And every document over 5 MB is a placeholder with its size

  @req:DOC-SEARCH-16 @since:1.6.0
  Scenario: A direct-care search offers no confidential document
    Given a documents search for "patient2"
    When the request is sent
    Then the response status is 200
    And the response holds the documents of "patient2"
    And no confidential document of "patient2" is offered

  @req:DOC-SEARCH-17
  Scenario Outline: The documents Bundle of <patient> holds only the organisations of the record and its documents
    Given a documents search for "<patient>"
    When the request is sent
    Then the response status is 200
    And every Organization in the Bundle manages the record or wrote or holds a document

    Examples:
      | patient  |
      | patient2 |
      | patient3 |
      | patient5 |
