@release
Feature: The life of a release
  A release puts an approved version on a channel for a share of devices. The partner pauses,
  resumes, completes or rolls it back; every other move is refused, so that code withdrawn from
  devices cannot quietly come back.

  Background:
    Given a partner app

  @API-076
  Scenario Outline: A release moves only along the allowed transitions
    Given a release that is <state>
    When the partner asks to <action> it
    Then the server answers 200 and the release is <next>

    Examples:
      | state       | action    | next        |
      | rolling out | pause     | paused      |
      | paused      | resume    | rolling out |
      | paused      | complete  | completed   |
      | rolling out | roll back | rolled back |
      | completed   | roll back | rolled back |

  @API-076
  Scenario Outline: Every other move is refused
    Given a release that is <state>
    When the partner asks to <action> it
    Then the server refuses with status 409 and code API_RELEASE_STATE_CONFLICT

    Examples:
      | state       | action   |
      | rolling out | resume   |
      | completed   | pause    |
      | completed   | resume   |
      | rolled back | resume   |
      | rolled back | complete |
