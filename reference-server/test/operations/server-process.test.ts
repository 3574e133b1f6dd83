import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyStoreInto } from '../store-snapshot.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const main = path.join(root, 'reference-server/src/main.ts');
const stackFrame = /^\s+at .+(:\d+:\d+\)?|<anonymous>)$/m;

interface Started {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** Runs `node --import tsx reference-server/src/main.ts` as an operator would, with only the given env. */
function startServer(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: root,
    // Seeding the examples is covered by test/platform; here it would only slow every start.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SEED: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output, exited };
}

async function listeningUrl(started: Started, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /listening on (http:\/\/\S+)/.exec(started.output.stdout);
    if (match?.[1]) return match[1];
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the server did not start:\n${started.output.stdout}\n${started.output.stderr}`);
}

/** The PostgreSQL run of the suite (npm run test:postgres) starts the real process on PostgreSQL too. */
const database = process.env.TEST_DATABASE_URL ?? '';

describe('the server process', () => {
  const dirs: string[] = [];
  const dataDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'miniapp-main-'));
    dirs.push(dir);
    await copyStoreInto(dir);
    return dir;
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('exits 1 with every configuration problem and no stack trace', async () => {
    const started = startServer({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://user:pw@db/miniapp',
      PUBLIC_URL: 'ftp://apps.example.com',
    });
    assert.equal(await started.exited, 1);
    for (const variable of ['PORT', 'DATABASE_URL', 'PUBLIC_URL']) {
      assert.ok(started.output.stderr.includes(variable), `names ${variable}`);
    }
    assert.doesNotMatch(started.output.stderr, stackFrame);
    assert.ok(!started.output.stderr.includes(':pw@'), 'repeats the database password');
  });

  it('exits 1 without a stack trace when the database cannot be reached', async () => {
    const started = startServer({
      DATA_DIR: await dataDir(),
      PORT: '0',
      DATABASE_URL: 'postgresql://nobody:pw@127.0.0.1:1/none',
    });
    assert.equal(await started.exited, 1);
    assert.match(started.output.stderr, /^reference-server: /);
    assert.doesNotMatch(started.output.stderr, stackFrame);
  });

  it('serves on PORT=0, turns unready on SIGTERM, then stops gracefully with status 0 [API-087] [API-088]', async () => {
    const started = startServer({
      DATA_DIR: await dataDir(),
      PORT: '0',
      LOG_LEVEL: 'silent',
      SHUTDOWN_DELAY_MS: '1500',
      DATABASE_URL: database,
    });
    try {
      const base = await listeningUrl(started);
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      assert.equal((await fetch(`${base}/readyz`)).status, 200);

      started.child.kill('SIGTERM');
      // During the delay the process still answers, but no longer as ready.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const draining = await fetch(`${base}/readyz`);
      assert.equal(draining.status, 503);
      assert.equal(draining.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      assert.equal(((await draining.json()) as { code: string }).code, 'API_UNAVAILABLE');
      assert.equal((await fetch(`${base}/healthz`)).status, 200);

      assert.equal(await started.exited, 0);
      assert.doesNotMatch(started.output.stderr, stackFrame);
      await assert.rejects(fetch(`${base}/healthz`), 'the listener is closed');
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    }
  });
});
