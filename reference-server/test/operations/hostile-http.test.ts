import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { InjectOptions } from 'fastify';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import { multipartBody, publishApprovedVersion } from '../publish/publish-fixture.ts';

/** Sends raw bytes over a real socket and collects what comes back until the server closes it. */
function rawExchange(
  port: number,
  send: (socket: ReturnType<typeof connect>) => void,
  giveUpMs: number,
): Promise<{ response: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => send(socket));
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ response, closedAfterMs: Date.now() - started });
    });
  });
}

describe('hostile HTTP input: every request gets a coded answer, never a 500 (issue 7)', () => {
  let server: TestServer;
  let admin: string;
  let partner: { partnerId: string; token: string };
  let device: { token: string; deviceId: string };

  before(async () => {
    server = await startTestServer();
    admin = (await server.admin()).token;
    partner = await server.partner();
    device = await server.hostDevice();
  });
  after(() => server.close());

  describe('U+0000 in a stored string [API-174]', () => {
    const nul = 'bad\u0000name';
    const cases: [string, () => InjectOptions, string][] = [
      [
        'a partner name',
        () => ({
          method: 'POST',
          url: '/v1/admin/partners',
          headers: bearer(admin),
          payload: { name: nul },
        }),
        '/name',
      ],
      [
        'an app name',
        () => ({
          method: 'POST',
          url: '/v1/partner/apps',
          headers: bearer(partner.token),
          payload: { appId: 'com.example.nul', name: nul, category: 'utilities' },
        }),
        '/name',
      ],
      [
        'an API key label',
        () => ({
          method: 'POST',
          url: '/v1/partner/api-keys',
          headers: bearer(partner.token),
          payload: { label: nul },
        }),
        '/label',
      ],
      [
        'a revocation reason',
        () => ({
          method: 'POST',
          url: '/v1/admin/releases/com.example.nul/1/revoke',
          headers: bearer(admin),
          payload: { reason: nul },
        }),
        '/reason',
      ],
      [
        'a catalog query',
        () => ({
          method: 'GET',
          url: `/v1/catalog/apps?q=${encodeURIComponent(nul)}`,
          headers: bearer(device.token),
        }),
        '/q',
      ],
    ];
    for (const [what, request, pointer] of cases) {
      it(`answers 400 API_VALIDATION_FAILED at ${pointer} for ${what}`, async () => {
        const response = await server.app.inject(request());
        assert.equal(response.statusCode, 400, response.body);
        const problem = response.json();
        assert.equal(problem.code, 'API_VALIDATION_FAILED');
        assert.equal(problem.errors[0].location.pointer, pointer);
      });
    }
  });

  describe('host API versions the update selection cannot compare [VER-170] [VER-015]', () => {
    for (const version of [
      '9007199254740992.0.0',
      '1.0.1000000000',
      '1.0.0-beta.1',
      '1.0.0+build',
    ]) {
      it(`refuses ${version} with 400 on the single and the batch check`, async () => {
        const single = await server.app.inject({
          method: 'GET',
          url: `/v1/apps/com.example.shop/update?hostApiVersion=${encodeURIComponent(version)}&channel=stable&deviceId=${device.deviceId}&versionCode=0`,
          headers: bearer(device.token),
        });
        assertContract('getAppUpdate', single);
        assert.equal(single.statusCode, 400);
        assert.equal(single.json().code, 'API_VALIDATION_FAILED');
        const batch = await server.app.inject({
          method: 'POST',
          url: '/v1/updates/check',
          headers: bearer(device.token),
          payload: {
            hostApiVersion: version,
            channel: 'stable',
            deviceId: device.deviceId,
            apps: [{ appId: 'com.example.shop', versionCode: 0 }],
          },
        });
        assertContract('checkUpdates', batch);
        assert.equal(batch.statusCode, 400);
        assert.equal(batch.json().code, 'API_VALIDATION_FAILED');
      });
    }

    it('still answers the largest valid version, 999999999.999999999.999999999', async () => {
      const single = await server.app.inject({
        method: 'GET',
        url: `/v1/apps/com.example.shop/update?hostApiVersion=999999999.999999999.999999999&channel=stable&deviceId=${device.deviceId}&versionCode=0`,
        headers: bearer(device.token),
      });
      assert.equal(single.statusCode, 200, single.body);
    });
  });

  it('serves an app id of 125 characters at its own Location and update check [MAN-008]', async () => {
    const appId = `com.${'a'.repeat(60)}.${'b'.repeat(60)}`;
    const created = await server.app.inject({
      method: 'POST',
      url: '/v1/partner/apps',
      headers: bearer(partner.token),
      payload: { appId, name: 'Long id', category: 'utilities' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const location = String(created.headers.location);
    const got = await server.app.inject({
      method: 'GET',
      url: location,
      headers: bearer(partner.token),
    });
    assert.equal(got.statusCode, 200, got.body);
    const update = await server.app.inject({
      method: 'GET',
      url: `/v1/apps/${appId}/update?hostApiVersion=1.0.0&channel=stable&deviceId=${device.deviceId}&versionCode=0`,
      headers: bearer(device.token),
    });
    assert.equal(update.statusCode, 200, update.body);
    assert.equal(update.json().kind, 'upToDate');
  });

  it('marks every response nosniff: a bundle, a problem, a list [API-175]', async () => {
    const published = await publishApprovedVersion(server, {
      partner,
      appId: 'com.example.sniff',
      versionCode: 1,
    });
    const release = await server.app.inject({
      method: 'POST',
      url: '/v1/partner/apps/com.example.sniff/releases',
      headers: bearer(partner.token),
      payload: { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
    });
    assert.equal(release.statusCode, 201, release.body);
    const bundle = await server.app.inject({
      method: 'GET',
      url: `/v1/bundles/sha256/${published.packageSha256}.ma`,
    });
    assert.equal(bundle.statusCode, 200);
    assert.equal(bundle.headers['content-type'], 'application/miniapp-pkg+zip');
    assert.equal(bundle.headers['x-content-type-options'], 'nosniff');
    const missing = await server.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    assert.equal(missing.headers['x-content-type-options'], 'nosniff');
    const list = await server.app.inject({
      method: 'GET',
      url: '/v1/partner/apps',
      headers: bearer(partner.token),
    });
    assert.equal(list.headers['x-content-type-options'], 'nosniff');
  });
});

describe('a credential in a query string is refused and never logged [API-006] [API-176]', () => {
  it('logs the parameter name, not its value', async () => {
    const lines: string[] = [];
    const server = await startTestServer({
      logStream: { write: (line: string) => lines.push(line) },
    });
    try {
      const device = await server.hostDevice();
      const response = await server.app.inject({
        method: 'GET',
        url: `/v1/catalog/apps?access_token=${device.token}&limit=5`,
      });
      assert.equal(response.statusCode, 401);
      const log = lines.join('');
      assert.ok(log.includes('access_token'), 'the request is logged');
      assert.ok(!log.includes(device.token), 'the credential reached the log');
      assert.ok(!log.includes(device.token.slice(4, 20)), 'part of the credential reached the log');
    } finally {
      await server.close();
    }
  });
});

describe('slow senders cannot hold connections [API-177]', () => {
  let server: TestServer;
  let port: number;
  let partner: { partnerId: string; token: string };

  before(async () => {
    server = await startTestServer({
      env: { REQUEST_TIMEOUT_MS: '1500', UPLOAD_IDLE_TIMEOUT_MS: '500' },
    });
    partner = await server.partner();
    await server.services.db.query('insert into apps (app_id, partner_id) values ($1, $2)', [
      'com.example.slow',
      partner.partnerId,
    ]);
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(() => server.close());

  it('closes a JSON request whose body never completes', async () => {
    const { response, closedAfterMs } = await rawExchange(
      port,
      (socket) =>
        socket.write(
          `POST /v1/partner/apps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${partner.token}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"appId":',
        ),
      15_000,
    );
    assert.ok(closedAfterMs < 10_000, `${closedAfterMs} ms`);
    assert.match(response, /^HTTP\/1\.1 408/);
  });

  it('answers 408 API_REQUEST_TIMEOUT to an upload that stalls mid-body, and closes it', async () => {
    const body = await multipartBody([
      { name: 'statement', type: 'application/json', bytes: new Uint8Array(200) },
      { name: 'package', type: 'application/miniapp-pkg+zip', bytes: new Uint8Array(4096) },
    ]);
    const { response, closedAfterMs } = await rawExchange(
      port,
      (socket) => {
        socket.write(
          `PUT /v1/partner/apps/com.example.slow/versions HTTP/1.1\r\nHost: x\r\n` +
            `Authorization: Bearer ${partner.token}\r\nContent-Type: ${body.headers['content-type']}\r\n` +
            `Content-Length: ${body.payload.length}\r\n\r\n`,
        );
        // The first 100 bytes of the statement part, then nothing.
        socket.write(body.payload.subarray(0, 100));
      },
      15_000,
    );
    assert.ok(closedAfterMs < 10_000, `${closedAfterMs} ms`);
    assert.match(response, /^HTTP\/1\.1 408/);
    assert.match(response, /application\/problem\+json/);
    assert.match(response, /"code":"API_REQUEST_TIMEOUT"/);
  });
});

describe('a restart sweeps the partial uploads a killed process left in scratch/', () => {
  it("removes files of dead processes and unowned files, and keeps a live process's", async () => {
    const first = await startTestServer();
    const dataDir = first.dataDir;
    const scratch = first.services.bundles.scratch;
    const live = await first.services.bundles.scratchPath('.ma');
    await writeFile(live, 'uploading');
    const dead = path.join(
      scratch,
      `${hostname()}-999999999-0f0e0d0c-0b0a-4098-8765-43210fedcba9.ma`,
    );
    await writeFile(dead, 'left by SIGKILL');
    const unowned = path.join(scratch, '3c2d1e0f-aaaa-4bbb-8ccc-dddddddddddd.ma');
    await writeFile(unowned, 'left by an older server');
    await first.app.close();
    await first.services.db.close();
    const restarted = await startTestServer({ dataDir });
    try {
      assert.deepEqual(await readdir(scratch), [path.basename(live)]);
    } finally {
      await restarted.close();
    }
  });
});
