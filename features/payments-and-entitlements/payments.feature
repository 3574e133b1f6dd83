@payments
Feature: Paying for a product and owning it
  A mini-app sells products at prices its partner sets in the platform's catalog. A payment is
  charged at the catalog price, charged once however often the host retries it, and the product
  then belongs to that user alone. Tests use the sandbox provider, which declines every amount
  ending in 13 and which only test principals may use.

  Background:
    Given a released app
    And the app sells the product "gems" at 499 EUR
    And a test user of the host

  @API-053 @API-055 @API-056
  Scenario: A captured payment grants the product to the buyer only
    Given another test user of the host
    When the user buys "gems" with the sandbox provider under the idempotency key "first"
    Then the payment is captured at 499 EUR, with the platform commission recorded
    And the user's entitlements in the app list "gems"
    And the other user's entitlements in the app do not list "gems"

  @API-054
  Scenario: A retried payment is charged once
    When the user buys "gems" with the sandbox provider under the idempotency key "retry"
    And the user repeats the same purchase with the same key
    Then the server answers with the first payment, and no second payment is made

  @API-054
  Scenario: One idempotency key cannot pay for two different things
    Given the app sells the product "coins" at 250 EUR
    When the user buys "gems" with the sandbox provider under the idempotency key "reused"
    And the user sends the same key for the product "coins"
    Then the request is refused with status 409 and code API_IDEMPOTENCY_CONFLICT

  @API-055
  Scenario: The price comes from the catalog, never from the request
    When the user buys "gems" sending a price of 1 EUR in the request
    Then the user is charged the catalog price of 499 EUR, or the purchase is refused

  @API-057
  Scenario: A declined payment grants nothing
    Given the app sells the product "unlucky" at 1013 EUR
    When the user buys "unlucky" with the sandbox provider under the idempotency key "declined"
    Then the request is refused with status 402 and code API_PAYMENT_DECLINED
    And the user's entitlements in the app do not list "unlucky"

  @API-093
  Scenario: Re-pricing leaves earlier payments as they were
    When the user buys "gems" with the sandbox provider under the idempotency key "before"
    And the partner re-prices "gems" to 9900 USD
    Then the captured payment still reads its original amount and commission

  @API-092
  Scenario: Only the owning partner sets the prices of an app
    When another partner tries to re-price "gems" to 1 EUR
    Then the request is refused with status 404 and code API_NOT_FOUND

  @API-058
  Scenario: The sandbox is closed to real users
    Given a user of the host who is not a test principal
    When the user buys "gems" with the sandbox provider under the idempotency key "real"
    Then the purchase is refused
    And the user's entitlements in the app do not list "gems"
