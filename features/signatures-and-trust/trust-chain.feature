@trust
Feature: The chain of trust a host verifies
  A host trusts only what a threshold of keys of its trusted root vouches for. The server publishes
  every root version, a short-lived signed index of what may be installed, and for each release the
  platform's countersignature beside the partner's own statement, all public: the signatures, not
  the transport, protect them.

  @API-036 @API-037 @SIG-051 @SIG-052 @SIG-070 @SIG-071
  Scenario: Every root version is served and signed by the root before it
    When a host walks the trust root from version 1
    Then every root version up to the current one is served and signed by the root role before it
    And the root defines the roles root, delegation, release and index, no key serving two of them

  @API-038 @SIG-060 @SIG-061
  Scenario: The index is fresh and signed by the index role
    When a host fetches the current index
    Then the index is signed by the index role and expires at most 24 hours after it was issued
    And a cache may keep the index for at most 300 seconds

  @API-040 @API-041 @SIG-030 @SIG-031 @API-084
  Scenario: An approved release carries the platform's countersignature over what the partner signed
    Given a partner app
    And version 1 is approved
    And version 1 is released on the stable channel to 100 percent of devices
    When anyone fetches the release envelope of version 1 without a credential
    Then the envelope is signed by the release role of the trusted root
    And it names the app, the version code and the package digest that the partner signed for version 1

  @API-105 @API-041
  Scenario: The partner's statement reaches hosts exactly as it was uploaded
    Given a partner app
    And version 1 is approved
    And version 1 is released on the stable channel to 100 percent of devices
    When anyone fetches the partner statement of version 1 without a credential
    Then it is byte for byte the statement the partner uploaded for version 1

  @API-079 @SIG-104 @SIG-105
  Scenario: A revoked version is listed as revoked in the next signed index
    Given a partner app
    And version 1 is approved
    And version 1 is released on the stable channel to 100 percent of devices
    When the platform revokes version 1
    Then within 10 seconds the signed index lists the release envelope of version 1 as revoked
