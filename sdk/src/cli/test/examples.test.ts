import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  codesOf,
  copyExample,
  examplesRoot,
  exampleNames,
  parseReport,
  runBin,
  runCli,
  sandbox,
  type Sandbox,
} from './cli-run.ts';

const expectedMethods: Record<(typeof exampleNames)[number], { methods: string[]; host: string }> =
  {
    shop: {
      methods: ['host.canIUse', 'payment.pay', 'storage.get', 'storage.set', 'ui.showToast'],
      host: '1.0.0',
    },
    places: {
      methods: ['host.canIUse', 'location.getCurrent', 'network.request'],
      host: '1.0.0',
    },
    // [VER-010] storage.list appeared in host API 1.1.0.
    notes: {
      methods: [
        'host.canIUse',
        'storage.get',
        'storage.list',
        'storage.remove',
        'storage.set',
        'ui.showToast',
      ],
      host: '1.1.0',
    },
  };

let box: Sandbox;
before(async () => {
  box = await sandbox();
});
after(async () => {
  await box.dispose();
});

describe('miniapp validate and pack on the example apps', () => {
  for (const name of exampleNames) {
    it(`validates examples/${name} as a directory and, once packed, as a .ma`, async () => {
      const dir = path.join(examplesRoot, name);
      const asDir = await runCli(['validate', dir, '--format', 'json']);
      assert.equal(asDir.exitCode, 0, asDir.stdout);
      const dirReport = parseReport(asDir);
      assert.deepEqual(codesOf(dirReport), []);
      assert.equal(dirReport.kind, 'directory');
      assert.deepEqual(dirReport.usedMethods, expectedMethods[name].methods);
      assert.equal(dirReport.requiredHostVersion, expectedMethods[name].host);

      const out = box.at(`${name}.ma`);
      const packed = await runCli(['pack', dir, '--out', out]);
      assert.equal(packed.exitCode, 0, packed.stderr);
      const asPackage = await runCli(['validate', out, '--format', 'json']);
      assert.equal(asPackage.exitCode, 0, asPackage.stdout);
      const packageReport = parseReport(asPackage);
      assert.equal(packageReport.kind, 'archive');
      assert.deepEqual(codesOf(packageReport), []);
      assert.deepEqual(packageReport.usedMethods, dirReport.usedMethods);
      assert.equal(packageReport.requiredHostVersion, dirReport.requiredHostVersion);
    });
  }

  it('works as installed: the bin validates and packs in a child process', async () => {
    const validated = runBin(['validate', path.join(examplesRoot, 'notes')], box.dir);
    assert.equal(validated.exitCode, 0, validated.stderr);
    assert.match(validated.stdout, /^valid: dev\.openminiapp\.examples\.notes /m);
    const packed = runBin(
      ['pack', path.join(examplesRoot, 'notes'), '--out', 'bin-notes.ma'],
      box.dir,
    );
    assert.equal(packed.exitCode, 0, packed.stderr);
    assert.ok(
      (await stat(box.at('bin-notes.ma'))).size > 0,
      'bin-notes.ma is written and not empty',
    );
  });
});

/** Copies files one by one in the given order, with varied mtimes and modes, to vary everything but content. */
async function scrambledCopy(
  from: string,
  to: string,
  reverse: boolean,
  seed: number,
): Promise<void> {
  const files = (await readdir(from, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(from, path.join(e.parentPath, e.name)))
    .sort();
  if (reverse) files.reverse();
  for (const [i, file] of files.entries()) {
    const target = path.join(to, file);
    await mkdir(path.dirname(target), { recursive: true });
    await cp(path.join(from, file), target);
    await chmod(target, i % 2 === 0 ? 0o600 : 0o755);
    const when = new Date(Date.UTC(2001 + seed, i % 12, 1 + (i % 27)));
    await utimes(target, when, when);
  }
}

describe('miniapp pack is deterministic', () => {
  it('writes byte-identical packages from copies that differ in mtimes, modes and creation order', async () => {
    for (const name of exampleNames) {
      const source = path.join(examplesRoot, name);
      await scrambledCopy(source, box.at(`a-${name}`), false, 1);
      await scrambledCopy(source, box.at(`b-${name}`), true, 17);
      const first = await runCli(['pack', box.at(`a-${name}`), '--out', box.at(`a-${name}.ma`)]);
      const second = await runCli(['pack', box.at(`b-${name}`), '--out', box.at(`b-${name}.ma`)]);
      assert.equal(first.exitCode, 0, first.stderr);
      assert.equal(second.exitCode, 0, second.stderr);
      const a = await readFile(box.at(`a-${name}.ma`));
      const b = await readFile(box.at(`b-${name}.ma`));
      assert.ok(a.equals(b), `${name}: packages differ`);
      const printed = /sha256:([0-9a-f]{64}) length:(\d+)/.exec(first.stdout);
      assert.ok(printed, first.stdout);
      assert.equal(printed[1], createHash('sha256').update(a).digest('hex'));
      assert.equal(Number(printed[2]), a.length);
      assert.equal(second.stdout.match(/sha256:[0-9a-f]{64}/)?.[0], `sha256:${printed[1]}`);
    }
  });
});

/** 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not found`);
  return text.slice(0, at).split('\n').length;
}

async function editManifest(
  dir: string,
  edit: (m: Record<string, unknown>) => void,
): Promise<void> {
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(manifest);
  await writeFile(file, JSON.stringify(manifest, null, 2));
}

describe('miniapp validate finds incompatibilities before run time', () => {
  it('rejects notes with minHostVersion 1.0.0 at the storage.list call site [VER-010]', async () => {
    const dir = await copyExample(box, 'notes', 'notes-old-host');
    await editManifest(dir, (m) => {
      m.minHostVersion = '1.0.0';
    });
    const run = await runCli(['validate', dir, '--format', 'json']);
    assert.equal(run.exitCode, 1);
    const found = parseReport(run).diagnostics.filter(
      (d) => d.code === 'CODE_METHOD_NEWER_THAN_MIN_HOST',
    );
    assert.equal(found.length, 1, run.stdout);
    const source = await readFile(path.join(dir, 'notes-store.js'), 'utf8');
    assert.equal(found[0]?.location?.file, 'notes-store.js');
    assert.equal(found[0]?.location?.line, lineOf(source, "'storage.list'"));
  });

  it('rejects shop when it calls payment.pay without declaring the payment permission', async () => {
    const dir = await copyExample(box, 'shop', 'shop-no-payment');
    await editManifest(dir, (m) => {
      delete m.permissions;
    });
    const run = await runCli(['validate', dir, '--format', 'json']);
    assert.equal(run.exitCode, 1);
    const found = parseReport(run).diagnostics.find(
      (d) => d.code === 'CODE_PERMISSION_NOT_DECLARED',
    );
    assert.ok(found, run.stdout);
    const source = await readFile(path.join(dir, 'app.js'), 'utf8');
    assert.equal(found.location?.file, 'app.js');
    assert.equal(found.location?.line, lineOf(source, "'payment.pay'"));
  });

  it('rejects a page script that calls eval, and pack refuses to write the package', async () => {
    const dir = await copyExample(box, 'places', 'places-eval');
    const script = path.join(dir, 'app.js');
    const original = await readFile(script, 'utf8');
    await writeFile(script, `${original}\nconst total = eval('1 + 1');\n`);
    const run = await runCli(['validate', dir, '--format', 'json']);
    assert.equal(run.exitCode, 1);
    const found = parseReport(run).diagnostics.find((d) => d.code === 'CODE_EVAL');
    assert.equal(found?.location?.file, 'app.js');
    assert.equal(found?.location?.line, lineOf(`${original}\nconst total = eval`, 'eval'));

    const out = box.at('places-eval.ma');
    const packed = await runCli(['pack', dir, '--out', out]);
    assert.equal(packed.exitCode, 1);
    assert.match(packed.stderr, /CODE_EVAL/);
    await assert.rejects(stat(out), { code: 'ENOENT' });
  });
});
