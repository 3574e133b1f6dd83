import assert from 'node:assert/strict';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { startHostProcess } from '../../conformance/broken/host/host-process.ts';
import { hostRecipes } from '../../conformance/broken/host/host-recipes.ts';
import { patchedTree } from '../../conformance/broken/host/patched-tree.ts';
import { repositoryRoot } from '../../conformance/framework/index.ts';
import { ConformanceServer } from '../../conformance/host/distribution/conformance-server.ts';
import { TrustWorld } from '../../conformance/host/distribution/trust-world.ts';
import { readFeatures } from '../../conformance/traceability/feature-tags.ts';
import { runFeatures, type JsonFeature } from './feature-run.ts';

// The @host scenarios against the reference host, started as a child process by path as the host
// suite's corpus test starts it, and against broken hosts of the corpus, which must fail exactly
// the scenarios that show the requirement each one breaks.

const scenarios = (report: JsonFeature[]) =>
  report.flatMap((f) =>
    f.elements.map((s) => ({
      uri: f.uri,
      name: s.name,
      steps: s.steps.map((x) => x.result.status),
    })),
  );
const failed = (report: JsonFeature[]) =>
  scenarios(report)
    .filter((s) => s.steps.includes('failed'))
    .map((s) => s.name);

/** A host of a (patched) tree, its distribution server stub, and how to stop both. */
async function hostOf(recipeName?: string) {
  const recipe = recipeName ? hostRecipes.find((r) => r.name === recipeName) : undefined;
  if (recipeName) assert.ok(recipe, `the corpus has the recipe ${recipeName}`);
  // The host starts pointed at a server with a root; the adapter's init points it at the suite's.
  const stub = await ConformanceServer.start();
  const world = await TrustWorld.create();
  world.publish();
  stub.reset(world);
  const tree = patchedTree(recipe);
  try {
    const host = await startHostProcess(tree.dir, stub.url);
    return {
      url: host.url,
      async stop() {
        await host.stop();
        await stub.close();
        tree.remove();
      },
    };
  } catch (error) {
    await stub.close();
    tree.remove();
    throw error;
  }
}

describe('the @host scenarios on the host suite driver', { timeout: 15 * 60_000 }, () => {
  let reference: Awaited<ReturnType<typeof hostOf>>;
  before(async () => {
    reference = await hostOf();
  });
  after(async () => {
    await reference?.stop();
  });

  it('pass against the reference host, every @host scenario of every host feature', async (t) => {
    const started = performance.now();
    const run = await runFeatures(['--host-url', reference.url, '--profile', 'host']);
    t.diagnostic(
      `@host scenarios against the reference host in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    assert.equal(run.code, 0, run.output.slice(-3000));
    const ran = scenarios(run.report);
    const expected = readFeatures(path.join(repositoryRoot, 'features')).filter((s) =>
      s.tags.includes('@host'),
    );
    assert.equal(ran.length, expected.length, 'every @host scenario ran');
    assert.ok(expected.length >= 16);
    for (const s of ran) {
      assert.ok(
        s.steps.length > 1 && s.steps.every((x) => x === 'passed'),
        `${s.uri} "${s.name}" has steps ${s.steps.join(', ')}`,
      );
    }
    // Server scenarios need a server; a run given only a host says it left them out.
    assert.match(run.output, /server scenarios were not run/);
  });

  it('fail exactly the scenario of the requirement a broken host breaks', async () => {
    // Keyed by user alone, storage is shared by every app [STO-001]; uninstalling an app then
    // deletes nothing under its (unused) namespace, so the uninstall scenario [STO-005] fails too.
    const shared = await hostOf('shared-storage-namespace');
    try {
      const run = await runFeatures([
        '--host-url',
        shared.url,
        '--profile',
        'host',
        '--tags',
        '@storage',
      ]);
      assert.notEqual(run.code, 0);
      assert.deepEqual(
        failed(run.report),
        [
          "No key lets one mini-app read another's storage",
          'Uninstalling a mini-app deletes its storage',
        ],
        run.output.slice(-3000),
      );
      assert.equal(scenarios(run.report).length, 6);
    } finally {
      await shared.stop();
    }
    // Records while opted out and sends the events once the user opts in again [ANL-008].
    const leaky = await hostOf('analytics-ignores-opt-out');
    try {
      const run = await runFeatures([
        '--host-url',
        leaky.url,
        '--profile',
        'host',
        '--tags',
        '@analytics',
      ]);
      assert.notEqual(run.code, 0);
      assert.deepEqual(
        failed(run.report),
        ['Nothing is sent while the user has opted out'],
        run.output.slice(-3000),
      );
    } finally {
      await leaky.stop();
    }
  });
});
