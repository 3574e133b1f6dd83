import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  defaultChromiumPath,
  launchHeadlessChromium,
  startPreview,
  type PreviewServer,
} from '../index.ts';

const executablePath = process.env.CHROMIUM_PATH || defaultChromiumPath;
const skip = existsSync(executablePath)
  ? false
  : `no Chromium at ${executablePath}: the end-to-end preview test needs a real browser`;
if (skip) console.log(`# skipping browser tests: ${skip}`);

const shopDir = path.resolve(import.meta.dirname, '../../../../examples/shop');

describe('preview in headless Chromium', { skip, timeout: 30_000 }, () => {
  let browser: Browser;
  let preview: PreviewServer;
  let page: Page;

  before(async () => {
    preview = await startPreview({ directory: shopDir });
    browser = await launchHeadlessChromium({ executablePath });
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(preview.hostUrl);
    await page.frameLocator('#app-frame').getByRole('button', { name: 'Buy' }).first().waitFor();
  });

  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('runs the shop: Buy, allow, accept the wallet sheet, and the page shows Paid', async () => {
    const app = page.frameLocator('#app-frame');
    await app.getByRole('button', { name: 'Buy' }).first().click();
    await page.locator('#prompt-allow').click();
    // [BRG-200] the mini-app names a product, never a price.
    await page.locator('#wallet-sheet').getByText('croissant').first().waitFor();
    await page.locator('#wallet-pay').click();
    await app.getByText(/^Paid\. Transaction mock-order-/).waitFor({ timeout: 5_000 });
    await page.locator('.toast').getByText('Thank you!').waitFor();
  });

  it('reports USER_CANCELLED to the app when the wallet sheet is cancelled', async () => {
    const app = page.frameLocator('#app-frame');
    await app.getByRole('button', { name: 'Buy' }).first().click();
    // The payment permission was granted above and is remembered: the sheet comes straight up.
    await page.locator('#wallet-cancel').click();
    await app.getByText('Payment cancelled.').waitFor({ timeout: 5_000 });
  });

  it('keeps the mini-app out of the host page: no DOM access, no inline handlers, no fetch to the host', async () => {
    const frame = page.frames().find((f) => f.url().startsWith(preview.appOrigin));
    assert.ok(frame, 'the mini-app frame is on its own origin');
    const reach = await frame.evaluate(() => {
      try {
        return window.parent.document.title;
      } catch (error) {
        return (error as Error).name;
      }
    });
    assert.equal(reach, 'SecurityError');
    const inline = await frame.evaluate(async () => {
      document.body.insertAdjacentHTML('beforeend', '<img src="x:" onerror="window.__ran = 1">');
      await new Promise((resolve) => setTimeout(resolve, 200));
      return (window as unknown as { __ran?: number }).__ran ?? 0;
    });
    assert.equal(inline, 0, 'the CSP blocks inline event handlers');
    const fetched = await frame.evaluate(
      (url) =>
        fetch(url).then(
          () => 'reached',
          () => 'blocked',
        ),
      preview.hostUrl,
    );
    assert.equal(fetched, 'blocked', 'connect-src admits only allowedDomains [BRG-030]');
  });

  it('closes the mini-app from the capsule and opens it again', async () => {
    await page.locator('#host-close').click();
    await page.locator('#closed').getByText('Corner Bakery is closed.').waitFor();
    await page.locator('#reopen').click();
    await page.frameLocator('#app-frame').getByRole('button', { name: 'Buy' }).first().waitFor();
  });
});
