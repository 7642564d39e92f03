@html
Feature: Access Record HTML - request validation of Retrieve a care record section
  POST [DSTU2 root]/Patient/$gpc.getcarerecord takes a Parameters resource with patientNHSNumber
  (valueIdentifier, system http://fhir.nhs.net/Id/nhs-number), recordSection (valueCodeableConcept in
  gpconnect-record-section-1, upper-case code) and optionally timePeriod (valuePeriod). A valid request
  for every section answers 200 with the section asked for; each broken request is refused with the
  status (and, where the specification names one, the 0.x error code) below.

  Where the specification and NHS Digital's suite disagree the harness decides, and says so here: a
  missing patientNHSNumber is 400 (the suite) rather than 422 (the error spreadsheet); a timePeriod on
  a section that is never filtered is 400 (the layout page and the suite) with any OperationOutcome.

  NHS Digital's 0.x provider suite (AccessRecord.feature): "Retrieve the care record sections for
  senders trusted" and "... with a valid time period" (HTML-REC-01, HTML-REQ-10); "Request record
  sections with String type rather than CodableConcept", "... duplicate parameters", "No record section
  requested", "No patient NHS number supplied" (HTML-REQ-02); "Invalid Request Parameter Names" and the
  case variants of parameter names (HTML-REQ-03); "Request record sections with invalid code", "...
  lower case codes" and the mixed-case outline (HTML-REQ-04); "Invalid NHS number supplied", "Invalid
  identifier system" (HTML-REQ-05); "Time period format start and end date with no time zone", "Requested
  time period end before start", "Empty time period" (HTML.feature: "check when empty date range supplied
  a 422 invalid Param error is returned", every filterable section), "Invalid start date format" and the
  date-formats outline's date-times without a zone on every filterable section (HTML-REQ-06); "Time
  period specified for a record section that does not support a time period", with both ends, only a
  start or only an end (HTML-REQ-07); the date-formats outline of accepted precisions (year, year-month,
  date, date-time with +00:00, +01:00, -05:00 or Z) on every filterable section (HTML-REQ-10); "Request
  record where the NHS number in the JWT and the request body differ" (HTML-REQ-08); "Request record
  section with an invalid code system" and "... empty code system" (HTML-REQ-09); "Request parameter
  patientNHSNumber is not the first parameter" (HTML-REC-01); "Body is not a Parameters resource"
  (HTML-REQ-01).

  Specification:
  - GP Connect 0.7.2, Retrieve a care record section: https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html
  - GP Connect 0.7.2, HTML layout (time period): https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_html_layout.html
  - GP Connect 0.7.2, Error handling guidance: https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_error_handling_guidance.html

  @req:HTML-REC-01
  Scenario Outline: The <section> section is returned for a valid request
    Given a care record request for "patient2" section "<section>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response is the care record section asked for

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

  @req:HTML-REQ-10
  Scenario Outline: A time period <start> to <end> is accepted on <section>
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>" and ends "<end>"
    When the request is sent
    Then the response status is 200
    And the response is the care record section asked for

    Examples:
      | section | start                     | end                       |
      | ADM     | 2014                      | 2099                      |
      | CLI     | 2014-05                   | 2099-12                   |
      | ENC     | 2014-05-01                | 2099-12-31                |
      | OBS     | 2014-05-01T00:00:00+00:00 | 2099-12-31T23:59:59+01:00 |
      | PRB     | 2015                      | 2099-06                   |
      | REF     | 2015-01-01                | 2099                      |
      | MED     | 2015-02                   | 2099-02-28                |

  @req:HTML-REQ-10
  Scenario: A time period with only a start is accepted
    Given a care record request for "patient2" section "ENC"
    And the care record period starts "2015-10-23"
    When the request is sent
    Then the response status is 200

  @req:HTML-REQ-10
  Scenario: A time period with only an end is accepted
    Given a care record request for "patient2" section "ENC"
    And the care record period ends "2099-10-23"
    When the request is sent
    Then the response status is 200

  @req:HTML-REC-01
  Scenario: The parameters may come in any order
    Given a care record request for "patient2" section "ENC"
    And the care record parameters are sent in reverse order
    When the request is sent
    Then the response status is 200
    And the response is the care record section asked for

  @req:HTML-REQ-01
  Scenario: A body that is not a Parameters resource is refused
    Given a care record request for "patient2" section "ENC"
    And the care record request body is a Patient resource
    When the request is sent
    Then the response is the 0.x error INVALID_RESOURCE

  @req:HTML-REQ-02
  Scenario Outline: <parameter> left out is refused
    Given a care record request for "patient2" section "ENC"
    And the care record parameter "<parameter>" is left out
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | parameter        |
      | patientNHSNumber |
      | recordSection    |

  @req:HTML-REQ-02
  Scenario Outline: <parameter> sent twice is refused
    Given a care record request for "patient2" section "ENC"
    And the care record parameter "<parameter>" is sent twice
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | parameter        |
      | patientNHSNumber |
      | recordSection    |

  @req:HTML-REQ-02
  Scenario Outline: <parameter> sent as a string is refused
    Given a care record request for "patient2" section "ENC"
    And the care record parameter "<parameter>" is sent as a string
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | parameter        |
      | patientNHSNumber |
      | recordSection    |

  @req:HTML-REQ-03
  Scenario Outline: The parameter <parameter> written <written> is refused
    Given a care record request for "patient2" section "ENC"
    And the care record parameter "<parameter>" is named "<written>"
    When the request is sent
    Then the response is a 422 error with an OperationOutcome

    Examples:
      | parameter        | written            |
      | patientNHSNumber | patientsNHSNumber  |
      | patientNHSNumber | PATIENTNHSNUMBER   |
      | patientNHSNumber | patientnhsnumber   |
      | recordSection    | RecordSection      |
      | recordSection    | recordsection      |
      | recordSection    | recordSections     |

  @req:HTML-REQ-03
  Scenario Outline: A time period named <written> is refused
    Given a care record request for "patient2" section "ENC"
    And the care record period starts "2015"
    And the care record parameter "timePeriod" is named "<written>"
    When the request is sent
    Then the response is a 422 error with an OperationOutcome

    Examples:
      | written    |
      | TIMEPERIOD |
      | timeperiod |
      | timePeriods |

  @req:HTML-REQ-04
  Scenario Outline: The section code <code> is refused
    Given a care record request for "patient2" section "<code>"
    When the request is sent
    Then the response is the 0.x error INVALID_PARAMETER

    Examples:
      | code |
      | ZZZ  |
      |      |
      | adm  |
      | all  |
      | cli  |
      | enc  |
      | imm  |
      | med  |
      | obs  |
      | prb  |
      | ref  |
      | sum  |
      | Enc  |
      | eNC  |
      | SuM  |

  @req:HTML-REQ-05
  Scenario Outline: The NHS number <nhs> is refused
    Given a care record request for the NHS number "<nhs>" section "SUM"
    When the request is sent
    Then the response is the 0.x error INVALID_NHS_NUMBER

    Examples:
      | nhs         |
      | 1234567891  |
      | 94767199311 |
      | 947671993   |
      |             |

  @req:HTML-REQ-05
  Scenario Outline: The NHS number identifier system "<system>" is refused
    Given a care record request for "patient2" section "SUM"
    And the NHS number identifier system is "<system>"
    When the request is sent
    Then the response is the 0.x error INVALID_IDENTIFIER_SYSTEM

    Examples:
      | system                             |
      | http://fhir.nhs.net/Id/nhs-number2 |
      | https://fhir.nhs.uk/Id/nhs-number  |
      |                                    |

  @req:HTML-REQ-06
  Scenario: An empty time period is refused
    Given a care record request for "patient2" section "ENC"
    And the care record period is empty
    When the request is sent
    Then the response is the 0.x error INVALID_PARAMETER

  @req:HTML-REQ-06
  Scenario Outline: A time period <start> to <end> is refused on <section>
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>" and ends "<end>"
    When the request is sent
    Then the response is the 0.x error INVALID_PARAMETER

    Examples:
      | section | start               | end                 |
      | ENC     | abcd                | 2016                |
      | ENC     | 2015                | efgh                |
      | CLI     | 2015-10-23T11:08:32 | 2016-10-23          |
      | ADM     | 2016-05-01          | 2015-05-01          |
      | REF     | 2016                | 2015                |
      | OBS     | 2015-13             | 2016                |

  @req:HTML-REQ-07
  Scenario Outline: A time period on <section>, which is never filtered, is refused
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "2015-01-01" and ends "2016-01-01"
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | section |
      | ALL     |
      | IMM     |
      | SUM     |

  @req:HTML-REQ-10
  Scenario Outline: Every date precision is accepted on <section>: <start> to <end>
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>" and ends "<end>"
    When the request is sent
    Then the response status is 200
    And the response is the care record section asked for

    Examples:
      | section | start                     | end                       |
      | ADM     | 2014                      | 2099                      |
      | ADM     | 2014-05                   | 2099-12                   |
      | ADM     | 2014-05-03                | 2099-12-31                |
      | ADM     | 2014-05-03T10:00:00+00:00 | 2099-12-31T23:59:59+00:00 |
      | ADM     | 2014-05-03T10:00:00+01:00 | 2099-12-31T10:00:00-05:00 |
      | ADM     | 2014-05-03T10:00:00Z      | 2099-12-31T10:00:00Z      |
      | CLI     | 2014                      | 2099                      |
      | CLI     | 2014-05                   | 2099-12                   |
      | CLI     | 2014-05-03                | 2099-12-31                |
      | CLI     | 2014-05-03T10:00:00+00:00 | 2099-12-31T23:59:59+00:00 |
      | CLI     | 2014-05-03T10:00:00+01:00 | 2099-12-31T10:00:00-05:00 |
      | CLI     | 2014-05-03T10:00:00Z      | 2099-12-31T10:00:00Z      |
      | ENC     | 2014                      | 2099                      |
      | ENC     | 2014-05                   | 2099-12                   |
      | ENC     | 2014-05-03                | 2099-12-31                |
      | ENC     | 2014-05-03T10:00:00+00:00 | 2099-12-31T23:59:59+00:00 |
      | ENC     | 2014-05-03T10:00:00+01:00 | 2099-12-31T10:00:00-05:00 |
      | ENC     | 2014-05-03T10:00:00Z      | 2099-12-31T10:00:00Z      |
      | MED     | 2014                      | 2099                      |
      | MED     | 2014-05                   | 2099-12                   |
      | MED     | 2014-05-03                | 2099-12-31                |
      | MED     | 2014-05-03T10:00:00+00:00 | 2099-12-31T23:59:59+00:00 |
      | MED     | 2014-05-03T10:00:00+01:00 | 2099-12-31T10:00:00-05:00 |
      | MED     | 2014-05-03T10:00:00Z      | 2099-12-31T10:00:00Z      |
      | OBS     | 2014                      | 2099                      |
      | OBS     | 2014-05                   | 2099-12                   |
      | OBS     | 2014-05-03                | 2099-12-31                |
      | OBS     | 2014-05-03T10:00:00+00:00 | 2099-12-31T23:59:59+00:00 |
      | OBS     | 2014-05-03T10:00:00+01:00 | 2099-12-31T10:00:00-05:00 |
      | OBS     | 2014-05-03T10:00:00Z      | 2099-12-31T10:00:00Z      |
      | PRB     | 2014                      | 2099                      |
      | PRB     | 2014-05                   | 2099-12                   |
      | PRB     | 2014-05-03                | 2099-12-31                |
      | PRB     | 2014-05-03T10:00:00+00:00 | 2099-12-31T23:59:59+00:00 |
      | PRB     | 2014-05-03T10:00:00+01:00 | 2099-12-31T10:00:00-05:00 |
      | PRB     | 2014-05-03T10:00:00Z      | 2099-12-31T10:00:00Z      |
      | REF     | 2014                      | 2099                      |
      | REF     | 2014-05                   | 2099-12                   |
      | REF     | 2014-05-03                | 2099-12-31                |
      | REF     | 2014-05-03T10:00:00+00:00 | 2099-12-31T23:59:59+00:00 |
      | REF     | 2014-05-03T10:00:00+01:00 | 2099-12-31T10:00:00-05:00 |
      | REF     | 2014-05-03T10:00:00Z      | 2099-12-31T10:00:00Z      |

  @req:HTML-REQ-06
  Scenario Outline: A date-time without its offset is refused on <section>: <start> to <end>
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>" and ends "<end>"
    When the request is sent
    Then the response is the 0.x error INVALID_PARAMETER

    Examples:
      | section | start               | end                 |
      | ADM     | 2015-10-23T11:08:32 | 2016-10-23          |
      | ADM     | 2015-10-23          | 2016-10-23T11:08:32 |
      | CLI     | 2015-10-23T11:08:32 | 2016-10-23          |
      | CLI     | 2015-10-23          | 2016-10-23T11:08:32 |
      | ENC     | 2015-10-23T11:08:32 | 2016-10-23          |
      | ENC     | 2015-10-23          | 2016-10-23T11:08:32 |
      | MED     | 2015-10-23T11:08:32 | 2016-10-23          |
      | MED     | 2015-10-23          | 2016-10-23T11:08:32 |
      | OBS     | 2015-10-23T11:08:32 | 2016-10-23          |
      | OBS     | 2015-10-23          | 2016-10-23T11:08:32 |
      | PRB     | 2015-10-23T11:08:32 | 2016-10-23          |
      | PRB     | 2015-10-23          | 2016-10-23T11:08:32 |
      | REF     | 2015-10-23T11:08:32 | 2016-10-23          |
      | REF     | 2015-10-23          | 2016-10-23T11:08:32 |

  @req:HTML-REQ-06
  Scenario Outline: An empty time period is refused on <section>
    Given a care record request for "patient2" section "<section>"
    And the care record period is empty
    When the request is sent
    Then the response is the 0.x error INVALID_PARAMETER

    Examples:
      | section |
      | ADM     |
      | CLI     |
      | MED     |
      | OBS     |
      | PRB     |
      | REF     |

  @req:HTML-REQ-07
  Scenario Outline: A time period with only a start on <section>, which is never filtered, is refused
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "2015-01-01"
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | section |
      | ALL     |
      | IMM     |
      | SUM     |

  @req:HTML-REQ-07
  Scenario Outline: A time period with only an end on <section>, which is never filtered, is refused
    Given a care record request for "patient2" section "<section>"
    And the care record period ends "2016"
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

    Examples:
      | section |
      | ALL     |
      | IMM     |
      | SUM     |

  @req:HTML-REQ-08
  Scenario: A JWT requested_record for another patient is refused
    Given a care record request for "patient2" section "SUM"
    And the JWT requested_record is "patient3"
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

  @req:HTML-REQ-09
  Scenario: A record section system other than the record section value set is refused
    Given a care record request for "patient2" section "SUM"
    And the record section system is "http://GPConnectTest.nhs.net/ValueSet/record-section"
    When the request is sent
    Then the response is a 400 error with an OperationOutcome

  @req:HTML-REQ-09
  Scenario: An empty record section system is refused
    Given a care record request for "patient2" section "SUM"
    And the record section system is ""
    When the request is sent
    Then the response is the 0.x error INVALID_PARAMETER
