import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { brokenServers } from '../../conformance/broken/server/catalogue.ts';
import { startProxy } from '../../conformance/broken/server/rewriting-proxy.ts';
import { startServerProcess } from '../../conformance/server/test/server-process.ts';
import { runFeatures, type JsonFeature } from './feature-run.ts';

function stepStatuses(report: JsonFeature[]): Map<string, string[]> {
  return new Map(
    report.flatMap((f) => f.elements.map((s) => [s.name, s.steps.map((st) => st.result.status)])),
  );
}

test(
  'the features pass against the reference server and fail against a server that forgets a skipped mandatory release',
  { timeout: 5 * 60_000 },
  async (t) => {
    const server = await startServerProcess({ env: { REVIEW_SCREENSHOTS: 'off' } });
    const broken = brokenServers.find((b) => b.name === 'mandatory-not-latched');
    assert.ok(broken?.rules, 'the catalogue has the proxy break mandatory-not-latched');
    const proxy = await startProxy(server.url, broken.rules);
    try {
      const started = performance.now();
      const run = await runFeatures(['--credentials', server.credentialsFile]);
      t.diagnostic(
        `features against the reference server in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      assert.equal(run.code, 0, run.output);
      const statuses = stepStatuses(run.report);
      assert.ok(statuses.size >= 40, `only ${statuses.size} scenarios ran`);
      for (const [name, steps] of statuses) {
        assert.ok(
          steps.every((s) => s === 'passed'),
          `scenario "${name}" has steps ${steps.join(', ')}`,
        );
      }
      for (const file of ['messages.ndjson', 'report.html'])
        assert.ok(run.written.includes(file), `${file} is written`);
      // Without a host URL the default profile leaves the @host scenarios out, and says so.
      assert.ok(![...statuses.keys()].some((n) => /prompt|storage is/i.test(n)));
      assert.match(run.output, /@host scenarios were not run: no host is configured/);

      const caught = await runFeatures([
        '--credentials',
        server.credentialsFile,
        '--url',
        proxy.url,
        'features/update-and-rollback/update-checks.feature',
      ]);
      assert.notEqual(caught.code, 0, caught.output);
      const failed = [...stepStatuses(caught.report)].filter(([, steps]) =>
        steps.includes('failed'),
      );
      assert.deepEqual(
        failed.map(([name]) => name),
        ['A skipped mandatory release makes the newest update mandatory'],
        caught.output,
      );
    } finally {
      await proxy.close();
      await server.stop();
    }
  },
);
