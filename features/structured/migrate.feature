@structured @migrate @since:1.6.0
Feature: Migrate structured record
  POST [structured base]/Patient/$gpc.migratestructuredrecord (1.6.0+) with patientNHSNumber and
  includeFullRecord.includeSensitiveInformation only. The JWT reason is "migration" and the scope carries
  conf/R exactly when sensitive information is asked for (else CONFLICTING_VALUES); the requesting
  organisation must be the patient's practice on PDS (else NO_RELATIONSHIP). The whole record comes back,
  for inactive patients too; confidential items are withheld with a warning unless sensitive information is
  asked for, and then carry the NOPAT label.

  NHS Digital's provider suite (StructuredMigrate.feature) maps here too: "Structured Migrate request for
  Patient2 inc Sensitive Data where JWT Requesting Practitioner is Not sent expect Success" and "... exc
  Sensitive Data ..." (STR-MIG-13).

  Specification:
  - GP Connect 1.6.0, Migrate a patient's structured record: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_migrate_patient_record.html
  - GP Connect 1.6.0, Cross-organisation audit and provenance (requested_scope and reason_for_request): https://developer.nhs.uk/apis/gpconnect-1-6-0/integration_cross_organisation_audit_and_provenance.html

  @req:STR-MIG-01
  Scenario Outline: Migrating <patient> without sensitive information returns every area
    Given a migrate structured record request for "<patient>" with sensitive information false
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the Bundle has the "allergies" List
    And the Bundle has the "ended allergies" List
    And the Bundle has the "medications" List
    And the Bundle has the "consultations" List
    And the Bundle has the "problems" List
    And the Bundle has the "immunisations" List
    And the Bundle has the "uncategorised data" List
    And the Bundle has the "investigations" List
    And the Bundle has the "referrals" List
    And the Bundle has the "diary entries" List
    And the medications are valid, prescription issues included
    And the consultations are valid with their consultation, topic and heading Lists
    And the problems are valid

    Examples:
      | patient   |
      | patient2  |
      | patient3  |
      | patient21 |

  @req:STR-MIG-02
  Scenario: Without sensitive information confidential items are withheld with a warning
    The warning alone does not show the item was withheld: the same Migrate with sensitive information
    names the confidential items (returned with the NOPAT label), and none of them may be here. Migrate a
    patient's structured record:
    https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_migrate_patient_record.html
    Given a migrate structured record request for "patient2" with sensitive information false
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the "medications" List carries the warning "confidential-items"
    And the "uncategorised data" List carries the warning "confidential-items"
    And the confidential items of the "medications" area are not in the Bundle
    And the confidential items of the "uncategorised data" area are not in the Bundle

  @req:STR-MIG-03
  Scenario: With sensitive information every confidential item carries the NOPAT label
    Migrate MUST label every applicable resource, not just one: each item the same Migrate without
    sensitive information withholds must carry the NOPAT security label. Migrate a patient's structured
    record, security labels:
    https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_migrate_patient_record.html
    Given a migrate structured record request for "patient2" with sensitive information true
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And every item withheld without sensitive information carries the NOPAT security label

  @req:STR-MIG-04
  Scenario Outline: A deceased patient is PATIENT_NOT_FOUND (sensitive <sensitive>)
    Given a migrate structured record request for "patient18" with sensitive information <sensitive>
    When the request is sent
    Then the response is the error "PATIENT_NOT_FOUND"

    Examples:
      | sensitive |
      | true      |
      | false     |

  @req:STR-MIG-05
  Scenario Outline: An extra parameter <parameter> is INVALID_PARAMETER
    Given a migrate structured record request for "patient2" with sensitive information false
    And the parameter "<parameter>" is added
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | parameter            |
      | includeImmunisations |
      | includeMedication    |
      | madeUpParameter      |

  @req:STR-MIG-06
  Scenario: Without includeFullRecord the request is INVALID_PARAMETER
    Given a migrate structured record request for "patient2" with sensitive information false
    And the parameter "includeFullRecord" is left out
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

  @req:STR-MIG-07
  Scenario Outline: JWT reason_for_request <case> is refused with 400 (sensitive <sensitive>)
    Given a migrate structured record request for "patient2" with sensitive information <sensitive>
    And the JWT claim "reason_for_request" is "<reason>"
    When the request is sent
    Then the response status is 400
    And the response is an error with an OperationOutcome

    Examples:
      | case          | reason     | sensitive |
      | bad           | badReason  | true      |
      | bad           | badReason  | false     |
      | direct care   | directcare | false     |

  @req:STR-MIG-08
  Scenario Outline: JWT reason_for_request missing is refused with 400 (sensitive <sensitive>)
    Given a migrate structured record request for "patient2" with sensitive information <sensitive>
    And the JWT claim "reason_for_request" is removed
    When the request is sent
    Then the response status is 400
    And the response is an error with an OperationOutcome

    Examples:
      | sensitive |
      | true      |
      | false     |

  @req:STR-MIG-09
  Scenario Outline: Scope <scope> with sensitive information <sensitive> is CONFLICTING_VALUES
    Given a migrate structured record request for "patient2" with sensitive information <sensitive>
    And the JWT claim "requested_scope" is "<scope>"
    When the request is sent
    Then the response is the error "CONFLICTING_VALUES"

    Examples:
      | scope                 | sensitive |
      | patient/*.read conf/N | true      |
      | patient/*.read        | true      |
      | patient/*.read conf/R | false     |

  @req:STR-MIG-10
  Scenario Outline: A missing or wrong scope is refused with 400 (sensitive <sensitive>)
    Given a migrate structured record request for "patient2" with sensitive information <sensitive>
    And the JWT claim "requested_scope" is removed
    When the request is sent
    Then the response status is 400

    Examples:
      | sensitive |
      | true      |
      | false     |

  @req:STR-MIG-11
  Scenario: A requesting organisation that is not the patient's practice on PDS is NO_RELATIONSHIP
    Given a migrate structured record request for "patient2" with sensitive information false
    And the JWT requesting organisation is "ORG3"
    When the request is sent
    Then the response is the error "NO_RELATIONSHIP"

  @req:STR-MIG-13
  Scenario Outline: A migrate whose JWT has no requesting_practitioner succeeds (sensitive information <sensitive>)
    A migration is made by a system, not on behalf of a person: the requesting_practitioner claim is a
    SHOULD for Migrate structured record, so its absence is no reason to refuse (Cross-organisation audit
    and provenance, 1.6.0: https://developer.nhs.uk/apis/gpconnect-1-6-0/integration_cross_organisation_audit_and_provenance.html).
    Given a migrate structured record request for "patient2" with sensitive information <sensitive>
    And the JWT claim "requesting_practitioner" is removed
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has the "medications" List

    Examples:
      | sensitive |
      | false     |
      | true      |
