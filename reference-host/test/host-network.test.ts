/**
 * The web host server's network overrides [CNF-030]: the conformance adapter's `init.network` sets
 * them, only a conformance build takes them, only from the shell, and only for the names listed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHostServer, type RunningHostServer } from '../server/host-server.ts';

async function webDir(root: string, mode: string | undefined): Promise<string> {
  const dir = path.join(root, mode ?? 'plain');
  await mkdir(path.join(dir, 'runtime'), { recursive: true });
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>shell</title>');
  for (const file of ['bootstrap.js', 'sw.js', 'client.js'])
    await writeFile(path.join(dir, 'runtime', file), '/* runtime */');
  if (mode) await writeFile(path.join(dir, 'build.json'), JSON.stringify({ mode }));
  return dir;
}

/** A self-signed certificate for the test's names, made with the system's openssl. */
async function certificate(root: string, names: string[]): Promise<{ cert: string; key: string }> {
  const cert = path.join(root, 'cert.pem');
  const key = path.join(root, 'key.pem');
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${names[0]}`,
    '-addext',
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  assert.equal(made.status, 0, made.stderr.toString());
  return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
}

describe('network overrides of the web host server [CNF-030]', () => {
  let root: string;
  let tls: { cert: string; key: string };
  let upstream: Server;
  let upstreamPort: number;
  let conformance: RunningHostServer;
  let development: RunningHostServer;
  const shell: Record<string, string> = {
    'x-omp-forward': '1',
    'content-type': 'application/json',
  };

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'omp-host-network-'));
    tls = await certificate(root, ['echo.example.test']);
    upstream = createServer(tls, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ host: req.headers.host, path: req.url }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamPort = (upstream.address() as AddressInfo).port;
    conformance = await startHostServer({ webDir: await webDir(root, 'conformance'), port: 0 });
    development = await startHostServer({ webDir: await webDir(root, undefined), port: 0 });
  });
  after(async () => {
    await conformance?.close();
    await development?.close();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  const overrides = (): Record<string, unknown> => ({
    resolve: { 'echo.example.test': '127.0.0.1' },
    ports: { '8443': upstreamPort },
    caCertificates: [tls.cert],
  });
  const put = (server: RunningHostServer, body: unknown, headers = shell): Promise<Response> =>
    fetch(`${server.hostOrigin}/__network`, {
      method: 'PUT',
      headers,
      body: JSON.stringify(body),
    });
  const forward = (url: string): Promise<Response> =>
    fetch(`${conformance.hostOrigin}/__forward?url=${encodeURIComponent(url)}`, {
      headers: shell,
    });

  it('sends a listed name to its address and mapped port, trusting the given authority, while the request still names its origin', async () => {
    assert.equal((await forward('https://echo.example.test:8443/hi')).status, 502);
    assert.equal((await put(conformance, overrides())).status, 204);
    const answer = await forward('https://echo.example.test:8443/hi');
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { host: 'echo.example.test:8443', path: '/hi' });
    // Only the listed names move: another name is resolved as the system resolves it.
    assert.equal((await forward('https://other.example.test:8443/hi')).status, 502);
    // Forgotten by the adapter's reset.
    const forgotten = await fetch(`${conformance.hostOrigin}/__network`, {
      method: 'DELETE',
      headers: shell,
    });
    assert.equal(forgotten.status, 204);
    assert.equal((await forward('https://echo.example.test:8443/hi')).status, 502);
  });

  it('refuses overrides that do not come from the shell, and any in a build without the adapter', async () => {
    assert.equal(
      (await put(conformance, overrides(), { 'content-type': 'application/json' })).status,
      403,
    );
    const crossSite = await put(conformance, overrides(), {
      ...shell,
      'sec-fetch-site': 'cross-site',
    });
    assert.equal(crossSite.status, 403);
    const foreignOrigin = await put(conformance, overrides(), {
      ...shell,
      origin: 'http://evil.example',
    });
    assert.equal(foreignOrigin.status, 403);
    assert.equal((await put(development, overrides())).status, 404);
    assert.equal((await forward('https://echo.example.test:8443/hi')).status, 502);
  });

  it('refuses malformed overrides with 400 and keeps none of them', async () => {
    for (const body of [
      'not json',
      { resolve: { 'echo.example.test': 'localhost' } },
      { resolve: { Echo_Example: '127.0.0.1' } },
      { resolve: [] },
      { ports: { '8443': 0 } },
      { ports: { '08443': 1 } },
      { caCertificates: ['not a certificate'] },
    ]) {
      const answer = await fetch(`${conformance.hostOrigin}/__network`, {
        method: 'PUT',
        headers: shell,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      assert.equal(answer.status, 400, JSON.stringify(body));
    }
    assert.equal((await forward('https://echo.example.test:8443/hi')).status, 502);
  });
});
