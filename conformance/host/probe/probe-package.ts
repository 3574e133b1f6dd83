import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import {
  assembleZip,
  canonicalCompression,
  canonicalHeader,
  type ZipEntrySpec,
} from '../../broken/package/zip-assembler.ts';

/**
 * The probe mini-apps of the host suite (spec/conformance.md, "Probe mini-app") and the reference
 * packages of spec/budgets.md, built by the suite at run time in the canonical form of
 * spec/package.md with its own ZIP writer (it shares no packer with the toolkit it may judge).
 */

export const probeAppId = 'dev.openminiapp.conformance.probe';
export const referenceAppId = 'dev.openminiapp.conformance.reference';
export const verify2mAppId = 'dev.openminiapp.conformance.verify2m';

/** Origins the suite serves for network cases (spec/conformance.md). */
export const echoOrigin = 'https://echo.openminiapp.test:8443';
export const otherOrigin = 'https://other.openminiapp.test:8443';

export type Files = Map<string, Uint8Array>;

export interface BuiltPackage {
  appId: string;
  versionCode: number;
  version: string;
  bytes: Uint8Array;
  manifestBytes: Uint8Array;
  manifest: Record<string, unknown>;
  files: Files;
  permissions: string[];
  minHostVersion: string;
}

export interface ProbeOptions {
  appId?: string;
  versionCode?: number;
  version?: string;
  minHostVersion?: string;
  /** Declared permissions with their reasons. */
  permissions?: Record<string, string>;
  allowedDomains?: string[];
  /** Members merged into the manifest (vendor extensions, or faults a case needs). */
  manifest?: Record<string, unknown>;
  /** Files added or replaced after the pages are written. */
  extraFiles?: Record<string, Uint8Array | string>;
  /** A marker text every page shows, so a case can tell versions apart. */
  marker?: string;
}

const encoder = new TextEncoder();
const probeRuntime = readFileSync(new URL('./probe-runtime.js', import.meta.url));

/** The pages of every probe: two main pages, a subpackage page and a file that is no page. */
export const probePages = {
  entry: 'pages/index.html',
  second: 'pages/second.html',
  subpackage: 'packages/extra/pages/extra.html',
  notAPage: 'static/not-a-page.html',
} as const;

function pageHtml(options: {
  appId: string;
  versionCode: number;
  page: string;
  title: string;
  marker: string;
  body?: string;
  head?: string;
}): Uint8Array {
  const depth = options.page.split('/').length - 1;
  const up = '../'.repeat(depth);
  return encoder.encode(
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${options.title}</title>\n` +
      `<script src="${up}probe.js" data-app-id="${options.appId}" data-version-code="${options.versionCode}" data-page="${options.page}"></script>\n` +
      `${options.head ?? ''}</head>\n<body>\n<h1 id="marker">${options.marker}</h1>\n<p id="page">${options.page}</p>\n${options.body ?? ''}</body>\n</html>\n`,
  );
}

/** A valid 1x1 PNG icon. */
export const iconPng = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
);

/** Packs files in the canonical form: regular files sorted by UTF-8 path, canonical headers. */
export function packFiles(files: Files): Uint8Array {
  const names = [...files.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const entries: ZipEntrySpec[] = names.map((name) => {
    const data = files.get(name) as Uint8Array;
    const { method, compressed } = canonicalCompression(data);
    return { name, data, method, compressed, ...canonicalHeader };
  });
  return assembleZip({ entries }).bytes;
}

export function manifestOf(options: ProbeOptions, subpackage = true): Record<string, unknown> {
  const appId = options.appId ?? probeAppId;
  const versionCode = options.versionCode ?? 1;
  return {
    specVersion: '1.0',
    id: appId,
    name: 'Conformance probe',
    version: options.version ?? `1.0.${versionCode}`,
    versionCode,
    minHostVersion: options.minHostVersion ?? '1.0.0',
    entryPage: probePages.entry,
    pages: [probePages.entry, probePages.second],
    ...(subpackage
      ? { subpackages: [{ root: 'packages/extra/', name: 'extra', pages: ['pages/extra.html'] }] }
      : {}),
    ...(options.permissions && Object.keys(options.permissions).length > 0
      ? {
          permissions: Object.fromEntries(
            Object.entries(options.permissions).map(([name, reason]) => [name, { reason }]),
          ),
        }
      : {}),
    allowedDomains: options.allowedDomains ?? [echoOrigin],
    icons: [{ src: 'icons/icon.png', sizes: '192x192', type: 'image/png' }],
    category: 'utilities',
    defaultLocale: 'en',
    ...(options.manifest ?? {}),
  };
}

function built(
  manifest: Record<string, unknown>,
  files: Files,
  manifestBytes: Uint8Array,
): BuiltPackage {
  return {
    appId: String(manifest['id']),
    versionCode: Number(manifest['versionCode']),
    version: String(manifest['version']),
    bytes: packFiles(files),
    manifestBytes,
    manifest,
    files,
    permissions: Object.keys(
      (manifest['permissions'] as Record<string, unknown> | undefined) ?? {},
    ),
    minHostVersion: String(manifest['minHostVersion']),
  };
}

/** A probe mini-app: every page carries the probe. */
export function buildProbe(options: ProbeOptions = {}): BuiltPackage {
  const manifest = manifestOf(options);
  const appId = String(manifest['id']);
  const versionCode = Number(manifest['versionCode']);
  const marker = options.marker ?? `${appId} ${versionCode}`;
  const manifestBytes = encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`);
  const files: Files = new Map([
    ['manifest.json', manifestBytes],
    ['probe.js', new Uint8Array(probeRuntime)],
    ['icons/icon.png', iconPng],
  ]);
  for (const [page, title] of [
    [probePages.entry, 'Probe'],
    [probePages.second, 'Probe, second page'],
    [probePages.subpackage, 'Probe, subpackage page'],
    [probePages.notAPage, 'Not a page'],
  ] as const) {
    files.set(page, pageHtml({ appId, versionCode, page, title, marker }));
  }
  for (const [path, content] of Object.entries(options.extraFiles ?? {})) {
    files.set(path, typeof content === 'string' ? encoder.encode(content) : content);
  }
  return built(manifest, files, manifestBytes);
}

/** A PNG of random pixels (incompressible) of about `bytes` bytes. */
function noisePng(bytes: number, seed: string): Uint8Array {
  const width = 256;
  const height = Math.max(1, Math.floor(bytes / (width * 3 + 1)));
  const raw = new Uint8Array(height * (width * 3 + 1));
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < raw.length; i++) {
    if (i % 32 === 0) block = createHash('sha256').update(block).digest();
    raw[i] = i % (width * 3 + 1) === 0 ? 0 : (block[i % 32] ?? 0);
  }
  const chunk = (type: string, data: Uint8Array) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    Buffer.from(data).copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  return Uint8Array.from(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw, { level: 0 })),
      chunk('IEND', new Uint8Array()),
    ]),
  );
}

function padTo(text: string, size: number, comment: (n: number) => string): string {
  const fill = size - Buffer.byteLength(text);
  return fill > 0 ? text + comment(fill) : text;
}

/**
 * The reference mini-app of spec/budgets.md: about 1 MiB, an 8 KiB entry page with a 32 KiB
 * stylesheet and a 512 KiB classic script whose 2,000 records are rendered 200 at a time with an
 * image each, four 120 KiB images, and a second page; the probe records readyAt and shownAt.
 */
export function buildReferenceApp(versionCode = 1): BuiltPackage {
  const manifest = {
    specVersion: '1.0',
    id: referenceAppId,
    name: 'Reference mini-app',
    version: `1.0.${versionCode}`,
    versionCode,
    minHostVersion: '1.0.0',
    entryPage: 'pages/index.html',
    pages: ['pages/index.html', 'pages/detail.html'],
    icons: [{ src: 'icons/icon.png', sizes: '192x192', type: 'image/png' }],
    category: 'utilities',
    defaultLocale: 'en',
  };
  const manifestBytes = encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`);
  const records = Array.from({ length: 2000 }, (_, i) => ({
    id: i,
    title: `Record ${i}`,
    image: `../images/${(i % 4) + 1}.png`,
    text: createHash('sha256').update(`record ${i}`).digest('hex').repeat(3),
  }));
  const scriptText = padTo(
    `var records = ${JSON.stringify(records)};\n` +
      `document.addEventListener('DOMContentLoaded', function () {\n` +
      `  var list = document.getElementById('list');\n` +
      `  for (var i = 0; i < 200; i++) {\n` +
      `    var r = records[i], li = document.createElement('li'), img = document.createElement('img');\n` +
      `    img.src = r.image; img.width = 48; img.height = 48; img.alt = '';\n` +
      `    li.appendChild(img); li.appendChild(document.createTextNode(r.title)); list.appendChild(li);\n` +
      `  }\n});\n`,
    512 * 1024,
    (n) => `/*${'x'.repeat(Math.max(0, n - 5))}*/\n`,
  );
  const css = padTo(
    'body { font-family: sans-serif; margin: 0; } li { display: flex; gap: 8px; padding: 4px; }\n',
    32 * 1024,
    (n) => `/*${'c'.repeat(Math.max(0, n - 5))}*/\n`,
  );
  const page = (path: string, title: string, extra: string, size: number) =>
    encoder.encode(
      padTo(
        `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${title}</title>\n` +
          `<script src="../probe.js" data-app-id="${referenceAppId}" data-version-code="${versionCode}" data-page="${path}"></script>\n` +
          `<link rel="stylesheet" href="../styles/app.css">\n${extra}</head>\n<body>\n<ul id="list"></ul>\n`,
        size - 16,
        (n) => `<!--${'p'.repeat(Math.max(0, n - 7))}-->\n`,
      ) + '</body></html>\n',
    );
  const files: Files = new Map([
    ['manifest.json', manifestBytes],
    ['probe.js', new Uint8Array(probeRuntime)],
    ['icons/icon.png', iconPng],
    [
      'pages/index.html',
      page(
        'pages/index.html',
        'Reference',
        '<script src="../scripts/app.js"></script>\n',
        8 * 1024,
      ),
    ],
    ['pages/detail.html', page('pages/detail.html', 'Detail', '', 2 * 1024)],
    ['styles/app.css', encoder.encode(css)],
    ['scripts/app.js', encoder.encode(scriptText)],
  ]);
  for (let i = 1; i <= 4; i++) files.set(`images/${i}.png`, noisePng(120 * 1024, `image ${i}`));
  return built(manifest, files, manifestBytes);
}

/** Byte k of the file at path p is byte k mod 32 of SHA-256(p + ":" + floor(k / 32)) (budgets.md). */
export function verificationFile(path: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let block = 0; block * 32 < size; block++) {
    const digest = createHash('sha256').update(`${path}:${block}`).digest();
    out.set(digest.subarray(0, Math.min(32, size - block * 32)), block * 32);
  }
  return out;
}

/** The 2 MiB reference package of spec/budgets.md (verification budget, BUD-012). */
export function buildVerify2m(versionCode = 1): BuiltPackage {
  const manifest = {
    specVersion: '1.0',
    id: verify2mAppId,
    name: 'Verification reference, 2 MiB',
    version: `1.0.${versionCode}`,
    versionCode,
    minHostVersion: '1.0.0',
    entryPage: 'pages/index.html',
    pages: ['pages/index.html'],
    subpackages: [{ root: 'sub/', name: 'sub', pages: ['pages/index.html'] }],
    icons: [{ src: 'icons/icon.png', sizes: '192x192', type: 'image/png' }],
    category: 'utilities',
    defaultLocale: 'en',
  };
  const manifestBytes = encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`);
  const files: Files = new Map([
    ['manifest.json', manifestBytes],
    ['icons/icon.png', iconPng],
    ['pages/index.html', encoder.encode('<!doctype html>\n<title>verify</title>\n')],
    ['sub/pages/index.html', encoder.encode('<!doctype html>\n<title>verify sub</title>\n')],
  ]);
  for (let i = 0; i < 32; i++) {
    const main = `data/${String(i).padStart(2, '0')}.bin`;
    const sub = `sub/data/${String(i).padStart(2, '0')}.bin`;
    files.set(main, verificationFile(main, 32 * 1024));
    files.set(sub, verificationFile(sub, 32 * 1024));
  }
  return built(manifest, files, manifestBytes);
}
