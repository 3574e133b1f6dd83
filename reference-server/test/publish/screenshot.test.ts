import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { configurePublishing } from '../../src/publish/publish-settings.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import { prepareForUploads, uploadTinyVersion, type FixturePartner } from './publish-fixture.ts';

describe('screenshots for the reviewer [REV-007] [REV-008]', () => {
  let server: TestServer;
  let owner: FixturePartner;

  before(async () => {
    server = await startTestServer();
    prepareForUploads(server, true);
    owner = await server.partner();
  });
  after(() => server.close());

  it('renders the entry page in headless Chromium and serves the PNG to the reviewer and the owner only', async () => {
    const { response } = await uploadTinyVersion(server, owner, {
      appId: 'com.example.shot',
      versionCode: 1,
    });
    assertContract('uploadVersion', response);
    const reviewer = await server.reviewer();
    const report = await server.app.inject({
      method: 'GET',
      url: '/v1/review/com.example.shot/1',
      headers: bearer(reviewer.token),
    });
    assertContract('getReviewReport', report);
    const [shot] = report.json().screenshots;
    assert.ok(shot, JSON.stringify(report.json().findings));
    assert.equal(shot.page, 'pages/index.html');
    for (const token of [reviewer.token, owner.token]) {
      const png = await server.app.inject({ method: 'GET', url: shot.url, headers: bearer(token) });
      assertContract('getReviewScreenshot', png);
      assert.equal(png.statusCode, 200);
      assert.deepEqual([...png.rawPayload.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      assert.equal(createHash('sha256').update(png.rawPayload).digest('hex'), shot.sha256);
    }
    const stranger = await server.partner();
    const hidden = await server.app.inject({
      method: 'GET',
      url: shot.url,
      headers: bearer(stranger.token),
    });
    assertContract('getReviewScreenshot', hidden);
    assert.equal(hidden.statusCode, 404);
  });

  it('reports a screenshot that cannot be taken as a warning and still queues the version [REV-008]', async () => {
    configurePublishing(server.services, { chromiumPath: '/nonexistent/chromium' });
    const { response } = await uploadTinyVersion(server, owner, {
      appId: 'com.example.shot',
      versionCode: 2,
    });
    assertContract('uploadVersion', response);
    assert.equal(response.json().reviewStatus, 'queued');
    const review = await server.app.inject({
      method: 'GET',
      url: response.json().reviewUrl,
      headers: bearer(owner.token),
    });
    assertContract('getVersionReview', review);
    const findings = review.json().findings;
    assert.deepEqual(
      findings.map((f: { code: string; severity: string }) => [f.code, f.severity]),
      [['REVIEW_SCREENSHOT_FAILED', 'warning']],
    );
    assert.doesNotMatch(JSON.stringify(findings), /nonexistent/);
  });
});
