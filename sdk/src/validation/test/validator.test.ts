import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { validateTarget } from '../index.ts';

const shop = path.resolve(import.meta.dirname, '../../../../examples/shop');
let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'miniapp-validator-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const errorCodes = (report: Awaited<ReturnType<typeof validateTarget>>) =>
  report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);

describe('validateTarget', () => {
  it('reports a manifest that starts with a byte order mark instead of silently skipping it [MAN-002]', async () => {
    const copy = path.join(dir, 'bom');
    await cp(shop, copy, { recursive: true });
    const manifest = await readFile(path.join(copy, 'manifest.json'), 'utf8');
    await writeFile(path.join(copy, 'manifest.json'), `\uFEFF${manifest}`);
    const asDirectory = await validateTarget(copy);
    assert.deepEqual(errorCodes(asDirectory), ['MANIFEST_ENCODING']);
    assert.equal(asDirectory.valid, false);

    const archive = path.join(dir, 'bom.ma');
    await writeFile(
      archive,
      zipSync({ 'manifest.json': new TextEncoder().encode(`\uFEFF${manifest}`) }),
    );
    assert.ok(
      errorCodes(await validateTarget(archive)).includes('MANIFEST_ENCODING'),
      'a manifest with a byte order mark is MANIFEST_ENCODING',
    );
  });

  it('counts errors and warnings consistently with the verdict', async () => {
    const report = await validateTarget(shop);
    assert.equal(report.valid, true);
    assert.equal(report.errorCount, 0);
    assert.equal(report.warningCount, report.diagnostics.length);
    assert.equal(report.app?.id, 'dev.openminiapp.examples.shop');
    assert.ok(report.fileCount > 0 && report.totalBytes > 0, 'the report counts files and bytes');
  });

  it('reports a target that does not exist as a usage problem, not a crash', async () => {
    const report = await validateTarget(path.join(dir, 'nothing-here'));
    assert.deepEqual(errorCodes(report), ['USAGE']);
    assert.equal(report.fileCount, 0);
  });
});
