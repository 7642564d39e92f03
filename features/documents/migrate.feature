@documents @migrate @since:1.6.0
Feature: Access Document - migrate a document
  GET [documents root]/Binary/{id} with the Migrate a document interaction id (1.6.0+), for GP2GP: the JWT
  reason is migration and the requesting organisation is the practice the patient has moved to on PDS. The
  URL comes from a DocumentReference of Migrate structured record, which MUST carry the full URL of each
  Binary. There is no 5 MB limit; a confidential document (labelled NOPAT in the migrated record with
  sensitive information) is served only with the restricted scope conf/R, and with conf/N is refused (403),
  as is a requesting organisation that is not the patient's practice on PDS.

  The Migrate a document page names NOT_AUTHORISED for both refusals, but Spine-ErrorOrWarningCode-1, which
  GPConnect-OperationOutcome-1 binds as required, does not hold that code: an OperationOutcome carrying it is
  not valid FHIR, and every response is validated. The refusal is therefore judged as a 403 with
  NOT_AUTHORISED or with the code system's own code for it: ACCESS DENIED for a confidential document asked
  for without conf/R, NO_RELATIONSHIP (as Migrate structured record answers) for an organisation that is not
  the patient's practice. A provider sending NOT_AUTHORISED fails the validation of its OperationOutcome.

  NHS Digital's provider suite (StructuredMigrate.feature) maps here: "Migrate Patient2 With Sensitive and
  then migrate first document" and "Migrate Patient2 Without Sensitive and then migrate first document"
  (DOC-MIG-01).

  Specification:
  - GP Connect 1.6.0, Access Document, Migrate a document: https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_migrate_patient_documents.html
  - GP Connect 1.6.0, Access Document, DocumentReference (content.attachment.url): https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_documentreference.html
  - GP Connect 1.6.0, Migrate a patient's structured record: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_migrate_patient_record.html

  @req:DOC-MIG-01
  Scenario Outline: Migrating <patient> with sensitive information <sensitive> lists its documents with the URLs of their Binaries
    Given a migrate structured record request for "<patient>" with sensitive information <sensitive>
    When the request is sent
    Then the response status is 200
    And every document of the migrated record carries the absolute URL of its Binary

    Examples:
      | patient  | sensitive |
      | patient2 | true      |
      | patient2 | false     |
      | patient4 | false     |

  @req:DOC-MIG-01
  Scenario Outline: Migrating the first document of <patient> migrated with sensitive information <sensitive> returns its Binary
    Given a document migrate for the first document of "<patient>" migrated with sensitive information <sensitive>
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response is the Binary of the document
    And the response is valid against the profiles it declares

    Examples:
      | patient  | sensitive |
      | patient2 | true      |
      | patient2 | false     |
      | patient1 | false     |
      | patient5 | false     |

  @req:DOC-MIG-02
  Scenario: Migrating a document over 5 MB returns it whole
    Given a document migrate for the oversize document of "patient4"
    When the request is sent
    Then the response status is 200
    And the response is the Binary of the document

  @req:DOC-MIG-03
  Scenario: Migrating a confidential document with the scope conf/N is refused
    Given a document migrate for the confidential document of "patient2" with scope "conf/N"
    When the request is sent
    Then the response is the error "NOT_AUTHORISED" or the error "ACCESS DENIED"
    And the response has Cache-Control no-store

  @req:DOC-MIG-03
  Scenario: Migrating a confidential document with the scope conf/R returns it
    Given a document migrate for the confidential document of "patient2" with scope "conf/R"
    When the request is sent
    Then the response status is 200
    And the response is the Binary of the document

  @req:DOC-MIG-04
  Scenario: Migrating a document for an organisation that is not the patient's practice on PDS is refused
    Given a document migrate for the first document of "patient2" migrated with sensitive information false
    And the JWT requesting organisation is "ORG3"
    When the request is sent
    Then the response is the error "NOT_AUTHORISED" or the error "NO_RELATIONSHIP"
    And the response has Cache-Control no-store
