import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requirementIndex } from '../../framework/index.ts';
import { featureCoverage, featureScenarios } from '../feature-tags.ts';

const text = `@trust
Feature: Example
  @API-036
  Rule: roots

  Background:
    Given a server

  @API-037 @host
  Scenario: one
    Given x

  Scenario Outline: two
    Given <y>

    @API-038
    Examples:
      | y |
      | 1 |

  @ZZZ-999 @SIG-002 # a comment
  Scenario: three
    Given z

  @SIG-001 @pending-reference
  Scenario: four
    Given w
`;

test('a scenario carries its own, its Rule and its Feature tags, and an outline its Examples tags', () => {
  const scenarios = featureScenarios(text, 'x.feature');
  assert.deepEqual(
    scenarios.map((s) => [s.name, s.requirements]),
    [
      ['one', ['API-036', 'API-037']],
      ['two', ['API-036', 'API-038']],
      ['three', ['API-036', 'ZZZ-999', 'SIG-002']],
      ['four', ['API-036', 'SIG-001']],
    ],
  );
  assert.equal(scenarios[0]?.line, 10);
});

test('feature coverage counts @host scenarios as runnable, @pending-reference ones apart, and refuses undefined or withdrawn ids', () => {
  const coverage = featureCoverage(requirementIndex(), [
    ...featureScenarios(text, 'x.feature'),
    ...featureScenarios('Feature: f\n  @PRM-003\n  Scenario: withdrawn\n', 'y.feature'),
    ...featureScenarios('Feature: f\n  Scenario: untagged\n', 'z.feature'),
  ]);
  assert.ok(coverage.runnable.has('API-036') && coverage.runnable.has('API-038'));
  assert.ok(coverage.runnable.has('API-037') && coverage.host.has('API-037'));
  assert.ok(!coverage.host.has('API-038'));
  assert.ok(coverage.excluded.has('SIG-001') && !coverage.runnable.has('SIG-001'));
  assert.equal(coverage.problems.length, 3, coverage.problems.join('\n'));
  assert.match(coverage.problems.join('\n'), /ZZZ-999.*no spec document/);
  assert.match(coverage.problems.join('\n'), /PRM-003.*withdrawn/);
  assert.match(coverage.problems.join('\n'), /untagged.*no requirement id/);
});
