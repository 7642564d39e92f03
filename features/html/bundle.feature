@html
Feature: Access Record HTML - the care record Bundle and its resources
  Every section is answered with the same kind of Bundle, built afresh for each request, so each rule is
  checked on every section's answer:

  - a searchset without total, link, search or signature, the Composition first, exactly one
    Composition and one Patient, each resource declaring exactly its own 0.x profile and a versionId
    (HTML-BUN-01);
  - every reference resolves within the Bundle to a resource of an allowed type: the Composition's
    subject, author and custodian, the Patient's careProvider and managingOrganization, each
    Practitioner's practitionerRole.managingOrganization (HTML-BUN-02);
  - the Composition's fixed values: date, type SNOMED 425173008, class SNOMED 700232004 when given, no
    identifier, attester, event or encounter, one section coding with display and text (HTML-COMP-01);
  - the Patient: one NHS number with a valid check digit, telecoms with system and value, gender in the
    0.x value set, no photo, animal or link (HTML-RES-01); each Practitioner: a name, at most one SDS user
    id and role profile id, a single SDS job role coding (HTML-RES-02); each Organization: at most one
    ODS code, with a value (HTML-RES-03); each Device: typed SNOMED 462240000, none of the elements the
    profile forbids (HTML-RES-04). A Bundle without a Practitioner or Device makes their scenarios
    inconclusive, not failed: the specification lists them, NHS Digital's reference implementation
    leaves the Device out.

  Where the specification contradicts itself the harness decides: Composition.author may be the Device
  (the specification and profile) or the Practitioner (NHS Digital's reference implementation); a
  reference resolves by the entry's fullUrl or by its type and id (the suite requires fullUrl to equal
  the reference; the profile makes fullUrl optional). The profiles' value-set bindings (marital status,
  relationship, language) are the DSTU2 validation layer's, not these scenarios'.

  NHS Digital's 0.x provider suite (AccessRecord.feature): its Bundle-shape outlines (a single
  Composition and a single Patient, a searchset) and "response bundle should contain composition as the
  first entry" (HTML-BUN-01); "composition contains subject referencing a patient resource in the
  bundle", "if composition contains author, the device reference can be found in the bundle", "if
  composition contains custodian referenece", "if patient contains practitioner as care provider", "if
  patient contains managingOrganizaiton", "if practitioner resource contains a managing organization it
  must reference an organization within the response bundle", "organization resource internal
  reference" (HTML-BUN-02); "composition contains generic mandatory fields", "if composition contains
  type mandatory field fixed values should be correct", "if composition contains class coding"
  (HTML-COMP-01); "patient contains a valid identifiers", "if patient contains telecom information",
  "patient does not contain disallowed fields" (HTML-RES-01); "practitioner resource contains mandatory
  fields and does not include dissallowed fields", "practitioner resource contains mandatory fields
  within optional elements" (HTML-RES-02); "organization resource identifiers", "organization resource
  element cardinality" (HTML-RES-03); "device resource element cardinality conformance", "device
  resource type element values match specification" (HTML-RES-04). "if patient contains maritalStatus",
  "if patient contains contact" and "if patient contins communicaiton" check value-set bindings, which
  are the DSTU2 validation layer's (see requirements/README.md).

  Specification:
  - GP Connect 0.7.2, Retrieve a care record section (response): https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html
  - GP Connect 0.7.2, FHIR resource guidance: https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_resource_guidance.html

  @req:HTML-BUN-01
  Scenario Outline: The <section> Bundle holds its entries as the profiles require
    Given a care record request for "patient2" section "<section>"
    When the request is sent
    Then the care record Bundle holds its entries as the profiles require

    Examples:
      | section |
      | ADM     |
      | ALL     |
      | CLI     |
      | ENC     |
      | IMM     |
      | MED     |
      | OBS     |
      | PRB     |
      | REF     |
      | SUM     |

  @req:HTML-BUN-02
  Scenario Outline: Every reference of the <section> care record resolves within its Bundle
    Given a care record request for "patient2" section "<section>"
    When the request is sent
    Then every reference of the care record resolves within the Bundle

    Examples:
      | section |
      | ADM     |
      | ALL     |
      | CLI     |
      | ENC     |
      | IMM     |
      | MED     |
      | OBS     |
      | PRB     |
      | REF     |
      | SUM     |

  @req:HTML-COMP-01
  Scenario Outline: The <section> Composition carries its fixed values
    Given a care record request for "patient2" section "<section>"
    When the request is sent
    Then the Composition carries its fixed values

    Examples:
      | section |
      | ADM     |
      | ALL     |
      | CLI     |
      | ENC     |
      | IMM     |
      | MED     |
      | OBS     |
      | PRB     |
      | REF     |
      | SUM     |

  @req:HTML-RES-01
  Scenario Outline: The Patient of the <section> care record follows its profile
    Given a care record request for "patient2" section "<section>"
    When the request is sent
    Then the care record's Patient follows its 0.x profile

    Examples:
      | section |
      | ADM     |
      | ALL     |
      | CLI     |
      | ENC     |
      | IMM     |
      | MED     |
      | OBS     |
      | PRB     |
      | REF     |
      | SUM     |

  @req:HTML-RES-02
  Scenario Outline: The Practitioners of the <section> care record follow their profile
    Given a care record request for "patient2" section "<section>"
    When the request is sent
    Then the care record's Practitioner follows its 0.x profile

    Examples:
      | section |
      | ADM     |
      | ALL     |
      | CLI     |
      | ENC     |
      | IMM     |
      | MED     |
      | OBS     |
      | PRB     |
      | REF     |
      | SUM     |

  @req:HTML-RES-03
  Scenario Outline: The Organizations of the <section> care record follow their profile
    Given a care record request for "patient2" section "<section>"
    When the request is sent
    Then the care record's Organization follows its 0.x profile

    Examples:
      | section |
      | ADM     |
      | ALL     |
      | CLI     |
      | ENC     |
      | IMM     |
      | MED     |
      | OBS     |
      | PRB     |
      | REF     |
      | SUM     |

  @req:HTML-RES-04
  Scenario Outline: The Devices of the <section> care record follow their profile
    Given a care record request for "patient2" section "<section>"
    When the request is sent
    Then the care record's Device follows its 0.x profile

    Examples:
      | section |
      | ADM     |
      | ALL     |
      | CLI     |
      | ENC     |
      | IMM     |
      | MED     |
      | OBS     |
      | PRB     |
      | REF     |
      | SUM     |
