import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A real RGB PNG of random pixels: it does not compress, like a photo. */
export function noisePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Array.from({ length: height }, () =>
    Buffer.concat([Buffer.from([0]), randomBytes(width * 3)]),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 1 })),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** ~230 KiB of plain script: a table of random base64 strings the page reads at start. */
function scriptChunk(index: number): string {
  const lines = [`window.catalogueChunk${String(index)} = [`];
  for (let i = 0; i < 2300; i++) lines.push(`  '${randomBytes(75).toString('base64')}',`);
  lines.push('];', '');
  return lines.join('\n');
}

/**
 * Writes a valid mini-app of about 2 MB packed into `dir`: 1.5 MiB of script across six files and
 * random-pixel images in the main package, more images in a subpackage, every size within the
 * default limits (2 MiB per package, ratio 100:1). The versionCode is the caller's, so each
 * publish run is a new version.
 */
export async function writeLargeApp(
  dir: string,
  appId: string,
  versionCode: number,
): Promise<void> {
  const scripts = Array.from({ length: 6 }, (_, i) => `scripts/chunk-${String(i)}.js`);
  const manifest = {
    specVersion: '1.0',
    id: appId,
    name: 'Large catalogue',
    version: `1.0.${String(versionCode)}`,
    versionCode,
    minHostVersion: '1.0.0',
    entryPage: 'pages/index.html',
    pages: ['pages/index.html'],
    subpackages: [{ root: 'packages/gallery/', name: 'gallery', pages: ['pages/gallery.html'] }],
    icons: [{ src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' }],
    category: 'shopping',
    defaultLocale: 'en',
  };
  const files: Record<string, string | Uint8Array> = {
    'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
    'pages/index.html':
      '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Catalogue</title>\n' +
      scripts.map((s) => `<script src="../${s}"></script>`).join('\n') +
      '\n</head><body><h1>Catalogue</h1><img src="../images/hero.png" alt="Hero"></body></html>\n',
    'icons/icon-192.png': noisePng(192, 192),
    'images/hero.png': noisePng(160, 160),
    'packages/gallery/pages/gallery.html':
      '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Gallery</title></head><body>' +
      [0, 1, 2, 3]
        .map((i) => `<img src="../images/photo-${String(i)}.png" alt="Photo ${String(i)}">`)
        .join('') +
      '</body></html>\n',
  };
  for (const [i, script] of scripts.entries()) files[script] = scriptChunk(i);
  for (let i = 0; i < 4; i++)
    files[`packages/gallery/images/photo-${String(i)}.png`] = noisePng(256, 256);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
}
