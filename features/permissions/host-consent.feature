@permissions @host
Feature: Asking the user before a mini-app uses a permission
  The host asks the user before the first use of each declared permission, remembers the decision
  per user, app and permission, and forgets it when the app is uninstalled. These scenarios need
  the host driver (WebDriver adapter of spec/conformance.md) and the probe mini-app.

  Background:
    Given a host with the probe mini-app installed, declaring the location permission

  @PRM-006 @PRM-007
  Scenario: The first use of a permission prompts the user with the manifest's reason
    When the probe calls location.get
    Then the host shows its permission prompt naming the probe and the manifest's reason

  @PRM-008 @PRM-011
  Scenario: A refusal is answered PERMISSION_DENIED and remembered
    When the probe calls location.get
    And the user denies the prompt
    Then the call is answered with PERMISSION_DENIED
    When the probe calls location.get again
    Then the call is answered with PERMISSION_DENIED without a prompt

  @PRM-013
  Scenario: A dismissed prompt is not a refusal
    When the probe calls location.get
    And the user dismisses the prompt
    And the probe calls location.get again
    Then the host prompts again

  @PRM-009 @PRM-017
  Scenario: A grant survives updates and ends with uninstall
    When the probe calls location.get
    And the user grants the prompt
    And the probe is updated to a new version
    Then location.get is answered without a prompt
    When the probe is uninstalled and installed again
    Then location.get prompts again
