import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPair } from '../../signing/index.ts';
import { buildZip, manifestEntry, type RawEntry } from '../../package/test/hostile-zip.ts';
import {
  assertRefusedCleanly,
  codesOf,
  copyExample,
  examplesRoot,
  listing,
  parseReport,
  runBin,
  runCli,
  sandbox,
  stderrCode,
  type Sandbox,
} from './cli-run.ts';

const text = (s: string) => new TextEncoder().encode(s);

let box: Sandbox;
/** Every input and output lives in `work`; the sandbox around it must not change. */
let work: string;
let outside: string[];
let goodPackage: Uint8Array;

before(async () => {
  box = await sandbox();
  work = box.at('work');
  await mkdir(work);
  const packed = await runCli([
    'pack',
    path.join(examplesRoot, 'shop'),
    '--out',
    box.at('work', 'shop.ma'),
  ]);
  assert.equal(packed.exitCode, 0, packed.stderr);
  goodPackage = new Uint8Array(await readFile(box.at('work', 'shop.ma')));
  outside = await listing(box.dir);
});
after(async () => {
  assert.deepEqual(await listing(box.dir), outside, 'something was written beside the work folder');
  await box.dispose();
});

async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const target = path.join(work, name);
  await writeFile(target, bytes);
  return target;
}

/** Validates as JSON, asserts a clean refusal and returns the error codes of the report. */
async function refusedCodes(target: string): Promise<string[]> {
  const run = await runCli(['validate', target, '--format', 'json']);
  assertRefusedCleanly(run);
  assert.equal(run.exitCode, 1);
  const report = parseReport(run);
  assert.equal(report.valid, false);
  return codesOf(report);
}

const hostileArchives: [string, RawEntry[], string][] = [
  ['zip slip', [manifestEntry, { name: '../evil.js', data: text('pwned()') }], 'PKG_UNSAFE_PATH'],
  [
    'symbolic link entry',
    [
      manifestEntry,
      { name: 'link', data: text('/etc/passwd'), method: 0, externalAttributes: 0xa1ff0000 },
    ],
    'PKG_SYMLINK',
  ],
  [
    'duplicate names',
    [manifestEntry, { name: 'app.js', data: text('1') }, { name: 'app.js', data: text('2') }],
    'PKG_DUPLICATE_PATH',
  ],
  [
    'decompression bomb',
    [manifestEntry, { name: 'bomb.bin', data: new Uint8Array(8 * 1024 * 1024) }],
    'PKG_COMPRESSION_RATIO',
  ],
];

describe('miniapp validate refuses bad input without crashing', () => {
  it('reports a path that does not exist', async () => {
    assert.deepEqual(await refusedCodes(path.join(work, 'missing')), ['USAGE']);
  });

  it('reports an empty file, random bytes and a truncated package as not a ZIP', async () => {
    assert.deepEqual(await refusedCodes(await file('empty.ma', new Uint8Array())), ['PKG_NOT_ZIP']);
    const noise = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    assert.deepEqual(await refusedCodes(await file('noise.ma', noise)), ['PKG_NOT_ZIP']);
    const truncated = goodPackage.subarray(0, Math.floor(goodPackage.length / 2));
    assert.deepEqual(await refusedCodes(await file('truncated.ma', truncated)), ['PKG_NOT_ZIP']);
  });

  for (const [why, entries, code] of hostileArchives) {
    it(`refuses a hostile archive (${why}) with ${code}`, async () => {
      const target = await file(`${why.replace(/ /g, '-')}.ma`, buildZip(entries));
      assert.deepEqual(await refusedCodes(target), [code]);
    });
  }

  it('reports a 10 MB manifest.json as too large, never as missing [MAN-003]', async () => {
    const huge = `{"name":"${'x'.repeat(10 * 1024 * 1024)}"}`;
    const dir = path.join(work, 'huge-manifest');
    await mkdir(dir);
    await writeFile(path.join(dir, 'manifest.json'), huge);
    assert.deepEqual(await refusedCodes(dir), ['MANIFEST_TOO_LARGE']);
    const stored = buildZip([{ name: 'manifest.json', data: text(huge), method: 0 }]);
    assert.deepEqual(await refusedCodes(await file('huge-manifest.ma', stored)), [
      'MANIFEST_TOO_LARGE',
    ]);
  });

  const manifests: [string, (original: string) => Uint8Array | string, string][] = [
    ['invalid JSON', (m) => m.slice(0, -3), 'MANIFEST_INVALID_JSON'],
    [
      'UTF-16 text',
      (m) => new Uint8Array(Buffer.from(`\uFEFF${m}`, 'utf16le')),
      'MANIFEST_ENCODING',
    ],
    ['a byte order mark', (m) => `\uFEFF${m}`, 'MANIFEST_ENCODING'],
    [
      'an unknown permission',
      (m) => m.replace('"payment":', '"teleport":'),
      'MANIFEST_UNKNOWN_PERMISSION',
    ],
  ];
  for (const [why, corrupt, code] of manifests) {
    it(`reports a manifest with ${why} as ${code}, as a directory and as a package`, async () => {
      const dir = await copyExample(
        box,
        'shop',
        path.join('work', `shop-${why.replace(/ /g, '-')}`),
      );
      const manifestFile = path.join(dir, 'manifest.json');
      await writeFile(manifestFile, corrupt(await readFile(manifestFile, 'utf8')));
      assert.ok(
        (await refusedCodes(dir)).includes(code),
        `a manifest with ${why} in a directory is refused with ${code}`,
      );
      const bytes = buildZip([{ name: 'manifest.json', data: await readFile(manifestFile) }]);
      assert.ok(
        (await refusedCodes(await file(`manifest-${why.replace(/ /g, '-')}.ma`, bytes))).includes(
          code,
        ),
        `a manifest with ${why} in a package is refused with ${code}`,
      );
    });
  }
});

describe('pack, sign and verify refuse bad input without crashing or leaving files', () => {
  it('pack leaves no file, partial or final, when it refuses', async () => {
    const dir = await copyExample(box, 'shop', path.join('work', 'shop-broken'));
    await writeFile(path.join(dir, 'manifest.json'), '{ "specVersion": ');
    const before = await listing(work);
    const run = await runCli(['pack', dir, '--out', path.join(work, 'broken.ma')]);
    assertRefusedCleanly(run);
    assert.equal(run.exitCode, 1);
    assert.deepEqual(await listing(work), before);
  });

  it('pack refuses an output folder that does not exist or is a folder, as usage errors', async () => {
    const source = path.join(examplesRoot, 'shop');
    const before = await listing(work);
    for (const out of [path.join(work, 'nowhere', 'x.ma'), work]) {
      const run = await runCli(['pack', source, '--out', out]);
      assertRefusedCleanly(run);
      assert.equal(run.exitCode, 2);
      assert.equal(stderrCode(run), 'USAGE');
    }
    assert.deepEqual(await listing(work), before);
  });

  it('pack refuses a .ma given where a directory is expected', async () => {
    const run = await runCli([
      'pack',
      path.join(work, 'shop.ma'),
      '--out',
      path.join(work, 'again.ma'),
    ]);
    assertRefusedCleanly(run);
    assert.equal(stderrCode(run), 'USAGE');
    await assert.rejects(stat(path.join(work, 'again.ma')), { code: 'ENOENT' });
  });

  it('sign and verify refuse a missing or hostile package with its code', async () => {
    const slip = await file('slip.ma', buildZip(hostileArchives[0]?.[1] ?? []));
    const key = await file('partner.key.pem', (await generateKeyPair('Ed25519')).privateKeyPem);
    const cases: [string[], string][] = [
      [['sign', path.join(work, 'missing.ma'), '--key', key], 'USAGE'],
      [['sign', slip, '--key', key], 'PKG_UNSAFE_PATH'],
      [['verify', path.join(work, 'missing.ma'), '--statement', slip, '--key', slip], 'USAGE'],
      [['verify', slip, '--statement', slip, '--key', slip], 'PKG_UNSAFE_PATH'],
      [
        ['sign', path.join(work, 'shop.ma'), '--key', path.join(work, 'shop.ma')],
        'SIG_KEY_FILE_INVALID',
      ],
    ];
    for (const [argv, code] of cases) {
      const run = await runCli(argv);
      assertRefusedCleanly(run);
      assert.equal(stderrCode(run), code, argv.join(' '));
    }
  });

  it('prints no stack trace from the installed bin on a hostile package', async () => {
    await file('bin-slip.ma', buildZip(hostileArchives[0]?.[1] ?? []));
    const run = runBin(['validate', 'bin-slip.ma'], work);
    assertRefusedCleanly(run);
    assert.match(run.stderr, /PKG_UNSAFE_PATH/);
  });
});
