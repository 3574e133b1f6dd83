import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { commands } from '../main.ts';
import { examplesRoot, runBin, runCli, stderrCode } from './cli-run.ts';

const shop = path.join(examplesRoot, 'shop');

describe('miniapp usage errors', () => {
  const wrong: [string, string[]][] = [
    ['no command', []],
    ['an unknown command', ['publish']],
    ['an unknown option', ['validate', shop, '--strict']],
    ['a missing --out', ['pack', shop]],
    ['a missing --out for keygen', ['keygen']],
    ['an unknown --format', ['validate', shop, '--format', 'xml']],
    ['an unknown --alg', ['keygen', '--out', 'never-written', '--alg', 'dsa']],
    ['a missing argument', ['validate']],
    ['an extra argument', ['validate', shop, shop]],
    ['verify with nothing to verify', ['verify', 'x.ma']],
    ['platform verify without --index', ['verify', 'x.ma', '--root', 'r.json']],
  ];
  for (const [why, argv] of wrong) {
    it(`exits 2 with USAGE on ${why}`, async () => {
      const run = await runCli(argv);
      assert.equal(run.exitCode, 2);
      assert.equal(stderrCode(run), 'USAGE');
      assert.equal(run.stdout, '');
    });
  }

  it('exits 2 from the installed bin too', () => {
    const run = runBin(['validate', shop, '--format', 'xml'], examplesRoot);
    assert.equal(run.exitCode, 2);
    assert.equal(stderrCode(run), 'USAGE');
  });
});

describe('miniapp --help', () => {
  for (const command of commands) {
    it(`exits 0 and shows the usage and options of ${command.name}`, async () => {
      const run = await runCli([command.name, '--help']);
      assert.equal(run.exitCode, 0);
      assert.ok(
        run.stdout.startsWith(`Usage: miniapp ${command.name} `),
        `the usage of ${command.name} starts with its synopsis`,
      );
      for (const option of Object.keys(command.options))
        assert.ok(
          run.stdout.includes(`--${option}`),
          `the usage of ${command.name} lists --${option}`,
        );
    });
  }

  it('exits 0 for the general help and lists every command', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.exitCode, 0);
    for (const command of commands)
      assert.ok(run.stdout.includes(command.name), `the usage lists ${command.name}`);
  });
});
