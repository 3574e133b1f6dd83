@permissions @host
Feature: Asking the user before a mini-app uses a permission
  The host asks the user in its own prompt before the first use of each declared permission,
  remembers the decision per user, app and permission across versions, and forgets it when the app
  is uninstalled. The steps drive the host through the adapter of spec/conformance.md (answerPrompt
  is the user's tap on the prompt) and the probe mini-app. The permission is userInfo, which guards
  user.getProfile: unlike location it needs no device hardware, so every host can answer it.

  Background:
    Given a host running the probe mini-app, which declares the userInfo permission with a reason

  @PRM-006 @PRM-007
  Scenario: The first use of a permission prompts the user with the manifest's reason
    When the probe calls user.getProfile
    Then the host shows its permission prompt naming the probe and showing the manifest's reason
    When the user grants the prompt
    Then the call succeeds

  @PRM-008 @PRM-011
  Scenario: A refusal is answered PERMISSION_DENIED and remembered
    When the probe calls user.getProfile
    And the user denies the prompt
    Then the call is answered with PERMISSION_DENIED
    When the probe calls user.getProfile again
    Then the call is answered with PERMISSION_DENIED without a prompt

  @PRM-013 @PRM-008
  Scenario: A dismissed prompt is not a refusal
    When the probe calls user.getProfile
    And the user dismisses the prompt
    Then the call is answered with PERMISSION_DENIED
    When the probe calls user.getProfile again
    Then the host prompts again

  @PRM-009 @PRM-017
  Scenario: A grant survives updates and ends with uninstall
    When the probe calls user.getProfile
    And the user grants the prompt
    And the probe is updated to a new version
    Then user.getProfile is answered without a prompt
    When the probe is uninstalled and installed again
    Then the host keeps no decision of the probe, and user.getProfile prompts again
