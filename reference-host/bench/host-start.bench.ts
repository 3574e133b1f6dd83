/**
 * Start-up of a mini-app of about 2 MiB in headless Chromium on loopback, each beside a baseline
 * measured in the same run: the same files loaded as a plain static page in an iframe, with no
 * verification at all.
 *
 * - cold start: download, verification against the signed metadata, extraction, runtime
 *   provisioning, first paint and bridge ready (the page's load event and the ready signal), against
 *   the static page fetched with the HTTP cache off;
 * - warm start from the cache: the installed app launched again (no running instance), against the
 *   static page served from the HTTP cache;
 * - verification of the 2 MiB package in Node (digest, every ZIP rule, every file read and hashed),
 *   against unzipping it without any check (spec/budgets.md: 200 ms at p90 on the reference device).
 *
 * Each operation of the browser comparisons is one WebDriver round trip, the same for both sides.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unzipSync } from 'fflate';
import type { BenchmarkModule, Comparison } from '../../scripts/bench-harness.ts';
import { extractPackage } from '../src/launch/package-extraction.ts';
import { checkPackageDigest } from '../src/trust/sdk-verifier.ts';
import type { RunningHostServer } from '../server/host-server.ts';
import { adapter, startBrowser, type BrowserSession } from '../test/support/browser-session.ts';
import {
  FixtureDistribution,
  type FixtureFiles,
  type PublishedRelease,
} from '../test/support/fixture-distribution.ts';
import { startHost } from '../test/support/host-under-test.ts';

const appId = 'dev.bench.large';
const manyId = 'dev.bench.many';
let fixture: FixtureDistribution | undefined;
let host: RunningHostServer | undefined;
let session: BrowserSession | undefined;
let statics: Server | undefined;

/**
 * About 1.7 MiB of files, all loaded by the entry page: scripts, styles and (incompressible) images.
 * `bundled` is a mini-app built with a bundler (4 scripts, 2 styles, 24 images); otherwise 120 files.
 */
export function largeApp(shape: 'bundled' | 'many-files'): FixtureFiles {
  const scripts = shape === 'bundled' ? 4 : 40;
  const styles = shape === 'bundled' ? 2 : 20;
  const images = shape === 'bundled' ? 24 : 60;
  const imageBytes = Math.floor(1_680_000 / images);
  let seed = 7;
  const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const files: FixtureFiles = {};
  const head: string[] = [];
  const body: string[] = [];
  const scriptLines = Math.floor(4800 / scripts);
  for (let i = 0; i < scripts; i++) {
    const lines = Array.from(
      { length: scriptLines },
      (_, n) => `  function f${i}_${n}(a) { return a * ${random() % 97} + ${random() % 1000}; }`,
    );
    files[`js/module${i}.js`] =
      `(() => {\n${lines.join('\n')}\n  window.__bench = (window.__bench || 0) + f${i}_0(1);\n})();\n`;
    body.push(`<script src="js/module${i}.js"></script>`);
  }
  const styleLines = Math.floor(1200 / styles);
  for (let i = 0; i < styles; i++) {
    files[`css/style${i}.css`] = Array.from(
      { length: styleLines },
      (_, n) =>
        `.c${i}-${n} { margin: ${random() % 40}px; color: #${(random() % 0xffffff).toString(16).padStart(6, '0')}; }`,
    ).join('\n');
    head.push(`<link rel="stylesheet" href="css/style${i}.css">`);
  }
  for (let i = 0; i < images; i++) {
    // Photographs do not compress: random bytes stand for them.
    files[`img/photo${i}.png`] = new Uint8Array(randomBytes(imageBytes));
    body.push(`<img src="img/photo${i}.png" alt="" width="1" height="1">`);
  }
  files['index.html'] =
    `<!doctype html><html><head><meta charset="utf-8"><title>large</title>${head.join('')}</head><body><h1>Large</h1>${body.join('')}</body></html>`;
  return files;
}

/** The same files on a plain static server: /cold/ never cached, /warm/ cached by the browser. */
async function staticServer(
  sites: Record<string, FixtureFiles>,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://static');
    const cold = url.pathname.startsWith('/cold/');
    const match = /^\/(cold|warm)\/([a-z-]+)\/[^/]+\/(.*)$/.exec(url.pathname);
    const body = match ? sites[match[2] ?? '']?.[match[3] ?? ''] : undefined;
    if (body === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    const relative = match?.[3] ?? '';
    const type = relative.endsWith('.html')
      ? 'text/html'
      : relative.endsWith('.js')
        ? 'text/javascript'
        : relative.endsWith('.css')
          ? 'text/css'
          : 'image/png';
    res.writeHead(200, {
      'content-type': type,
      'cache-control': cold ? 'no-store' : 'public, max-age=3600',
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Loads a URL in a sandboxed iframe of the shell and resolves on its load event. */
function loadStatic(url: string): Promise<unknown> {
  const browser = session?.browser;
  if (!browser) throw new Error('no browser');
  return browser.executeAsync((src: string, done: (value: unknown) => void) => {
    document.querySelectorAll('iframe.bench-static').forEach((f) => f.remove());
    const frame = document.createElement('iframe');
    frame.className = 'bench-static';
    frame.setAttribute('sandbox', 'allow-scripts allow-same-origin');
    frame.onload = () => done(true);
    frame.src = src;
    document.body.append(frame);
  }, url);
}

export async function comparisons(): Promise<Comparison[]> {
  fixture = await FixtureDistribution.start();
  const files = largeApp('bundled');
  const release: PublishedRelease = await fixture.publish({
    appId,
    versionCode: 1,
    files,
    name: 'Large',
  });
  const manyFiles = largeApp('many-files');
  const manyRelease = await fixture.publish({
    appId: manyId,
    versionCode: 1,
    files: manyFiles,
    name: 'Many files',
  });
  host = await startHost('conformance');
  const staticSite = await staticServer({ bundled: files, many: manyFiles });
  statics = staticSite.server;
  session = await startBrowser();
  const { browser } = session;
  await browser.url(`${host.hostOrigin}/`);
  const init = await adapter<{ ok?: boolean }>(browser, 'init', {
    distributionUrl: fixture.url,
    trustRoot: fixture.trustRoot,
    channel: 'stable',
    deviceId: 'bench-device-00000000001',
  });
  if (!init.ok) throw new Error(`the host did not start: ${JSON.stringify(init)}`);
  let coldRun = 0;
  const launch = async (id: string): Promise<void> => {
    const outcome = await adapter<{ kind: string }>(browser, 'launch', {
      link: `miniapp://${id}/`,
    });
    if (outcome.kind !== 'launched')
      throw new Error(`the launch failed: ${JSON.stringify(outcome)}`);
  };
  const launched = (): Promise<void> => launch(appId);
  const staticOrigin = `http://bench-static.localhost:${staticSite.port}`;
  const bundleBytes = release.bundle;
  return [
    {
      name: `host cold start, ${(bundleBytes.length / 1048576).toFixed(2)} MiB bundle in ${Object.keys(files).length} files (download, verify, extract, first paint, bridge ready)`,
      samples: 15,
      subject: {
        name: 'host',
        // Not installed, nothing of it in the runtime: a first launch.
        prepare: () => adapter(browser, 'uninstall', { appId }),
        run: launched,
      },
      baseline: {
        name: 'static iframe, no cache',
        run: () => loadStatic(`${staticOrigin}/cold/bundled/${++coldRun}/index.html`),
      },
    },
    {
      name: `host cold start, ${(manyRelease.bundle.length / 1048576).toFixed(2)} MiB bundle in ${Object.keys(manyFiles).length} files`,
      samples: 15,
      subject: {
        name: 'host',
        prepare: () => adapter(browser, 'uninstall', { appId: manyId }),
        run: () => launch(manyId),
      },
      baseline: {
        name: 'static iframe, no cache',
        run: () => loadStatic(`${staticOrigin}/cold/many/${++coldRun}/index.html`),
      },
    },
    {
      name: 'host warm start from the cache (installed, no running instance)',
      samples: 15,
      subject: {
        name: 'host',
        prepare: async () => {
          await adapter(browser, 'restart');
          const state = await adapter<{ installed: { appId: string }[] }>(browser, 'state');
          if (!state.installed.some((a) => a.appId === appId)) await launched();
          await adapter(browser, 'restart');
        },
        run: launched,
      },
      baseline: {
        name: 'static iframe, HTTP cache',
        prepare: () => loadStatic(`${staticOrigin}/warm/bundled/0/index.html`),
        run: () => loadStatic(`${staticOrigin}/warm/bundled/0/index.html`),
      },
    },
    {
      name: `host verification of the ${(bundleBytes.length / 1048576).toFixed(2)} MiB package (digest, ZIP rules, every file)`,
      unitsPerOp: { amount: bundleBytes.length, unit: 'bytes' },
      samples: 21,
      subject: {
        name: 'host checks',
        run: async () => {
          await checkPackageDigest(bundleBytes, {
            sha256: release.packageSha256,
            length: bundleBytes.length,
          });
          const text = new TextDecoder().decode(
            unzipSync(bundleBytes, { filter: (f) => f.name === 'manifest.json' })['manifest.json'],
          );
          const manifest = JSON.parse(text) as { version: string };
          await extractPackage(bundleBytes, {
            appId,
            version: manifest.version,
            versionCode: 1,
            manifestSha256: await manifestDigest(text),
          });
        },
      },
      baseline: {
        name: 'unzip, no checks',
        run: () => unzipSync(bundleBytes),
      },
    },
  ];
}

async function manifestDigest(text: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)),
  );
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function teardown(): Promise<void> {
  await session?.close();
  await host?.close();
  await fixture?.close();
  await new Promise<void>((resolve) => (statics ? statics.close(() => resolve()) : resolve()));
}

export const benchmarks: BenchmarkModule = { comparisons, teardown };
