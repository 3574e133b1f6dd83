@analytics @host
Feature: What a host sends, and when it sends nothing
  The host chooses a random device id, lets the user reset it and opt out of analytics altogether.
  These scenarios need the host driver (WebDriver adapter of spec/conformance.md).

  @ANL-008
  Scenario: Nothing is sent while the user has opted out
    Given a host whose user opted out of analytics
    When the probe mini-app is launched three times
    Then no batch reaches the ingestion route, then or after the user opts in again

  @ANL-007
  Scenario: A reset device id is never linked to the old one
    Given a host that sent events under one device id
    When the user resets the device id
    Then every later request carries only the new id

  @ANL-001 @ANL-005
  Scenario: Events carry their required members and no personal data
    When the probe mini-app is launched
    Then the host's events carry type, eventId, time, appId, versionCode and hostApiVersion
    And no string value of them is personal data or message text
