@documents @retrieve @since:1.5.0
Feature: Access Document - retrieve a document
  GET the url a DocumentReference gives (an absolute URL of [documents root]/Binary/{id}) with the Retrieve a
  document interaction id. The answer is a Binary: the id asked for, its current meta.versionId, the
  contentType the DocumentReference declares, and base64 content holding exactly as many bytes as the
  DocumentReference's size; securityContext is not used. A Binary id the practice does not hold is 404
  NO_RECORD_FOUND, and so is a document over 5 MB: Retrieve a document never serves one (its URL is learnt
  from the migrated record, since a search lists it only as a placeholder).

  NHS Digital's provider suite (StructuredDocuments.feature) maps here: "Retrieve a Document for Patient2"
  (DOC-RETR-01, every retrievable document of patient2 and the first of the other patients with documents,
  each Binary compared with its DocumentReference), "Retrieve a BIG Document for Patient4" (DOC-RETR-01 for
  patient4's largest retrievable document, and DOC-RETR-03 for the one over 5 MB, the check that suite left
  commented out).

  Specification:
  - GP Connect 1.6.0, Access Document, Retrieve a document: https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_retrieve_patient_documents.html
  - GP Connect 1.6.0, Access Document, Binary: https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_binary.html
  - GP Connect 1.6.0, Access Document, Documents guidance (file size of the document): https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_documents_guidance.html

  @req:DOC-RETR-01
  Scenario Outline: Retrieving document <n> of <patient> returns its Binary, as its DocumentReference describes
    Given a document retrieve for document <n> of "<patient>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is the Binary of the document
    And the response is valid against the profiles it declares

    Examples:
      | n | patient  |
      | 1 | patient2 |
      | 2 | patient2 |
      | 3 | patient2 |
      | 4 | patient2 |
      | 5 | patient2 |
      | 1 | patient1 |
      | 1 | patient4 |
      | 1 | patient5 |
      | 2 | patient5 |
      | 1 | patient6 |

  @req:DOC-RETR-01 @xml
  Scenario: A document retrieved with Accept XML is a Binary in XML
    Given a document retrieve for document 1 of "patient2"
    And the "Accept" header is "application/fhir+xml"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR XML
    And the response is the Binary of the document
    And the response is valid against the profiles it declares

  @req:DOC-RETR-02
  Scenario Outline: Retrieving the unknown Binary id <id> is NO_RECORD_FOUND
    Given a document retrieve for the Binary id "<id>"
    When the request is sent
    Then the response is the error "NO_RECORD_FOUND"
    And the response has Cache-Control no-store

    Examples:
      | id                                   |
      | 99999999                             |
      | 0a2d5b77-0000-4000-8000-000000000000 |

  @req:DOC-RETR-03 @since:1.6.0
  Scenario: Retrieving a document over 5 MB is NO_RECORD_FOUND
    Given a document retrieve for the oversize document of "patient4"
    When the request is sent
    Then the response is the error "NO_RECORD_FOUND"
    And the response has Cache-Control no-store
