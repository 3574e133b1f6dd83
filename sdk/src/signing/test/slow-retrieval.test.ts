import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  bundleMinBytesPerWindow,
  bundleRateWindowMs,
  metadataTimeoutMs,
  readMetadataStream,
  readPackageStream,
  slowRetrievalDeadline,
  type Arrival,
} from '../bounded-download.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Yields `chunks` chunks of `size` bytes, `gapMs` apart, then ends (or stalls for ever). */
async function* trickle(
  chunks: number,
  size: number,
  gapMs: number,
  afterwards: 'end' | 'stall' = 'end',
): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < chunks; i++) {
    await sleep(gapMs);
    yield new Uint8Array(size);
  }
  if (afterwards === 'stall') await new Promise(() => undefined);
}

/** A source that records whether the reader closed it. */
function closable(inner: AsyncGenerator<Uint8Array>): {
  source: AsyncIterable<Uint8Array>;
  closed: () => boolean;
} {
  let closed = false;
  return {
    source: {
      [Symbol.asyncIterator]: () => ({
        next: () => inner.next(),
        return: async () => {
          closed = true;
          return { done: true, value: undefined };
        },
      }),
    },
    closed: () => closed,
  };
}

describe('slow retrieval [SIG-111] [SIG-112]', () => {
  it('uses the numbers of the spec: 30 s for metadata, 160 KiB per 10 s for bundles', () => {
    assert.equal(metadataTimeoutMs, 30_000);
    assert.equal(bundleRateWindowMs, 10_000);
    assert.equal(bundleMinBytesPerWindow, 16 * 1024 * 10);
  });

  describe('the bundle deadline', () => {
    const window = bundleRateWindowMs;
    const min = bundleMinBytesPerWindow;

    it('gives a download that received nothing the first 10 seconds, and no more', () => {
      assert.equal(slowRetrievalDeadline([], 0, 0, window, min), 10_000);
      assert.equal(slowRetrievalDeadline([], 12_000, 0, window, min), 12_000);
    });

    it('keeps a download alive until the bytes that make the rate leave the window', () => {
      const arrivals: Arrival[] = [
        { at: 1_000, bytes: min / 2 },
        { at: 9_000, bytes: min / 2 },
      ];
      // Both halves count until the first leaves the window at 11 s.
      assert.equal(slowRetrievalDeadline(arrivals, 9_000, 0, window, min), 11_000);
    });

    it('never ends a download before the grace period, however little arrived', () => {
      assert.equal(slowRetrievalDeadline([{ at: 100, bytes: 1 }], 200, 0, window, min), 10_000);
    });

    it('is a time at which fewer than the minimum bytes arrived in the preceding window (property)', () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ gap: fc.nat(5_000), bytes: fc.integer({ min: 1, max: 200_000 }) }), {
            maxLength: 30,
          }),
          (steps) => {
            let at = 0;
            const arrivals = steps.map((s) => ({ at: (at += s.gap), bytes: s.bytes }));
            const deadline = slowRetrievalDeadline(arrivals, at, 0, window, min);
            const inWindow = (t: number) =>
              arrivals
                .filter((a) => a.at > t - window && a.at <= t)
                .reduce((n, a) => n + a.bytes, 0);
            assert.ok(
              deadline >= window && deadline >= at,
              'the deadline is at or after the window and the start',
            );
            // At the deadline the rate is too low, and one millisecond before it (if later than now) it was not.
            assert.ok(
              inWindow(deadline) < min,
              'at the deadline the window holds fewer than the minimum bytes',
            );
            if (deadline - 1 >= Math.max(at, window))
              assert.ok(
                inWindow(deadline - 1) >= min,
                'just before the deadline the window holds the minimum',
              );
          },
        ),
      );
    });
  });

  it('aborts a bundle that stalls after the first bytes, and closes the connection [SIG-112]', async () => {
    const { source, closed } = closable(trickle(1, 100, 0, 'stall'));
    const started = Date.now();
    await assert.rejects(
      readPackageStream(source, { length: 10_000 }, { windowMs: 150, minBytesPerWindow: 1_000 }),
      { code: 'SIG_SLOW_RETRIEVAL' },
    );
    assert.ok(Date.now() - started < 2_000, 'the slow transfer is aborted within 2 s');
    assert.ok(closed(), 'the source is closed after the abort');
  });

  it('aborts a bundle that keeps trickling below the minimum rate [SIG-112]', async () => {
    // 10 bytes every 20 ms is 200 bytes per 400 ms, under the 1,000 required.
    await assert.rejects(
      readPackageStream(
        trickle(1_000, 10, 20),
        { length: 10_000 },
        {
          windowMs: 400,
          minBytesPerWindow: 1_000,
        },
      ),
      { code: 'SIG_SLOW_RETRIEVAL' },
    );
  });

  it('completes a bundle that arrives fast enough, even when it starts slowly [SIG-112]', async () => {
    async function* slowStart(): AsyncGenerator<Uint8Array> {
      await sleep(100);
      for (let i = 0; i < 20; i++) {
        await sleep(5);
        yield new Uint8Array(500);
      }
    }
    const bytes = await readPackageStream(
      slowStart(),
      { length: 10_000 },
      {
        windowMs: 400,
        minBytesPerWindow: 1_000,
      },
    );
    assert.equal(bytes.length, 10_000);
  });

  it('aborts metadata that is not complete in time, even while bytes keep arriving [SIG-111]', async () => {
    const { source, closed } = closable(trickle(1_000, 10, 10));
    await assert.rejects(readMetadataStream(source, 1_000_000, { timeoutMs: 120 }), {
      code: 'SIG_SLOW_RETRIEVAL',
    });
    assert.ok(closed(), 'the source is closed after the abort');
  });

  it('counts the metadata deadline from when the request was sent, not from the first byte [SIG-111]', async () => {
    await assert.rejects(
      readMetadataStream(trickle(1, 10, 0), 1_000, { timeoutMs: 100, startedAt: Date.now() - 100 }),
      { code: 'SIG_SLOW_RETRIEVAL' },
    );
  });

  it('reads metadata that completes in time [SIG-111]', async () => {
    const bytes = await readMetadataStream(trickle(5, 10, 5), 1_000, { timeoutMs: 2_000 });
    assert.equal(bytes.length, 50);
  });
});
