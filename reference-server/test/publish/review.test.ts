import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Hex } from '#sdk/signing/index.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import {
  ensureApp,
  prepareForUploads,
  publishApprovedVersion,
  uploadTinyVersion,
  type FixturePartner,
} from './publish-fixture.ts';

describe('review decisions and release metadata [API-083] [API-084]', () => {
  let server: TestServer;
  let partner: FixturePartner;
  let reviewer: { token: string; accountId: string };

  before(async () => {
    server = await startTestServer();
    prepareForUploads(server);
    partner = await server.partner();
    reviewer = await server.reviewer();
  });
  after(() => server.close());

  const decide = (appId: string, versionCode: number, body: object, token = reviewer.token) =>
    server.app.inject({
      method: 'POST',
      url: `/v1/review/${appId}/${versionCode}/decision`,
      headers: bearer(token),
      payload: body,
    });

  it('queues first versions oldest first, for reviewers only [REV-014] [REV-016]', async () => {
    for (const appId of ['com.example.qa', 'com.example.qb', 'com.example.qc']) {
      const { response } = await uploadTinyVersion(server, partner, { appId, versionCode: 1 });
      assert.equal(response.statusCode, 201);
    }
    const first = await server.app.inject({
      method: 'GET',
      url: '/v1/review/queue?limit=2',
      headers: bearer(reviewer.token),
    });
    assertContract('listReviewQueue', first);
    const page = first.json();
    assert.deepEqual(
      page.items.map((i: { appId: string }) => i.appId),
      ['com.example.qa', 'com.example.qb'],
    );
    assert.deepEqual(page.items[0].reasons, ['firstVersion']);
    assert.equal(page.items[0].partnerId, partner.partnerId);
    const rest = await server.app.inject({
      method: 'GET',
      url: `/v1/review/queue?limit=2&cursor=${page.nextCursor}`,
      headers: bearer(reviewer.token),
    });
    assertContract('listReviewQueue', rest);
    assert.deepEqual(
      rest.json().items.map((i: { appId: string }) => i.appId),
      ['com.example.qc'],
    );
    const asPartner = await server.app.inject({
      method: 'GET',
      url: '/v1/review/queue',
      headers: bearer(partner.token),
    });
    assertContract('listReviewQueue', asPartner);
    assert.equal(asPartner.statusCode, 403);
    const report = await server.app.inject({
      method: 'GET',
      url: '/v1/review/com.example.qa/1',
      headers: bearer(reviewer.token),
    });
    assertContract('getReviewReport', report);
    assert.equal(report.json().status, 'queued');
  });

  it('countersigns an approval and serves the envelope immutably [API-084] [API-040] [API-019]', async () => {
    const approved = await decide('com.example.qa', 1, { decision: 'approve' });
    assertContract('decideReview', approved);
    assert.equal(approved.statusCode, 200);
    const report = approved.json();
    assert.equal(report.status, 'approved');
    assert.equal(report.decisions[0].reviewer, reviewer.accountId);
    const envelope = await server.app.inject({
      method: 'GET',
      url: '/v1/releases/com.example.qa/1.release.json',
    });
    assertContract('getReleaseEnvelope', envelope);
    assert.equal(envelope.headers['cache-control'], 'public, max-age=31536000, immutable');
    const { rows } = await server.services.db.query<{
      release_sha256: string;
      package_sha256: string;
    }>("select release_sha256, package_sha256 from versions where app_id = 'com.example.qa'");
    assert.equal(sha256Hex(envelope.rawPayload), rows[0]?.release_sha256);
    const release = JSON.parse(Buffer.from(envelope.json().payload, 'base64').toString('utf8'));
    assert.equal(release.package.sha256, rows[0]?.package_sha256);
    const cached = await server.app.inject({
      method: 'GET',
      url: '/v1/releases/com.example.qa/1.release.json',
      headers: { 'if-none-match': String(envelope.headers.etag) },
    });
    assertContract('getReleaseEnvelope', cached);
    assert.equal(cached.statusCode, 304);
    assert.equal(cached.headers.etag, envelope.headers.etag);
    const queued = await server.app.inject({
      method: 'GET',
      url: '/v1/releases/com.example.qb/1.release.json',
    });
    assertContract('getReleaseEnvelope', queued);
    assert.equal(queued.statusCode, 404);
  });

  it('requires feedback to reject, records it, and refuses a second decision [API-083] [REV-013] [REV-017]', async () => {
    const bare = await decide('com.example.qb', 1, { decision: 'reject', feedback: '   ' });
    assertContract('decideReview', bare);
    assert.equal(bare.statusCode, 400);
    assert.equal(bare.json().code, 'API_VALIDATION_FAILED');
    const rejected = await decide('com.example.qb', 1, {
      decision: 'reject',
      feedback: 'The title is empty; name the app.',
    });
    assertContract('decideReview', rejected);
    assert.equal(rejected.json().status, 'rejected');
    assert.equal(rejected.json().decisions[0].feedback, 'The title is empty; name the app.');
    const again = await decide('com.example.qb', 1, { decision: 'approve' });
    assertContract('decideReview', again);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'API_REVIEW_STATE_CONFLICT');
    const missing = await decide('com.example.qb', 99, { decision: 'approve' });
    assertContract('decideReview', missing);
    assert.equal(missing.statusCode, 404);
    const byPartner = await decide('com.example.qc', 1, { decision: 'approve' }, partner.token);
    assertContract('decideReview', byPartner);
    assert.equal(byPartner.statusCode, 403);
  });

  it('approves a later version without review unless it adds a permission [REV-014] [REV-015]', async () => {
    const same = await uploadTinyVersion(server, partner, {
      appId: 'com.example.qa',
      versionCode: 2,
    });
    assertContract('uploadVersion', same.response);
    assert.equal(same.response.json().reviewStatus, 'approved');
    const wider = await uploadTinyVersion(server, partner, {
      appId: 'com.example.qa',
      versionCode: 3,
      permissions: { location: { reason: 'Shows the shops near you.' } },
      files: {
        'pages/index.html':
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>' +
          '<script src="../app.js"></script></head><body></body></html>',
        'app.js': "MiniAppBridge.call('location.getCurrent', {});\n",
      },
    });
    assertContract('uploadVersion', wider.response);
    assert.equal(wider.response.json().reviewStatus, 'queued');
    const queue = await server.app.inject({
      method: 'GET',
      url: '/v1/review/queue?limit=100',
      headers: bearer(reviewer.token),
    });
    const entry = queue
      .json()
      .items.find((i: { appId: string; versionCode: number }) => i.appId === 'com.example.qa');
    assert.deepEqual(entry?.reasons, ['newPermission']);
  });

  it('lets exactly one of many concurrent decisions win [API-084]', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        decide(
          'com.example.qc',
          1,
          i % 2 ? { decision: 'approve' } : { decision: 'reject', feedback: 'no' },
        ),
      ),
    );
    for (const answer of answers) assertContract('decideReview', answer);
    const winners = answers.filter((a) => a.statusCode === 200);
    assert.equal(winners.length, 1);
    assert.ok(
      answers.every((a) => a.statusCode === 200 || a.json().code === 'API_REVIEW_STATE_CONFLICT'),
      'every concurrent decision answers 200 or API_REVIEW_STATE_CONFLICT',
    );
    const { rows } = await server.services.db.query<{
      status: string;
      release_sha256: string | null;
      review_report: { decisions: unknown[] };
    }>(
      "select status, release_sha256, review_report from versions where app_id = 'com.example.qc'",
    );
    assert.equal(rows[0]?.status, winners[0]?.json().status);
    assert.equal(rows[0]?.review_report.decisions.length, 1);
    assert.equal(rows[0]?.release_sha256 !== null, rows[0]?.status === 'approved');
  });

  it('never loses or doubles a version when uploads of one app race [SIG-022] [API-074]', async () => {
    const appId = 'com.example.race';
    await ensureApp(server, partner.partnerId, appId);
    const codes = [7, 3, 9, 2, 5, 8, 4, 6];
    const results = await Promise.all(
      codes.map((versionCode) => uploadTinyVersion(server, partner, { appId, versionCode })),
    );
    const accepted: number[] = [];
    results.forEach(({ response }, i) => {
      assertContract('uploadVersion', response);
      assert.ok([201, 409].includes(response.statusCode), response.body);
      if (response.statusCode === 201) accepted.push(codes[i] ?? 0);
      else assert.equal(response.json().code, 'VERSION_CODE_NOT_INCREASING');
    });
    const { rows } = await server.services.db.query<{ version_code: number }>(
      'select version_code from versions where app_id = $1 order by queue_seq',
      [appId],
    );
    const stored = rows.map((r) => r.version_code);
    assert.deepEqual(
      [...stored].sort((a, b) => a - b),
      [...accepted].sort((a, b) => a - b),
    );
    assert.deepEqual(
      stored,
      [...stored].sort((a, b) => a - b),
      'accepted in increasing order',
    );
    const latest = await server.services.db.query<{ latest_version_code: number }>(
      'select latest_version_code from apps where app_id = $1',
      [appId],
    );
    assert.equal(latest.rows[0]?.latest_version_code, Math.max(...accepted));
  });

  it('gives other groups an approved version through the fixture', async () => {
    const published = await publishApprovedVersion(server, {
      partner,
      appId: 'com.example.fixture',
      versionCode: 4,
    });
    assert.equal(published.versionCode, 4);
    assert.equal(sha256Hex(published.bytes), published.packageSha256);
    const envelope = await server.app.inject({
      method: 'GET',
      url: '/v1/releases/com.example.fixture/4.release.json',
    });
    assert.equal(sha256Hex(envelope.rawPayload), published.releaseSha256);
  });
});

describe('trust metadata routes [API-036] to [API-041]', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('serves the current root with no-cache and answers a matching ETag with 304 [API-036] [API-019]', async () => {
    const root = await server.app.inject({ method: 'GET', url: '/v1/trust/root.json' });
    assertContract('getCurrentRoot', root);
    assert.equal(root.headers['cache-control'], 'no-cache');
    const current = await server.services.trust.currentRoot();
    assert.deepEqual(new Uint8Array(root.rawPayload), new Uint8Array(current.bytes));
    const again = await server.app.inject({
      method: 'GET',
      url: '/v1/trust/root.json',
      headers: { 'if-none-match': `W/"nope", ${String(root.headers.etag)}` },
    });
    assertContract('getCurrentRoot', again);
    assert.equal(again.statusCode, 304);
    assert.equal(again.headers['cache-control'], 'no-cache');
  });

  it('serves every root version immutably and 404 for unknown ones [API-037]', async () => {
    const current = await server.services.trust.currentRoot();
    const versioned = await server.app.inject({
      method: 'GET',
      url: `/v1/trust/${current.version}.root.json`,
    });
    assertContract('getVersionedRoot', versioned);
    assert.equal(versioned.headers['cache-control'], 'public, max-age=31536000, immutable');
    const unknown = await server.app.inject({ method: 'GET', url: '/v1/trust/9999.root.json' });
    assertContract('getVersionedRoot', unknown);
    assert.equal(unknown.statusCode, 404);
  });

  it('caches the signed index at most 300 seconds and never past its expiry [API-038]', async () => {
    const index = await server.app.inject({ method: 'GET', url: '/v1/trust/index.json' });
    assertContract('getSignedIndex', index);
    const maxAge = Number(/max-age=(\d+)/.exec(String(index.headers['cache-control']))?.[1]);
    const { expires } = await server.services.trust.currentIndex();
    assert.ok(maxAge <= 300, `max-age ${maxAge} is at most 300 s`);
    assert.ok(
      Date.now() + maxAge * 1000 <= expires.getTime(),
      'the index does not expire while a cache may still serve it',
    );
  });
});
