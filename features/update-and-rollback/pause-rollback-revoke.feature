@rollback
Feature: Pausing, rolling back and revoking
  When a release goes wrong the partner pauses or rolls it back, and the platform can revoke a
  version outright. Devices stop being offered it at once; devices that already run a revoked
  version are told to leave it.

  Background:
    Given a partner app
    And a host device
    And version 1 is approved
    And version 1 is released on the stable channel to 100 percent of devices
    And version 2 is approved
    And version 2 is released on the stable channel to 50 percent of devices
    And a host device inside the rollout cohort of version 2

  @API-078
  Scenario: A paused release is no longer offered
    When the partner pauses the release of version 2
    And the device checks for updates with version 1 installed
    Then the device is told it is up to date
    And the answer is the one the update selection of the specification gives

  @API-078
  Scenario: A device that installed a rolled-back release is left alone
    When the partner rolls back the release of version 2
    And the device checks for updates with version 2 installed
    Then the device is told it is up to date
    And the answer is the one the update selection of the specification gives

  @API-028 @API-079
  Scenario: A device running a revoked version is told to leave it
    Given version 3 is approved
    And version 3 is released on the stable channel to 100 percent of devices
    When the platform revokes version 2
    And the device checks for updates with version 2 installed
    Then the device is told its version is revoked, with version 3 offered in its place
    And the answer is the one the update selection of the specification gives
