import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineSuite, type Suite } from '../../framework/index.ts';
import { sampleSuite, type SampleSubject } from '../../framework/test/sample-suite.ts';
import { main } from '../main.ts';

/** The sample suite, opened on a subject given as JSON on the command line. */
const cliSuite = defineSuite<SampleSubject>({
  ...sampleSuite,
  command: {
    ...sampleSuite.command,
    usage: '<behaviours-json>',
    positionals: { min: 1, max: 1, names: 'a JSON object of behaviours' },
    open: (args) =>
      Promise.resolve({
        subject: JSON.parse(args.positionals[0] ?? '{}') as SampleSubject,
        target: { kind: 'sample', label: 'sample', details: {} },
        implementation: { name: 'Sample packer', version: '1.0.0' },
      }),
  },
});

/** The same suite, opened on a target that does not say what it is. */
const anonymousSuite = defineSuite<SampleSubject>({
  ...cliSuite,
  command: {
    ...cliSuite.command,
    open: (args) =>
      Promise.resolve({
        subject: JSON.parse(args.positionals[0] ?? '{}') as SampleSubject,
        target: { kind: 'sample', label: 'sample', details: {} },
      }),
  },
});

async function run(suite: Suite<SampleSubject>, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  };
  const code = await main(argv, io, [suite as Suite<unknown>]);
  return { code, stdout, stderr };
}

const cli = (...argv: string[]) => run(cliSuite, argv);

/** Writes an expectations file into a fresh folder; returns its path and the folder. */
async function expectationsFile(content: unknown): Promise<{ file: string; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certify-cli-'));
  const file = path.join(dir, 'expectations.json');
  await writeFile(file, JSON.stringify(content));
  return { file, dir };
}

describe('miniapp-certify command line', () => {
  it('prints one progress line per case with a counter and ends with the counts', async () => {
    const r = await cli('package', '{}');
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.filter((l) => /^\[\d\/4\] /.test(l)).length, 4);
    assert.equal(lines.at(-1), '4 passed, 0 failed');
  });

  it('runs the staging lane only when --lane asks for it [CNF-052]', async () => {
    const plain = await cli('package', '{"package.container.single-disk":"fail"}');
    assert.doesNotMatch(plain.stdout, /single-disk/);
    assert.equal(plain.code, 0);
    const all = await cli('package', '{"package.container.single-disk":"fail"}', '--lane', 'all');
    assert.match(all.stdout, /FAIL {2}package\.container\.single-disk {2}PKG-004 \(staging\)/);
    assert.match(all.stdout, /staging lane \(not counted\): 1 passed, 1 failed/);
    assert.equal(all.code, 0);
    const staging = await cli('package', '{}', '--lane', 'staging');
    assert.equal(staging.stdout.split('\n').filter((l) => l.startsWith('[')).length, 2);
    assert.match(staging.stdout, /cannot certify/);
  });

  it('exits 1 and names the case and requirement when a MUST fails', async () => {
    const r = await cli('package', '{"package.container.zip64":"fail"}');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL {2}package\.container\.zip64 {2}PKG-004/);
    assert.match(r.stdout.trimEnd().split('\n').at(-1) ?? '', /^3 passed, 1 failed$/);
  });

  it('exits 3 when every MUST failure is listed in the expectations file, and says so [CNF-051]', async () => {
    const { file, dir } = await expectationsFile({
      expectedFailures: [{ case: 'package.container.zip64', reason: 'fix planned for 2.1' }],
    });
    try {
      const r = await cli(
        'package',
        '{"package.container.zip64":"fail"}',
        '--expectations',
        file,
        '--report-dir',
        dir,
      );
      assert.equal(r.code, 3);
      assert.match(r.stdout, /honouring 1 expected failure\(s\)/);
      assert.match(r.stdout, /expected: fix planned for 2\.1/);
      assert.match(
        r.stdout.trimEnd().split('\n').at(-1) ?? '',
        /^3 passed, 0 failed, 1 expected failure$/,
      );
      const report = JSON.parse(await readFile(path.join(dir, 'certify-package.json'), 'utf8')) as {
        verdict: { exitCode: number };
        implementation: unknown;
        cases: { id: string; status: string }[];
      };
      assert.equal(report.verdict.exitCode, 3);
      assert.deepEqual(report.implementation, { name: 'Sample packer', version: '1.0.0' });
      assert.equal(
        report.cases.find((c) => c.id === 'package.container.zip64')?.status,
        'expectedFailure',
      );
      await readFile(path.join(dir, 'certify-package.junit.xml'));
      await readFile(path.join(dir, 'certify-package.html'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const [args, pattern] of [
    [['package'], /missing a JSON object of behaviours/],
    [['package', '{}', '--format', 'pdf'], /unknown report format "pdf"/],
    [['package', '{}', '--lane', 'fast'], /--lane must be certify, staging or all/],
    [['package', '{}', '--timeout', '-5'], /--timeout/],
    [['package', '{}', '--bogus'], /Unknown option '--bogus'/],
    [['package', '{}', 'extra'], /unexpected argument "extra"/],
    [['package', '{}', '--only', 'nothing.here'], /no case matches --only/],
    [
      ['package', '{}', '--expectations', '/nonexistent/x.json'],
      /cannot read the expectations file/,
    ],
    [['server', 'x'], /not available in this version/],
    [['teapot'], /unknown conformance class "teapot"/],
    [[], /no conformance class given/],
  ] as const) {
    it(`exits 2 with a clear message, never a stack trace: ${args.join(' ') || '(nothing)'}`, async () => {
      const r = await cli(...args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }

  it('exits 1 when a case the expectations file lists passes, and names it [CNF-051]', async () => {
    const { file, dir } = await expectationsFile({
      expectedFailures: [{ case: 'package.manifest.present', reason: 'thought broken, bug 12' }],
    });
    try {
      const r = await cli('package', '{}', '--expectations', file);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /XPASS package\.manifest\.present/);
      assert.match(r.stdout, /listed as expected failures passed: remove/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const [what, content, pattern] of [
    [
      'gives no reason',
      { expectedFailures: [{ case: 'package.container.zip64' }] },
      /not a valid expectations file/,
    ],
    [
      'names a case by its title',
      { expectedFailures: [{ case: 'ZIP64 records', reason: 'our packer writes them' }] },
      /not a valid expectations file: \/expectedFailures\/0\/case/,
    ],
    [
      'names a case the suite does not have',
      {
        expectedFailures: [
          { case: 'package.container.zip64', reason: 'our packer writes them' },
          { case: 'package.container.zip-65', reason: 'a typo of the line above' },
        ],
      },
      /names cases the package suite does not have: package\.container\.zip-65/,
    ],
    [
      'is for another class',
      { class: 'host', expectedFailures: [] },
      /an expectations file of the host class, not package/,
    ],
    [
      'declares an optional feature that is not a MAY line of the class',
      { optionalFeatures: ['PKG-004'] },
      /optional feature PKG-004 is not a MAY line of the package class/,
    ],
  ] as const) {
    it(`refuses, with exit 2 and before running anything, an expectations file that ${what} [CNF-050]`, async () => {
      const { file, dir } = await expectationsFile(content);
      try {
        const r = await cli('package', '{}', '--expectations', file);
        assert.equal(r.code, 2);
        assert.match(r.stderr, pattern);
        assert.doesNotMatch(r.stdout, /^\[/m);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('runs the cases of the optional features the expectations file declares [CNF-001]', async () => {
    const { file, dir } = await expectationsFile({
      implementation: { name: 'Acme packer', version: '3.1' },
      class: 'package',
      optionalFeatures: ['PKG-060'],
    });
    try {
      const r = await cli('package', '{}', '--expectations', file, '--report-dir', dir);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /pass {2}package\.content\.unnamed-files {2}PKG-060 MAY/);
      const report = JSON.parse(await readFile(path.join(dir, 'certify-package.json'), 'utf8')) as {
        implementation: unknown;
        selection: { optionalFeatures: string[] };
      };
      assert.deepEqual(report.implementation, { name: 'Acme packer', version: '3.1' });
      assert.deepEqual(report.selection.optionalFeatures, ['PKG-060']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the implementation from the command line first [CNF-060]', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certify-cli-'));
    try {
      const r = await run(anonymousSuite, [
        'package',
        '{}',
        '--implementation-name',
        'Acme packer',
        '--implementation-version',
        '3.2',
        '--report-dir',
        dir,
        '--format',
        'json',
      ]);
      assert.equal(r.code, 0);
      const report = JSON.parse(await readFile(path.join(dir, 'certify-package.json'), 'utf8')) as {
        implementation: unknown;
      };
      assert.deepEqual(report.implementation, { name: 'Acme packer', version: '3.2' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a run that cannot say which implementation it certifies [CNF-060]', async () => {
    const r = await run(anonymousSuite, ['package', '{}', '--implementation-name', 'Acme']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--implementation-version/);
  });

  it('runs only the selected lane and patterns, and calls the run incomplete [CNF-001]', async () => {
    const r = await cli('package', '{}', '--lane', 'certify', '--only', 'package.manifest.*');
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('[')).length, 2);
    assert.match(r.stdout, /the run cannot certify: the selection ran 2 MUST cases/);
  });

  it('does not certify a class some of whose MUSTs have no case, even when every case passed [CNF-001]', async () => {
    const r = await cli('package', '{}');
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /the run cannot certify: \d+ MUSTs of the class have no case \(BRG-010, .*, and \d+ more\)/,
    );
    assert.match(
      r.stdout,
      /package MUSTs: \d+ in all, \d+ not certifiable from outside, 3 with a case, 3 passed/,
    );
  });
});
