import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nulCharacterFaults } from '../manifest-rules.ts';

describe('U+0000 in the manifest (MAN-170)', () => {
  it('finds U+0000 in strings and member names at any depth, vendor members included', () => {
    assert.deepEqual(
      nulCharacterFaults({
        name: 'ok',
        pages: ['a.html', 'b\u0000.html'],
        'x-acme-\u0000': { deep: [{ note: '\u0000' }] },
      }),
      [
        '/pages/1 "b\\u0000.html" contains U+0000',
        '/x-acme-\u0000/deep/0/note "\\u0000" contains U+0000',
        'the member name "x-acme-\\u0000" at / contains U+0000',
      ],
    );
  });

  it('accepts a manifest without U+0000, whatever other control characters it holds', () => {
    assert.deepEqual(nulCharacterFaults({ name: 'tab\there', icons: [{ src: 'a\u0001' }] }), []);
  });

  it('walks a manifest nested far deeper than the call stack', () => {
    let value: unknown = 'end\u0000';
    for (let i = 0; i < 200_000; i += 1) value = [value];
    assert.equal(nulCharacterFaults({ deep: value }).length, 1);
  });
});
