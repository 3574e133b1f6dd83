import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { extractPackage, type PackageSource } from '#sdk/package/index.ts';
import { launchHeadlessChromium } from '#sdk/preview/index.ts';

/** [REV-007] the reference viewport of spec/budgets.md, at a device pixel ratio of 1 for the reviewer. */
export const screenshotViewport = { width: 390, height: 844 } as const;

const mediaTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
};

/** Stands in for the host's bridge: every call fails as unavailable, so pages render their offline state. */
const stubBridge = `(() => {
  const unavailable = () => Promise.reject(Object.assign(new Error('no host in review'), { code: 'BRIDGE_UNAVAILABLE' }));
  const bridge = { call: unavailable, on: () => () => undefined, off: () => undefined, has: () => false };
  Object.defineProperty(window, 'MiniAppBridge', { value: bridge });
})();`;

/** A PNG stored for the reviewer. */
export interface CapturedScreenshot {
  page: string;
  sha256: string;
  width: number;
  height: number;
}

/** Serves the files of one directory, and nothing outside it, on a loopback port. */
async function serveDirectory(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = path.join(root, pathname);
    if (!file.startsWith(root + path.sep)) {
      response.writeHead(404).end();
      return;
    }
    void realpath(file)
      .then((real) => {
        if (!real.startsWith(root + path.sep)) throw new Error('outside');
        response.writeHead(200, {
          'content-type':
            mediaTypes[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
        });
        createReadStream(real)
          .on('error', () => response.destroy())
          .pipe(response);
      })
      .catch(() => response.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

/**
 * Renders the entry page of a package in headless Chromium with a stub bridge and stores a PNG under
 * screenshotsDir by its SHA-256 [REV-007]. The page may load only the package's own files; every other
 * request is aborted, so reviewing a package never sends traffic on its behalf.
 */
export async function captureEntryPage(input: {
  source: PackageSource;
  entryPage: string;
  scratchDir: string;
  screenshotsDir: string;
  chromiumPath: string;
  timeoutMs?: number;
}): Promise<CapturedScreenshot> {
  const timeout = input.timeoutMs ?? 15_000;
  let server: Server | null = null;
  let browser: Browser | null = null;
  try {
    await extractPackage(input.source, input.scratchDir);
    const served = await serveDirectory(await realpath(input.scratchDir));
    server = served.server;
    const origin = served.origin;
    browser = await launchHeadlessChromium({
      executablePath: input.chromiumPath,
      timeoutMs: timeout,
    });
    const context = await browser.newContext({
      viewport: screenshotViewport,
      deviceScaleFactor: 1,
      serviceWorkers: 'block',
    });
    await context.addInitScript(stubBridge);
    await context.route('**/*', (route) =>
      route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    const entryUrl = `${origin}/${input.entryPage.split('/').map(encodeURIComponent).join('/')}`;
    await page.goto(entryUrl, { waitUntil: 'load', timeout });
    const png = await page.screenshot({ type: 'png', timeout });
    const sha256 = createHash('sha256').update(png).digest('hex');
    await mkdir(input.screenshotsDir, { recursive: true });
    await writeFile(path.join(input.screenshotsDir, `${sha256}.png`), png);
    return { page: input.entryPage, sha256, ...screenshotViewport };
  } finally {
    await browser?.close().catch(() => undefined);
    if (server) {
      const open = server;
      open.closeAllConnections();
      await new Promise<void>((resolve) => open.close(() => resolve()));
    }
    await rm(input.scratchDir, { recursive: true, force: true });
  }
}
