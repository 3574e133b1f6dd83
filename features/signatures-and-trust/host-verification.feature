@trust @host
Feature: What a host refuses to install
  A host verifies every document of an update before it installs a byte of the package. The host
  suite's conformance distribution server serves the tampered documents; the steps send the
  adapter's install command (spec/conformance.md) and read its outcome and the host's state.

  @SIG-041 @API-047
  Scenario: A bundle whose digest differs from the signed one is refused
    Given a host that trusts the conformance distribution server's root
    And the host installed version 1 of an app
    And the server serves version 2 of the app with bundle bytes that differ from the signed digest
    When the host updates the app
    Then the update fails with code SIG_DIGEST_MISMATCH
    And the host still runs version 1

  @SIG-062
  Scenario: An index older than one the host trusted is refused
    Given a host that trusted index version 5
    When the server serves index version 4, which offers version 2 of the app
    And the host updates the app
    Then the host refuses the index and installs nothing

  # The package bytes are not even an archive: a host that opened them before it checked the
  # statement would meet that fault first and report a package code.
  @SIG-090 @SIG-093
  Scenario: A statement that does not hash to the pinned digest is refused before the package is opened
    Given a host that trusts the conformance distribution server's root
    And the server serves a statement whose bytes differ from the digest in the release metadata, and package bytes that are not an archive
    When the host installs the app
    Then the install fails with code SIG_DIGEST_MISMATCH
    And the host lists no installed version of the app
