import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, runCli, sandbox, examplesRoot, type Sandbox } from './cli-run.ts';

const hasTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0;

/** Writes zeros to its output until the reader goes away: an endless stream. */
const endlessWriter =
  "const fs=require('node:fs');const b=Buffer.alloc(65536);" +
  "const target=process.env.ENDLESS_TARGET;const fd=target?fs.openSync(target,'w'):1;" +
  'for(;;){try{fs.writeSync(fd,b)}catch{process.exit(0)}}';

interface Outcome {
  exitCode: number | null;
  output: string;
  maxRssKiB: number;
}

/**
 * Runs the real `miniapp` bin through a shell, optionally with another command piped into its stdin
 * as a shell pipeline would (a real pipe, not a socket); fails the test if it has not exited within
 * `timeoutMs` (the bug: an endless read that never returns).
 */
function runBin(argv: string[], feeder?: string, timeoutMs = 30_000) {
  const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;
  const bin = [process.execPath, path.join(repoRoot, 'sdk/bin/miniapp.js'), ...argv].map(quote);
  const measured = hasTime ? ['/usr/bin/time', '-f', quote('rss=%M'), ...bin] : bin;
  const script = `${feeder ? `${feeder} | ` : ''}${measured.join(' ')}`;
  return new Promise<Outcome>((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`miniapp ${argv.join(' ')} still ran after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const rss = /rss=(\d+)/.exec(output)?.[1];
      resolve({ exitCode, output, maxRssKiB: rss === undefined ? 0 : Number(rss) });
    });
  });
}

/** The first registry code the CLI printed, in a human report or a refusal tag. */
function codeOf(output: string): string | undefined {
  return /\b((?:PKG|SIG|MANIFEST)_[A-Z0-9_]+|USAGE)\b/.exec(output)?.[1];
}

/** Memory stays near the bound (a 25 MiB package), far below what an endless read reaches. */
const maxRssKiB = 400 * 1024;

describe('the CLI bounds every input by the bytes it reads [SIG-017] [PKG-091]', () => {
  let box: Sandbox;
  let shop: string;
  let statement: string;
  let publicKey: string;
  const children: ChildProcess[] = [];

  before(async () => {
    box = await sandbox();
    shop = box.at('shop.ma');
    assert.equal(
      (await runCli(['pack', path.join(examplesRoot, 'shop'), '--out', shop])).exitCode,
      0,
    );
    assert.equal((await runCli(['keygen', '--alg', 'ed25519', '--out', box.at('k')])).exitCode, 0);
    statement = box.at('shop.statement.json');
    publicKey = box.at('k.pub.jwk.json');
    const signed = await runCli(['sign', shop, '--key', box.at('k.key.pem'), '--out', statement]);
    assert.equal(signed.exitCode, 0, signed.stderr);
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await box.dispose();
  });

  const cases: [string, () => string[], string][] = [
    [
      'a statement read from /dev/urandom',
      () => ['verify', shop, '--statement', '/dev/urandom', '--key', publicKey],
      'SIG_MALFORMED',
    ],
    [
      'a package read from /dev/zero',
      () => ['verify', '/dev/zero', '--statement', statement, '--key', publicKey],
      'PKG_ARCHIVE_TOO_LARGE',
    ],
    [
      'a public key read from /dev/urandom',
      () => ['verify', shop, '--statement', statement, '--key', '/dev/urandom'],
      'SIG_KEY_INVALID',
    ],
    [
      'a private key read from /dev/zero',
      () => ['sign', shop, '--key', '/dev/zero', '--out', box.at('never.json')],
      'SIG_KEY_FILE_INVALID',
    ],
    [
      'a package to validate read from /dev/zero',
      () => ['validate', '/dev/zero'],
      'PKG_ARCHIVE_TOO_LARGE',
    ],
  ];
  for (const [what, argv, code] of cases) {
    it(`refuses ${what} with ${code}, in bounded memory`, async () => {
      const outcome = await runBin(argv());
      assert.equal(outcome.exitCode, 1, outcome.output);
      assert.equal(codeOf(outcome.output), code, outcome.output);
      if (hasTime) assert.ok(outcome.maxRssKiB < maxRssKiB, `${outcome.maxRssKiB} KiB`);
    });
  }

  it('refuses an endless /dev/stdin given as the statement', async () => {
    const writer = box.at('endless.cjs');
    await writeFile(writer, endlessWriter);
    const outcome = await runBin(
      ['verify', shop, '--statement', '/dev/stdin', '--key', publicKey],
      `${process.execPath} ${writer}`,
    );
    assert.equal(outcome.exitCode, 1, outcome.output);
    assert.equal(codeOf(outcome.output), 'SIG_MALFORMED', outcome.output);
    if (hasTime) assert.ok(outcome.maxRssKiB < maxRssKiB, `${outcome.maxRssKiB} KiB`);
  });

  it('refuses an endless FIFO given as the trust root', async () => {
    const fifo = box.at('root.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.ok(existsSync(fifo), 'the FIFO exists');
    const writer = spawn(process.execPath, ['-e', endlessWriter], {
      stdio: 'ignore',
      env: { ...process.env, ENDLESS_TARGET: fifo },
    });
    children.push(writer);
    const outcome = await runBin([
      'verify',
      shop,
      '--root',
      fifo,
      '--index',
      statement,
      '--bin',
      statement,
      '--delegation',
      statement,
      '--release',
      statement,
      '--statement',
      statement,
    ]);
    writer.kill('SIGKILL');
    assert.equal(outcome.exitCode, 1, outcome.output);
    assert.equal(codeOf(outcome.output), 'SIG_MALFORMED', outcome.output);
  });
});
