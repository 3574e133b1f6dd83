import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { brokenServers } from '../../conformance/broken/server/catalogue.ts';
import { startProxy } from '../../conformance/broken/server/rewriting-proxy.ts';
import { repositoryRoot } from '../../conformance/framework/index.ts';
import { startServerProcess } from '../../conformance/server/test/server-process.ts';

interface JsonStep {
  result: { status: string };
}
interface JsonScenario {
  name: string;
  steps: JsonStep[];
}
interface JsonFeature {
  uri: string;
  elements: JsonScenario[];
}

/** Runs `npm run features` as a user would (tsx features/run.ts), and reads its JSON report. */
async function runFeatures(
  args: string[],
): Promise<{ code: number | null; output: string; report: JsonFeature[]; reports: string }> {
  const reports = await mkdtemp(path.join(tmpdir(), 'features-report-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'features/run.ts', '--reports', reports, ...args],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const report = JSON.parse(
    await readFile(path.join(reports, 'report.json'), 'utf8'),
  ) as JsonFeature[];
  return { code, output, report, reports };
}

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
    const reportDirs: string[] = [];
    try {
      const started = performance.now();
      const run = await runFeatures(['--credentials', server.credentialsFile]);
      reportDirs.push(run.reports);
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
        assert.ok((await stat(path.join(run.reports, file))).size > 0, `${file} is written`);
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
      reportDirs.push(caught.reports);
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
      for (const dir of reportDirs) await rm(dir, { recursive: true, force: true });
    }
  },
);
