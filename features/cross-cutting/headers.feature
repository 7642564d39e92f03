@headers @foundations
Feature: Spine Secure Proxy headers on every Foundations request
  Every GP Connect request reaches the provider through the Spine Secure Proxy with four headers:
  Ssp-TraceID, Ssp-From (the consumer's ASID), Ssp-To (the provider's ASID) and Ssp-InteractionID.
  The provider SHALL check they are all present, SHALL only accept requests addressed to its own ASID,
  and SHALL check the interaction ID is consistent with the endpoint and verb requested. A missing,
  invalid or mismatched header is a 400 BAD_REQUEST.

  Specification:
  - GP Connect 1.2.7, General API guidance (HTTP headers): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html
  - GP Connect 1.2.7, Security guidance (what the provider checks on each request): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_api_security_guidance.html
  - GP Connect 1.2.7, Error handling guidance (BAD_REQUEST): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html

  "A complete request" is one the provider would accept as it is: reads and finds name the usual test
  data (patient2, practitioner1, ORG1, SIT1); Register carries the demographics of patient2, who is
  already registered, so a provider that ignored the broken header would answer 409 DUPLICATE_REJECTED
  instead of registering anyone.

  @req:XC-HDR-01
  Scenario Outline: A request without the <header> header is refused (<interaction>)
    Given a complete "<interaction>" request
    And the "<header>" header is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples: Ssp-TraceID
      | interaction         | header      |
      | metadata            | Ssp-TraceID |
      | read patient        | Ssp-TraceID |
      | find patient        | Ssp-TraceID |
      | register patient    | Ssp-TraceID |
      | read practitioner   | Ssp-TraceID |
      | find practitioner   | Ssp-TraceID |
      | read organisation   | Ssp-TraceID |
      | find organisation   | Ssp-TraceID |
      | read location       | Ssp-TraceID |

    Examples: Ssp-From
      | interaction         | header   |
      | metadata            | Ssp-From |
      | read patient        | Ssp-From |
      | find patient        | Ssp-From |
      | register patient    | Ssp-From |
      | read practitioner   | Ssp-From |
      | find practitioner   | Ssp-From |
      | read organisation   | Ssp-From |
      | find organisation   | Ssp-From |
      | read location       | Ssp-From |

    Examples: Ssp-To
      | interaction         | header |
      | metadata            | Ssp-To |
      | read patient        | Ssp-To |
      | find patient        | Ssp-To |
      | register patient    | Ssp-To |
      | read practitioner   | Ssp-To |
      | find practitioner   | Ssp-To |
      | read organisation   | Ssp-To |
      | find organisation   | Ssp-To |
      | read location       | Ssp-To |

    Examples: Ssp-InteractionID
      | interaction         | header            |
      | metadata            | Ssp-InteractionID |
      | read patient        | Ssp-InteractionID |
      | find patient        | Ssp-InteractionID |
      | register patient    | Ssp-InteractionID |
      | read practitioner   | Ssp-InteractionID |
      | find practitioner   | Ssp-InteractionID |
      | read organisation   | Ssp-InteractionID |
      | find organisation   | Ssp-InteractionID |
      | read location       | Ssp-InteractionID |

  @req:XC-HDR-01
  Scenario Outline: A request whose <header> header is empty is refused (<interaction>)
    Given a complete "<interaction>" request
    And the "<header>" header is ""
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | interaction         | header            |
      | metadata            | Ssp-TraceID       |
      | metadata            | Ssp-From          |
      | metadata            | Ssp-To            |
      | metadata            | Ssp-InteractionID |
      | read patient        | Ssp-TraceID       |
      | read patient        | Ssp-From          |
      | read patient        | Ssp-To            |
      | read patient        | Ssp-InteractionID |
      | find patient        | Ssp-TraceID       |
      | find patient        | Ssp-From          |
      | find patient        | Ssp-To            |
      | find patient        | Ssp-InteractionID |
      | register patient    | Ssp-TraceID       |
      | register patient    | Ssp-From          |
      | register patient    | Ssp-To            |
      | register patient    | Ssp-InteractionID |
      | read practitioner   | Ssp-TraceID       |
      | read practitioner   | Ssp-From          |
      | read practitioner   | Ssp-To            |
      | read practitioner   | Ssp-InteractionID |
      | find practitioner   | Ssp-TraceID       |
      | find practitioner   | Ssp-From          |
      | find practitioner   | Ssp-To            |
      | find practitioner   | Ssp-InteractionID |
      | read organisation   | Ssp-TraceID       |
      | read organisation   | Ssp-From          |
      | read organisation   | Ssp-To            |
      | read organisation   | Ssp-InteractionID |
      | find organisation   | Ssp-TraceID       |
      | find organisation   | Ssp-From          |
      | find organisation   | Ssp-To            |
      | find organisation   | Ssp-InteractionID |
      | read location       | Ssp-TraceID       |
      | read location       | Ssp-From          |
      | read location       | Ssp-To            |
      | read location       | Ssp-InteractionID |

  @req:XC-HDR-02
  Scenario Outline: A request addressed to another ASID is refused (<interaction>)
    Given a complete "<interaction>" request
    And the "Ssp-To" header is "<asid>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | interaction         | asid         |
      | metadata            | 123456789123 |
      | read patient        | 123456789123 |
      | find patient        | 200000000359 |
      | register patient    | 123456789123 |
      | read practitioner   | 123456789123 |
      | find practitioner   | 123456789123 |
      | read organisation   | 123456789123 |
      | find organisation   | 123456789123 |
      | read location       | 123456789123 |

  @req:XC-HDR-03
  Scenario Outline: A request whose Ssp-From is not a numeric ASID is refused or answered with a warning (<interaction>)
    A provider SHALL check that the SSP headers are present and that Ssp-To is its own ASID; the
    specification gives Ssp-From as the consumer's ASID but sets no format check on it (the SSP
    authorises the sender). Refusing it is BAD_REQUEST; answering it is not a failure, and the report
    shows a warning. Security guidance and Error handling:
    https://developer.nhs.uk/apis/gpconnect-1-2-7/development_api_security_guidance.html,
    https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html
    Given a complete "<interaction>" request
    And the "Ssp-From" header is "<from>"
    When the request is sent
    Then the response is the error "BAD_REQUEST" or a success, with a warning

    Examples:
      | interaction         | from             |
      | metadata            | CONSUMER-ASID    |
      | read patient        | 2000000003x9     |
      | find patient        | CONSUMER-ASID    |
      | read practitioner   | CONSUMER-ASID    |
      | find practitioner   | -200000000359    |
      | read organisation   | CONSUMER-ASID    |
      | find organisation   | CONSUMER-ASID    |
      | read location       | 2000 0000 0359   |

  @req:XC-HDR-03
  Scenario: A Register whose Ssp-From is not a numeric ASID is refused or answered with a warning
    The complete Register request re-registers an already registered patient, so a provider that does
    not check the Ssp-From format answers DUPLICATE_REJECTED: that is not a failure, and the report
    shows a warning. Security guidance:
    https://developer.nhs.uk/apis/gpconnect-1-2-7/development_api_security_guidance.html
    Given a complete "register patient" request
    And the "Ssp-From" header is "CONSUMER-ASID"
    When the request is sent
    Then the response is the error "BAD_REQUEST", or else the error "DUPLICATE_REJECTED" with a warning

  @req:XC-HDR-04
  Scenario Outline: An unknown Ssp-InteractionID is refused (<interaction>)
    Given a complete "<interaction>" request
    And the "Ssp-InteractionID" header is "<interaction id>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | interaction         | interaction id                                                     |
      | metadata            | urn:nhs:names:services:gpconnect:fhir:rest:read:metadata            |
      | read patient        | urn:nhs:names:services:gpconnect:fhir:rest:read:patient-2           |
      | find patient        | urn:nhs:names:services:gpconnect:fhir:rest:search:patients-1        |
      | register patient    | urn:nhs:names:services:gpconnect:fhir:operation:gpc.getcarerecord   |
      | read practitioner   | urn:nhs:names:services:gpconnect:fhir:rest:read:PRACTITIONER-1      |
      | find practitioner   | practitioner-search                                                 |
      | read organisation   | urn:nhs:names:services:gpconnect:fhir:rest:read:organisation-1      |
      | find organisation   | urn:nhs:names:services:gpconnect:fhir:rest:search:organization-1 x  |
      | read location       | urn:nhs:names:services:gpconnect:fhir:rest:search:location-1        |

  @req:XC-HDR-04
  Scenario Outline: The Ssp-InteractionID of <other> is refused on a <interaction> request
    Given a complete "<interaction>" request
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | interaction         | other               |
      | metadata            | structured metadata |
      | metadata            | read patient        |
      | read patient        | find patient        |
      | read patient        | read practitioner   |
      | find patient        | read patient        |
      | find patient        | documents find patient |
      | register patient    | find patient        |
      | register patient    | book appointment    |
      | read practitioner   | read organisation   |
      | find practitioner   | find organisation   |
      | read organisation   | read practitioner   |
      | find organisation   | read practitioner   |
      | read location       | read organisation   |

  @req:XC-HDR-05
  Scenario Outline: An Ssp-TraceID that is not a UUID is tolerated or refused as BAD_REQUEST (<interaction>)
    The spec describes the trace id as a GUID but asks providers only to check it is present, so
    either answer is conformant; a server error or any other error code is not.
    Given a complete "<interaction>" request
    And the "Ssp-TraceID" header is "<trace id>"
    When the request is sent
    Then the response is a success or the error "BAD_REQUEST"

    Examples:
      | interaction  | trace id                              |
      | metadata     | not-a-uuid                            |
      | read patient | 629EA9BA-A077-4D99-B289-7A9B19FD4E03  |
      | find patient | 12345                                 |
