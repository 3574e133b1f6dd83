import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMiniAppError } from '../../diagnostics/index.ts';
import { parseFixtures } from '../fixture-file.ts';
import { matchFixture } from '../network-fixture.ts';

const fixtures = parseFixtures([
  { url: 'https://api.example.com/v1/places', body: { places: [] } },
  { method: 'POST', url: 'https://api.example.com/v1/orders', status: 201, body: 'created' },
  { url: 'https://api.example.com/v1/exact?id=7', body: { id: 7 } },
]);

describe('network fixtures', () => {
  it('answers a GET with any query from a fixture without a query, as JSON text', () => {
    const answer = matchFixture(fixtures, 'GET', 'https://api.example.com/v1/places?kind=cafe');
    assert.deepEqual(answer, {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"places":[]}',
    });
  });

  it('matches the method and sends a string body as it is', () => {
    assert.equal(matchFixture(fixtures, 'GET', 'https://api.example.com/v1/orders'), undefined);
    const answer = matchFixture(fixtures, 'post', 'https://api.example.com/v1/orders');
    assert.equal(answer?.status, 201);
    assert.equal(answer?.body, 'created');
  });

  it('requires the exact query when the fixture has one', () => {
    assert.equal(matchFixture(fixtures, 'GET', 'https://api.example.com/v1/exact?id=8'), undefined);
    assert.equal(
      matchFixture(fixtures, 'GET', 'https://api.example.com/v1/exact?id=7')?.body,
      '{"id":7}',
    );
  });

  it('does not match another path or origin', () => {
    assert.equal(matchFixture(fixtures, 'GET', 'https://api.example.com/v1/places2'), undefined);
    assert.equal(matchFixture(fixtures, 'GET', 'https://evil.example/v1/places'), undefined);
  });

  for (const [label, value] of [
    ['a non-array', { url: 'https://a.example' }],
    ['an http URL', [{ url: 'http://a.example/x' }]],
    ['an unknown method', [{ url: 'https://a.example/x', method: 'TRACE' }]],
    ['a status out of range', [{ url: 'https://a.example/x', status: 99 }]],
    ['a non-string header', [{ url: 'https://a.example/x', headers: { a: 1 } }]],
  ] as const) {
    it(`refuses a fixtures file with ${label} as USAGE`, () => {
      assert.throws(
        () => parseFixtures(value),
        (error: unknown) => isMiniAppError(error) && error.code === 'USAGE',
      );
    });
  }
});
