@review
Feature: Manual review
  Versions that need a person's judgement wait in a queue. A reviewer approves or rejects each one;
  a rejection tells the partner what to change, and nothing rejected can reach a device.

  Background:
    Given a partner app
    And the partner has uploaded version 1

  @API-083 @REV-017
  Scenario: A rejection without feedback is refused
    When a reviewer rejects version 1 without feedback
    Then the request is refused with status 400 and code API_VALIDATION_FAILED
    And version 1 waits in the manual review queue

  @API-083 @REV-017 @REV-018 @REV-010
  Scenario: The partner reads the reviewer's feedback on a rejected version
    When a reviewer rejects version 1 with the feedback "Describe what the app does on its first page."
    Then the partner reads the rejection of version 1 with the feedback "Describe what the app does on its first page.", the reviewer and the time

  @API-075 @REV-019
  Scenario: A rejected version can never be released
    When a reviewer rejects version 1 with the feedback "The entry page is empty."
    And the partner asks to release version 1
    Then the request is refused with status 409 and code API_VERSION_NOT_APPROVED

  @API-075
  Scenario: A version still waiting for review cannot be released
    When the partner asks to release version 1
    Then the request is refused with status 409 and code API_VERSION_NOT_APPROVED
