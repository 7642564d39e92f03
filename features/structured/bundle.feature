@structured @bundle
Feature: Get structured record - the response Bundle and its Lists
  A 200 collection Bundle conforming to GPConnect-StructuredRecord-Bundle-1: no meta.versionId,
  meta.lastUpdated, fullUrl, total or link; Bundle.id equal to the request's Ssp-TraceID (1.5.0+); the
  Patient asked for, the practice Organization and the usual GP with their references resolvable; every
  reference inside the Bundle resolvable; one primary List per requested area with the area's SNOMED code
  and title, status current, mode snapshot, subject the Patient, and an empty reason plus note when there
  is nothing to return; warning codes with their notes when data is withheld.

  Specification:
  - GP Connect 1.6.0, Retrieve a patient's structured record (Payload response body): https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html
  - GP Connect 1.6.0, List (codes, titles, warnings, empty reasons): https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html

  @req:STR-BUNDLE-01
  Scenario Outline: The Bundle for <patient> is a conformant collection with the patient and practice
    Given a structured record request for "<patient>"
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    And the part "includePrescriptionIssues" of "includeMedication" is "true"
    When the request is sent
    Then the response status is 200
    And the response is a structured record Bundle for "<patient>"
    And every reference in the Bundle resolves inside it
    And the Bundle holds Patient resources
    And the Bundle holds Organization resources
    And the Bundle holds Practitioner resources

    Examples:
      | patient   |
      | patient1  |
      | patient2  |
      | patient3  |
      | patient4  |
      | patient5  |
      | patient6  |
      | patient7  |
      | patient8  |
      | patient12 |
      | patient13 |
      | patient16 |
      | patient17 |

  @req:STR-BUNDLE-02 @since:1.5.0
  Scenario Outline: Bundle.id is the Ssp-TraceID of the request (<patient>)
    Given a structured record request for "<patient>"
    And the part "includeResolvedAllergies" of "includeAllergies" is "false"
    When the request is sent
    Then the Bundle id is the request's Ssp-TraceID

    Examples:
      | patient  |
      | patient1 |
      | patient2 |
      | patient3 |
      | patient5 |

  @req:STR-BUNDLE-03
  Scenario Outline: The <area> List has its code and title, and references what it lists
    Given a structured record request for "patient2"
    And the parameter "<parameter>" is included
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has the "<area>" List
    And the "<area>" List is not empty
    And every reference in the Bundle resolves inside it

    Examples:
      | area        | parameter         |
      | allergies   | includeAllergies  |
      | medications | includeMedication |

    @since:1.3.0
    Examples: areas of 1.3.0
      | area               | parameter                |
      | consultations      | includeConsultations     |
      | problems           | includeProblems          |
      | immunisations      | includeImmunisations     |
      | uncategorised data | includeUncategorisedData |

    @since:1.4.0
    Examples: areas of 1.4.0
      | area           | parameter             |
      | investigations | includeInvestigations |
      | referrals      | includeReferrals      |

    @since:1.5.0
    Examples: areas of 1.5.0
      | area           | parameter             |
      | diary entries  | includeDiaryEntries   |

  @req:STR-BUNDLE-04
  Scenario Outline: A patient with nothing in <area> gets the empty List with its reason and note
    Given a structured record request for "<patient>"
    And the parameter "<parameter>" is included
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the "<area>" List is empty with the reason no-content-recorded

    Examples:
      | patient  | area        | parameter         |
      | patient1 | allergies   | includeAllergies  |
      | patient1 | medications | includeMedication |
      | patient4 | medications | includeMedication |

    @since:1.3.0
    Examples: areas of 1.3.0
      | patient  | area               | parameter                |
      | patient4 | consultations      | includeConsultations     |
      | patient4 | problems           | includeProblems          |
      | patient4 | immunisations      | includeImmunisations     |
      | patient4 | uncategorised data | includeUncategorisedData |
      | patient1 | consultations      | includeConsultations     |
      | patient1 | problems           | includeProblems          |

    @since:1.4.0
    Examples: areas of 1.4.0
      | patient  | area           | parameter             |
      | patient4 | investigations | includeInvestigations |
      | patient4 | referrals      | includeReferrals      |
      | patient1 | investigations | includeInvestigations |

    @since:1.5.0
    Examples: areas of 1.5.0
      | patient  | area           | parameter             |
      | patient4 | diary entries  | includeDiaryEntries   |

  @req:STR-BUNDLE-05
  Scenario Outline: A record in transit carries data-in-transit on the <area> List
    Given a structured record request for "patient13"
    And the parameter "<parameter>" is included
    And the part "includeResolvedAllergies" of "includeAllergies" is "true"
    When the request is sent
    Then the response is a structured record Bundle for "patient13"
    And the "<area>" List carries the warning "data-in-transit"

    Examples:
      | area        | parameter         |
      | allergies   | includeAllergies  |
      | medications | includeMedication |

    @since:1.3.0
    Examples: areas of 1.3.0
      | area               | parameter                |
      | consultations      | includeConsultations     |
      | problems           | includeProblems          |
      | immunisations      | includeImmunisations     |
      | uncategorised data | includeUncategorisedData |

    @since:1.4.0
    Examples: areas of 1.4.0
      | area           | parameter             |
      | investigations | includeInvestigations |
      | referrals      | includeReferrals      |

    @since:1.5.0
    Examples: areas of 1.5.0
      | area           | parameter             |
      | diary entries  | includeDiaryEntries   |

  @req:STR-BUNDLE-06
  Scenario: Lists appear only for the areas asked for
    Given a structured record request for "patient2"
    And the part "includePrescriptionIssues" of "includeMedication" is "false"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the Bundle has the "medications" List
    And the Bundle has no "allergies" List
    And the Bundle has no "ended allergies" List
    And the Bundle holds no AllergyIntolerance resources

  @req:STR-BUNDLE-07
  Scenario: The structured capability statement declares the structured version and operations
    Given a "structured metadata" request
    When the request is sent
    Then the response status is 200
    And the response is a CapabilityStatement resource
    And the structured CapabilityStatement declares the target's version and its operations
