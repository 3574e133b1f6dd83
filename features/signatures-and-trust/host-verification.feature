@trust @host
Feature: What a host refuses to install
  A host verifies every document of an update before it opens a byte of the package. These
  scenarios need the host driver (the WebDriver adapter of spec/conformance.md) and run once it is
  merged; the conformance distribution server serves the tampered documents.

  @SIG-041 @API-047
  Scenario: A bundle whose digest differs from the signed one is refused before it is opened
    Given a host that trusts the conformance distribution server's root
    And the server serves version 2 of an app with bundle bytes that differ from the signed digest
    When the host updates the app
    Then the update fails with code SIG_DIGEST_MISMATCH
    And the host still runs version 1

  @SIG-062
  Scenario: An index older than one the host trusted is refused
    Given a host that trusted index version 5
    When the server serves index version 4
    Then the host refuses the index and installs nothing

  @SIG-090 @SIG-093
  Scenario: A statement that does not hash to the pinned digest is refused
    Given a host that trusts the conformance distribution server's root
    And the server serves a statement whose bytes differ from the digest in the release metadata
    When the host installs the app
    Then the install fails with code SIG_DIGEST_MISMATCH
    And no byte of the package was opened
