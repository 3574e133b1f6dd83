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
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unzipSync } from 'fflate';
import type { BenchmarkModule, Comparison } from '../../scripts/bench-harness.ts';
import { extractPackage } from '../src/launch/package-extraction.ts';
import { checkPackageDigest } from '../src/trust/sdk-verifier.ts';
import type { RunningHostServer } from '../server/host-server.ts';
import {
  adapter,
  restartHost,
  startBrowser,
  type BrowserSession,
} from '../test/support/browser-session.ts';
import {
  FixtureDistribution,
  type FixtureFiles,
  type PublishedRelease,
} from '../test/support/fixture-distribution.ts';
import { startHost } from '../test/support/host-under-test.ts';

const appId = 'dev.bench.large';
const manyId = 'dev.bench.many';
const verifyId = 'dev.bench.verify2m';
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

/**
 * One launch in one WebDriver round trip, as the baseline's iframe load is: the adapter is called in
 * the host's top document and the launch's performance marks come back with its outcome.
 */
async function launchOnce(id: string): Promise<[string, number][]> {
  const browser = session?.browser;
  if (!browser) throw new Error('no browser');
  const answer = (await browser.executeAsync(
    (link: string, prefix: string, done: (value: unknown) => void) => {
      performance.clearMarks();
      const adapter = (
        window as unknown as {
          openMiniAppConformance: { call(c: string, a: unknown): Promise<{ kind: string }> };
        }
      ).openMiniAppConformance;
      adapter.call('launch', { link }).then(
        (outcome) =>
          done({
            kind: outcome.kind,
            marks: performance
              .getEntriesByType('mark')
              .filter((m) => m.name.startsWith(prefix))
              .map((m) => [m.name.slice(prefix.length), m.startTime]),
          }),
        (error: unknown) => done({ kind: `error ${String(error)}` }),
      );
    },
    `miniapp://${id}/`,
    `omp:${id}:`,
  )) as { kind: string; marks?: [string, number][] };
  if (answer.kind !== 'launched') throw new Error(`the launch failed: ${JSON.stringify(answer)}`);
  return answer.marks ?? [];
}

/**
 * The entry page's own navigation and resource timing, read inside the app's frame after a launch
 * (outside the timed run), on the host's clock: the frame's time origin is placed against the host's.
 */
async function frameTiming(id: string): Promise<[string, number][]> {
  const browser = session?.browser;
  if (!browser) throw new Error('no browser');
  const hostOrigin = (await browser.execute(() => performance.timeOrigin)) as number;
  const frame = await browser.$(`iframe[data-openminiapp-app="${id}"]`);
  if (!(await frame.isExisting())) return [];
  await browser.switchFrame(frame);
  try {
    const entries = (await browser.execute(() => {
      const nav = performance.getEntriesByType('navigation')[0] as
        PerformanceNavigationTiming | undefined;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const client = resources.find((r) => r.name.includes('/__omp/client.js'));
      const out: [string, number][] = [['frame:time origin', 0]];
      if (nav) {
        out.push(
          ['frame:worker start', nav.workerStart],
          ['frame:redirect end', nav.redirectEnd],
          ['frame:entry response start', nav.responseStart],
          ['frame:entry response end', nav.responseEnd],
          ['frame:dom interactive', nav.domInteractive],
          ['frame:dom content loaded', nav.domContentLoadedEventEnd],
          ['frame:load event', nav.loadEventStart],
        );
      }
      if (client)
        out.push(
          ['frame:client.js requested', client.startTime],
          ['frame:client.js worker start', client.workerStart],
          ['frame:client.js response start', client.responseStart],
          ['frame:client.js response end', client.responseEnd],
        );
      const last = Math.max(0, ...resources.map((r) => r.responseEnd));
      out.push(['frame:last resource response end', last]);
      return { origin: performance.timeOrigin, out };
    })) as { origin: number; out: [string, number][] };
    return entries.out
      .filter(([name, at]) => at > 0 || name === 'frame:time origin')
      .map(([name, at]) => [name, entries.origin - hostOrigin + at]);
  } finally {
    await browser.switchFrame(null);
  }
}

/** Per comparison, the time from the launch's first mark to each later mark, over every sample. */
const phases = new Map<string, Map<string, number[]>>();

function recordPhases(comparison: string, marks: [string, number][]): void {
  const first = marks[0]?.[1];
  if (first === undefined) return;
  const table = phases.get(comparison) ?? new Map<string, number[]>();
  phases.set(comparison, table);
  for (const [name, at] of marks) {
    const list = table.get(name) ?? [];
    list.push(at - first);
    table.set(name, list);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(at)] ?? 0) + (sorted[Math.ceil(at)] ?? 0)) / 2;
}

/** The launch pipeline's marks: median time since the launch began, and since the mark before. */
export function phaseReport(): string {
  const lines: string[] = [];
  for (const [comparison, table] of phases) {
    lines.push(`\n${comparison}: median ms since the launch's first mark (cache check)`);
    const rows = [...table.entries()]
      .map(([name, values]) => ({ name, at: median(values), n: values.length }))
      .sort((a, b) => a.at - b.at);
    let previous = 0;
    for (const row of rows) {
      lines.push(
        `  ${row.name.padEnd(34)} ${row.at.toFixed(1).padStart(7)}  (+${(row.at - previous).toFixed(1)}, n=${row.n})`,
      );
      previous = row.at;
    }
  }
  return lines.join('\n');
}

/** The web device profile's CPU throttling of spec/budgets.md (rate 4), through the DevTools Protocol. */
async function throttle(rate: number): Promise<void> {
  const browser = session?.browser;
  if (!browser) throw new Error('no browser');
  const { protocol = 'http', hostname = '127.0.0.1', port } = browser.options;
  const response = await fetch(
    `${protocol}://${hostname}:${port}/session/${browser.sessionId}/goog/cdp/execute`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cmd: 'Emulation.setCPUThrottlingRate', params: { rate } }),
    },
  );
  if (!response.ok) throw new Error(`CPU throttling failed: HTTP ${response.status}`);
}

/**
 * The 2 MiB reference package of spec/budgets.md: 32 files of 32 KiB in the main package and 32 in
 * one subpackage, byte k of the file at path p being byte k mod 32 of SHA-256(p + ":" + floor(k / 32)).
 */
export function verificationApp(): FixtureFiles {
  const files: FixtureFiles = {
    'index.html': '<!doctype html>\n<title>verify</title>\n',
    'sub/index.html': '<!doctype html>\n<title>verify sub</title>\n',
  };
  for (const root of ['', 'sub/']) {
    for (let i = 0; i < 32; i++) {
      const file = `${root}data/${String(i).padStart(2, '0')}.bin`;
      const bytes = new Uint8Array(32 * 1024);
      for (let block = 0; block < bytes.length / 32; block++)
        bytes.set(createHash('sha256').update(`${file}:${block}`).digest(), block * 32);
      files[file] = bytes;
    }
  }
  return files;
}

/**
 * One install in one WebDriver round trip, with the install's marks and the time from the last
 * bundle byte's arrival to the answer (the window of BUD-012, seen from inside the host).
 */
async function installOnce(
  id: string,
): Promise<{ marks: [string, number][]; window: Record<string, number> }> {
  const browser = session?.browser;
  if (!browser) throw new Error('no browser');
  const answer = (await browser.executeAsync(
    (appId: string, prefix: string, done: (value: unknown) => void) => {
      performance.clearMarks();
      const adapter = (
        window as unknown as {
          openMiniAppConformance: { call(c: string, a: unknown): Promise<{ kind: string }> };
        }
      ).openMiniAppConformance;
      adapter.call('install', { appId }).then(
        (outcome) => {
          const answeredAt = performance.now();
          const marks = performance
            .getEntriesByType('mark')
            .filter((m) => m.name.startsWith(prefix))
            .map((m) => [m.name.slice(prefix.length), m.startTime] as [string, number]);
          marks.push(['answered', answeredAt]);
          const downloaded = marks.find(([name]) => name === 'install:downloaded')?.[1];
          done({
            kind: outcome.kind,
            marks,
            downloadedAt: downloaded === undefined ? -1 : performance.timeOrigin + downloaded,
            answeredAt: performance.timeOrigin + answeredAt,
          });
        },
        (error: unknown) => done({ kind: `error ${String(error)}` }),
      );
    },
    id,
    `omp:${id}:`,
  )) as { kind: string; marks?: [string, number][]; downloadedAt?: number; answeredAt?: number };
  const receivedAt = Date.now();
  if (answer.kind !== 'installed') throw new Error(`the install failed: ${JSON.stringify(answer)}`);
  const sentAt = fixture?.bundleEndedAt.at(-1) ?? Number.NaN;
  const downloadedAt = answer.downloadedAt ?? Number.NaN;
  const answeredAt = answer.answeredAt ?? Number.NaN;
  return {
    marks: answer.marks ?? [],
    window: {
      'last byte sent -> last byte read by the host': downloadedAt - sentAt,
      'last byte read -> install answered (host work)': answeredAt - downloadedAt,
      'answer -> received by the driver': receivedAt - answeredAt,
      'whole window (as the suite times BUD-012)': receivedAt - sentAt,
    },
  };
}

/** Fetches a bundle in the host's page through the host's forwarder, as the host does, and reads it. */
function fetchOnce(url: string): Promise<unknown> {
  const browser = session?.browser;
  if (!browser) throw new Error('no browser');
  return browser.executeAsync((src: string, done: (value: unknown) => void) => {
    void fetch(`/__forward?url=${encodeURIComponent(src)}`, {
      cache: 'no-store',
      headers: { 'x-omp-forward': '1' },
    })
      .then((r) => r.arrayBuffer())
      .then(
        (b) => done(b.byteLength),
        (error: unknown) => done(String(error)),
      );
  }, url);
}

/** The parts of BUD-012's window, from the fixture's last bundle byte to the driver's answer. */
const verificationWindow = new Map<string, number[]>();

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
  const verifyRelease = await fixture.publish({
    appId: verifyId,
    versionCode: 1,
    files: verificationApp(),
    name: 'Verification, 2 MiB',
    subpackages: [{ root: 'sub/', name: 'sub', pages: ['index.html'] }],
  });
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
  const init = await adapter<{ deviceId?: string }>(browser, 'init', {
    distributionUrl: fixture.url,
    trustRoot: fixture.trustRoot,
    channel: 'stable',
    credentials: { device: 'fixture-device-credential', user: 'fixture-user-session' },
    deviceId: 'bench-device-00000000001',
  });
  if (init.deviceId !== 'bench-device-00000000001')
    throw new Error(`the host did not start: ${JSON.stringify(init)}`);
  let coldRun = 0;
  const launch = async (id: string, phase?: string): Promise<void> => {
    const marks = await launchOnce(id);
    if (phase) recordPhases(phase, marks);
  };
  const launched = (): Promise<void> => launch(appId);
  let lastWarmMarks: [string, number][] | undefined;
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
        run: () => launch(appId, 'cold start, bundled'),
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
        run: () => launch(manyId, 'cold start, many files'),
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
          // The previous sample's frame, before the restart removes it.
          if (lastWarmMarks)
            recordPhases('warm start', [...lastWarmMarks, ...(await frameTiming(appId))]);
          lastWarmMarks = undefined;
          await restartHost(browser);
          const state = await adapter<{ apps: { appId: string }[] }>(browser, 'state');
          if (!state.apps.some((a) => a.appId === appId)) await launched();
          await restartHost(browser);
        },
        run: async () => {
          lastWarmMarks = await launchOnce(appId);
        },
      },
      baseline: {
        name: 'static iframe, HTTP cache',
        prepare: () => loadStatic(`${staticOrigin}/warm/bundled/0/index.html`),
        run: () => loadStatic(`${staticOrigin}/warm/bundled/0/index.html`),
      },
    },
    {
      name: `host install of the ${(verifyRelease.bundle.length / 1048576).toFixed(2)} MiB verification package under 4x CPU throttling (download, verify, extract, store)`,
      samples: 21,
      subject: {
        name: 'host install',
        prepare: async () => {
          await throttle(1);
          await adapter(browser, 'uninstall', { appId: verifyId });
          await throttle(4);
        },
        run: async () => {
          const { marks, window } = await installOnce(verifyId);
          recordPhases('install under 4x throttling', marks);
          for (const [part, ms] of Object.entries(window)) {
            const list = verificationWindow.get(part) ?? [];
            list.push(ms);
            verificationWindow.set(part, list);
          }
        },
      },
      baseline: {
        name: 'fetch of the bundle, no checks',
        prepare: () => throttle(4),
        run: () =>
          fetchOnce(`${fixture?.url ?? ''}/v1/bundles/sha256/${verifyRelease.packageSha256}.ma`),
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
  process.stderr.write(`${phaseReport()}\n`);
  for (const [part, values] of verificationWindow) {
    const sorted = [...values].sort((a, b) => a - b);
    // Nearest rank, as spec/budgets.md computes percentiles.
    const p90 = sorted[Math.ceil(sorted.length * 0.9) - 1] ?? 0;
    process.stderr.write(
      `BUD-012 window under 4x throttling, ${part}: median ${median(sorted).toFixed(1)} ms, p90 ${p90.toFixed(1)} ms (n=${sorted.length})\n`,
    );
  }
  await session?.close();
  await host?.close();
  await fixture?.close();
  await new Promise<void>((resolve) => (statics ? statics.close(() => resolve()) : resolve()));
}

export const benchmarks: BenchmarkModule = { comparisons, teardown };
