/** Analytics queue, bounded transfers, and the web host's server (runtime origins and forwarding). */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AnalyticsQueue, maxQueuedEvents } from '../src/analytics/analytics-queue.ts';
import { failureOf } from '../src/launch/host-failure.ts';
import { readBundle, readMetadata } from '../src/distribution/transfer.ts';
import { MemoryStore } from '../src/state/key-value-store.ts';
import { startHostServer, type RunningHostServer } from '../server/host-server.ts';

function streamOf(chunks: Uint8Array[], onPull?: () => void): Response {
  let i = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        onPull?.();
        const chunk = chunks[i++];
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    }),
  );
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return failureOf(error).code;
  }
}

/** A body that sends `chunks`, then nothing, never closing. */
function stalled(chunks: Uint8Array[]): Response {
  let i = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks[i++];
        if (chunk) controller.enqueue(chunk);
        else return new Promise<void>(() => undefined);
        return undefined;
      },
    }),
  );
}

describe('bounded transfers', () => {
  const started = { startedAt: Date.now() };

  it('stops reading a bundle as soon as it passes the signed length [SIG-040]', async () => {
    let pulls = 0;
    const endless = streamOf(
      Array.from({ length: 1000 }, () => new Uint8Array(1024)),
      () => pulls++,
    );
    assert.equal(
      await codeOf(readBundle(endless, 4096, () => undefined, started)),
      'SIG_LENGTH_MISMATCH',
    );
    assert.ok(pulls <= 6, `read ${pulls} chunks`);
    assert.equal(
      await codeOf(readBundle(streamOf([new Uint8Array(100)]), 200, () => undefined, started)),
      'SIG_LENGTH_MISMATCH',
    );
  });

  it('reports progress and returns exactly the signed bytes', async () => {
    const seen: number[] = [];
    const bytes = await readBundle(
      streamOf([Uint8Array.of(1, 2), Uint8Array.of(3)]),
      3,
      (p) => seen.push(p.received),
      started,
    );
    assert.deepEqual([...bytes], [1, 2, 3]);
    assert.deepEqual(seen, [2, 3]);
  });

  it('gives up a bundle that brings less than 160 KiB in a 10 s window after the first 10 s [SIG-112]', async () => {
    let now = 0;
    const chunks = Array.from({ length: 40 }, () => new Uint8Array(1024));
    const slow = streamOf(chunks, () => (now += 1000));
    assert.equal(
      await codeOf(
        readBundle(slow, 40 * 1024, () => undefined, { startedAt: 0, clock: () => now }),
      ),
      'SIG_SLOW_RETRIEVAL',
    );
  });

  it('aborts a bundle that stops sending altogether, without waiting for another byte [SIG-112]', async () => {
    // The request went out 9.9 s ago: the first window ends 100 ms from now with 1 KiB received.
    const began = performance.now();
    const code = await codeOf(
      readBundle(stalled([new Uint8Array(1024)]), 1 << 20, () => undefined, {
        startedAt: Date.now() - 9_900,
      }),
    );
    assert.equal(code, 'SIG_SLOW_RETRIEVAL');
    assert.ok(performance.now() - began < 5_000);
  });

  it('aborts metadata not complete 30 s after its request [SIG-111]', async () => {
    const began = performance.now();
    assert.equal(
      await codeOf(readMetadata(stalled([new Uint8Array(10)]), { startedAt: Date.now() - 29_900 })),
      'SIG_SLOW_RETRIEVAL',
    );
    assert.ok(performance.now() - began < 5_000);
  });

  it('refuses metadata over its size limit [SIG-017]', async () => {
    assert.equal(
      await codeOf(
        readMetadata(streamOf([new Uint8Array(600), new Uint8Array(600)]), started, 1000),
      ),
      'SIG_MALFORMED',
    );
  });
});

describe('the analytics queue', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('records only events of the schema, with the common members and nothing else [ANL-001]', async () => {
    const queue = new AnalyticsQueue(new MemoryStore(), '1.2.0', () => now);
    const event = await queue.record('com.example.app', 3, {
      type: 'app.launch',
      mode: 'cold',
      durationMs: 120,
    });
    assert.deepEqual(Object.keys(event ?? {}).sort(), [
      'appId',
      'durationMs',
      'eventId',
      'hostApiVersion',
      'mode',
      'time',
      'type',
      'versionCode',
    ]);
    assert.equal(event?.time, '2026-03-01T12:00:00Z');
    assert.equal(
      await queue.record('com.example.app', 3, {
        type: 'app.error',
        errorType: 'TypeError',
        page: '/abs.html',
      }),
      undefined,
    );
  });

  it('keeps at most 1000 events for at most 7 days, dropping the oldest first [ANL-013]', async () => {
    let clock = new Date('2026-03-01T00:00:00Z');
    const store = new MemoryStore();
    const queue = new AnalyticsQueue(store, '1.2.0', () => clock);
    for (let i = 0; i < maxQueuedEvents + 20; i++) {
      clock = new Date(clock.getTime() + 1000);
      await queue.record('com.example.app', 1, { type: 'page.view', page: 'index.html' });
    }
    const queued = await queue.queued();
    assert.equal(queued.length, maxQueuedEvents);
    assert.equal(queued[0]?.time, '2026-03-01T00:00:21Z');
    clock = new Date('2026-03-09T00:00:00Z');
    await queue.trim();
    assert.equal((await queue.queued()).length, 0);
  });

  it('never queues an event recorded while opted out, even when opting in follows at once [ANL-008]', async () => {
    const queue = new AnalyticsQueue(new MemoryStore(), '1.2.0', () => now);
    await queue.setOptOut(true);
    const during = queue.record('com.example.app', 1, { type: 'page.view', page: 'index.html' });
    const optIn = queue.setOptOut(false);
    const after = queue.record('com.example.app', 1, { type: 'page.view', page: 'next.html' });
    await Promise.all([during, optIn, after]);
    assert.deepEqual(
      (await queue.queued()).map((e) => (e.type === 'page.view' ? e.page : e.type)),
      ['next.html'],
    );
  });

  it('writes a burst of events in one go and keeps the newest 1000 [ANL-013]', async () => {
    const store = new MemoryStore();
    let writes = 0;
    const batch = store.batch.bind(store);
    store.batch = async (operations) => {
      writes++;
      return batch(operations);
    };
    let tick = Date.parse('2026-03-01T00:00:00Z');
    const queue = new AnalyticsQueue(store, '1.2.0', () => new Date((tick += 1000)));
    await Promise.all(
      Array.from({ length: maxQueuedEvents + 100 }, () =>
        queue.record('com.example.app', 1, { type: 'page.view', page: 'index.html' }),
      ),
    );
    const queued = await queue.queued();
    assert.equal(queued.length, maxQueuedEvents);
    assert.equal(queued[0]?.time, '2026-03-01T00:01:41Z');
    assert.ok(writes <= 4, `${writes} store transactions for one burst`);
  });

  it('sends nothing and keeps nothing once the user opted out [ANL-008]', async () => {
    const queue = new AnalyticsQueue(new MemoryStore(), '1.2.0', () => now);
    await queue.record('com.example.app', 1, { type: 'page.view', page: 'index.html' });
    await queue.setOptOut(true);
    await queue.record('com.example.app', 1, { type: 'page.view', page: 'index.html' });
    let sent = 0;
    assert.equal(
      await queue.flush(
        { send: async (batch) => void (sent += batch.events.length) },
        'device-0000000000000001',
      ),
      0,
    );
    assert.equal(sent, 0);
    assert.deepEqual(await queue.queued(), []);
  });
});

describe('the web host server', () => {
  let dir: string;
  let server: RunningHostServer;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'omp-host-server-'));
    await mkdir(path.join(dir, 'runtime'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>shell</title>');
    await writeFile(path.join(dir, 'runtime/bootstrap.js'), '/* bootstrap */');
    await writeFile(path.join(dir, 'runtime/sw.js'), '/* worker */');
    await writeFile(path.join(dir, 'runtime/client.js'), '/* client */');
    server = await startHostServer({ webDir: dir, port: 0 });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A GET with any Host header (fetch may not set one), answered as status, headers and body. */
  const get = (url: string, headers: Record<string, string> = {}): Promise<Response> =>
    new Promise((resolve, reject) => {
      const request = httpRequest(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === 'string') out.set(name, value);
          resolve(
            new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), {
              status: res.statusCode ?? 0,
              headers: out,
            }),
          );
        });
      });
      request.on('error', reject);
      request.end();
    });

  it('serves the shell only on its own name, never framed', async () => {
    const shell = await get(`${server.hostOrigin}/`);
    assert.equal(shell.status, 200);
    assert.match(shell.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal((await get(`http://localhost:${server.port}/`)).status, 421);
  });

  it('serves no file of a mini-app on a runtime origin, only the bootstrap', async () => {
    const origin = server.runtimeOrigin('aexample');
    // Node's fetch resolves *.localhost like a browser does not, so the Host header names the origin.
    const at = (p: string, headers: Record<string, string> = {}): Promise<Response> =>
      get(`${server.hostOrigin}${p}`, { host: new URL(origin).host, ...headers });
    const bootstrap = await at('/__omp/bootstrap.html');
    assert.equal(bootstrap.status, 200);
    assert.match(
      bootstrap.headers.get('content-security-policy') ?? '',
      new RegExp(`frame-ancestors ${server.hostOrigin}`),
    );
    for (const p of ['/app/index.html', '/index.html', '/manifest.json', '/runtime/client.js'])
      assert.equal((await at(p)).status, 404, p);
  });

  it('serves a worker only for the version the shell registered, and only as a worker script', async () => {
    const host = new URL(server.runtimeOrigin('aexample')).host;
    const worker = (
      key: string,
      headers: Record<string, string> = { 'service-worker': 'script' },
    ): Promise<Response> => get(`${server.hostOrigin}/__omp/sw.js?k=${key}`, { host, ...headers });
    assert.equal((await worker('v1')).status, 404);
    const launch = {
      versionKey: 'v1',
      files: { 'index.html': 'ab'.repeat(32) },
      pages: ['index.html'],
      subpackages: [],
      csp: "default-src 'self'",
    };
    const refused = await fetch(`${server.hostOrigin}/__runtime/register`, {
      method: 'POST',
      body: JSON.stringify({ label: 'aexample', versionKey: 'v1', launch }),
    });
    assert.equal(refused.status, 403);
    const registered = await fetch(`${server.hostOrigin}/__runtime/register`, {
      method: 'POST',
      headers: { 'x-omp-forward': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'aexample', versionKey: 'v1', launch }),
    });
    assert.equal(registered.status, 204);
    const served = await worker('v1');
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('service-worker-allowed'), '/app/');
    assert.match(await served.text(), /"index.html":"abab/);
    assert.equal((await worker('v2')).status, 404);
    assert.equal((await worker('v1', {})).status, 404);
  });

  it('forwards only requests of the shell, only to https or loopback', async () => {
    const forward = (
      target: string,
      headers: Record<string, string> = { 'x-omp-forward': '1' },
    ): Promise<Response> =>
      get(`${server.hostOrigin}/__forward?url=${encodeURIComponent(target)}`, headers);
    assert.equal((await forward(`${server.hostOrigin}/index.html`, {})).status, 403);
    assert.equal((await forward('http://example.com/')).status, 403);
    assert.equal((await forward('file:///etc/passwd')).status, 403);
    const looped = await forward(`${server.hostOrigin}/index.html`);
    assert.equal(looped.status, 200);
    const unreachable = await forward('http://127.0.0.1:1/nothing');
    assert.deepEqual(
      [unreachable.status, unreachable.headers.get('x-omp-upstream')],
      [502, 'unreachable'],
    );
  });

  it('forwards bodies and answers as they are, and never completes a response the upstream cut', async () => {
    const upstream = createServer((req, res) => {
      if (req.url === '/cut') {
        // Announces 1000 bytes, sends 10, then drops the connection.
        res.writeHead(200, { 'content-length': '1000', etag: '"cut"' });
        res.write(Buffer.alloc(10));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': 'a=b' });
        res.end(JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString() }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    try {
      const posted = await fetch(
        `${server.hostOrigin}/__forward?url=${encodeURIComponent(`${base}/echo`)}`,
        { method: 'POST', headers: { 'x-omp-forward': '1' }, body: 'hello' },
      );
      assert.equal(posted.status, 201);
      assert.equal(posted.headers.get('set-cookie'), null);
      assert.equal(posted.headers.get('cache-control'), 'no-store');
      assert.deepEqual(await posted.json(), { method: 'POST', body: 'hello' });
      const cut = await fetch(
        `${server.hostOrigin}/__forward?url=${encodeURIComponent(`${base}/cut`)}`,
        { headers: { 'x-omp-forward': '1' } },
      );
      assert.equal(cut.status, 200);
      await assert.rejects(cut.arrayBuffer(), 'a cut body must fail, not end short');
    } finally {
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
