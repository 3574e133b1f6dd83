/**
 * Screenshots of the example mini-apps running in `miniapp preview`, driven in headless Chromium.
 * Usage: tsx scripts/screenshot.ts [app ...]   (writes docs/screenshots/<app>.png, 390x844)
 * Never downloads a browser: it uses the system Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import {
  defaultChromiumPath,
  launchHeadlessChromium,
  startPreview,
  type NetworkFixture,
} from '#sdk/preview/index.ts';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'docs/screenshots');
const executablePath = process.env.CHROMIUM_PATH || defaultChromiumPath;

interface Scene {
  fixtures?: NetworkFixture[];
  /** Drives the app; calls `shot(name)` for each picture. */
  drive(page: Page, shot: (name: string) => Promise<void>): Promise<void>;
}

const placesFixture: NetworkFixture = {
  method: 'GET',
  url: 'https://api.placefinder.example/v1/places',
  body: {
    places: [
      { name: 'Café Kranzler', distanceMeters: 120 },
      { name: 'Bonanza Coffee Roasters', distanceMeters: 340 },
      { name: 'The Barn', distanceMeters: 560 },
      { name: 'Father Carpenter', distanceMeters: 780 },
      { name: 'Five Elephant', distanceMeters: 1150 },
    ],
  },
};

const scenes: Record<string, Scene> = {
  shop: {
    async drive(page, shot) {
      const app = page.frameLocator('#app-frame');
      await app.getByRole('button', { name: 'Buy' }).first().click();
      await page.locator('#prompt-allow').click();
      await page.locator('#wallet-sheet').waitFor();
      await shot('shop-wallet');
      await page.locator('#wallet-pay').click();
      await app.getByText(/^Paid\./).waitFor();
      await page.locator('.toast').waitFor();
      await shot('shop');
    },
  },
  places: {
    fixtures: [placesFixture],
    async drive(page, shot) {
      const app = page.frameLocator('#app-frame');
      await app.getByRole('button', { name: 'Find near me' }).click();
      await page.locator('#permission-prompt').waitFor();
      await shot('places-prompt');
      await page.locator('#prompt-allow').click();
      await app.getByText('5 places nearby.').waitFor();
      await shot('places');
    },
  },
  notes: {
    async drive(page, shot) {
      const app = page.frameLocator('#app-frame');
      for (const note of [
        'Buy oat milk and lemons',
        'Call the bakery about Saturday',
        'Book the dentist for May',
      ]) {
        await app.getByPlaceholder('Write a note').fill(note);
        await app.getByRole('button', { name: 'Save note' }).click();
        await app.getByText(note).waitFor();
      }
      await shot('notes');
    },
  },
};

async function run(names: readonly string[]): Promise<void> {
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}`);
  await mkdir(outDir, { recursive: true });
  // Hinting off keeps glyphs identical between machines, so screenshots do not churn.
  const browser = await launchHeadlessChromium({
    executablePath,
    extraArgs: ['--font-render-hinting=none'],
  });
  try {
    for (const name of names) {
      const scene = scenes[name];
      if (!scene)
        throw new Error(`no scene for "${name}" (have ${Object.keys(scenes).join(', ')})`);
      const preview = await startPreview({
        directory: path.join(root, 'examples', name),
        ...(scene.fixtures ? { fixtures: scene.fixtures } : {}),
      });
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 1,
        colorScheme: 'light',
        locale: 'en-US',
        timezoneId: 'UTC',
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      try {
        await page.goto(preview.hostUrl);
        await page.frameLocator('#app-frame').locator('main').waitFor();
        await scene.drive(page, async (shot) => {
          const file = path.join(outDir, `${shot}.png`);
          await page.screenshot({ path: file, animations: 'disabled' });
          console.log(`wrote ${path.relative(root, file)}`);
        });
        if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
      } finally {
        await context.close();
        await preview.close();
      }
    }
  } finally {
    await browser.close();
  }
}

const requested = process.argv.slice(2);
await run(requested.length > 0 ? requested : ['shop', 'places', 'notes']);
