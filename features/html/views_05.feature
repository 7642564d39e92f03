@html @until:0.5.3
Feature: Access Record HTML - the 0.5.x layout of the HTML views
  Before 0.7.0 the views are laid out differently, and a provider at html_version 0.5.0 to 0.5.3 is
  judged by the 0.5.x layout, read as a parsed XHTML tree:

  - every table is under its own heading, in the view's order: an h2 per table, a single-table
    section's with the section title (Encounters), and no h1, as NHS Digital's 0.5.x suite and reference
    provider lay it out; or, as the 0.5.x HTML layout guide does, the section title first as the only h1
    and h2 subsection titles under it. The subsections: Problems and Issues has Active and Inactive
    Problems and Issues, Medications Current Medication Issues, Current Repeat Medications and Past
    Medications; the Summary has Active Problems and Issues, Current Medication Issues, Current Repeat
    Medications, Current Allergies and Adverse Reactions and Last 3 Encounters, with Emergency Codes
    first from 0.5.3 (HTML-V05-01);
  - under each heading is its table or, when it has nothing to show, the fragment "No '<heading>' data
    is recorded for this patient." (HTML-V05-01);
  - no element carries any attribute but xmlns: no table ids, no banner or date classes, which 0.7.0
    introduced (HTML-V05-01); the view is well-formed, safe and free of formatting characters as at
    0.7.x;
  - the date banners are paragraphs under the heading: "All relevant items" without a period (0.5.0's
    "All relevant items subject to patient preferences and/or RCGP exclusions" too), "For the period '...'
    to '...'", or "All data items from '...'" / "All data items until '...'" with an open end; the
    tables the period never applies to (Immunisations, Allergies, Active Problems, the current
    medications, every Summary table) show none with a period, and none or "All relevant items" without
    one (HTML-V05-02).

  The 0.5.x HTML layout guide and templates head each view with an h1; NHS Digital's 0.5.x suite
  expects an h2 for every table and its reference provider writes no h1: both are accepted. Each
  table's columns are those of the 0.5.x templates, in order.

  NHS Digital's 0.5.x provider suite (HTML.feature): "HTML should not contain disallowed elements" (its
  "no attributes" step; the rest as HTML-SAFE-01 and HTML-SAFE-02 judge it at 0.7.x), "html section
  headers present", "html table headers present and in order that is expected", "sections should return
  no data available html banner" and "filtered sections should return no data available html banner"
  (HTML-V05-01); "filtered sections should contain date range section banner" and "sections should
  contain the all data items section banner" (HTML-V05-02).

  Specification:
  - GP Connect 0.5.2, HTML layout guide: https://developer.nhs.uk/apis/gpconnect-0-5-2/accessrecord_development_html_layout_guide.html
  - GP Connect 0.5.2, HTML implementation guide: https://developer.nhs.uk/apis/gpconnect-0-5-2/accessrecord_development_html_implementation_guide.html
  - GP Connect 0.5.2, Retrieve a care record section: https://developer.nhs.uk/apis/gpconnect-0-5-2/accessrecord_use_case_retrieve_a_care_record_section.html

  @req:HTML-V05-01
  Scenario Outline: The 0.5.x <section> view of <patient> heads every table and has no attributes
    Given a care record request for "<patient>" section "<section>"
    When the request is sent
    Then the section's HTML is laid out as the 0.5.x views are

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
      | patient1  | MED     |
      | patient13 | ENC     |

  @req:HTML-V05-02
  Scenario Outline: The 0.5.x <section> view without a period shows its banners
    Given a care record request for "patient2" section "<section>"
    When the request is sent
    Then the section's HTML shows the 0.5.x banners of the period sent

    Examples:
      | section |
      | ENC     |
      | MED     |
      | PRB     |
      | SUM     |

  @req:HTML-V05-02
  Scenario Outline: The 0.5.x <section> view for a period from <start> to <end> shows its banners
    Given a care record request for "patient2" section "<section>"
    And the care record period starts "<start>" and ends "<end>"
    When the request is sent
    Then the section's HTML shows the 0.5.x banners of the period sent

    Examples:
      | section | start      | end        |
      | ADM     | 2015-05-01 | 2016-07-01 |
      | MED     | 2015       | 2016-02    |

  @req:HTML-V05-02
  Scenario: The 0.5.x Referrals view for a period with only a start shows its banner
    Given a care record request for "patient2" section "REF"
    And the care record period starts "2015-05-01"
    When the request is sent
    Then the section's HTML shows the 0.5.x banners of the period sent

  @req:HTML-V05-02
  Scenario: The 0.5.x Clinical Items view for a period with only an end shows its banner
    Given a care record request for "patient2" section "CLI"
    And the care record period ends "2016-02"
    When the request is sent
    Then the section's HTML shows the 0.5.x banners of the period sent
