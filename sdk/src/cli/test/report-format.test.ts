import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { validatorFor } from '#schemas';
import { copyExample, examplesRoot, runCli, sandbox, type Sandbox } from './cli-run.ts';

interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
  }[];
}
interface SarifLog {
  version: string;
  runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: SarifResult[] }[];
}
interface ReportDiagnostic {
  code: string;
  severity: string;
  location?: { file?: string; line?: number };
}

let box: Sandbox;
let broken: string;
before(async () => {
  box = await sandbox();
  // Several findings at once: an eval (with a line), a missing permission and an unknown manifest member.
  broken = await copyExample(box, 'shop', 'shop-broken');
  const script = path.join(broken, 'app.js');
  await writeFile(script, `${await readFile(script, 'utf8')}\neval('1');\n`);
  const manifestFile = path.join(broken, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
  delete manifest.permissions;
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
});
after(async () => {
  await box.dispose();
});

const reportSchema = validatorFor('toolkit/validation-report.schema.json');

describe('miniapp validate --format json', () => {
  it('prints reports that conform to toolkit/validation-report.schema.json, valid or not', async () => {
    const targets = [
      path.join(examplesRoot, 'notes'),
      broken,
      box.at('missing'),
      box.at('missing.ma'),
    ];
    for (const target of targets) {
      const run = await runCli(['validate', target, '--format', 'json']);
      const report = JSON.parse(run.stdout) as { valid: boolean; diagnostics: ReportDiagnostic[] };
      assert.ok(reportSchema(report), JSON.stringify(reportSchema.errors));
      assert.equal(run.exitCode, report.valid ? 0 : 1);
      assert.equal(report.valid, !report.diagnostics.some((d) => d.severity === 'error'));
    }
  });
});

describe('miniapp validate --format sarif', () => {
  it('prints SARIF 2.1.0 whose rules are exactly the codes found, with locations and lines', async () => {
    const json = await runCli(['validate', broken, '--format', 'json']);
    const diagnostics = (JSON.parse(json.stdout) as { diagnostics: ReportDiagnostic[] })
      .diagnostics;
    assert.ok(diagnostics.length >= 2, 'at least two diagnostics to report');
    const run = await runCli(['validate', broken, '--format', 'sarif']);
    assert.equal(run.exitCode, 1);
    const log = JSON.parse(run.stdout) as SarifLog;
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const [only] = log.runs;
    assert.ok(only, 'the SARIF log has one run');
    const ruleIds = only.tool.driver.rules.map((r) => r.id);
    assert.equal(new Set(ruleIds).size, ruleIds.length, 'rules are listed once each');
    assert.deepEqual(new Set(ruleIds), new Set(only.results.map((r) => r.ruleId)));
    assert.equal(only.results.length, diagnostics.length);
    for (const [i, result] of only.results.entries()) {
      const d = diagnostics[i];
      assert.ok(d, 'the SARIF run has a result');
      assert.equal(result.ruleId, d.code);
      assert.equal(result.level, d.severity === 'error' ? 'error' : 'warning');
      assert.ok(result.message.text.length > 0, 'the SARIF result has a message');
      const physical = result.locations[0]?.physicalLocation;
      assert.ok(physical?.artifactLocation.uri, 'the SARIF result names its file');
      if (d.location?.file) assert.equal(physical.artifactLocation.uri, d.location.file);
      if (d.location?.line !== undefined) assert.equal(physical.region?.startLine, d.location.line);
    }
    assert.ok(
      only.results.some((r) => r.ruleId === 'CODE_EVAL' && r.locations[0]?.physicalLocation.region),
      'the CODE_EVAL result has a region',
    );
  });

  it('prints an empty result list for a valid app', async () => {
    const run = await runCli(['validate', path.join(examplesRoot, 'places'), '--format', 'sarif']);
    assert.equal(run.exitCode, 0);
    const log = JSON.parse(run.stdout) as SarifLog;
    assert.deepEqual(log.runs[0]?.results, []);
    assert.deepEqual(log.runs[0]?.tool.driver.rules, []);
  });
});
