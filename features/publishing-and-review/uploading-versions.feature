@publishing
Feature: Uploading a version
  A partner publishes a mini-app by uploading a package together with a statement signed by one
  of the partner's registered keys. The server stores the version and starts its review; it never
  accepts bytes that the statement does not name, or a statement the partner did not sign.

  Background:
    Given a partner app

  @API-073 @REV-014
  Scenario: A signed version is accepted and its first version waits for a reviewer
    When the partner uploads version 1 signed with its registered key
    Then the upload is accepted as a new version
    And version 1 waits in the manual review queue

  @API-072
  Scenario: Uploading the same package twice gives back the version already stored
    When the partner uploads version 1 signed with its registered key
    And the partner uploads the same package again
    Then the server answers with the version it already has, unchanged

  @API-071 @SIG-021
  Scenario: A statement that names other bytes than the package is refused
    When the partner uploads version 1 with a statement that names another package digest
    Then the request is refused with status 422 and code SIG_DIGEST_MISMATCH

  @SIG-020
  Scenario: A statement signed by a key the partner never registered is refused
    When the partner uploads version 1 signed with a key it never registered
    Then the request is refused with status 422 and code SIG_UNKNOWN_KEY

  @API-074 @SIG-022
  Scenario: A version code that does not increase is refused
    Given the partner has uploaded version 5
    When the partner uploads version 4 signed with its registered key
    Then the request is refused with status 409 and code VERSION_CODE_NOT_INCREASING
