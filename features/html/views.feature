@html @since:0.7.2
Feature: Access Record HTML - the HTML view of each section
  Each section's HTML (Composition.section.text.div) is read as a parsed XHTML tree, never by substring:

  - it is well-formed XHTML in the XHTML namespace, with one root div (HTML-SAFE-01);
  - it is safe for a clinician's browser: no script, style, iframe, form or object, only the DSTU2
    narrative's elements and attributes, no on* event handlers, no javascript: links (HTML-SAFE-02), and
    no carriage return, line feed or tab (HTML-SAFE-03);
  - it starts with the section title as h1 and heads each subsection with its h2, in the view's order
    (HTML-VIEW-01);
  - each table has its id and its columns in order, or the no-content fragment in its place (HTML-TAB-01,
    HTML-TAB-02), and every date cell is dd-Mmm-yyyy with class date-column (HTML-TAB-03);
  - the date banners follow the period sent: All relevant items, For the period '...' to '...', Data
    items from / until '...', Date filter not applied where the subsection ignores the period, none
    where the section is never filtered; Discontinued Repeat Medication carries its content banner
    (HTML-BAN-01);
  - a record still in transit from the previous practice shows the GP transfer banner with its date
    (HTML-BAN-02).

  The test data: patient2 has data in every section, patient1 none (every table is replaced by its
  no-content fragment), patient13's record is in transit (its GP transfer banner sits between the h1 and
  the tables, which the heading, table, column and date checks are run over too).

  NHS Digital's 0.x provider suite (HTML.feature, 20 scenarios): "HTML should not contain disallowed
  elements" (HTML-SAFE-01, HTML-SAFE-02; unlike the suite, anchors are judged by their target and
  <abbr> is not mistaken for <a>); "Check html for non html formatting" (HTML-SAFE-03; real CR, LF and
  TAB characters are looked for, not backslash sequences); "html section headers inside correct tag",
  "html sub section headers present" (HTML-VIEW-01); "Check html table ids are present and in correct
  order", "html table headers present and in order that is expected" (HTML-TAB-01, HTML-TAB-02); "Check
  html tables have date column class attribute for date columns" (HTML-TAB-03); "filtered sections should
  contain date range section banner", "should contain the applied start banner", "should contain the
  banner All data items until", "sections should contain the all data items section banner", "section
  date filter applied but date filter not supported in subsection - not applied banner displayed", "Check
  HTML Date banners have the date banner class attribute", "Check that the date banner class is not
  present when sections do not support date filters", "Discontinued repeat medication subsection banner
  displayed with expected message" (HTML-BAN-01); "sections should return no data available html banner"
  and "filtered sections should return no data available html banner" (HTML-TAB-01 with patient1 and a
  period before patient2's data); "Check HTML response includes GP Transfer banners" (HTML-BAN-02).
  "Check HTML Medication Views and the Grouping of Entries" is answered in
  medications_and_periods.feature (HTML-MED-01).

  Specification:
  - GP Connect 0.7.2, HTML layout: https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_html_layout.html
  - GP Connect 0.7.2, HTML implementation guide: https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_development_html_implementation_guide.html

  @req:HTML-SAFE-01
  Scenario Outline: The <section> view of <patient> is well-formed XHTML
    Given a care record request for "<patient>" section "<section>"
    When the request is sent
    Then the section's HTML is well-formed XHTML

    Examples:
      | patient   | section |
      | patient2  | ADM     |
      | patient2  | ALL     |
      | patient2  | CLI     |
      | patient2  | ENC     |
      | patient2  | IMM     |
      | patient2  | MED     |
      | patient2  | OBS     |
      | patient2  | PRB     |
      | patient2  | REF     |
      | patient2  | SUM     |
      | patient1  | SUM     |
      | patient13 | MED     |

  @req:HTML-SAFE-02
  Scenario Outline: The <section> view of <patient> is safe to show
    Given a care record request for "<patient>" section "<section>"
    When the request is sent
    Then the section's HTML is safe to show

    Examples:
      | patient   | section |
      | patient2  | ADM     |
      | patient2  | ALL     |
      | patient2  | CLI     |
      | patient2  | ENC     |
      | patient2  | IMM     |
      | patient2  | MED     |
      | patient2  | OBS     |
      | patient2  | PRB     |
      | patient2  | REF     |
      | patient2  | SUM     |
      | patient1  | SUM     |
      | patient13 | MED     |

  @req:HTML-SAFE-03
  Scenario Outline: The <section> view of <patient> has no formatting characters
    Given a care record request for "<patient>" section "<section>"
    When the request is sent
    Then the section's HTML has no formatting characters

    Examples:
      | patient   | section |
      | patient2  | ADM     |
      | patient2  | ALL     |
      | patient2  | CLI     |
      | patient2  | ENC     |
      | patient2  | IMM     |
      | patient2  | MED     |
      | patient2  | OBS     |
      | patient2  | PRB     |
      | patient2  | REF     |
      | patient2  | SUM     |
      | patient1  | SUM     |
      | patient13 | MED     |

  @req:HTML-VIEW-01
  Scenario Outline: The <section> view of <patient> has its headings
    Given a care record request for "<patient>" section "<section>"
    When the request is sent
    Then the section's HTML has the section's headings

    Examples:
      | patient   | section |
      | patient2  | ADM     |
      | patient2  | ALL     |
      | patient2  | CLI     |
      | patient2  | ENC     |
      | patient2  | IMM     |
      | patient2  | MED     |
      | patient2  | OBS     |
      | patient2  | PRB     |
      | patient2  | REF     |
      | patient2  | SUM     |
      | patient1  | ADM     |
      | patient1  | ALL     |
      | patient1  | CLI     |
      | patient1  | ENC     |
      | patient1  | IMM     |
      | patient1  | MED     |
      | patient1  | OBS     |
      | patient1  | PRB     |
      | patient1  | REF     |
      | patient1  | SUM     |
      | patient13 | ADM     |
      | patient13 | ALL     |
      | patient13 | CLI     |
      | patient13 | ENC     |
      | patient13 | IMM     |
      | patient13 | MED     |
      | patient13 | OBS     |
      | patient13 | PRB     |
      | patient13 | REF     |
      | patient13 | SUM     |

  @req:HTML-TAB-01
  Scenario Outline: The <section> view of <patient> has its tables or says they are empty
    Given a care record request for "<patient>" section "<section>"
    When the request is sent
    Then the section's HTML has the section's tables

    Examples:
      | patient   | section |
      | patient2  | ADM     |
      | patient2  | ALL     |
      | patient2  | CLI     |
      | patient2  | ENC     |
      | patient2  | IMM     |
      | patient2  | MED     |
      | patient2  | OBS     |
      | patient2  | PRB     |
      | patient2  | REF     |
      | patient2  | SUM     |
      | patient1  | ADM     |
      | patient1  | ALL     |
      | patient1  | CLI     |
      | patient1  | ENC     |
      | patient1  | IMM     |
      | patient1  | MED     |
      | patient1  | OBS     |
      | patient1  | PRB     |
      | patient1  | REF     |
      | patient1  | SUM     |
      | patient13 | ADM     |
      | patient13 | ALL     |
      | patient13 | CLI     |
      | patient13 | ENC     |
      | patient13 | IMM     |
      | patient13 | MED     |
      | patient13 | OBS     |
      | patient13 | PRB     |
      | patient13 | REF     |
      | patient13 | SUM     |

  @req:HTML-TAB-02
  Scenario Outline: The <section> view of <patient> has the view's columns in order
    Given a care record request for "<patient>" section "<section>"
    When the request is sent
    Then the section's tables have the view's columns in order

    Examples:
      | patient   | section |
      | patient2  | ADM     |
      | patient2  | ALL     |
      | patient2  | CLI     |
      | patient2  | ENC     |
      | patient2  | IMM     |
      | patient2  | MED     |
      | patient2  | OBS     |
      | patient2  | PRB     |
      | patient2  | REF     |
      | patient2  | SUM     |
      | patient1  | ADM     |
      | patient1  | ALL     |
      | patient1  | CLI     |
      | patient1  | ENC     |
      | patient1  | IMM     |
      | patient1  | MED     |
      | patient1  | OBS     |
      | patient1  | PRB     |
      | patient1  | REF     |
      | patient1  | SUM     |
      | patient13 | ADM     |
      | patient13 | ALL     |
      | patient13 | CLI     |
      | patient13 | ENC     |
      | patient13 | IMM     |
      | patient13 | MED     |
      | patient13 | OBS     |
      | patient13 | PRB     |
      | patient13 | REF     |
      | patient13 | SUM     |

  @req:HTML-TAB-03
  Scenario Outline: The <section> view of <patient> shows its dates in date columns
    Given a care record request for "<patient>" section "<section>"
    When the request is sent
    Then the section's HTML shows its dates in date columns

    Examples:
      | patient   | section |
      | patient2  | ADM     |
      | patient2  | ALL     |
      | patient2  | CLI     |
      | patient2  | ENC     |
      | patient2  | IMM     |
      | patient2  | MED     |
      | patient2  | OBS     |
      | patient2  | PRB     |
      | patient2  | REF     |
      | patient2  | SUM     |
      | patient1  | ADM     |
      | patient1  | ALL     |
      | patient1  | CLI     |
      | patient1  | ENC     |
      | patient1  | IMM     |
      | patient1  | MED     |
      | patient1  | OBS     |
      | patient1  | PRB     |
      | patient1  | REF     |
      | patient1  | SUM     |
      | patient13 | ADM     |
      | patient13 | ALL     |
      | patient13 | CLI     |
      | patient13 | ENC     |
      | patient13 | IMM     |
      | patient13 | MED     |
      | patient13 | OBS     |
      | patient13 | PRB     |
      | patient13 | REF     |
      | patient13 | SUM     |

  @req:HTML-TAB-01
  Scenario Outline: A period before any of patient2's data leaves <section> with its no-content fragment
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>" and ends "<end>"
    When the request is sent
    Then the section's HTML has the section's tables

    Examples:
      | section | start      | end        |
      | ADM     | 1990-01-01 | 1990-12-31 |
      | CLI     | 1990       | 1990       |
      | ENC     | 1990-01    | 1990-06    |
      | REF     | 1990-01-01 | 1990-12-31 |

  @req:HTML-BAN-01
  Scenario Outline: The <section> view without a period shows its date banners
    Given a care record request for "patient2" section "<section>"
    When the request is sent
    Then the section's HTML shows the banners of the period sent

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

  @req:HTML-BAN-01
  Scenario Outline: The <section> view for <start> to <end> shows the period in its banners
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>" and ends "<end>"
    When the request is sent
    Then the section's HTML shows the banners of the period sent

    Examples:
      | section | start      | end        |
      | ADM     | 2015-05-01 | 2099-07-01 |
      | CLI     | 2015-05    | 2099-07    |
      | ENC     | 2015       | 2099       |
      | REF     | 2015-05-01 | 2099-02    |
      | MED     | 2015-05-01 | 2099-07-01 |
      | OBS     | 2015-05-01 | 2099-07-01 |
      | PRB     | 2015-05-01 | 2099-07-01 |
      | ENC     | 1990-01-01 | 1990-12-31 |
      | CLI     | 1990       | 1990       |

  @req:HTML-BAN-01
  Scenario Outline: The <section> view with only a start shows Data items from
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "2015-05-01"
    When the request is sent
    Then the section's HTML shows the banners of the period sent

    Examples:
      | section |
      | ADM     |
      | ENC     |
      | MED     |
      | PRB     |

  @req:HTML-BAN-01
  Scenario Outline: The <section> view with only an end shows Data items until
    Given a care record request for "patient2" section "<section>"
    And the care record period ends "2099-02"
    When the request is sent
    Then the section's HTML shows the banners of the period sent

    Examples:
      | section |
      | CLI     |
      | OBS     |
      | REF     |
      | MED     |

  @req:HTML-BAN-02
  Scenario Outline: A record in transit shows the GP transfer banner in <section>
    Given a care record request for "patient13" section "<section>"
    When the request is sent
    Then the section's HTML shows the GP transfer banner

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
