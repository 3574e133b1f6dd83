import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/app.ts';
import {
  createAccount,
  createPartner,
  issueCredential,
} from '../../src/accounts/credential-issuer.ts';
import { loadConfig } from '../../src/config.ts';
import { configurePublishing, type FaultPoint } from '../../src/publish/publish-settings.ts';
import { createServices, type Services } from '../../src/services.ts';
import { openEmbeddedDatabase } from '../../src/store/embedded-database.ts';
import { migrate } from '../../src/store/migrator.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { localBundles } from '../test-server.ts';
import { prepareForUploads, uploadTinyVersion, type FixturePartner } from './publish-fixture.ts';
import { copyStoreInto } from '../store-snapshot.ts';

interface Booted {
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

/** A server on an embedded store in a real directory, so a restart sees what the last run left. */
async function boot(dataDir: string): Promise<Booted> {
  await copyStoreInto(dataDir);
  const db = await openEmbeddedDatabase(path.join(dataDir, 'db'));
  await migrate(db);
  const config = { ...loadConfig({ DATA_DIR: dataDir, PORT: '0' }), logLevel: 'silent' as const };
  const services: Services = await createServices(config, db);
  const app = await buildServer(services);
  prepareForUploads({ app, services });
  return {
    app,
    services,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

class SimulatedCrash extends Error {}

describe('crash safety of uploads and decisions', () => {
  let dataDir: string;
  let server: Booted;
  let partner: FixturePartner;
  let reviewerToken: string;
  const appId = 'com.example.crash';

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'miniapp-crash-'));
    server = await boot(dataDir);
    const { db } = server.services;
    const partnerId = await createPartner(db, 'Crash partner');
    const accountId = await createAccount(db, { role: 'partner', name: 'dev', partnerId });
    const token = (
      await issueCredential(db, { kind: 'session', accountId, partnerId, ttlSeconds: 3600 })
    ).token;
    partner = { partnerId, token };
    const reviewerId = await createAccount(db, { role: 'reviewer', name: 'reviewer' });
    reviewerToken = (
      await issueCredential(db, { kind: 'session', accountId: reviewerId, ttlSeconds: 3600 })
    ).token;
  });
  after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  function crashAt(point: FaultPoint | null): void {
    configurePublishing(server.services, {
      fault: (reached) => {
        if (reached === point) throw new SimulatedCrash(point);
      },
    });
  }

  async function restart(): Promise<void> {
    await server.close();
    server = await boot(dataDir);
  }

  /** Every stored version points at a bundle file that exists (no dangling reference). */
  async function assertNoDanglingBundles(): Promise<void> {
    const { rows } = await server.services.db.query<{ package_sha256: string }>(
      'select package_sha256 from versions',
    );
    for (const row of rows) await access(localBundles(server.services).pathOf(row.package_sha256));
  }

  it('leaves no half-visible version when an upload dies at any point, and a retry succeeds', async () => {
    for (const point of ['upload:staged', 'upload:promoted', 'upload:inserted'] as const) {
      crashAt(point);
      const { response } = await uploadTinyVersion(server, partner, { appId, versionCode: 1 });
      // The injected failure stands for the process dying; its 500 never reaches a client.
      assert.equal(response.statusCode, 500, point);
      assert.equal(response.json().code, 'API_INTERNAL');
      await restart();
      const { rows } = await server.services.db.query('select 1 from versions where app_id = $1', [
        appId,
      ]);
      assert.equal(rows.length, 0, `no version after a crash at ${point}`);
      const app = await server.services.db.query<{ latest_version_code: number }>(
        'select latest_version_code from apps where app_id = $1',
        [appId],
      );
      assert.equal(app.rows[0]?.latest_version_code, 0, `versionCode not consumed at ${point}`);
      await assertNoDanglingBundles();
    }
    crashAt(null);
    const { response } = await uploadTinyVersion(server, partner, { appId, versionCode: 1 });
    assertContract('uploadVersion', response);
    assert.equal(response.statusCode, 201);
    await assertNoDanglingBundles();
  });

  it('keeps a version queued, with no envelope, when a decision dies before commit [API-084]', async () => {
    for (const point of ['decision:countersigned', 'decision:updated'] as const) {
      crashAt(point);
      const answer = await server.app.inject({
        method: 'POST',
        url: `/v1/review/${appId}/1/decision`,
        headers: bearer(reviewerToken),
        payload: { decision: 'approve' },
      });
      assert.equal(answer.statusCode, 500, point);
      await restart();
      const { rows } = await server.services.db.query<{
        status: string;
        release_envelope: Uint8Array | null;
        review_report: { status: string; decisions: unknown[] };
      }>('select status, release_envelope, review_report from versions where app_id = $1', [appId]);
      assert.equal(rows[0]?.status, 'queued', point);
      assert.equal(rows[0]?.release_envelope, null);
      assert.equal(rows[0]?.review_report.status, 'queued');
      assert.deepEqual(rows[0]?.review_report.decisions, []);
      const envelope = await server.app.inject({
        method: 'GET',
        url: `/v1/releases/${appId}/1.release.json`,
      });
      assertContract('getReleaseEnvelope', envelope);
      assert.equal(envelope.statusCode, 404);
    }
    crashAt(null);
    const approved = await server.app.inject({
      method: 'POST',
      url: `/v1/review/${appId}/1/decision`,
      headers: bearer(reviewerToken),
      payload: { decision: 'approve' },
    });
    assertContract('decideReview', approved);
    assert.equal(approved.json().status, 'approved');
    await restart();
    const envelope = await server.app.inject({
      method: 'GET',
      url: `/v1/releases/${appId}/1.release.json`,
    });
    assertContract('getReleaseEnvelope', envelope);
    assert.equal(envelope.statusCode, 200);
  });
});
