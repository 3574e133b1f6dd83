import { createHash } from 'node:crypto';
import {
  assembleZip,
  canonicalCompression,
  canonicalHeader,
  type ZipEntrySpec,
} from '../../conformance/broken/package/zip-assembler.ts';

/**
 * The packages of the load data set (spec/conformance.md, "Server load"), packed in the canonical
 * form of spec/package.md by the conformance suite's own ZIP writer, so the same app and version
 * always give the same bytes (a repeated upload is the same version [API-072]).
 */

export const loadAppPrefix = 'dev.openminiapp.load.a';
export const verify2mAppId = 'dev.openminiapp.conformance.verify2m';

/** `dev.openminiapp.load.a000` to `.a199`. */
export function loadAppId(index: number): string {
  return `${loadAppPrefix}${String(index).padStart(3, '0')}`;
}

export interface LoadPackage {
  appId: string;
  versionCode: number;
  version: string;
  bytes: Uint8Array;
  manifestBytes: Uint8Array;
}

const encoder = new TextEncoder();

/** A 1x1 PNG: the icon every package declares. */
const iconPng = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
);

function pack(files: Map<string, Uint8Array>): Uint8Array {
  const names = [...files.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const entries: ZipEntrySpec[] = names.map((name) => {
    const data = files.get(name) as Uint8Array;
    const { method, compressed } = canonicalCompression(data);
    return { name, data, method, compressed, ...canonicalHeader };
  });
  return assembleZip({ entries }).bytes;
}

function manifestFor(
  appId: string,
  versionCode: number,
  name: string,
  extra: Record<string, unknown> = {},
): { manifest: Record<string, unknown>; bytes: Uint8Array } {
  const manifest = {
    specVersion: '1.0',
    id: appId,
    name,
    version: `1.0.${String(versionCode)}`,
    versionCode,
    minHostVersion: '1.0.0',
    entryPage: 'pages/index.html',
    pages: ['pages/index.html'],
    icons: [{ src: 'icons/icon.png', sizes: '192x192', type: 'image/png' }],
    category: 'utilities',
    defaultLocale: 'en',
    ...extra,
  };
  return { manifest, bytes: encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`) };
}

/**
 * A small app of the data set: a manifest, an entry page that names its version, an icon and an
 * English translation (so catalog search has words to find), about 1 KiB packed.
 */
export function loadPackage(appId: string, versionCode: number): LoadPackage {
  const title = `Load app ${appId.slice(loadAppPrefix.length)}`;
  const { manifest, bytes: manifestBytes } = manifestFor(appId, versionCode, title);
  const files = new Map<string, Uint8Array>([
    ['manifest.json', manifestBytes],
    ['icons/icon.png', iconPng],
    [
      'pages/index.html',
      encoder.encode(
        `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
          `<body><h1>${title}</h1><p>version ${String(manifest.version)}</p></body></html>\n`,
      ),
    ],
  ]);
  return {
    appId,
    versionCode,
    version: String(manifest.version),
    bytes: pack(files),
    manifestBytes,
  };
}

/** Byte k of the file at path p is byte k mod 32 of SHA-256(p + ":" + floor(k / 32)) (spec/budgets.md). */
export function verificationFile(path: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let block = 0; block * 32 < size; block++) {
    const digest = createHash('sha256')
      .update(`${path}:${String(block)}`)
      .digest();
    out.set(digest.subarray(0, Math.min(32, size - block * 32)), block * 32);
  }
  return out;
}

/**
 * The 2 MiB reference package of spec/budgets.md, whose bundle download BUD-011 times: besides its
 * manifest and entry page, 32 files of 32 KiB in the main package and 32 in one subpackage, 2 MiB of
 * pseudo-random data that deflate leaves stored.
 */
export function verify2mPackage(versionCode = 1): LoadPackage {
  const { manifest, bytes: manifestBytes } = manifestFor(
    verify2mAppId,
    versionCode,
    'Verification reference, 2 MiB',
    { subpackages: [{ root: 'sub/', name: 'sub', pages: ['pages/index.html'] }] },
  );
  const files = new Map<string, Uint8Array>([
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
  return {
    appId: verify2mAppId,
    versionCode,
    version: String(manifest.version),
    bytes: pack(files),
    manifestBytes,
  };
}
