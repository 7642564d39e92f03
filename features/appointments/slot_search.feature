@appointments @slots
Feature: Search for free slots
  GET [base]/Slot?status=free&start=ge..&end=le..&_include=Slot:schedule. A valid search answers a searchset
  Bundle of the free, bookable Slots lying entirely inside the window, their Schedules, and (when asked for
  with _include:recurse) the Schedules' Practitioners and Locations; the managing Organizations are always
  there when a Slot is. Every Slot and Schedule follows GPConnect-Slot-1/-Schedule-1: meta.profile and
  versionId, UK local dateTimes, the delivery channel and practitioner role from their value sets,
  serviceType/serviceCategory text, no specialty or comment. Dates are written relative to today ({date+N},
  {datetime+N}...). Missing parameters are 400 BAD_REQUEST; invalid values, a reversed window or one longer
  than 14 days are 422 INVALID_PARAMETER (the page's error table).

  Specification:
  - GP Connect 1.2.7, Search for free slots (search parameters, error handling, response): https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_search_for_free_slots.html
  - GP Connect 1.2.7, Slot availability management (which slots are bookable by whom): https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_provider_sys_slot_availability.html

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_search_for_free_slots.html,
  section "Search for free slots"): the answer holds every free slot in the window, not only some. The
  same diary searched in wider whole-day windows is the oracle: each free slot it finds entirely inside
  the window must be returned.

  @req:APT-SLOT-01
  Scenario Outline: A search from <start> to <end> answers a valid free-slot Bundle
    Given a free slot search with start "<start>" and end "<end>"
    When the request is sent
    Then the response status is 200
    And the response has Cache-Control no-store
    And the response body is FHIR JSON
    And the response is a valid free slot Bundle for the search
    And every free slot a wider search finds inside the window was returned

    Examples:
      | start                 | end                   |
      | ge{date+1}            | le{date+1}            |
      | ge{date+1}            | le{date+8}            |
      | ge{date+1}            | le{date+15}           |
      | ge{date+0}            | le{date+14}           |
      | ge{datetime+1}        | le{datetime+8}        |
      | ge{date+1}            | le{datetime+8}        |
      | ge{datetime+1}        | le{date+8}            |
      | ge{datetime+2}        | le{datetime+16}       |
      | ge{date-3}            | le{date-1}            |
      | ge{date-2}            | le{date+2}            |
      | ge{date+3}            | le{date+17}           |
      | ge{datetime+0}        | le{datetime+14}       |

  @req:APT-SLOT-02
  Scenario: The next fortnight has free slots, with their Schedules, Locations, Practitioners and Organizations
    Given a free slot search from 1 to 14 days ahead
    When the request is sent
    Then the response is a valid free slot Bundle for the search
    And the free slot Bundle holds at least one slot
    And the free slot Bundle holds Locations and Practitioners for its Schedules

  @req:APT-SLOT-03
  Scenario Outline: Without the include <include>, its resources are not returned
    Given a free slot search from 1 to 7 days ahead
    And the include "<include>" is not sent
    When the request is sent
    Then the response is a valid free slot Bundle for the search
    And the free slot Bundle holds at least one slot

    Examples:
      | include                       |
      | Schedule:actor:Practitioner   |
      | Schedule:actor:Location       |
      | Location:managingOrganization |

  @req:APT-SLOT-03
  Scenario: Without any recursive include, Slots, Schedules and Organizations alone are returned
    Given a free slot search from 1 to 7 days ahead
    And the include "Schedule:actor:Practitioner" is not sent
    And the include "Schedule:actor:Location" is not sent
    And the include "Location:managingOrganization" is not sent
    When the request is sent
    Then the response is a valid free slot Bundle for the search
    And the free slot Bundle holds no Location and no Practitioner

  @req:APT-SLOT-04
  Scenario Outline: A window of <days> days is refused as INVALID_PARAMETER
    Given a free slot search with start "<start>" and end "<end>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | days | start          | end             |
      | 15   | ge{date+1}     | le{date+16}     |
      | 31   | ge{date+1}     | le{date+32}     |
      | -1   | ge{date+2}     | le{date+1}      |
      | -7   | ge{datetime+9} | le{datetime+2}  |
      | 20   | ge{datetime+1} | le{datetime+21} |

  @req:APT-SLOT-05
  Scenario Outline: A search without <param> is BAD_REQUEST
    Given a free slot search from 1 to 7 days ahead
    And the query parameter "<param>" is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | param  |
      | start  |
      | end    |
      | status |

  @req:APT-SLOT-05
  Scenario: A search without start and end is BAD_REQUEST
    Given a free slot search from 1 to 7 days ahead
    And the query parameter "start" is removed
    And the query parameter "end" is removed
    When the request is sent
    Then the response is the error "BAD_REQUEST"

  @req:APT-SLOT-06
  Scenario Outline: The status <status> is refused; only free may be searched
    Given a free slot search from 1 to 7 days ahead
    And the search parameter "status" is "<status>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | status           |
      | busy             |
      | busy-tentative   |
      | busy-unavailable |
      | entered-in-error |
      | FREE             |

  @req:APT-SLOT-07
  Scenario Outline: The <param> value <value> is refused as INVALID_PARAMETER
    Given a free slot search from 1 to 7 days ahead
    And the search parameter "<param>" is "<value>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"
    And the response has Cache-Control no-store

    Examples:
      | param | value                     |
      | start | invalidStartDate          |
      | start |                           |
      | start | ge                        |
      | start | ge{year+0}                |
      | start | ge{month+1}               |
      | start | ge{datetimeNoOffset+1}    |
      | start | ge{datetimeZ+1}           |
      | start | ge2019-02-30              |
      | end   | invalidEndDate            |
      | end   |                           |
      | end   | le{year+1}                |
      | end   | le{month+1}               |
      | end   | le{datetimeNoOffset+5}    |
      | end   | le{datetimeZ+5}           |
      | end   | le2019-13-01              |

  @req:APT-SLOT-08
  Scenario Outline: The prefixes <start> / <end> are refused (start takes ge, end takes le)
    Given a free slot search with start "<start>" and end "<end>"
    When the request is sent
    Then the response status is 422
    And the response is one of the errors "INVALID_PARAMETER, BAD_REQUEST"

    Examples:
      | start      | end        |
      | lt{date+1} | gt{date+5} |
      | gt{date+1} | gt{date+5} |
      | lt{date+1} | lt{date+5} |
      | le{date+1} | ge{date+5} |
      | eq{date+1} | eq{date+5} |
      | gt{date+1} | lt{date+5} |
      | ne{date+1} | le{date+5} |
      | ge{date+1} | ne{date+5} |
      | {date+1}   | le{date+5} |
      | ge{date+1} | {date+5}   |

  @req:APT-SLOT-09
  Scenario Outline: An unsupported include <name>=<value> is refused or ignored
    The specification names no error for an include it does not define, and FHIR servers ignore search
    parameters they do not support, so the provider may refuse the search or answer it without the
    include (and without anything the include would have brought). General API guidance and Search
    for free slots:
    https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html,
    https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_search_for_free_slots.html
    Given a free slot search from 1 to 7 days ahead
    And the search parameter "<name>" is also "<value>"
    When the request is sent
    Then the response is one of the errors "INVALID_PARAMETER, BAD_REQUEST", or a valid free slot Bundle for the search
    And the response has Cache-Control no-store

    Examples:
      | name             | value                               |
      | _include         | Slot:location                       |
      | _include         | Patient:generalPractitioner         |
      | _include:recurse | Schedule:actor:HealthcareService    |
      | _include:recurse | Location:partOf                     |

  @req:APT-SLOT-09
  Scenario: A search without _include=Slot:schedule is refused
    Given a free slot search from 1 to 7 days ahead
    And the include "Slot:schedule" is not sent
    When the request is sent
    Then the response is one of the errors "INVALID_PARAMETER, BAD_REQUEST"

  @req:APT-SLOT-10
  Scenario Outline: A searchFilter of an unknown system (<filter>) is ignored
    Given a free slot search from 1 to 7 days ahead
    And the search parameter "searchFilter" is also "<filter>"
    When the request is sent
    Then the response is a valid free slot Bundle for the search
    And the free slot Bundle holds at least one slot

    Examples:
      | filter                                                              |
      | https://fhir.nhs.uk/Id/uec-dispositions\|Dx10                        |
      | https://fhir.nhs.uk/Id/uec-dos-service-id\|123456                    |
      | urn:example:unknown\|value                                           |

  @req:APT-SLOT-11
  Scenario Outline: Searching with organisation type <type> and ODS code <ods> answers a valid Bundle
    Given a free slot search from 1 to 7 days ahead
    And the organisation type searchFilter is "<type>"
    And the ODS code searchFilter is "<ods>"
    When the request is sent
    Then the response is a valid free slot Bundle for the search

    Examples:
      | type        | ods    |
      | gp-practice | A1001  |
      | gp-practice | A20047 |
      | gp-practice | R1A14  |
      | urgent-care | A1001  |
      | urgent-care | B81016 |
      | urgent-care | RNR01  |
      | oncology    | M85015 |
      | oncology    | A1001  |

  @req:APT-SLOT-11
  Scenario Outline: Searching without the <system> searchFilter answers a valid Bundle
    Given a free slot search from 1 to 7 days ahead
    And the searchFilter of system "<system>" is not sent
    When the request is sent
    Then the response is a valid free slot Bundle for the search

    Examples:
      | system            |
      | ODS code          |
      | organisation type |

  @req:APT-SLOT-11
  Scenario: Searching with no searchFilter at all answers a valid Bundle
    Given a free slot search from 1 to 7 days ahead
    And the query parameter "searchFilter" is removed
    When the request is sent
    Then the response is a valid free slot Bundle for the search

  @req:APT-SLOT-12
  Scenario Outline: A searchFilter of a GP Connect system without a code (<filter>) is INVALID_PARAMETER
    Given a free slot search from 1 to 7 days ahead
    And the query parameter "searchFilter" is removed
    And the search parameter "searchFilter" is "<filter>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | filter                                                           |
      | https://fhir.nhs.uk/Id/ods-organization-code\|                    |
      | https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1\| |

  @req:APT-SLOT-13
  Scenario Outline: The free-slot Bundle in <format> (Accept <accept>, _format <_format>)
    Given a free slot search from 1 to 3 days ahead
    And the "Accept" header is "<accept>"
    And the query parameter "_format" is "<_format>"
    When the request is sent
    Then the response body is FHIR <format>
    And the response is a valid free slot Bundle for the search

    Examples:
      | accept                | _format               | format |
      | application/fhir+json | application/fhir+json | JSON   |
      | application/fhir+xml  | application/fhir+json | JSON   |

    @xml
    Examples:
      | accept                | _format               | format |
      | application/fhir+json | application/fhir+xml  | XML    |
      | application/fhir+xml  | application/fhir+xml  | XML    |

  @req:APT-SLOT-14
  Scenario Outline: A slot search with the interaction id of <other> is refused
    Given a free slot search from 1 to 3 days ahead
    And the Ssp-InteractionID is that of "<other>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"
    And the response has Cache-Control no-store

    Examples:
      | other            |
      | read appointment |
      | read location    |

  @req:APT-SLOT-14
  Scenario Outline: A slot search with the JWT scope <scope> is refused
    Given a free slot search from 1 to 3 days ahead
    And the JWT claim "requested_scope" is "<scope>"
    When the request is sent
    Then the response is the error "BAD_REQUEST"

    Examples:
      | scope               |
      | patient/*.read      |
      | organization/*.write |
