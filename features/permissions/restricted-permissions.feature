@permissions
Feature: Restricted permissions at review
  Some permissions (phone number, contacts, payment) need the platform's approval of the partner
  before any mini-app of that partner may declare them. The automated review enforces it, so a
  version that declares one without approval can never reach a device.

  @PRM-019 @PRM-020 @REV-019
  Scenario: A new partner's version that declares a restricted permission is rejected
    Given a new partner with a registered signing key
    And the partner has created an app
    When the partner uploads version 1 declaring the contacts permission
    Then version 1 is rejected by the automated review with finding REVIEW_PERMISSION_RESTRICTED
    When the partner asks to release version 1
    Then the request is refused with status 409 and code API_VERSION_NOT_APPROVED

  @PRM-019 @REV-014
  Scenario: Once an admin allows it, the permission goes to a reviewer instead
    Given a new partner with a registered signing key
    And the partner has created an app
    When an admin allows the partner the restricted permission contacts
    And the partner uploads version 1 declaring the contacts permission
    Then version 1 waits in the manual review queue

  @REV-014
  Scenario: A version that declares a permission for the first time goes to a reviewer
    Given a partner app
    And version 1 is approved
    When the partner uploads version 2 declaring the location permission
    Then version 2 waits in the manual review queue
