@format @foundations
Feature: Content negotiation on Foundations requests
  Servers SHALL support JSON (application/fhir+json) and SHOULD support XML (application/fhir+xml), and
  SHALL declare the formats they support in CapabilityStatement.format. Scenarios tagged @xml ask for XML
  or send it: against a provider whose CapabilityStatement declares XML they are judged like any other
  (a provider claiming XML must serve it); against one that does not, they are not sent and end as a
  warning, since XML is only a SHOULD.
  The _format query parameter wins over the Accept header; with neither, a request body's Content-Type
  decides; with none of the three, JSON. A format the server does not support is 415 Unsupported Media Type.
  Every response body declares charset=utf-8, and gzip is used when the consumer asks for it. Each "the
  response body is FHIR X" step checks the Content-Type (media type and charset=utf-8) and that the body
  really is in that format.

  Specification:
  - GP Connect 1.2.7, General API guidance (Content types; Wire format representations; Character encoding; Content compression): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html

  The harness's HTTP client cannot leave the Accept header out (it sends "Accept: */*" when a request
  names no type), so the scenarios that the official suite runs "without Accept" send "*/*" and say so:
  it expresses no preference, so _format still decides, and any FHIR format is a fair answer otherwise.

  @req:XC-FMT-01
  Scenario Outline: The Accept header chooses <format> (<interaction>)
    Given a complete "<interaction>" request
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR <format>
    And the response is a <resource> resource

    Examples:
      | interaction       | accept                | format | resource            |
      | metadata          | application/fhir+json | JSON   | CapabilityStatement |
      | read patient      | application/fhir+json | JSON   | Patient             |
      | find patient      | application/fhir+json | JSON   | Bundle              |
      | read practitioner | application/fhir+json | JSON   | Practitioner        |
      | find practitioner | application/fhir+json | JSON   | Bundle              |
      | read organisation | application/fhir+json | JSON   | Organization        |
      | find organisation | application/fhir+json | JSON   | Bundle              |
      | read location     | application/fhir+json | JSON   | Location            |

    @xml
    Examples:
      | interaction       | accept                | format | resource            |
      | metadata          | application/fhir+xml  | XML    | CapabilityStatement |
      | read patient      | application/fhir+xml  | XML    | Patient             |
      | find patient      | application/fhir+xml  | XML    | Bundle              |
      | read practitioner | application/fhir+xml  | XML    | Practitioner        |
      | find practitioner | application/fhir+xml  | XML    | Bundle              |
      | read organisation | application/fhir+xml  | XML    | Organization        |
      | find organisation | application/fhir+xml  | XML    | Bundle              |
      | read location     | application/fhir+xml  | XML    | Location            |

  @req:XC-FMT-02
  Scenario Outline: The _format parameter chooses <format> when Accept states no preference (<interaction>)
    Given a complete "<interaction>" request
    And the "Accept" header is "*/*"
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR <format>
    And the response is a <resource> resource

    Examples:
      | interaction       | format parameter      | format | resource            |
      | metadata          | application/fhir+json | JSON   | CapabilityStatement |
      | read patient      | application/fhir+json | JSON   | Patient             |
      | find patient      | application/fhir+json | JSON   | Bundle              |
      | read practitioner | application/fhir+json | JSON   | Practitioner        |
      | find practitioner | application/fhir+json | JSON   | Bundle              |
      | read organisation | application/fhir+json | JSON   | Organization        |
      | find organisation | application/fhir+json | JSON   | Bundle              |
      | read location     | application/fhir+json | JSON   | Location            |

    @xml
    Examples:
      | interaction       | format parameter      | format | resource            |
      | metadata          | application/fhir+xml  | XML    | CapabilityStatement |
      | read patient      | application/fhir+xml  | XML    | Patient             |
      | find patient      | application/fhir+xml  | XML    | Bundle              |
      | read practitioner | application/fhir+xml  | XML    | Practitioner        |
      | find practitioner | application/fhir+xml  | XML    | Bundle              |
      | read organisation | application/fhir+xml  | XML    | Organization        |
      | find organisation | application/fhir+xml  | XML    | Bundle              |
      | read location     | application/fhir+xml  | XML    | Location            |

  @req:XC-FMT-03
  Scenario Outline: _format <format parameter> wins over Accept <accept> (<interaction>)
    Given a complete "<interaction>" request
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR <format>
    And the response is a <resource> resource

    Examples:
      | interaction       | accept                | format parameter      | format | resource            |
      | metadata          | application/fhir+xml  | application/fhir+json | JSON   | CapabilityStatement |
      | read patient      | application/fhir+xml  | application/fhir+json | JSON   | Patient             |
      | find patient      | application/fhir+xml  | application/fhir+json | JSON   | Bundle              |
      | read practitioner | application/fhir+xml  | application/fhir+json | JSON   | Practitioner        |
      | find practitioner | application/fhir+xml  | application/fhir+json | JSON   | Bundle              |
      | read organisation | application/fhir+xml  | application/fhir+json | JSON   | Organization        |
      | find organisation | application/fhir+xml  | application/fhir+json | JSON   | Bundle              |
      | read location     | application/fhir+xml  | application/fhir+json | JSON   | Location            |

    @xml
    Examples:
      | interaction       | accept                | format parameter      | format | resource            |
      | metadata          | application/fhir+json | application/fhir+xml  | XML    | CapabilityStatement |
      | read patient      | application/fhir+json | application/fhir+xml  | XML    | Patient             |
      | find patient      | application/fhir+json | application/fhir+xml  | XML    | Bundle              |
      | read practitioner | application/fhir+json | application/fhir+xml  | XML    | Practitioner        |
      | find practitioner | application/fhir+json | application/fhir+xml  | XML    | Bundle              |
      | read organisation | application/fhir+json | application/fhir+xml  | XML    | Organization        |
      | find organisation | application/fhir+json | application/fhir+xml  | XML    | Bundle              |
      | read location     | application/fhir+json | application/fhir+xml  | XML    | Location            |

  @req:XC-FMT-04
  Scenario Outline: _format is honoured before the other query parameters (<interaction>, <format>)
    Given a complete "<interaction>" request
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<format parameter>" placed first
    When the request is sent
    Then the response status is 200
    And the response body is FHIR <format>
    And the response is a searchset Bundle with 1 entries

    Examples:
      | interaction       | accept                | format parameter      | format |
      | find patient      | application/fhir+xml  | application/fhir+json | JSON   |
      | find practitioner | application/fhir+xml  | application/fhir+json | JSON   |
      | find organisation | application/fhir+xml  | application/fhir+json | JSON   |

    @xml
    Examples:
      | interaction       | accept                | format parameter      | format |
      | find patient      | application/fhir+json | application/fhir+xml  | XML    |
      | find practitioner | application/fhir+json | application/fhir+xml  | XML    |
      | find organisation | application/fhir+json | application/fhir+xml  | XML    |

  @req:XC-FMT-04
  Scenario Outline: _format is honoured after the other query parameters (<interaction>, <format>)
    Given a complete "<interaction>" request
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR <format>
    And the response is a searchset Bundle with 1 entries

    Examples:
      | interaction       | accept                | format parameter      | format |
      | find patient      | application/fhir+xml  | application/fhir+json | JSON   |
      | find practitioner | application/fhir+xml  | application/fhir+json | JSON   |
      | find organisation | application/fhir+xml  | application/fhir+json | JSON   |

    @xml
    Examples:
      | interaction       | accept                | format parameter      | format |
      | find patient      | application/fhir+json | application/fhir+xml  | XML    |
      | find practitioner | application/fhir+json | application/fhir+xml  | XML    |
      | find organisation | application/fhir+json | application/fhir+xml  | XML    |

  @req:XC-FMT-05
  Scenario Outline: A request stating no format preference is served in JSON, the default (<interaction>)
    With no _format, no Content-Type and an Accept of */* (no preference), the server answers in its
    default format, which is JSON; XML is only for a consumer that asks for it. General API guidance,
    content types: https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html
    Given a complete "<interaction>" request
    And the "Accept" header is "*/*"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR JSON
    And the response is a <resource> resource

    Examples:
      | interaction       | resource            |
      | metadata          | CapabilityStatement |
      | read patient      | Patient             |
      | find patient      | Bundle              |
      | read practitioner | Practitioner        |
      | find practitioner | Bundle              |
      | read organisation | Organization        |
      | find organisation | Bundle              |
      | read location     | Location            |

  @req:XC-FMT-06
  Scenario Outline: A Register body in <body format> is read (Accept states no preference)
    The request re-registers patient2, so the answer is the error DUPLICATE_REJECTED: reaching that
    error proves the body was read in its format. Without an Accept header the answer would have to be
    in the body's format; with "*/*" either FHIR format is fair.
    Given a complete "register patient" request
    And the request body is sent as <body format>
    And the "Accept" header is "*/*"
    When the request is sent
    Then the response is the error "DUPLICATE_REJECTED"
    And the response body is FHIR JSON or XML

    Examples:
      | body format |
      | JSON        |

    @xml
    Examples:
      | body format |
      | XML         |

  @req:XC-FMT-06
  Scenario Outline: Accept beats the request body's format on Register (<body format> body, <format> accepted)
    Given a complete "register patient" request
    And the request body is sent as <body format>
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response is the error "DUPLICATE_REJECTED"
    And the response body is FHIR <format>

    @xml
    Examples:
      | body format | accept                | format |
      | JSON        | application/fhir+xml  | XML    |
      | XML         | application/fhir+json | JSON   |

  @req:XC-FMT-06 @xml
  Scenario: _format beats both Accept and the request body's format on Register
    Given a complete "register patient" request
    And the request body is sent as XML
    And the "Accept" header is "application/fhir+xml"
    And the query parameter "_format" is "application/fhir+json"
    When the request is sent
    Then the response is the error "DUPLICATE_REJECTED"
    And the response body is FHIR JSON

  @req:XC-FMT-06 @xml
  Scenario: A patient registered with an XML body is registered and returned as FHIR
    Given a "register patient" request for a new person from the register pool
    And the request body is sent as XML
    And the "Accept" header is "*/*"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR JSON or XML
    And the response is a searchset Bundle of Patient resources

  @req:XC-FMT-12
  Scenario: The capability statement declares XML among its formats
    XML is a SHOULD: a provider that does not offer it gets a warning here, never a failure.
    Given a complete "metadata" request
    When the request is sent
    Then the response status is 200
    And the response body is FHIR JSON
    And the CapabilityStatement declares the XML format

  @req:XC-FMT-07
  Scenario Outline: The _format <format parameter> is refused with 415 (<interaction>)
    Given a complete "<interaction>" request
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the response is 415 Unsupported Media Type

    Examples:
      | interaction       | format parameter |
      | metadata          | text/plain       |
      | find patient      | text/html        |
      | read organisation | application/pdf  |

  @req:XC-FMT-07
  Scenario Outline: The Accept <accept> is refused with 415 (<interaction>)
    Given a complete "<interaction>" request
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response is 415 Unsupported Media Type

    Examples:
      | interaction       | accept          |
      | metadata          | text/plain      |
      | read patient      | application/pdf |
      | read location     | image/png       |

  @req:XC-FMT-07
  Scenario: A Register body in an unsupported format is refused with 415
    Given a complete "register patient" request
    And the "Content-Type" header is "text/plain;charset=utf-8"
    When the request is sent
    Then the response is 415 Unsupported Media Type

  @req:XC-FMT-08
  Scenario Outline: The DSTU2 media type <accept> in Accept is refused or answered with the STU3 type (<interaction>)
    1.3.1 clarified that the GP Connect type is application/fhir+json, not the DSTU2 application/json+fhir.
    A provider may refuse the old type (415) or answer in STU3 FHIR, but never label an STU3 body with it.
    Given a complete "<interaction>" request
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the DSTU2 media type is refused or answered in FHIR <format>

    Examples:
      | interaction  | accept                | format |
      | metadata     | application/json+fhir | JSON   |
      | read patient | application/json+fhir | JSON   |
      | find patient | application/xml+fhir  | XML    |

  @req:XC-FMT-08
  Scenario Outline: The DSTU2 media type <format parameter> in _format is refused or answered with the STU3 type (<interaction>)
    Given a complete "<interaction>" request
    And the query parameter "_format" is "<format parameter>"
    When the request is sent
    Then the DSTU2 media type is refused or answered in FHIR <format>

    Examples:
      | interaction       | format parameter      | format |
      | metadata          | application/xml+fhir  | XML    |
      | read practitioner | application/json+fhir | JSON   |

  @req:XC-FMT-09
  Scenario Outline: An Accept with a charset is understood and the response declares charset=utf-8 (<interaction>, <format>)
    Given a complete "<interaction>" request
    And the "Accept" header is "<accept>"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR <format>

    Examples:
      | interaction       | accept                              | format |
      | metadata          | application/fhir+json;charset=utf-8 | JSON   |
      | read organisation | application/fhir+json;charset=utf-8 | JSON   |
      | find practitioner | application/fhir+json;charset=utf-8 | JSON   |

    @xml
    Examples:
      | interaction       | accept                              | format |
      | metadata          | application/fhir+xml;charset=utf-8  | XML    |
      | read organisation | application/fhir+xml;charset=utf-8  | XML    |
      | find practitioner | application/fhir+xml;charset=utf-8  | XML    |

  @req:XC-FMT-10
  Scenario Outline: The response is gzip-compressed when the consumer accepts gzip (<interaction>)
    The client decompresses the body and keeps the Content-Encoding header in the evidence.
    Given a complete "<interaction>" request
    And the "Accept-Encoding" header is "gzip"
    When the request is sent
    Then the response status is 200
    And the response body was gzip-compressed
    And the response is a <resource> resource

    Examples:
      | interaction       | resource            |
      | metadata          | CapabilityStatement |
      | read patient      | Patient             |
      | find patient      | Bundle              |
      | read practitioner | Practitioner        |
      | find practitioner | Bundle              |
      | read organisation | Organization        |
      | find organisation | Bundle              |
      | read location     | Location            |
