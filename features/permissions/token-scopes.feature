@permissions
Feature: Scopes of the tokens a mini-app receives
  A mini-app's backend learns about the user through short-lived app tokens. A token never grants a
  scope that the app's approved manifest does not declare, whatever the request asks for.

  Background:
    Given a released app declaring the userInfo permission
    And a test user of the host

  @API-059 @API-061
  Scenario: A declared scope is granted
    When the user asks for an app token with the scope userInfo
    Then the token is issued with exactly the scope userInfo

  @API-061
  Scenario: An undeclared scope is refused
    When the user asks for an app token with the scope contacts
    Then the request is refused with status 403 and code API_SCOPE_NOT_ALLOWED
