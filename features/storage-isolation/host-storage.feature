@storage @host
Feature: Each mini-app keeps its data to itself
  The host keeps the storage of each mini-app in a namespace of its user and its app id. The steps
  install two probe mini-apps, A and B, through the adapter of spec/conformance.md and read what
  each one sees from inside its own frame.

  Background:
    Given a host with two probe mini-apps, A and B, installed for one user

  @STO-001 @STO-003
  Scenario: No key lets one mini-app read another's storage
    When A stores "secret" under the key "token"
    Then B reads nothing under "token", nor under "../A/token" or any other spelling of it
    And nothing B writes or clears changes what A stored

  @STO-002
  Scenario: Web storage is separate too
    When A writes "secret" to its local storage, session storage, cookies, IndexedDB and caches
    Then B sees none of it

  @STO-006
  Scenario: Storage survives an update
    When A stores "kept" under the key "note"
    And A is updated to a new version
    Then A reads "kept" under "note"

  @STO-005
  Scenario: Uninstalling a mini-app deletes its storage
    When A stores "gone" under the key "note"
    And A writes "gone" to its local storage, session storage, cookies, IndexedDB and caches
    And A is uninstalled and installed again
    Then A reads nothing under "note"
    And A finds none of its earlier web storage

  @STO-007 @STO-010
  Scenario: A write over the quota fails and leaves the old value
    When A stores "old" under the key "big"
    And A stores a value of more than 1 MiB under the key "big"
    Then the write is answered with QUOTA_EXCEEDED
    And A reads "old" under "big"

  @STO-011
  Scenario: A mini-app never sees the super app's own session
    When A asks for an access token
    Then the token is one the distribution server issued for A, not the host user's credential
    And the host user's credential appears nowhere A can read
