import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BundleCache } from '../../src/bundles/bundle-cache.ts';

const digest = (n: number): string => n.toString(16).padStart(64, '0');

/** A store whose reads finish on the next macrotask, so that callers overlap. */
function slowStore(sizes: Map<string, number>) {
  const reads: string[] = [];
  const read = async (sha256: string): Promise<Buffer> => {
    reads.push(sha256);
    await new Promise((resolve) => setTimeout(resolve, 1));
    return Buffer.alloc(sizes.get(sha256) ?? 0, 7);
  };
  return { reads, read };
}

describe('BundleCache', () => {
  it('reads a bundle once for concurrent misses and counts its bytes once', async () => {
    const cache = new BundleCache({ hotFileLimit: 100, hotBudgetBytes: 200 });
    const a = digest(1);
    const b = digest(2);
    const { reads, read } = slowStore(
      new Map([
        [a, 100],
        [b, 100],
      ]),
    );
    const first = await Promise.all([
      cache.bytes({ sha256: a, length: 100 }, read),
      cache.bytes({ sha256: a, length: 100 }, read),
      cache.bytes({ sha256: a, length: 100 }, read),
    ]);
    assert.deepEqual(reads, [a], 'one read for three concurrent misses');
    assert.equal(first[0], first[2]);
    assert.equal(cache.hotBytes, 100);
    // Both fit the budget of 200: neither is evicted, so neither is read again.
    await cache.bytes({ sha256: b, length: 100 }, read);
    await cache.bytes({ sha256: a, length: 100 }, read);
    await cache.bytes({ sha256: b, length: 100 }, read);
    assert.deepEqual(reads, [a, b]);
    assert.equal(cache.hotBytes, 200);
  });

  it('streams bundles above the hot file limit instead of keeping them', async () => {
    const cache = new BundleCache({ hotFileLimit: 10 });
    const { reads, read } = slowStore(new Map([[digest(3), 11]]));
    assert.equal(await cache.bytes({ sha256: digest(3), length: 11 }, read), null);
    assert.deepEqual(reads, []);
  });

  it('never counts more than its budget, whatever the overlap of its reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }), {
          maxLength: 12,
        }),
        async (rounds) => {
          const sizes = new Map([0, 1, 2, 3, 4, 5].map((n) => [digest(n), 20 + n * 10]));
          const cache = new BundleCache({ hotFileLimit: 100, hotBudgetBytes: 120 });
          const { read } = slowStore(sizes);
          for (const round of rounds) {
            // Each round's reads overlap; the next round starts when they end.
            const answers = await Promise.all(
              round.map((n) => cache.bytes({ sha256: digest(n), length: 20 + n * 10 }, read)),
            );
            for (const [i, n] of round.entries()) assert.equal(answers[i]?.length, 20 + n * 10);
          }
          assert.ok(cache.hotBytes <= 120, `holds ${cache.hotBytes} bytes, budget 120`);
          assert.ok(cache.hotBytes >= 0);
        },
      ),
      { numRuns: 100 },
    );
  });
});
