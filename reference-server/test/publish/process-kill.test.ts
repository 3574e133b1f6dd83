import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createStatement } from '#sdk/signing/index.ts';
import { readDevCredentials } from '../../src/platform/dev-credentials.ts';
import { loadDevPartnerKey } from '../../src/platform/dev-partner-key.ts';
import { freePort } from '../../src/platform/listen-port.ts';
import { copyStoreInto } from '../store-snapshot.ts';
import { multipartBody, tinyPackage } from './publish-fixture.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const appId = 'dev.openminiapp.examples.notes';

/** The real server as a separate process, so it can be killed with SIGKILL at any instant. */
async function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  await copyStoreInto(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'reference-server/src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      REVIEW_SCREENSHOTS: 'off',
    },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return child;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not become ready');
}

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('publishing survives SIGKILL at any instant [API-071] [API-084]', () => {
  let dataDir: string;
  let port: number;
  let server: ChildProcess | undefined;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'miniapp-kill-'));
    port = await freePort('127.0.0.1');
    server = await startServer(dataDir, port);
  });
  after(async () => {
    if (server) await killed(server);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('never shows a half-published version or a missing bundle after a kill mid-upload, and a retry completes it', async () => {
    const partner = (await readDevCredentials(dataDir)).partner ?? '';
    const key = await loadDevPartnerKey(dataDir);
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${partner}` };
    const upload = (body: { payload: Buffer; headers: Record<string, string> }) =>
      fetch(`${base}/v1/partner/apps/${appId}/versions`, {
        method: 'PUT',
        headers: { ...headers, ...body.headers },
        body: new Uint8Array(body.payload),
      });
    const outcomes: number[] = [];
    for (const [i, delay] of [0, 10, 25, 45, 70, 110].entries()) {
      const versionCode = 100 + i;
      const pkg = await tinyPackage({
        appId,
        versionCode,
        files: { 'pages/filler.js': `export const n = ${'1'.repeat(200_000)};\n` },
      });
      const statement = createStatement(
        {
          appId,
          version: `1.0.${versionCode}`,
          versionCode,
          packageBytes: pkg.bytes,
          manifestBytes: pkg.manifestBytes,
        },
        key,
      );
      const body = await multipartBody([
        { name: 'statement', type: 'application/json', bytes: statement.bytes },
        { name: 'package', type: 'application/miniapp-pkg+zip', bytes: pkg.bytes },
      ]);
      const sent = upload(body).then(
        (r) => r.status,
        () => 0,
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
      await killed(server as ChildProcess);
      outcomes.push(await sent);
      server = await startServer(dataDir, port);
      // The restart swept whatever partial upload the killed process left in scratch/.
      assert.deepEqual(await readdir(path.join(dataDir, 'scratch')).catch(() => []), []);
      // After the kill: every version the API shows is whole, with its bundle present and intact.
      const list = await fetch(`${base}/v1/partner/apps/${appId}/versions?limit=100`, { headers });
      assert.equal(list.status, 200);
      const versions = (
        (await list.json()) as {
          items: {
            versionCode: number;
            reviewStatus: string;
            package: { sha256: string; length: number };
          }[];
        }
      ).items;
      for (const version of versions) {
        assert.ok(
          ['queued', 'approved', 'rejected'].includes(version.reviewStatus),
          `${version.versionCode} is ${version.reviewStatus}`,
        );
        const sha = version.package.sha256;
        const bytes = await readFile(
          path.join(dataDir, 'bundles', 'sha256', sha.slice(0, 2), `${sha}.ma`),
        );
        assert.equal(createHash('sha256').update(bytes).digest('hex'), sha);
        assert.equal(bytes.length, version.package.length);
      }
      // Retrying completes the upload (201) or finds it complete (200): nothing half-done blocks it.
      const retry = await upload(body);
      assert.ok(
        [200, 201].includes(retry.status),
        `retry of ${versionCode}: ${retry.status} ${await retry.text()}`,
      );
    }
    // At least one kill must land mid-upload, or the test proves less than it says.
    assert.ok(
      outcomes.some((status) => status === 0),
      `no upload was interrupted: ${outcomes.join(', ')}`,
    );
  });
});
