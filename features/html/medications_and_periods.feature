@html @since:0.7.2
Feature: Access Record HTML - medication grouping and what a time period selects
  All Medication summarises All Medication Issues, so the one is recomputed from the other: both tables
  group their rows under one med-item-column row per medication item, in ascending order, rows newest
  first; for each medication (type, item, dosage instruction, quantity) the Number of Prescriptions
  Issued is the number of its issues, the Last Issued Date the latest of them and the Start Date no
  later than the first, and every medication issued appears in All Medication (HTML-MED-01). With a
  period, All Medication Issues still lists every issue of the medications All Medication selects, so
  the two agree whatever the period.

  A time period selects exactly the items within it, both end days included and partial dates widened
  to whole days. The section is asked for again without the period (a setup request): the filtered
  table must hold every row of that unfiltered view dated within the period and none outside it
  (HTML-FLT-01). A period the test data holds nothing in is inconclusive, never a pass. The date
  banners of the full precision matrix (year, year-month, date, date-time with offset; both ends, start
  only, end only) on every filterable section are checked too (HTML-BAN-01). Periods are written
  relative to the day of the run (today-800 is 800 days ago) where the test data is.

  NHS Digital's 0.x provider suite (HTML.feature): "Check HTML Medication Views and the Grouping of
  Entries" (HTML-MED-01: the suite recomputes All Medication from All Medication Issues with one
  patient and no period; here with and without periods and for four patients); "filtered sections
  should contain date range section banner", "should contain the applied start banner", "should contain
  the banner All data items until" (HTML-BAN-01, the precision matrix); the suite has no check that a
  period selects the right items (HTML-FLT-01 is the harness's own, as for Access Record Structured).

  Specification:
  - GP Connect 0.7.2, HTML implementation guide (Medications): https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_development_html_implementation_guide.html
  - GP Connect 0.7.2, Retrieve a care record section (time period): https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html
  - GP Connect 0.7.2, HTML layout (date banners): https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_html_layout.html

  @req:HTML-MED-01
  Scenario Outline: All Medication of <patient> agrees with All Medication Issues
    Given a care record request for "<patient>" section "MED"
    When the request is sent
    Then All Medication agrees with All Medication Issues

    Examples:
      | patient   |
      | patient2  |
      | patient3  |
      | patient13 |
      | patient16 |

  @req:HTML-MED-01
  Scenario Outline: All Medication of patient2 for <start> to <end> agrees with All Medication Issues
    Given a care record request for "patient2" section "MED"
    And the care record period starts "<start>" and ends "<end>"
    When the request is sent
    Then All Medication agrees with All Medication Issues

    Examples:
      | start      | end        |
      | today-1100 | today      |
      | today-3000 | today-1000 |
      | today-60   | today-10   |
      | 2000       | 2099       |

  @req:HTML-MED-01
  Scenario: All Medication of patient2 from a start agrees with All Medication Issues
    Given a care record request for "patient2" section "MED"
    And the care record period starts "today-100"
    When the request is sent
    Then All Medication agrees with All Medication Issues

  @req:HTML-MED-01
  Scenario: All Medication of patient2 until an end agrees with All Medication Issues
    Given a care record request for "patient2" section "MED"
    And the care record period ends "today-1500"
    When the request is sent
    Then All Medication agrees with All Medication Issues

  @req:HTML-FLT-01
  Scenario Outline: <section> for <start> to <end> holds exactly the rows within the period
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>" and ends "<end>"
    When the request is sent
    Then the section's tables hold exactly the rows of the unfiltered view within the period

    Examples:
      | section | start      | end        |
      | ADM     | today-10   | today+30   |
      | ADM     | today-100  | today+100  |
      | CLI     | today-800  | today-10   |
      | CLI     | today-400  | today-400  |
      | ENC     | today-800  | today-10   |
      | ENC     | today-1500 | today-200  |
      | ENC     | today-10   | today-10   |
      | OBS     | today-800  | today-10   |
      | OBS     | today-1200 | today-50   |
      | REF     | today-900  | today-90   |
      | REF     | today-100  | today      |

  @req:HTML-FLT-01
  Scenario Outline: <section> from <start> holds exactly the rows within the period
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>"
    When the request is sent
    Then the section's tables hold exactly the rows of the unfiltered view within the period

    Examples:
      | section | start     |
      | ADM     | today     |
      | CLI     | today-400 |
      | ENC     | today-200 |
      | OBS     | today-50  |
      | REF     | today-90  |

  @req:HTML-FLT-01
  Scenario Outline: <section> until <end> holds exactly the rows within the period
    Given a care record request for "patient2" section "<section>"
    And the care record period ends "<end>"
    When the request is sent
    Then the section's tables hold exactly the rows of the unfiltered view within the period

    Examples:
      | section | end        |
      | ADM     | today+30   |
      | CLI     | today-400  |
      | ENC     | today-800  |
      | OBS     | today-400  |
      | REF     | today-900  |

  @req:HTML-BAN-01
  Scenario Outline: The <section> banners for <start> to <end> widen partial dates to whole days
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>" and ends "<end>"
    When the request is sent
    Then the section's HTML shows the banners of the period sent

    Examples:
      | section | start                     | end                       |
      | ADM     | 2014                      | 2016                      |
      | ADM     | 2014-05                   | 2016-02                   |
      | ADM     | 2015-10-23T11:08:32+00:00 | 2016-10-23T11:08:32+00:00 |
      | CLI     | 2014-05-03                | 2016-02-29                |
      | CLI     | 2015-12                   | 2016-11                   |
      | CLI     | 2015-10-23T11:08:32+01:00 | 2099-12-31T23:59:59+00:00 |
      | ENC     | 2014-05                   | 2016-09                   |
      | ENC     | 2014-05-03                | 2014-05-03                |
      | ENC     | 2015-10-23T11:08:32+00:00 | 2016                      |
      | OBS     | 2014                      | 2016                      |
      | OBS     | 2014-05                   | 2016-02                   |
      | OBS     | 2015-10-23T11:08:32+00:00 | 2016-10-23T11:08:32+00:00 |
      | REF     | 2014                      | 2016                      |
      | REF     | 2014-05                   | 2016-02                   |
      | REF     | 2015-10-23T11:08:32+00:00 | 2016-10-23T11:08:32+00:00 |
      | MED     | 2014                      | 2016                      |
      | MED     | 2014-05                   | 2016-02                   |
      | MED     | 2015-10-23T11:08:32+00:00 | 2016-10-23T11:08:32+00:00 |
      | PRB     | 2014                      | 2016                      |
      | PRB     | 2014-05                   | 2016-02                   |
      | PRB     | 2015-10-23T11:08:32+00:00 | 2016-10-23T11:08:32+00:00 |

  @req:HTML-BAN-01
  Scenario Outline: The <section> banner from <start> widens it to its first day
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>"
    When the request is sent
    Then the section's HTML shows the banners of the period sent

    Examples:
      | section | start      |
      | CLI     | 2014       |
      | OBS     | 2014-05    |
      | REF     | 2015-10-23 |
      | ADM     | 2016-02    |
      | ENC     | 2016       |
      | MED     | 2014-05    |
      | PRB     | 2016       |

  @req:HTML-BAN-01
  Scenario Outline: The <section> banner until <end> widens it to its last day
    Given a care record request for "patient2" section "<section>"
    And the care record period ends "<end>"
    When the request is sent
    Then the section's HTML shows the banners of the period sent

    Examples:
      | section | end        |
      | ADM     | 2016-02    |
      | ENC     | 2016       |
      | PRB     | 2015-12    |
      | CLI     | 2016-09    |
      | OBS     | 2016-10-23 |
      | REF     | 2016       |
      | MED     | 2016-02    |
