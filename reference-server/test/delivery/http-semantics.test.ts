import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ifRangeHolds, parseByteRange } from '../../src/delivery/byte-range.ts';
import { entityTagOf, noneMatchHits } from '../../src/delivery/entity-tag.ts';
import { lookupLocale, requestedLocales } from '../../src/delivery/locale-lookup.ts';

describe('byte ranges [API-044] [API-045]', () => {
  it('reads first-last, open-ended and suffix ranges, clamped to the body', () => {
    assert.deepEqual(parseByteRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseByteRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseByteRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseByteRange('bytes=50-500', 100), { start: 50, end: 99 });
  });

  it('calls ranges past the end unsatisfiable and ignores malformed ones', () => {
    assert.equal(parseByteRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-0', 100), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=9-3', 100), null);
    assert.equal(parseByteRange('bytes=0-1,5-6', 100), null);
    assert.equal(parseByteRange('items=0-1', 100), null);
  });

  it('always returns a range inside the body', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.integer({ min: 1, max: 1000 }), (a, b, length) => {
        const range = parseByteRange(`bytes=${String(a)}-${String(b)}`, length);
        if (range && range !== 'unsatisfiable') {
          assert.ok(
            range.start >= 0 && range.start <= range.end && range.end < length,
            `range ${range.start}-${range.end} lies within ${length} bytes`,
          );
        }
      }),
    );
  });

  it('applies a range only when If-Range names the current strong ETag', () => {
    assert.equal(ifRangeHolds(undefined, '"a"'), true);
    assert.equal(ifRangeHolds('"a"', '"a"'), true);
    assert.equal(ifRangeHolds('W/"a"', '"a"'), false);
    assert.equal(ifRangeHolds('Sat, 01 Mar 2026 00:00:00 GMT', '"a"'), false);
  });
});

describe('entity tags [API-018] [API-019]', () => {
  it('tags equal bodies equally and different bodies differently', () => {
    assert.equal(entityTagOf('{"a":1}'), entityTagOf('{"a":1}'));
    assert.notEqual(entityTagOf('{"a":1}'), entityTagOf('{"a":2}'));
  });

  it('matches If-None-Match lists, weak forms and the wildcard, and nothing else', () => {
    const tag = entityTagOf('x');
    assert.equal(noneMatchHits(`"other", ${tag}`, tag), true);
    assert.equal(noneMatchHits(`W/${tag}`, tag), true);
    assert.equal(noneMatchHits('*', tag), true);
    assert.equal(noneMatchHits('"other"', tag), false);
    assert.equal(noneMatchHits(undefined, tag), false);
  });
});

describe('locale lookup [API-051]', () => {
  it('falls back subtag by subtag, then to the default locale', () => {
    assert.equal(lookupLocale(['zh-Hans-CN'], ['en', 'zh-Hans'], 'en'), 'zh-Hans');
    assert.equal(lookupLocale(['pt-BR'], ['en', 'pt'], 'en'), 'pt');
    assert.equal(lookupLocale(['de-CH-x-priv'], ['de-CH', 'en'], 'en'), 'de-CH');
    assert.equal(lookupLocale(['fr'], ['en', 'de'], 'en'), 'en');
    assert.equal(lookupLocale(['EN-gb'], ['en-GB'], 'de'), 'en-GB');
  });

  it('orders Accept-Language by weight and drops refused tags; the parameter wins', () => {
    assert.deepEqual(requestedLocales(undefined, 'fr;q=0.5, de, en;q=0'), ['de', 'fr']);
    assert.deepEqual(requestedLocales('ja', 'fr'), ['ja']);
  });
});
