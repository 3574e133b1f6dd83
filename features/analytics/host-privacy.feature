@analytics @host
Feature: What a host sends, and when it sends nothing
  The host sends analytics under a random device id that the user can reset, and nothing at all
  while the user has opted out. The adapter of spec/conformance.md stands for the user in the
  host's settings (its settings command) and for the batch timer (its events command); the host
  suite's conformance distribution server records every batch and update check it receives.

  @ANL-008
  Scenario: Nothing is sent while the user has opted out
    Given a host whose user opted out of analytics
    When the probe mini-app is launched three times and makes a failing bridge call
    Then no batch reaches the ingestion route
    And none of the events recorded meanwhile is sent after the user opts in again

  @ANL-007
  Scenario: A reset device id is never linked to the old one
    Given a host that sent events under one device id
    When the user resets the device id
    Then every later batch and update check carries only the new id
    And no batch holds events recorded before the reset beside events recorded after it

  @ANL-001 @ANL-005
  Scenario: Events carry their required members and no personal data
    When the probe mini-app is launched and throws an error whose message holds an e-mail address
    Then the host's events carry type, eventId, time, appId, versionCode and hostApiVersion
    And no string value of them is personal data or message text
