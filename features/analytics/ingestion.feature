@analytics
Feature: Receiving analytics events
  Hosts send usage events in batches. The server keeps every valid event of a batch and drops only
  the invalid ones, telling the host which and why; it counts each event once however often a
  batch is resent, and it never publishes a figure that could single out a handful of people.

  Background:
    Given a released app

  @API-063 @ANL-014 @ANL-015 @ANL-017
  Scenario: Valid events are kept and each invalid one is dropped with its reason
    When a device sends a batch of these launch events:
      | time          | app        |
      | 1 minute ago  | released   |
      | 8 days ago    | released   |
      | in 10 minutes | released   |
      | 1 minute ago  | unreleased |
      | 2 minutes ago | released   |
    Then the server accepts 2 events and drops these:
      | event | code                    |
      | 1     | ANALYTICS_EVENT_STALE   |
      | 2     | ANALYTICS_EVENT_STALE   |
      | 3     | ANALYTICS_EVENT_INVALID |

  @API-064
  Scenario: A batch of more than 500 events is refused whole
    When a device sends a batch of 501 launch events
    Then the request is refused with status 413 and code ANALYTICS_BATCH_TOO_LARGE

  @ANL-016 @ANL-018 @ANL-023
  Scenario: A resent batch is counted once
    Given 10 devices each launched the app once yesterday, every batch sent twice
    Then the partner reads 10 launches for yesterday

  @ANL-011
  Scenario: Fewer than 10 devices give no published aggregate
    Given 9 devices each launched the app once yesterday, every batch sent twice
    Then the partner reads no aggregate at all
