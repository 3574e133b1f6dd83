import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  appPathPrefix,
  launchDigest,
  warmLaunchParam,
  warmLaunchUrl,
  type RuntimeLaunch,
} from '../src/runtime/runtime-protocol.ts';

const hex = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

const segment = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '.' && s !== '..');
const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));

const runtimeLaunch: fc.Arbitrary<RuntimeLaunch> = fc.record({
  versionKey: hex(24).map((digest) => `${digest}v1`),
  files: fc.dictionary(path, hex(64), { maxKeys: 8 }),
  pages: fc.array(path, { maxLength: 3 }),
  subpackages: fc.array(fc.record({ name: segment, root: path.map((p) => `${p}/`) }), {
    maxLength: 2,
  }),
  csp: fc.string({ maxLength: 40 }),
});

/** What the worker sees: the registration as the runtime server writes it into its script. */
function asWorkerSeesIt(launch: RuntimeLaunch): RuntimeLaunch {
  const body = JSON.stringify(JSON.parse(JSON.stringify({ launch })).launch);
  return new Function(`return ${body};`)() as RuntimeLaunch;
}

describe('the warm start of the runtime', () => {
  it('gives the worker the digest the host computed, through the registration and the worker script', async () => {
    await fc.assert(
      fc.asyncProperty(
        runtimeLaunch.filter((l) => !Object.hasOwn(l.files, '__proto__')),
        async (launch) => {
          assert.equal(await launchDigest(asWorkerSeesIt(launch)), await launchDigest(launch));
        },
      ),
    );
  });

  it('never lets a worker with other file digests, pages or policy vouch for a launch', async () => {
    await fc.assert(
      fc.asyncProperty(runtimeLaunch, runtimeLaunch, async (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        assert.notEqual(await launchDigest(a), await launchDigest(b));
      }),
    );
  });

  it('a package path named __proto__ only costs the warm start (the worker never vouches), never a false match', async () => {
    const launch: RuntimeLaunch = {
      versionKey: `${'a'.repeat(24)}v1`,
      files: JSON.parse('{"__proto__":"00","index.html":"11"}') as Record<string, string>,
      pages: ['index.html'],
      subpackages: [],
      csp: "default-src 'self'",
    };
    assert.notEqual(await launchDigest(asWorkerSeesIt(launch)), await launchDigest(launch));
  });

  it('sends the frame on to exactly the entry page, query and fragment the host asked for', () => {
    const origin = 'http://app-1.localhost:8090';
    fc.assert(
      fc.property(
        path,
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        (page, query, fragment) => {
          const entryUrl =
            appPathPrefix +
            page.split('/').map(encodeURIComponent).join('/') +
            (query ? `?${query}` : '') +
            (fragment ? `#${fragment}` : '');
          const url = new URL(warmLaunchUrl('d'.repeat(64), entryUrl), origin);
          assert.equal(url.pathname, appPathPrefix);
          assert.equal(url.searchParams.get(warmLaunchParam), 'd'.repeat(64));
          // As the worker resolves it (service-worker-entry.ts, warmLaunch).
          const target = new URL(url.searchParams.get('to') ?? '', `${origin}${appPathPrefix}`);
          assert.equal(target.href, new URL(entryUrl, origin).href);
        },
      ),
    );
  });
});
