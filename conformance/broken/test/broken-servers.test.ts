import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { brokenServers } from '../server/catalogue.ts';
import { certify, patchedCopy } from '../server/broken-run.ts';
import { startProxy } from '../server/rewriting-proxy.ts';
import { startServerProcess, type ServerProcess } from '../../server/test/server-process.ts';

/**
 * Each deliberately broken server violates one MUST the way a real implementer could; the server suite,
 * narrowed to the cases of that area, must fail it and name the violated requirement.
 */
const serverEnv = { REVIEW_SCREENSHOTS: 'off' };

/** BROKEN_SERVERS=name,name narrows the corpus to those recipes (for working on a few of them). */
const wanted = process.env.BROKEN_SERVERS?.split(',').filter(Boolean);
const corpus = wanted ? brokenServers.filter((b) => wanted.includes(b.name)) : brokenServers;
if (wanted && corpus.length !== wanted.length)
  throw new Error(
    `BROKEN_SERVERS names unknown recipes: ${wanted.filter((n) => !brokenServers.some((b) => b.name === n)).join(', ')}`,
  );

describe('the server suite fails every broken server and names the violated requirement', () => {
  let reference: ServerProcess;
  /** Cases that fail on the unbroken reference: a break they catch is not shown by them. */
  let controlFailures = new Set<string>();
  before(async () => {
    reference = await startServerProcess({ env: serverEnv });
    const patterns = [...new Set(corpus.flatMap((b) => b.only.split(',')))].join(',');
    const control = await certify([
      '--credentials',
      reference.credentialsFile,
      '--only',
      patterns,
      '--runs',
      '5',
    ]);
    controlFailures = new Set(control.failed.map((f) => f.caseId));
  });

  /** Passes when a case that the unbroken reference passes fails on the broken one and names the requirement. */
  function judge(
    t: { diagnostic(message: string): void; todo(message: string): void },
    broken: (typeof brokenServers)[number],
    run: Awaited<ReturnType<typeof certify>>,
  ): void {
    assert.equal(run.exitCode, 1, `the suite did not fail ${broken.name}:\n${run.output}`);
    const naming = run.failed.filter((f) => f.requirements.includes(broken.violates));
    assert.ok(naming.length > 0, `no failed case names ${broken.violates}:\n${run.output}`);
    const shown = naming.find((f) => !controlFailures.has(f.caseId));
    if (shown) t.diagnostic(`caught by ${shown.caseId}: ${shown.reason}`);
    else
      t.todo(
        `${naming.map((f) => f.caseId).join(', ')} also fail(s) on the unbroken reference server, which breaks ${broken.violates} itself`,
      );
  }
  after(async () => {
    await reference?.stop();
  });

  for (const broken of corpus.filter((b) => b.rules)) {
    test(`${broken.name} (${broken.violates})`, async (t) => {
      const proxy = await startProxy(reference.url, broken.rules ?? {});
      try {
        const run = await certify([
          '--url',
          proxy.url,
          '--credentials',
          reference.credentialsFile,
          '--only',
          broken.only,
          '--runs',
          '5',
        ]);
        judge(t, broken, run);
      } finally {
        await proxy.close();
      }
    });
  }

  for (const broken of corpus.filter((b) => b.patches)) {
    test(`${broken.name} (${broken.violates}, patched copy)`, async (t) => {
      const copy = await patchedCopy(broken);
      let server: ServerProcess | undefined;
      try {
        server = await startServerProcess({ entry: copy.entry, env: serverEnv });
        const run = await certify([
          '--credentials',
          server.credentialsFile,
          '--only',
          broken.only,
          '--runs',
          '5',
        ]);
        judge(t, broken, run);
      } finally {
        await server?.stop();
        await copy.remove();
      }
    });
  }
});
