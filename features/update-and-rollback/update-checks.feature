@updates
Feature: Update checks
  A host asks which version of each installed mini-app it should run. The answer follows one named
  algorithm of the specification (update selection): the newest release of the channel that the
  device may receive and the host can run, and never a step backwards.

  Background:
    Given a partner app
    And a host device
    And version 1 is approved
    And version 1 is released on the stable channel to 100 percent of devices
    And version 2 is approved
    And version 2 is released on the stable channel to 100 percent of devices

  @API-022 @API-026 @API-100
  Scenario: A device with an older version is offered the newest one
    When the device checks for updates with version 1 installed
    Then the device is offered version 2
    And the update is not mandatory
    And the offer names the release envelope and the bundle of version 2, with its length and digest
    And the answer is the one the update selection of the specification gives

  @API-027
  Scenario: A device that runs the newest version is up to date
    When the device checks for updates with version 2 installed
    Then the device is told it is up to date

  @API-023 @API-024
  Scenario: A host too old for the newest version is told which host version it needs
    Given version 3 is approved and needs host version "9.0.0"
    And version 3 is released on the stable channel to 100 percent of devices
    When a device of host version "1.4.0" checks for updates with version 2 installed
    Then the device is told its host is too old, host version "9.0.0" being needed
    And the answer is the one the update selection of the specification gives

  @API-034
  Scenario: A skipped mandatory release makes the newest update mandatory
    Given version 3 is approved
    And version 3 is released on the stable channel to 100 percent of devices as a mandatory update
    And version 4 is approved
    And version 4 is released on the stable channel to 100 percent of devices
    When the device checks for updates with version 2 installed
    Then the device is offered version 4
    And the update is mandatory
    And the answer is the one the update selection of the specification gives

  @API-029
  Scenario: An app the server does not know is answered as up to date
    When the device checks for updates of an app id that no partner registered
    Then the device is told it is up to date

  @API-031
  Scenario: The single-app route answers as the batch does
    When the device checks for updates with version 1 installed
    And the device asks the single-app update route the same question
    Then both routes give the same answer
