import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');
const stackFrame = /^\s+at .+(:\d+:\d+\)?|<anonymous>)$/m;
const startTimeoutMs = 120_000;

interface Started {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** Runs `npm start` exactly as a developer would, with only the given environment. */
function npmStart(env: Record<string, string>): Started {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output, exited };
}

/** Waits for the banner's last line, which is printed once seeding is done and the port listens. */
async function banner(started: Started): Promise<{ base: string; text: string }> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    const base = /listening on (http:\/\/\S+)/.exec(started.output.stdout)?.[1];
    if (base && /WARNING: .*DEVELOPMENT/.test(started.output.stdout))
      return { base, text: started.output.stdout };
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`npm start did not come up:\n${started.output.stdout}\n${started.output.stderr}`);
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGTERM');
  return started.exited;
}

describe('npm start', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('seeds a fresh DATA_DIR, prints the URLs and development credentials, is ready, and stops with 0 on SIGTERM; a restart reuses everything', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'miniapp-npm-start-'));
    dirs.push(dataDir);
    const env = { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', REVIEW_SCREENSHOTS: 'off' };
    const first = npmStart(env);
    children.push(first.child);
    const { base, text } = await banner(first);
    for (const url of [
      '/healthz',
      '/v1/trust/root.json',
      '/v1/catalog/apps',
      '/portal/',
      '/review/',
    ]) {
      assert.ok(text.includes(`${base}${url}`), `prints ${url}`);
    }
    const deviceToken = /host device\s+(mhd_\S+)/.exec(text)?.[1];
    const adminToken = /admin\s+(mas_\S+)/.exec(text)?.[1];
    assert.ok(deviceToken && adminToken, 'prints the credentials');
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const catalog = await fetch(`${base}/v1/catalog/apps`, {
      headers: { authorization: `Bearer ${deviceToken}` },
    });
    assert.equal(catalog.status, 200);
    const { items } = (await catalog.json()) as { items: { appId: string }[] };
    assert.deepEqual(items.map((i) => i.appId).sort(), [
      'dev.openminiapp.examples.notes',
      'dev.openminiapp.examples.places',
      'dev.openminiapp.examples.shop',
    ]);
    assert.equal(await stop(first), 0);
    assert.match(first.output.stdout, /stopped/);
    assert.doesNotMatch(first.output.stderr, stackFrame);

    const second = npmStart(env);
    children.push(second.child);
    const restarted = await banner(second);
    assert.doesNotMatch(restarted.text, /published now/);
    assert.equal(/admin\s+(mas_\S+)/.exec(restarted.text)?.[1], adminToken);
    assert.equal(await stop(second), 0);
  });

  it('starts without examples or credentials when SEED=off', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'miniapp-npm-start-'));
    dirs.push(dataDir);
    const started = npmStart({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', SEED: 'off' });
    children.push(started.child);
    const { base, text } = await banner(started);
    assert.match(text, /seeding:\s+off/);
    assert.doesNotMatch(text, /mas_|mhd_/);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    assert.equal(await stop(started), 0);
  });
});
