@documents @search @filters @since:1.5.0
Feature: Access Document - the created, author and description filters
  The optional search parameters select documents, and a filter is checked for recall as well as
  precision: the same search without the filter (a setup request) is the oracle, the documents the filter
  must select are worked out from it, and the filtered answer must hold each of them and no other, each
  missing and each extra document named. created=ge / created=le take a date or a dateTime, one or both,
  inclusive, and a document without created is judged by indexed; author takes an ODS organisation code and
  selects the documents that organisation wrote; description is a keyword looked for in the description and
  type. When the oracle holds no document the filter selects, the scenario is inconclusive, never a pass.
  A created value not prefixed ge or le, not a full date, or twice with the same prefix, and an author
  identifier other than an ODS code, are 422 INVALID_PARAMETER.

  NHS Digital's provider suite (StructuredDocuments.feature) maps here: "Search for Documents using author
  parameter" (DOC-SEARCH-07), "Search for Documents using author parameter but with invalid identifier"
  (DOC-SEARCH-08), "Search for Patient Documents created within a last 365 days", "... created less than a
  date" and "... created greater than a date" (DOC-SEARCH-06). That suite asserts only the 200; here the
  documents returned are compared with those the filter must select.

  Specification:
  - GP Connect 1.6.0, Access Document, Search for a patient's documents (search parameters, the created parameter, error handling): https://developer.nhs.uk/apis/gpconnect-1-6-0/access_documents_development_search_patient_documents.html

  @req:DOC-SEARCH-06
  Scenario Outline: created <first> <second> returns exactly the documents of <patient> created inside it
    Given a documents search for "<patient>"
    And the search parameter created is "<first>"
    And the search parameter created is "<second>"
    When the request is sent
    Then the response status is 200
    And the response holds the documents of "<patient>"
    And the search returns exactly the documents its filter selects

    Examples: two bounds
      | patient  | first                        | second                       |
      | patient2 | ge2019-03-14                 | le2021-06-01                 |
      | patient2 | ge2021-06-01T08:15:00+00:00  | le2021-06-01T15:00:00+00:00  |
      | patient2 | ge2022-01-01                 | le2022-12-31                 |
      | patient5 | ge2020-01-01                 | le2020-12-31                 |

  @req:DOC-SEARCH-06
  Scenario Outline: created <bound> alone returns exactly the documents of <patient> on its side
    Given a documents search for "<patient>"
    And the search parameter created is "<bound>"
    When the request is sent
    Then the response status is 200
    And the response holds the documents of "<patient>"
    And the search returns exactly the documents its filter selects

    Examples:
      | patient  | bound                        |
      | patient2 | ge{date-365}                 |
      | patient2 | le2020-01-01                 |
      | patient2 | ge2021-01-01                 |
      | patient2 | le2021-06-01T08:15:00+00:00  |
      | patient1 | le2018-02-05                 |
      | patient4 | ge2015-09-09                 |

  @req:DOC-SEARCH-07
  Scenario Outline: author <organisation> returns exactly the documents of <patient> it wrote
    Given a documents search for "<patient>"
    And the search parameter author is the ODS code of "<organisation>"
    When the request is sent
    Then the response status is 200
    And the response holds the documents of "<patient>"
    And the search returns exactly the documents its filter selects

    Examples:
      | patient  | organisation |
      | patient2 | ORG2         |
      | patient2 | ORG3         |
      | patient2 | ORG1         |
      | patient5 | ORG3         |

  @req:DOC-SEARCH-17
  Scenario: A search filtered by author holds only the organisations of the documents it returns
    Given a documents search for "patient2"
    And the search parameter author is the ODS code of "ORG2"
    When the request is sent
    Then the response status is 200
    And the response holds the documents of "patient2"
    And every Organization in the Bundle manages the record or wrote or holds a document

  @req:DOC-SEARCH-08
  Scenario Outline: author <value> (<why>) is INVALID_PARAMETER
    Given a documents search for "patient2"
    And the query parameter "author" is "<value>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | value                                              | why                      |
      | https://fhir.nhs.uk/Id/sds-user-id\|G13579135      | an SDS user id           |
      | https://fhir.nhs.uk/Id/nhs-number\|9690937286      | an NHS number            |
      | B82617                                             | no identifier system     |

  @req:DOC-SEARCH-09
  Scenario Outline: description <keyword> returns exactly the documents of <patient> it describes
    Given a documents search for "<patient>"
    And the query parameter "description" is "<keyword>"
    When the request is sent
    Then the response status is 200
    And the response holds the documents of "<patient>"
    And the search returns exactly the documents its filter selects

    Examples:
      | patient  | keyword           |
      | patient2 | discharge         |
      | patient2 | Referral          |
      | patient2 | clinic letter     |
      | patient5 | report            |

  @req:DOC-SEARCH-11
  Scenario Outline: created <value> (<why>) is INVALID_PARAMETER
    Given a documents search for "patient2"
    And the query parameter "created" is "<value>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | value            | why                    |
      | 2020-01-01       | no prefix              |
      | gt2020-01-01     | a prefix other than ge |
      | ge2020           | a year only            |
      | ge2020-13-01     | no such month          |
      | geyesterday      | not a date             |

  @req:DOC-SEARCH-11
  Scenario: created given twice with the same prefix is INVALID_PARAMETER
    Given a documents search for "patient2"
    And the search parameter created is "ge2019-01-01"
    And the search parameter created is "ge2020-01-01"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
