@storage
Feature: A user is a different person to each mini-app
  Mini-apps never share an identifier of the user: the subject of every app token is a pseudonym
  of the user for that one app, and tokens are signed with keys anyone can check.

  @API-060
  Scenario: One user has a different subject in each app
    Given two released apps
    And a test user of the host
    Then the user is known to the two apps under different subjects

  @API-060
  Scenario: One user keeps one subject in one app, and two users never share it
    Given a released app
    And a test user of the host
    And another test user of the host
    Then the user is known to one app under one stable subject
    And two users of one app are known under different subjects

  @STO-015 @API-062
  Scenario: Tokens are signed with EdDSA or ES256 under a published key id
    Given a released app declaring the userInfo permission
    And a test user of the host
    When the user asks for an app token with the scope userInfo
    Then the token is signed with EdDSA or ES256 by a key the JWKS publishes under its kid
