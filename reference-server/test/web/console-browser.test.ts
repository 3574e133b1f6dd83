import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { defaultChromiumPath, launchHeadlessChromium } from '#sdk/preview/index.ts';
import { createStatement } from '#sdk/signing/index.ts';
import { configurePublishing } from '../../src/publish/publish-settings.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { partnerSigningKey, tinyPackage, uploadTinyVersion } from '../publish/publish-fixture.ts';
import { startTestServer, type TestServer } from '../test-server.ts';

const executablePath = process.env.CHROMIUM_PATH || defaultChromiumPath;
// Screenshots refresh the README's images only when asked (UPDATE_SCREENSHOTS=1); tests never write
// into the repository otherwise.
const screenshotDir = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(import.meta.dirname, '../../../docs/screenshots')
  : path.join(tmpdir(), 'miniapp-console-screenshots');
const skip = existsSync(executablePath)
  ? false
  : `${executablePath} is absent; the browser test needs a system Chromium`;
const appId = 'com.acme.notes';
const day = 86_400_000;

describe('developer portal and review console in a browser', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let origin: string;
  let partner: { partnerId: string; token: string };
  let reviewerToken: string;
  let adminToken: string;

  before(async () => {
    server = await startTestServer();
    // [REV-007] real screenshots, so the report shows one.
    configurePublishing(server.services, { screenshots: true });
    partner = await server.partner('Acme Apps');
    reviewerToken = (await server.reviewer()).token;
    adminToken = (await server.admin()).token;
    const { response } = await uploadTinyVersion(server, partner, {
      appId,
      versionCode: 1,
      version: '1.0.0',
      permissions: { location: { reason: 'Tag notes with the place you wrote them.' } },
    });
    assertContract('uploadVersion', response);
    assert.equal(response.json().reviewStatus, 'queued');
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address();
    assert.ok(address && typeof address === 'object', 'the server listens on a TCP address');
    origin = `http://127.0.0.1:${address.port}`;
    browser = await launchHeadlessChromium({ executablePath });
    await mkdir(screenshotDir, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh tab (its own sessionStorage) signed in with the token; every page error fails the test. */
  async function signedIn(consolePath: string, token: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // A refused request is expected in some steps; a CSP violation or script error never is.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
        errors.push(message.text());
    });
    page.on('dialog', (dialog) => void dialog.accept());
    page.on('close', () => assert.deepEqual(errors, [], `page errors on ${consolePath}`));
    await page.goto(`${origin}${consolePath}`);
    await page.locator('#token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });

  it('shows the partner its app and the review report of the uploaded version', async () => {
    const page = await signedIn('/portal/', partner.token);
    await page.getByRole('link', { name: appId }).waitFor();
    await shot(page, 'portal-apps');
    await page.getByRole('link', { name: appId }).click();
    const row = page.locator('tbody tr').first();
    await row.getByText('queued').waitFor();
    assert.match(await row.innerText(), /1\.0\.0/);
    await shot(page, 'portal-versions');
    await row.getByRole('link', { name: 'Review report' }).click();
    await page.getByRole('heading', { name: /Review report: 1\.0\.0/ }).waitFor();
    await page.locator('img.screenshot[src^="blob:"]').waitFor();
    await shot(page, 'portal-report');
    await page.close();
  });

  it('shows the problem code and detail when an action is refused, and renders hostile names as text', async () => {
    const rival = await server.partner('Rival');
    const page = await signedIn('/portal/', rival.token);
    await page.locator('input[name="appId"]').fill(appId);
    await page.locator('input[name="name"]').fill('Stolen');
    await page.getByRole('button', { name: 'Create app' }).click();
    // [API-068] another partner owns the id; the page shows the registry code.
    await page.locator('.notice.error .problem-code', { hasText: 'API_APP_ID_TAKEN' }).waitFor();
    const hostile = '<img src=x id=injected onerror="document.title=1">';
    await page.locator('input[name="appId"]').fill('com.rival.safe');
    await page.locator('input[name="name"]').fill(hostile);
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('heading', { name: hostile }).waitFor();
    assert.equal(await page.locator('#injected').count(), 0);
    // [API-003] the other partner's app is answered as absent.
    await page.goto(`${origin}/portal/#/apps/${appId}`);
    await page.locator('.notice.error .problem-code', { hasText: 'API_NOT_FOUND' }).waitFor();
    await page.close();
  });

  it('lets a reviewer see the queue and the report with screenshots, and approve the version', async () => {
    const page = await signedIn('/review/', reviewerToken);
    const row = page.locator('tbody tr', { hasText: appId });
    await row.getByText('first version').waitFor();
    await shot(page, 'review-queue');
    await row.getByRole('link', { name: appId }).click();
    await page.locator('img.screenshot[src^="blob:"]').waitFor();
    await shot(page, 'review-report');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.notice.success', { hasText: 'is now approved' }).waitFor();
    const version = await server.app.inject({
      method: 'GET',
      url: `/v1/partner/apps/${appId}/versions/1`,
      headers: bearer(partner.token),
    });
    assertContract('getVersion', version);
    assert.equal(version.json().reviewStatus, 'approved');
    await page.close();
  });

  it('lets an admin list partners and sign out back to the sign-in screen', async () => {
    const page = await signedIn('/review/#/admin', adminToken);
    await page.getByRole('cell', { name: 'Acme Apps' }).waitFor();
    await shot(page, 'review-admin');
    await page.locator('#sign-out').click();
    await page.locator('#token').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await page.close();
  });

  it('asks for a new token when the session is refused', async () => {
    const page = await signedIn('/portal/', 'not-a-real-token-0000000000000000');
    await page.locator('.notice.error .problem-code', { hasText: 'API_UNAUTHENTICATED' }).waitFor();
    await page.locator('#token').waitFor();
    await page.close();
  });

  it('uploads a version through the form with a progress bar', async () => {
    const key = await partnerSigningKey(server, partner.partnerId);
    const pkg = await tinyPackage({ appId, versionCode: 2, version: '1.1.0' });
    const statement = createStatement(
      {
        appId,
        version: '1.1.0',
        versionCode: 2,
        packageBytes: pkg.bytes,
        manifestBytes: pkg.manifestBytes,
      },
      key,
    );
    const dir = await mkdtemp(path.join(tmpdir(), 'portal-upload-'));
    try {
      await writeFile(path.join(dir, 'notes-1.1.0.ma'), pkg.bytes);
      await writeFile(path.join(dir, 'notes-1.1.0.statement.json'), statement.bytes);
      const page = await signedIn(`/portal/#/apps/${appId}/versions`, partner.token);
      await page
        .locator('input[name="statement"]')
        .setInputFiles(path.join(dir, 'notes-1.1.0.statement.json'));
      await page.locator('input[name="package"]').setInputFiles(path.join(dir, 'notes-1.1.0.ma'));
      await page.getByRole('button', { name: 'Upload' }).click();
      await page
        .locator('.notice.success', { hasText: 'versionCode 2' })
        .waitFor({ timeout: 60_000 });
      await page.locator('tbody tr', { hasText: '1.1.0' }).waitFor();
      await page.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates a release at 50 % and widens it', async () => {
    const page = await signedIn(`/portal/#/apps/${appId}/releases`, partner.token);
    await page.locator('select[name="versionCode"]').selectOption('1');
    await page.locator('input[name="rolloutPercent"]').fill('50');
    await page.getByRole('button', { name: 'Create release' }).click();
    const row = page.locator('tbody tr').first();
    await row.getByText('rollingOut').waitFor();
    assert.match(await row.innerText(), /50 %/);
    await shot(page, 'portal-releases');
    await row.locator('input[name="rolloutPercent"]').fill('75');
    await row.getByRole('button', { name: 'Widen' }).click();
    await page.locator('.notice.success', { hasText: 'now 75 %' }).waitFor();
    const releases = await server.app.inject({
      method: 'GET',
      url: `/v1/partner/apps/${appId}/releases`,
      headers: bearer(partner.token),
    });
    assertContract('listReleases', releases);
    assert.equal(releases.json().items[0].rolloutPercent, 75);
    await page.close();
  });

  it('draws launches, retention, crash rate and cold-start charts from ingested events', async () => {
    const now = Date.now();
    let accepted = 0;
    for (let device = 0; device < 14; device++) {
      const host = await server.hostDevice(`notes-device-${device}-0123456789`);
      const events: object[] = [];
      for (let ago = 6; ago >= 0; ago--) {
        if ((device + ago) % 5 === 0) continue;
        const time = new Date(now - ago * day - device * 60_000)
          .toISOString()
          .replace(/\.\d+Z$/, 'Z');
        const launches = 1 + ((device * (ago + 1)) % 3);
        for (let n = 0; n < launches; n++) {
          events.push({
            type: 'app.launch',
            eventId: randomUUID(),
            time,
            appId,
            versionCode: 1,
            hostApiVersion: '1.0.0',
            mode: n === 0 ? 'cold' : 'warm',
            durationMs: 400 + ((device * 37 + ago * 11) % 900),
          });
        }
        if ((device * ago) % 7 === 3) {
          events.push({
            type: 'app.crash',
            eventId: randomUUID(),
            time,
            appId,
            versionCode: 1,
            hostApiVersion: '1.0.0',
            reason: 'unknown',
          });
        }
      }
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/analytics/events',
        headers: bearer(host.token),
        payload: { deviceId: host.deviceId, sentAt: new Date(now).toISOString(), events },
      });
      assertContract('ingestAnalyticsEvents', response);
      assert.deepEqual(response.json().dropped, []);
      accepted += response.json().accepted as number;
    }
    assert.ok(accepted > 100, `more than 100 events are accepted, not ${accepted}`);

    const page = await signedIn(`/portal/#/apps/${appId}/analytics`, partner.token);
    await page.locator('#chart-launches svg').waitFor();
    // One bar per day of the default 14-day period, one crash bar and three cold-start bars for the one version.
    assert.equal(await page.locator('#chart-launches rect.bar').count(), 14);
    assert.equal(await page.locator('#chart-crashes rect.bar').count(), 1);
    assert.equal(await page.locator('#chart-cold-start rect.bar').count(), 3);
    const retentionPoints = await page.locator('#chart-retention circle.point').count();
    assert.ok(retentionPoints >= 1, 'the retention chart has at least one D1 point');
    assert.equal(
      await page.locator('#chart-launches svg title').first().textContent(),
      'Launches per day',
    );
    const total = Number((await page.locator('#launch-total').innerText()).replace(/,/g, ''));
    assert.ok(total > 0, 'the console shows launches');
    await shot(page, 'portal-analytics');
    await page.close();
  });

  it('creates an API key whose secret is shown once, and lists signing keys', async () => {
    const page = await signedIn('/portal/#/keys', partner.token);
    await page.locator('#signing-keys-title').waitFor();
    await page.locator('input[name="label"][placeholder="CI pipeline"]').fill('GitHub Actions');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const secret = await page.locator('#api-key-secret .secret-value').innerText();
    assert.ok(secret.length >= 32, 'the API key secret has at least 32 characters');
    await page.getByRole('cell', { name: 'GitHub Actions' }).waitFor();
    await shot(page, 'portal-keys');
    await page.reload();
    await page.locator('#api-keys-title').waitFor();
    assert.equal(await page.getByText(secret).count(), 0);
    await page.close();
  });
});
