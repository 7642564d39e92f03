@structured @referrals @since:1.4.0
Feature: Get structured record - outbound referrals
  includeReferrals (1.4.x as a beta area, 1.5.0+) with referralSearchPeriod. The "Outbound referral" List (792931000000107)
  holds ReferralRequests authored within the period, never ones entered in error; the reason is coded in
  reasonCode; the requester and recipient are in the Bundle.

  Specification:
  - GP Connect 1.6.0, ReferralRequest: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_referralrequest.html

  Completeness (https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html,
  section "Parameters"): referralSearchPeriod returns *all* ReferralRequests authored within the period (inclusive);
  compared both ways with the unfiltered record.

  Versions: the area and its period arrived in 1.4.x; the period's error rules and the problems linked to
  every area's items are stated from 1.5.0, so those scenarios are not applicable to a 1.4.x provider.

  @req:STR-REF-01
  Scenario Outline: Referrals of <patient> are valid
    Given a structured record request for "<patient>"
    And the parameter "includeReferrals" is added
    When the request is sent
    Then the response is a structured record Bundle for "<patient>"
    And the referrals are valid
    And the "referrals" List is not empty

    Examples:
      | patient  |
      | patient2 |
      | patient3 |

  @req:STR-REF-02
  Scenario Outline: referralSearchPeriod <period> returns only referrals authored within it
    Given a structured record request for "patient2"
    And the part "referralSearchPeriod" of "includeReferrals" is "<period>"
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And the referrals are valid
    And every item of the "referrals" List has its authoredOn within "<period>"
    And the "referrals" answer is complete against the unfiltered record

    Examples:
      | period               |
      | today-100..today     |
      | today-1000..today-50 |
      | ..today-10           |

  @req:STR-REF-03 @since:1.5.0
  Scenario Outline: referralSearchPeriod "<period>" is INVALID_PARAMETER
    Given a structured record request for "patient2"
    And the part "referralSearchPeriod" of "includeReferrals" is "<period>"
    When the request is sent
    Then the response is the error "INVALID_PARAMETER"

    Examples:
      | period                  |
      | 2014..2015-01-01        |
      | 2014-02..2015-01-01     |
      | X2014-02-01..2015-01-01 |
      | 2014-02-01..null        |
      | today+1..               |
      | ..today+5               |
      | 2015-01-01..2014-01-01  |

  @req:STR-REF-04
  Scenario: A confidential referral is withheld with the confidential-items warning
    Given a structured record request for "patient16"
    And the parameter "includeReferrals" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient16"
    And the "referrals" List carries the warning "confidential-items"

  @req:STR-REF-04 @since:1.6.0
  Scenario: The confidential referral is not in the Bundle
    The warning says an item was withheld; the item itself must be absent. The non-withheld view
    (Migrate with sensitive information, confidential items labelled NOPAT) names it. Lists, warning
    codes: https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html
    Given a structured record request for "patient16"
    And the parameter "includeReferrals" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient16"
    And the confidential items of the "referrals" area are not in the Bundle

  @req:STR-REF-05 @since:1.5.0
  Scenario: A problem of patient2 is linked to a ReferralRequest
    Given a structured record request for "patient2"
    And the parameter "includeReferrals" is added
    When the request is sent
    Then the response is a structured record Bundle for "patient2"
    And a problem is linked to a ReferralRequest in the Bundle
