import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  advance,
  initialLaunchState,
  terminalSteps,
  type LaunchEvent,
  type LaunchState,
  type LaunchStep,
} from '../src/launch/launch-state.ts';

const ids = ['launch-a', 'launch-b'];
const event: fc.Arbitrary<LaunchEvent> = fc.oneof(
  fc.constantFrom(...ids).map((launchId) => ({ type: 'start' as const, launchId })),
  fc.constantFrom<LaunchEvent>(
    { type: 'cacheHit' },
    { type: 'cacheMiss' },
    { type: 'metadataVerified' },
    { type: 'offline' },
    { type: 'upToDate' },
    { type: 'downloaded' },
    { type: 'verified' },
    { type: 'compatible' },
    { type: 'incompatible' },
    { type: 'notFound' },
    { type: 'extracted' },
    { type: 'loaded' },
  ),
  fc.constantFrom(...ids).map((launchId) => ({ type: 'handshake' as const, launchId })),
  fc.constantFrom(...ids).map((launchId) => ({ type: 'ready' as const, launchId })),
  fc
    .constantFrom('SIG_DIGEST_MISMATCH', 'SIG_EXPIRED')
    .map((code) => ({ type: 'refuse' as const, code })),
  fc.constant({ type: 'fail' as const, code: 'HOST_ERROR' }),
);

/** The order of the host's steps; a launch never goes backwards within one launch. */
const order: LaunchStep[] = [
  'idle',
  'cache',
  'metadata',
  'download',
  'verify',
  'compatibility',
  'extract',
  'load',
  'handshake',
  'ready',
];

function run(events: LaunchEvent[]): LaunchState[] {
  const states = [initialLaunchState];
  for (const e of events) states.push(advance(states[states.length - 1] ?? initialLaunchState, e));
  return states;
}

describe('the launch state machine', () => {
  it('walks the seven steps in order for a first install', () => {
    const states = run([
      { type: 'start', launchId: 'launch-a' },
      { type: 'cacheMiss' },
      { type: 'metadataVerified' },
      { type: 'downloaded' },
      { type: 'verified' },
      { type: 'compatible' },
      { type: 'extracted' },
      { type: 'loaded' },
      { type: 'ready', launchId: 'launch-a' },
    ]);
    assert.deepEqual(
      states.map((s) => s.step),
      [
        'idle',
        'cache',
        'metadata',
        'download',
        'verify',
        'compatibility',
        'extract',
        'load',
        'handshake',
        'ready',
      ],
    );
  });

  it('runs the verified cache when offline, and only when something is cached', () => {
    const cached = run([
      { type: 'start', launchId: 'launch-a' },
      { type: 'cacheHit' },
      { type: 'offline' },
    ]);
    assert.equal(cached.at(-1)?.step, 'load');
    const empty = run([
      { type: 'start', launchId: 'launch-a' },
      { type: 'cacheMiss' },
      { type: 'offline' },
    ]);
    assert.equal(empty.at(-1)?.step, 'metadata');
  });

  it('never skips a step: each move goes forward by one step, or jumps over the download only from a cache hit', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const states = run(events);
        for (let i = 1; i < states.length; i++) {
          const before = states[i - 1] as LaunchState;
          const after = states[i] as LaunchState;
          if (after === before || after.step === before.step) continue;
          if (terminalSteps.has(after.step) && after.step !== 'ready') continue;
          if (after.step === 'cache') continue; // a new launch
          const from = order.indexOf(before.step);
          const to = order.indexOf(after.step);
          const cacheShortcut =
            before.step === 'metadata' && after.step === 'load' && before.fromCache;
          assert.ok(to === from + 1 || cacheShortcut, `${before.step} -> ${after.step}`);
        }
      }),
    );
  });

  it('reaches ready only through the handshake step, with a ready signal of its own launch', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let state = initialLaunchState;
        for (const e of events) {
          const next = advance(state, e);
          if (next.step === 'ready' && state.step !== 'ready') {
            assert.equal(state.step, 'handshake');
            assert.equal(e.type, 'ready');
            assert.equal((e as { launchId: string }).launchId, state.launchId);
          }
          state = next;
        }
      }),
    );
  });

  it('keeps an outcome until a new launch starts', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let state = initialLaunchState;
        for (const e of events) {
          const next = advance(state, e);
          if (terminalSteps.has(state.step) && e.type !== 'start') assert.deepEqual(next, state);
          state = next;
        }
      }),
    );
  });

  it('records the code of a refusal', () => {
    const states = run([
      { type: 'start', launchId: 'launch-a' },
      { type: 'cacheMiss' },
      { type: 'metadataVerified' },
      { type: 'refuse', code: 'SIG_LENGTH_MISMATCH' },
    ]);
    assert.deepEqual(states.at(-1), {
      step: 'refused',
      launchId: 'launch-a',
      fromCache: false,
      code: 'SIG_LENGTH_MISMATCH',
    });
  });
});
