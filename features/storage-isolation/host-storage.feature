@storage @host
Feature: Each mini-app keeps its data to itself
  The host keeps the storage of each mini-app in a namespace of its user and its app id. These
  scenarios need the host driver (WebDriver adapter of spec/conformance.md) and two probe mini-apps.

  Background:
    Given a host with two probe mini-apps, A and B, installed for one user

  @STO-001 @STO-003
  Scenario: No key lets one mini-app read another's storage
    When A stores "secret" under the key "token"
    Then B reads nothing under "token", nor under "../A/token" or any other spelling of it

  @STO-002
  Scenario: Web storage is separate too
    When A writes "secret" to its local storage and a cookie
    Then B sees neither

  @STO-006
  Scenario: Storage survives an update
    When A stores "kept" under the key "note"
    And A is updated to a new version
    Then A reads "kept" under "note"

  @STO-005
  Scenario: Uninstalling a mini-app deletes its storage
    When A stores "gone" under the key "note"
    And A is uninstalled and installed again
    Then A reads nothing under "note"

  @STO-007 @STO-010
  Scenario: A write over the quota fails and leaves the old value
    When A stores "old" under the key "big"
    And A stores a value over the quota under the key "big"
    Then the write is answered with QUOTA_EXCEEDED
    And A reads "old" under "big"

  @STO-011
  Scenario: A mini-app never sees the super app's own session
    When A asks for an access token
    Then the token is an app token for A and not the host user's credential
