@rollout
Feature: Staged rollout
  A partner releases a version to a percentage of devices first. Which devices are inside is decided
  by a bucket computed from the device id, the app id and the version code, so that a device stays in
  or out for the whole rollout and a raise only ever adds devices.

  Background:
    Given a partner app
    And version 1 is approved
    And version 1 is released on the stable channel to 100 percent of devices
    And version 2 is approved

  @API-025 @API-081 @API-173
  Scenario: Only devices inside the cohort are offered a partial rollout
    Given version 2 is released on the stable channel to 30 percent of devices
    And a host device inside the rollout cohort of version 2
    When the device checks for updates with version 1 installed
    Then the device is offered version 2
    And the answer is the one the update selection of the specification gives

  @API-025 @API-081
  Scenario: A device outside the cohort stays where it is
    Given version 2 is released on the stable channel to 30 percent of devices
    And a host device outside the rollout cohort of version 2
    When the device checks for updates with version 1 installed
    Then the device is told it is up to date
    And the answer is the one the update selection of the specification gives

  @API-077
  Scenario: A rollout percentage has at most two decimals
    When the partner releases version 2 on the beta channel to "12.345" percent of devices
    Then the request is refused with status 400 and code API_ROLLOUT_INVALID

  @API-077
  Scenario: A rollout can be raised but never lowered
    Given version 2 is released on the stable channel to 10.5 percent of devices
    When the partner changes the rollout of version 2 to 5 percent
    Then the request is refused with status 400 and code API_ROLLOUT_INVALID
    When the partner changes the rollout of version 2 to 40.25 percent
    Then the release is rolling out to 40.25 percent of devices
