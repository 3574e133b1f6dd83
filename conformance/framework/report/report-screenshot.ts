/**
 * Screenshot of an HTML conformance report in headless Chromium, so that the README shows what a
 * vendor reads. Never downloads a browser: it uses the system Chromium (CHROMIUM_PATH, default
 * /usr/bin/chromium).
 *
 *   npx tsx conformance/framework/report/report-screenshot.ts                 # the package example
 *   npx tsx conformance/framework/report/report-screenshot.ts <report.html> <out.png>
 *
 * Without arguments it writes the broken corpus package `undeclared-permission.ma`, certifies it
 * with the CLI into a temporary folder and writes docs/screenshots/certify-package-report.png.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { writeBuilt } from '../../broken/package/package-corpus.ts';
import { packageRecipes } from '../../broken/package/package-recipes.ts';
import { main } from '../../cli/main.ts';
import { repositoryRoot } from '../requirement-index.ts';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Renders `htmlFile` at 1200 CSS pixels wide and saves the first 1560 pixels of it as a PNG. */
export async function screenshotReport(htmlFile: string, pngFile: string): Promise<void> {
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}`);
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--font-render-hinting=none',
    ],
  });
  try {
    const page = await browser.newPage({
      viewport: { width: 1200, height: 1560 },
      colorScheme: 'light',
      locale: 'en-US',
    });
    await page.goto(pathToFileURL(htmlFile).href);
    await page.screenshot({ path: pngFile, animations: 'disabled' });
  } finally {
    await browser.close();
  }
}

async function packageExample(): Promise<void> {
  const recipe = packageRecipes.find((r) => r.name === 'undeclared-permission');
  if (!recipe) throw new Error('the corpus has no recipe undeclared-permission');
  const folder = await mkdtemp(path.join(tmpdir(), 'certify-screenshot-'));
  try {
    const target = writeBuilt(folder, recipe.name, recipe.build());
    const quiet = { write: () => true };
    const code = await main(['package', target, '--report-dir', folder, '--format', 'html'], {
      stdout: quiet,
      stderr: process.stderr,
    });
    if (code !== 1) throw new Error(`expected exit code 1 for a broken package, got ${code}`);
    const out = path.join(repositoryRoot, 'docs', 'screenshots', 'certify-package-report.png');
    await screenshotReport(path.join(folder, 'certify-package.html'), out);
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [html, png] = process.argv.slice(2);
  await (html && png ? screenshotReport(path.resolve(html), path.resolve(png)) : packageExample());
}
