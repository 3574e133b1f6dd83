/**
 * The host in real Chromium against the real reference server, started as a process and seeded with
 * the three examples: the storefront, launching each example by deep link (one with a subpackage
 * loaded on first use), the top bar and its menu, permission prompts, the payment sheet, the
 * inspector, settings, QR codes shown and scanned with the camera, lifecycle and analytics.
 * Screenshots go to docs/screenshots/host-*.png only with UPDATE_SCREENSHOTS=1.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { developmentConfig } from '../server/host-configuration.ts';
import type { RunningHostServer } from '../server/host-server.ts';
import {
  adapter,
  chromiumPath,
  saveWindowScreenshot,
  startBrowser,
  storedKeys,
  storedValue,
  type Browser,
  type BrowserSession,
} from './support/browser-session.ts';
import { writeQrVideo } from './support/fake-camera.ts';
import { startHost } from './support/host-under-test.ts';
import { startReferenceServer, type ReferenceServer } from './support/reference-server-process.ts';

const skip = existsSync(chromiumPath) ? false : `${chromiumPath} is absent`;
const shop = 'dev.openminiapp.examples.shop';
const places = 'dev.openminiapp.examples.places';
const notes = 'dev.openminiapp.examples.notes';
const screenshotDir = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(import.meta.dirname, '../../docs/screenshots')
  : path.join(tmpdir(), 'omp-host-screenshots');

interface Outcome {
  kind: string;
  appId?: string | null;
  versionCode?: number;
  page?: string;
  code?: string;
  receivedAt: number;
}

interface QueuedEvent {
  type: string;
  appId: string;
  mode?: string;
  durationMs?: number;
  page?: string;
}

describe('the host with the reference server and its examples', { skip }, () => {
  let server: ReferenceServer;
  let host: RunningHostServer;
  let session: BrowserSession;
  let browser: Browser;

  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    server = await startReferenceServer();
    const config = {
      ...(await developmentConfig({ distributionUrl: server.url, dataDir: server.dataDir })),
      // The events stay queued for the tests to read; the adapter's `events` sends them.
      analyticsIntervalMs: 3_600_000,
    };
    host = await startHost('conformance', config);
    session = await startBrowser();
    browser = session.browser;
    await browser
      .setViewport({ width: 390, height: 844, devicePixelRatio: 2 })
      .catch(() => undefined);
    // The device's position, as the browser's geolocation reports it from the next page on.
    await browser.emulate('geolocation', { latitude: 52.52, longitude: 13.405, accuracy: 20 });
    await browser.url(`${host.hostOrigin}/`);
    await browser.$('[data-testid="catalog"] li.item').waitForExist({ timeout: 20_000 });
  });
  after(async () => {
    await session?.close();
    await host?.close();
    await server?.stop();
  });

  const shot = (name: string): Promise<void> =>
    saveWindowScreenshot(browser, path.join(screenshotDir, name));
  const launch = (link: string): Promise<Outcome> => adapter<Outcome>(browser, 'launch', { link });
  async function queuedEvents(): Promise<QueuedEvent[]> {
    const events: QueuedEvent[] = [];
    for (const key of await storedKeys(browser, 'ana/q/')) {
      const event = await storedValue<QueuedEvent>(browser, key);
      if (event) events.push(event);
    }
    return events;
  }

  async function inApp<T>(appId: string, run: () => Promise<T>): Promise<T> {
    await browser.switchFrame(null);
    await browser.switchFrame(await browser.$(`iframe[data-openminiapp-app="${appId}"]`));
    try {
      return await run();
    } finally {
      await browser.switchFrame(null);
    }
  }

  it('shows the catalog, categories and recommendations of the server in the storefront', async () => {
    const listed = await browser
      .$$('[data-testid="catalog"] li.item')
      .map((item) => item.getAttribute('data-app-id'));
    assert.deepEqual([...listed].sort(), [notes, places, shop]);
    assert.ok(await browser.$('#recommended-section').isDisplayed());
    await browser.$('[data-testid="search"]').setValue('bakery');
    await browser.waitUntil(
      async () => (await browser.$$('[data-testid="catalog"] li.item').length) === 1,
    );
    assert.equal(
      await browser.$('[data-testid="catalog"] li.item').getAttribute('data-app-id'),
      shop,
    );
    await browser.$('[data-testid="search"]').clearValue();
    await browser.$('[data-testid="search"]').setValue(' ');
    await browser.keys('Backspace');
    await browser.waitUntil(
      async () => (await browser.$$('[data-testid="catalog"] li.item').length) === 3,
    );
    await browser.execute(() => (document.activeElement as HTMLElement | null)?.blur());
    await shot('host-storefront.png');
  });

  it('opens the shop from the storefront, shows its name in the top bar, and its menu', async () => {
    await browser.$(`[data-testid="open-${shop}"]`).click();
    await browser.waitUntil(
      async () => (await adapter<Outcome | null>(browser, 'outcome'))?.kind === 'launched',
      { timeout: 20_000 },
    );
    assert.equal(await browser.$('[data-testid="app-title"]').getText(), 'Corner Bakery');
    await inApp(shop, () => browser.$('#products button').waitForExist());
    await shot('host-app.png');
    await browser.$('[data-testid="app-menu"]').click();
    await browser.$('[data-testid="action-menu"]').waitForDisplayed();
    await shot('host-menu.png');
    await browser.$('[data-testid="menu-favourite"]').click();
  });

  it('asks for the payment permission with the manifest reason, shows the server price in the host payment sheet, and pays [BRG-200]', async () => {
    // The first product of the shop is the croissant, which the seeded price list sells at 1.80 EUR.
    await inApp(shop, () => browser.$('#products button').click());
    await browser.$('[data-testid="prompt-reason"]').waitForDisplayed();
    assert.equal(
      await browser.$('[data-testid="prompt-reason"]').getText(),
      'Pays for your order with the wallet of this app.',
    );
    await browser.$('[data-testid="prompt-allow"]').click();
    await browser.$('[data-testid="payment-amount"]').waitForDisplayed();
    assert.equal(await browser.$('[data-testid="payment-amount"]').getText(), '€1.80');
    assert.equal(await browser.$('[data-testid="payment-product"]').getText(), 'croissant');
    await shot('host-payment-sheet.png');
    // Closing the sheet is a cancellation, never a payment [BRG-042].
    await browser.keys('Escape');
    await inApp(shop, () =>
      browser.waitUntil(
        async () => (await browser.$('#status').getText()) === 'Payment cancelled.',
      ),
    );
    // Confirmed: the reference server charges the sandbox at its own price [API-055].
    await inApp(shop, () => browser.$('#products button').click());
    assert.deepEqual(await adapter(browser, 'answerPrompt', { decision: 'grant' }), {
      screen: 'sheet',
      appId: shop,
    });
    await inApp(shop, () =>
      browser.waitUntil(
        async () => /^Paid\. Transaction pay_/.test(await browser.$('#status').getText()),
        {
          timeout: 10_000,
          timeoutMsg: 'the shop never showed the payment',
        },
      ),
    );
    await inApp(shop, () => browser.$('#order-count').getText()).then((count) =>
      assert.equal(count, '1'),
    );
  });

  it('opens an app by the link forms of the specification, including from the shell address', async () => {
    const { receivedAt, ...opened } = await launch(`miniapp://${places}/`);
    assert.deepEqual(opened, {
      kind: 'launched',
      appId: places,
      versionCode: 21,
      page: 'pages/index.html',
    });
    assert.ok(receivedAt <= Date.now());
    // An unknown page opens the entry page [ADR-009]; the query reaches the page unchanged [ADR-012].
    assert.equal(
      (await launch(`miniapp://${notes}/pages/nowhere.html?from=test#top`)).kind,
      'launched',
    );
    assert.equal(
      await inApp(notes, () =>
        browser.execute(() => `${location.pathname}${location.search}${location.hash}`),
      ),
      '/app/pages/index.html?from=test#top',
    );
    const refused = await launch('miniapp://Not.A.Valid.Id/');
    assert.equal(refused.kind, 'refused');
    assert.equal(refused.appId, null);
    assert.match(refused.code ?? '', /^LINK_/);
    // The https form on the shell's own address [ADR-016], opened by a fresh shell page.
    await browser.url(`${host.hostOrigin}/m/${shop}/pages/index.html`);
    await browser.waitUntil(
      async () => (await adapter<Outcome | null>(browser, 'outcome'))?.appId === shop,
      {
        timeout: 20_000,
        timeoutMsg: 'the shell did not open its address as a link',
      },
    );
    assert.equal((await adapter<Outcome>(browser, 'outcome')).kind, 'launched');
    await browser.url(`${host.hostOrigin}/`);
    await browser.$('[data-testid="catalog"] li.item').waitForExist({ timeout: 20_000 });
  });

  it('loads a subpackage into the runtime on first use (Pocket Notes archive)', async () => {
    await launch(`miniapp://${notes}/`);
    await inApp(notes, async () => {
      await browser.$('#text').setValue('Buy flour');
      await browser.$('button[type=submit]').click();
      await browser.$('#notes li').waitForExist();
      await browser.$('#notes li button').click();
      await browser.$('a[href*="archive"]').click();
      await browser.waitUntil(
        async () =>
          (await browser.execute(() => location.pathname)) ===
          '/app/packages/archive/pages/archive.html',
        { timeout: 10_000 },
      );
      await browser.$('#notes li').waitForExist({ timeout: 10_000 });
      assert.match(await browser.$('#notes').getText(), /Buy flour/);
    });
    let events: QueuedEvent[] = [];
    await browser.waitUntil(async () => {
      events = await queuedEvents();
      return events.some((e) => e.page === 'packages/archive/pages/archive.html');
    });
    assert.ok(
      events.some(
        (e) =>
          e.type === 'page.view' &&
          e.appId === notes &&
          e.page === 'packages/archive/pages/archive.html',
      ),
    );
  });

  it('gives the location of the device after a granted prompt, and lists every call in the inspector', async () => {
    await launch(`miniapp://${places}/`);
    await inApp(places, () => browser.$('form button').click());
    await browser.$('[data-testid="prompt-allow"]').waitForDisplayed();
    await shot('host-permission-location.png');
    await browser.$('[data-testid="prompt-allow"]').click();
    // The partner API is outside this machine's network: the call fails at the network, after the location.
    await inApp(places, () =>
      browser.waitUntil(
        async () =>
          /Could not search|places nearby|Nothing nearby/.test(
            await browser.$('#status').getText(),
          ),
        { timeout: 15_000 },
      ),
    );
    await adapter(browser, 'background');
    await browser.$('[data-testid="open-settings"]').click();
    await browser.$('[data-testid="toggle-inspector"]').click();
    await browser.$('[data-testid="inspector-call"]').waitForExist();
    const methods = await browser
      .$$('[data-testid="inspector-call"]')
      .map((call) => call.getAttribute('data-method'));
    assert.ok(methods.includes('location.getCurrent'));
    assert.ok(methods.includes('network.request'));
    await browser
      .$('[data-testid="inspector-call"][data-method="location.getCurrent"] summary')
      .click();
    await shot('host-inspector.png');
    await browser.$('[data-testid="inspector-close"]').click();
    await shot('host-settings.png');
    await browser.$('[data-testid="settings-back"]').click();
  });

  it('reports cold and warm starts and keeps the lifecycle order', async () => {
    await launch(`miniapp://${shop}/`);
    await adapter(browser, 'background');
    await adapter(browser, 'foreground');
    const warm = await adapter<Outcome>(browser, 'outcome');
    assert.deepEqual([warm.kind, warm.appId], ['launched', shop]);
    let launches: QueuedEvent[] = [];
    await browser.waitUntil(async () => {
      launches = (await queuedEvents()).filter((e) => e.type === 'app.launch');
      return launches.some((e) => e.mode === 'warm' && e.appId === shop);
    });
    assert.ok(
      launches.some(
        (e) => e.mode === 'cold' && e.appId === shop && typeof e.durationMs === 'number',
      ),
    );
    assert.ok(launches.some((e) => e.mode === 'warm' && e.appId === shop));
    // The adapter's `events` sends the queue to the reference server, which accepts every event.
    const { sent } = await adapter<{ sent: number }>(browser, 'events');
    assert.ok(sent >= launches.length);
    assert.deepEqual(await storedKeys(browser, 'ana/q/'), []);
  });

  it('shows the QR code of an app, and opens an app from a QR code seen by the camera', async () => {
    await adapter(browser, 'background');
    await browser.$(`[data-testid="qr-${notes}"]`).scrollIntoView({ block: 'center' });
    await browser.$(`[data-testid="qr-${notes}"]`).click();
    assert.equal(await browser.$('[data-testid="qr-link"]').getText(), `miniapp://${notes}/`);
    await shot('host-qr.png');
    await browser.keys('Escape');

    const dir = await mkdtemp(path.join(tmpdir(), 'omp-camera-'));
    const video = path.join(dir, 'qr.y4m');
    await writeQrVideo(video, `miniapp://${notes}/`);
    const camera = await startBrowser({
      extraArgs: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
    try {
      const b = camera.browser;
      await b.url(`${host.hostOrigin}/`);
      await adapter(b, 'reset');
      await adapter(b, 'init', {
        distributionUrl: server.url,
        trustRoot: (await developmentConfig({ distributionUrl: server.url })).trustRoot,
        channel: 'stable',
        credentials: {
          device: server.credentials.hostDevice.token,
          user: server.credentials.hostUser.token,
        },
        deviceId: 'camera-device-000000001',
      });
      await b.$('[data-testid="scan"]').click();
      await b.waitUntil(
        async () => (await adapter<Outcome | null>(b, 'outcome'))?.appId === notes,
        { timeout: 20_000, timeoutMsg: 'the scanner never opened the app' },
      );
      assert.equal((await adapter<Outcome>(b, 'outcome')).kind, 'launched');
    } finally {
      await camera.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
