import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { repositoryRoot } from '../../framework/index.ts';

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Reads the `mock` script of package.json, so the test runs what `npm run mock` runs. */
async function mockArguments(port: number): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const manifest = JSON.parse(
    await readFile(path.join(repositoryRoot, 'package.json'), 'utf8'),
  ) as {
    scripts: Record<string, string>;
  };
  const script = manifest.scripts['mock'] ?? '';
  assert.match(script, /^prism mock /);
  return script
    .split(' ')
    .slice(1)
    .map((a) => (a === '4010' ? String(port) : a));
}

describe('npm run mock (Prism mock of the distribution contract)', () => {
  it(
    'starts from schemas/distribution/openapi.yaml, answers a public route, and refuses a request that breaks the contract',
    { timeout: 90_000 },
    async () => {
      const port = await freePort();
      const prism = spawn(
        path.join(repositoryRoot, 'node_modules/.bin/prism'),
        await mockArguments(port),
        {
          cwd: repositoryRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let log = '';
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`Prism did not start:\n${log}`)), 80_000);
          const listen = (chunk: Buffer) => {
            log += chunk.toString();
            if (log.includes('Prism is listening')) {
              clearTimeout(timer);
              resolve();
            }
          };
          prism.stdout.on('data', listen);
          prism.stderr.on('data', listen);
          prism.once('exit', (code) => reject(new Error(`Prism exited with ${code}:\n${log}`)));
        });
        const base = `http://127.0.0.1:${port}`;
        const index = await fetch(`${base}/v1/trust/index.json`);
        assert.equal(index.status, 200);
        const envelope = (await index.json()) as { payloadType?: unknown; signatures?: unknown };
        assert.equal(typeof envelope.payloadType, 'string');
        assert.ok(Array.isArray(envelope.signatures));
        const bad = await fetch(`${base}/v1/updates/check`, {
          method: 'POST',
          headers: { authorization: 'Bearer device-token', 'content-type': 'application/json' },
          body: JSON.stringify({ hostApiVersion: '1.1.0' }),
        });
        assert.equal(bad.status, 400);
        assert.match(bad.headers.get('content-type') ?? '', /problem\+json/);
      } finally {
        prism.kill('SIGTERM');
      }
    },
  );
});
