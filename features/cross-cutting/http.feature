@http @foundations
Feature: HTTP verbs, paths and search parameters on the Foundations service root
  Only the verbs of the interaction table are served: GET for metadata, reads and finds, POST for the
  Register operation. Any other verb on an endpoint is refused, with 400 BAD_REQUEST (error-handling
  guidance) or 405 Method Not Allowed (in the spec's list, and what the SSP itself answers), always with
  an OperationOutcome. URLs are case sensitive, and a path that does not exist is an error with an
  OperationOutcome (the code is not fixed by the spec). Unknown search parameters SHALL be ignored.

  NHS Digital's provider suite: "Book Appointment with invalid url for booking appointment"
  (AppointmentBook.feature) is the POST /Appointmentqq/! row of XC-HTTP-02.

  Specification:
  - GP Connect 1.2.7, General API guidance (Service Root URL; HTTP verbs; Inter-version compatibility): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html
  - GP Connect 1.2.7, Error handling guidance (error codes and their HTTP statuses): https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html

  @req:XC-HTTP-01
  Scenario Outline: <method> on the capability statement is refused
    Given a complete "metadata" request
    And the HTTP method is <method>
    When the request is sent
    Then the response refuses the HTTP method

    Examples:
      | method  |
      | DELETE  |
      | PATCH   |
      | OPTIONS |
      | POST    |
      | PUT     |

  @req:XC-HTTP-01
  Scenario Outline: <method> of a FHIR body to the capability statement is refused
    Given a complete "metadata" request
    And the HTTP method is <method>
    And the request body is sent as JSON
    And the request body is '{"resourceType":"CapabilityStatement","status":"active","kind":"capability","fhirVersion":"3.0.1"}'
    When the request is sent
    Then the response refuses the HTTP method

    Examples:
      | method |
      | POST   |
      | PUT    |

  @req:XC-HTTP-01
  Scenario Outline: <method> on the <interaction> endpoint is refused
    Given a complete "<interaction>" request
    And the HTTP method is <method>
    When the request is sent
    Then the response refuses the HTTP method

    Examples:
      | interaction       | method |
      | read patient      | POST   |
      | read patient      | PUT    |
      | read patient      | DELETE |
      | read practitioner | POST   |
      | read organisation | PUT    |
      | read location     | DELETE |
      | find patient      | POST   |
      | find practitioner | PUT    |
      | find organisation | DELETE |
      | register patient  | GET    |
      | register patient  | PUT    |

  @req:XC-HTTP-02
  Scenario Outline: <method> <path> (a path that does not exist) is an error with an OperationOutcome
    Given a complete "metadata" request
    And the HTTP method is <method>
    And the request path is "<path>"
    When the request is sent
    Then the response is an error with an OperationOutcome

    Examples:
      | method | path                 |
      | GET    | /metadatas           |
      | POST   | /metadatas           |
      | PUT    | /metadatas           |
      | GET    | /Patients            |
      | GET    | /Patient/2/Condition |
      | GET    | /HealthcareServices  |
      | POST   | /Appointmentqq/!     |

  @req:XC-HTTP-03
  Scenario Outline: The wrongly-cased path <path> is an error with an OperationOutcome
    Given a complete "metadata" request
    And the request path is "<path>"
    When the request is sent
    Then the response is an error with an OperationOutcome

    Examples:
      | path      |
      | /Metadata |
      | /METADATA |

  @req:XC-HTTP-03
  Scenario Outline: A <interaction> request with the resource type written "<written>" is an error with an OperationOutcome
    Given a complete "<interaction>" request
    And the resource type in the request path is written "<written>"
    When the request is sent
    Then the response is an error with an OperationOutcome

    Examples:
      | interaction       | written      |
      | read patient      | patient      |
      | find patient      | PATIENT      |
      | read practitioner | practitioner |
      | read organisation | organization |
      | find organisation | Organisation |
      | read location     | location     |

  @req:XC-HTTP-04
  Scenario Outline: Unknown search parameters <parameter>=<value> and <other parameter>=<other value> are ignored (<interaction>)
    Given a complete "<interaction>" request
    And the query parameter "<parameter>" is "<value>"
    And the query parameter "<other parameter>" is "<other value>"
    When the request is sent
    Then the response status is 200
    And the response is a searchset Bundle with 1 entries

    Examples:
      | interaction       | parameter      | value  | other parameter | other value |
      | find patient      | _count         | 1      | _sort           | status      |
      | find practitioner | _count         | 1      | _sort           | status      |
      | find organisation | _count         | 1      | _sort           | status      |
      | find patient      | favouriteColour | blue   | _language       | en          |
      | find practitioner | favouriteColour | blue  | x-trace         | 42          |
      | find organisation | favouriteColour | blue  | birthdate       | ge1900-01-01 |
