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
      }),
  },
});

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  };
  const code = await main(argv, io, [cliSuite as Suite<unknown>]);
  return { code, stdout, stderr };
}

describe('miniapp-certify command line', () => {
  it('prints one progress line per case with a counter and ends with the counts', async () => {
    const r = await cli('package', '{}');
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.filter((l) => /^\[\d\/6\] /.test(l)).length, 6);
    assert.equal(lines.at(-1), '4 passed, 0 failed');
  });

  it('exits 1 and names the case and requirement when a MUST fails', async () => {
    const r = await cli('package', '{"package.container.zip64":"fail"}');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL {2}package\.container\.zip64 {2}PKG-004/);
    assert.match(r.stdout.trimEnd().split('\n').at(-1) ?? '', /^3 passed, 1 failed$/);
  });

  it('exits 3 when every MUST failure is listed in the expectations file, and says so', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certify-cli-'));
    try {
      const file = path.join(dir, 'expectations.json');
      await writeFile(
        file,
        JSON.stringify({
          expectedFailures: [{ case: 'package.container.zip64', reason: 'fix planned for 2.1' }],
        }),
      );
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
      };
      assert.equal(report.verdict.exitCode, 3);
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

  it('refuses an expectations file that gives no reason', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certify-cli-'));
    try {
      const file = path.join(dir, 'x.json');
      await writeFile(
        file,
        JSON.stringify({ expectedFailures: [{ case: 'package.container.zip64' }] }),
      );
      const r = await cli('package', '{}', '--expectations', file);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /not a valid expectations file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs only the selected lane and patterns', async () => {
    const r = await cli('package', '{}', '--lane', 'certify', '--only', 'package.manifest.*');
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('[')).length, 2);
    assert.match(r.stdout, /a partial run cannot certify/);
  });

  it('certifies when every certify-lane MUST ran, even with the staging lane left out', async () => {
    const r = await cli('package', '{}', '--lane', 'certify');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Certified: all 3 applicable MUST cases passed/);
  });
});
