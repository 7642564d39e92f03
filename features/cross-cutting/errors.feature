@errors @foundations
Feature: GP Connect error responses on Foundations
  Every error response carries an OperationOutcome conforming to GPConnect-OperationOutcome-1: meta.profile
  naming the profile, issues of severity error with the issue type that goes with the code, and exactly one
  details.coding in the Spine-ErrorOrWarningCode-1 code system (the CodeSystem URL, not the ValueSet URL
  some spec examples show), with a code and a display. Each code has its HTTP status. These scenarios
  provoke each error a Foundations provider can be made to return and check that shape in JSON and in XML;
  "the response is the error X" checks status, code, issue type, code system and shape together. Where the
  spec makes diagnostics a MUST, they are checked too.

  Specification:
  - GP Connect 1.2.7, Error handling guidance (OperationOutcome usage and the error code tables): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html

  @req:XC-ERR-01
  Scenario Outline: BAD_REQUEST is a 400 GP Connect OperationOutcome in <format> (<interaction> without <header>)
    Given a complete "<interaction>" request
    And the "<header>" header is removed
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response body is FHIR <format>

    Examples:
      | interaction      | header        | format parameter      | format |
      | metadata         | Ssp-TraceID   | application/fhir+json | JSON   |
      | read patient     | Authorization | application/fhir+json | JSON   |

    @xml
    Examples:
      | interaction      | header        | format parameter      | format |
      | metadata         | Ssp-TraceID   | application/fhir+xml  | XML    |
      | read patient     | Authorization | application/fhir+xml  | XML    |
      | register patient | Ssp-To        | application/fhir+xml  | XML    |

  @req:XC-ERR-02
  Scenario Outline: INVALID_PARAMETER is a 422 OperationOutcome that names the problem, in <format> (<interaction>, identifier "<identifier>")
    Given a "<interaction>" request
    And the query parameter "identifier" is "<identifier>"
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response body is FHIR <format>
    And the OperationOutcome diagnostics say what was wrong

    Examples:
      | interaction       | identifier                                      | format parameter      | format |
      | find patient      | 9690937286                                      | application/fhir+json | JSON   |
      | find patient      | https://fhir.nhs.uk/Id/nhs-number\|             | application/fhir+json | JSON   |
      | find organisation | https://fhir.nhs.uk/Id/ods-organization-code\|  | application/fhir+json | JSON   |

    @xml
    Examples:
      | interaction       | identifier                                      | format parameter      | format |
      | find patient      | 9690937286                                      | application/fhir+xml  | XML    |
      | find practitioner | \|G13579135                                     | application/fhir+xml  | XML    |

  @req:XC-ERR-03
  Scenario Outline: INVALID_IDENTIFIER_SYSTEM is a 400 OperationOutcome in <format> (<interaction>)
    Given a "<interaction>" request
    And the query parameter "identifier" is "<identifier>"
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response is the error "INVALID_IDENTIFIER_SYSTEM"
    And the response body is FHIR <format>

    Examples:
      | interaction       | identifier                                             | format parameter      | format |
      | find patient      | https://fhir.nhs.uk/Id/ods-organization-code\|B82617   | application/fhir+json | JSON   |
      | find practitioner | https://fhir.nhs.uk/Id/nhs-number\|9690937286          | application/fhir+json | JSON   |

    @xml
    Examples:
      | interaction       | identifier                                             | format parameter      | format |
      | find patient      | http://fhir.nhs.net/Id/nhs-number\|9690937286          | application/fhir+xml  | XML    |
      | find organisation | https://fhir.nhs.uk/Id/sds-user-id\|G13579135          | application/fhir+xml  | XML    |

  @req:XC-ERR-04
  Scenario Outline: INVALID_NHS_NUMBER is a 400 OperationOutcome in <format> (NHS number "<nhs number>")
    Given a "find patient" request
    And the query parameter "identifier" is "https://fhir.nhs.uk/Id/nhs-number|<nhs number>"
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response is the error "INVALID_NHS_NUMBER"
    And the response body is FHIR <format>

    Examples:
      | nhs number  | format parameter      | format |
      | 1234567890  | application/fhir+json | JSON   |
      | 969093728   | application/fhir+json | JSON   |
      | 969093728A  | application/fhir+json | JSON   |

    @xml
    Examples:
      | nhs number  | format parameter      | format |
      | 9690937287  | application/fhir+xml  | XML    |
      | 96909372860 | application/fhir+xml  | XML    |

  @req:XC-ERR-05
  Scenario Outline: Reading an unknown <interaction> id is <error>, a 404 OperationOutcome in <format>
    Given a "<interaction>" request for the logical id "gpc-assure-no-such-id"
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response is the error "<error>"
    And the response body is FHIR <format>

    Examples:
      | interaction       | error                  | format parameter      | format |
      | read patient      | PATIENT_NOT_FOUND      | application/fhir+json | JSON   |
      | read practitioner | PRACTITIONER_NOT_FOUND | application/fhir+json | JSON   |
      | read organisation | ORGANISATION_NOT_FOUND | application/fhir+json | JSON   |
      | read location     | NO_RECORD_FOUND        | application/fhir+json | JSON   |

    @xml
    Examples:
      | interaction       | error                  | format parameter      | format |
      | read patient      | PATIENT_NOT_FOUND      | application/fhir+xml  | XML    |
      | read practitioner | PRACTITIONER_NOT_FOUND | application/fhir+xml  | XML    |
      | read organisation | ORGANISATION_NOT_FOUND | application/fhir+xml  | XML    |
      | read location     | NO_RECORD_FOUND        | application/fhir+xml  | XML    |

  @req:XC-ERR-06
  Scenario Outline: A malformed <body format> body is a 400 BAD_REQUEST (<what>)
    Given a complete "register patient" request
    And the request body is sent as <body format>
    And the request body is '<body>'
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | body format | what                    | body                                                        |
      | JSON        | truncated               | {"resourceType":"Parameters","parameter":[{"name":"registerPatient" |
      | JSON        | not JSON at all         | resourceType=Parameters                                     |
      | JSON        | trailing comma          | {"resourceType":"Parameters","parameter":[],}                |

    @xml
    Examples:
      | body format | what                    | body                                                        |
      | XML         | unclosed element        | <Parameters xmlns="http://hl7.org/fhir"><parameter><name value="registerPatient"/></parameter> |
      | XML         | mismatched end tag      | <Parameters xmlns="http://hl7.org/fhir"></Patient>          |
      | XML         | not XML at all          | <<Parameters>>                                               |

  @req:XC-ERR-07
  Scenario Outline: INVALID_RESOURCE is a 422 OperationOutcome that names the problem, in <format> (<what>)
    Given a complete "register patient" request
    And the request body is sent as JSON
    And the request body is '<body>'
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response is the error "INVALID_RESOURCE"
    And the response body is FHIR <format>
    And the OperationOutcome diagnostics say what was wrong

    Examples:
      | what                         | body                                                      | format parameter      | format |
      | a Patient, not Parameters    | {"resourceType":"Patient","birthDate":"1950-01-01"}        | application/fhir+json | JSON   |

    @xml
    Examples:
      | what                         | body                                                      | format parameter      | format |
      | a Bundle, not Parameters     | {"resourceType":"Bundle","type":"collection"}              | application/fhir+xml  | XML    |
