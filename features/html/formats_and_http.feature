@html
Feature: Access Record HTML - the DSTU2 formats, compression and HTTP of the DSTU2 root
  Both DSTU2 formats must be served: _format, else Accept, else the request's own Content-Type chooses
  application/json+fhir or application/xml+fhir, the answer declaring its media type, and a request body
  in application/xml+fhir is read as one in JSON (HTML-FMT-01). The care record in XML is judged by the
  same checks as in JSON, read through the harness's FHIR XML reader; the Conformance in XML by its root
  element, as that reader knows the STU3 resources and a DSTU2 Conformance is none of them. A format the root does not serve
  is 415 with an OperationOutcome (HTML-FMT-02); a request accepting gzip is answered gzip-compressed
  (HTML-FMT-03). A path the root does not serve, a verb its operation does not take, or a path or
  operation name in the wrong case is refused with a 4xx status and an OperationOutcome, and a header
  the provider does not know is tolerated (HTML-HTTP-01).

  NHS Digital's 0.x provider suite (FhirBase.feature): "Conformance profile supports the requested
  format" and "Request care record in XML for each section" (HTML-FMT-01, all ten sections by Accept and
  by _format); "Request with XML body and no Accept header returns XML", "JSON body returns JSON" and the
  twelve Accept / _format / Content-Type combinations (HTML-FMT-01, _format winning over Accept, Accept
  over Content-Type); "Unsupported Accept header text/xml" and "Unsupported _format text/xml"
  (HTML-FMT-02); "gzip on metadata" and "gzip on care record" (HTML-FMT-03); "chunked response" has no
  counterpart: Transfer-Encoding is the HTTP layer's choice and the harness reads either. Http.feature:
  "Request to /metadatas", "POST to /Patients", "PUT, PATCH, DELETE and OPTIONS to /metadata", "GET
  /Metadata", "gpc.getCareRecord in the wrong case" and "Request with an unknown header" (HTML-HTTP-01).
  Security.feature (plain HTTP, client certificates) is answered by the TLS scenarios of every root
  (XC-TLS-*), which the DSTU2 root shares.

  Specification:
  - GP Connect 0.7.2, General API guidance (content types, compression): https://developer.nhs.uk/apis/gpconnect-0-7-2/development_general_api_guidance.html
  - GP Connect 0.7.2, FHIR API guidance (service root URL): https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_api_guidance.html

  @req:HTML-FMT-01
  Scenario Outline: The <section> section is answered in DSTU2 XML when Accept asks for it
    Given a care record request for "patient2" section "<section>"
    And the "Accept" header is "application/xml+fhir"
    When the request is sent
    Then the response status is 200
    And the response body is DSTU2 XML
    And the response is the care record section asked for
    And the section's HTML is well-formed XHTML
    And the section's HTML has the section's tables

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

  @req:HTML-FMT-01
  Scenario Outline: The <section> section is answered in DSTU2 XML when _format asks for it
    Given a care record request for "patient2" section "<section>"
    And the query parameter "_format" is "application/xml+fhir"
    When the request is sent
    Then the response status is 200
    And the response body is DSTU2 XML
    And the response is the care record section asked for
    And the section's tables have the view's columns in order

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

  @req:HTML-FMT-01
  Scenario Outline: A <content> request with Accept <accept> and _format <format> is answered in DSTU2 <answer>
    Given a care record request for "patient2" section "SUM"
    And the DSTU2 request has Content-Type <content>, Accept <accept> and _format <format>
    When the request is sent
    Then the response status is 200
    And the response body is DSTU2 <answer>
    And the response is the care record section asked for

    Examples:
      | content | accept | format | answer |
      | JSON    | -      | -      | JSON   |
      | XML     | -      | -      | XML    |
      | JSON    | JSON   | -      | JSON   |
      | JSON    | XML    | -      | XML    |
      | XML     | JSON   | -      | JSON   |
      | XML     | XML    | -      | XML    |
      | JSON    | -      | XML    | XML    |
      | XML     | -      | JSON   | JSON   |
      | JSON    | JSON   | XML    | XML    |
      | JSON    | XML    | JSON   | JSON   |
      | XML     | XML    | JSON   | JSON   |
      | XML     | JSON   | XML    | XML    |

  @req:HTML-FMT-01
  Scenario Outline: The Conformance is answered in DSTU2 XML when <how> asks for it
    Given a "html metadata" request
    And the DSTU2 request has Content-Type -, Accept <accept> and _format <format>
    When the request is sent
    Then the response status is 200
    And the response body is DSTU2 XML
    And the XML body is a DSTU2 Conformance

    Examples:
      | how     | accept | format |
      | Accept  | XML    | -      |
      | _format | JSON   | XML    |

  @req:HTML-FMT-02
  Scenario Outline: The <request> asked for in text/xml by <how> is refused
    Given <given>
    And the <how> is "text/xml"
    When the request is sent
    Then the response is a 415 error with an OperationOutcome

    Examples:
      | request     | given                                                   | how                        |
      | care record | a care record request for "patient2" section "SUM"     | "Accept" header            |
      | care record | a care record request for "patient2" section "SUM"     | query parameter "_format"  |
      | Conformance | a "html metadata" request                               | "Accept" header            |
      | Conformance | a "html metadata" request                               | query parameter "_format"  |

  @req:HTML-FMT-03
  Scenario: The Conformance is gzip-compressed when gzip is accepted
    Given a "html metadata" request
    And the "Accept-Encoding" header is "gzip"
    When the request is sent
    Then the response status is 200
    And the response body was gzip-compressed
    And the response is an Access Record HTML Conformance

  @req:HTML-FMT-03
  Scenario Outline: The <section> section is gzip-compressed when gzip is accepted
    Given a care record request for "patient2" section "<section>"
    And the "Accept-Encoding" header is "gzip"
    When the request is sent
    Then the response status is 200
    And the response body was gzip-compressed
    And the response is the care record section asked for

    Examples:
      | section |
      | SUM     |
      | MED     |
      | ENC     |

  @req:HTML-HTTP-01
  Scenario Outline: <method> <path> on the DSTU2 root is refused
    Given a "html metadata" request
    And the HTTP method is <method>
    And the request path is "<path>"
    When the request is sent
    Then the request is refused with an OperationOutcome

    Examples:
      | method  | path                         |
      | GET     | /metadatas                   |
      | GET     | /Metadata                    |
      | POST    | /Patients                    |
      | PUT     | /metadata                    |
      | PATCH   | /metadata                    |
      | DELETE  | /metadata                    |
      | OPTIONS | /metadata                    |
      | POST    | /Patient/$gpc.getCareRecord  |
      | GET     | /Patient/$gpc.getcarerecord  |

  @req:HTML-HTTP-01
  Scenario: A header the provider does not know is tolerated
    Given a care record request for "patient2" section "SUM"
    And the "X-Unknown-Header" header is "tolerated"
    When the request is sent
    Then the response status is 200
    And the response is the care record section asked for
