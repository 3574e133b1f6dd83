import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CaseFailure } from '../../framework/index.ts';
import { concatBytes, utf8 } from '../crypto/byte-encoding.ts';
import { signStatement, statementFieldsFor, timestampNow } from '../inputs/author-statement.ts';
import { multipartBody } from '../inputs/multipart-body.ts';
import { manifestOf, packageEntries } from '../inputs/test-package.ts';
import { crc32, writeZip, type ZipEntry, type ZipOptions } from '../inputs/zip-writer.ts';
import { serverCase, type ServerTest } from '../server-case.ts';
import { describeExchange, jsonOf } from '../subject/http-exchange.ts';

interface Finding {
  code: string;
  severity: string;
}

/**
 * Uploads a package the suite built by hand and returns how the server refused it: with a problem at
 * upload (and no version left), or with a rejected version whose findings are listed; null if accepted.
 */
async function uploadHostile(
  t: ServerTest,
  build: (appId: string) => {
    bytes: Uint8Array;
    manifest: Record<string, unknown>;
    manifestBytes: Uint8Array;
  },
): Promise<{ refusedWith: string[]; how: string } | null> {
  const app = await t.world.freshApp(t.scope, 'hz');
  const { bytes, manifest, manifestBytes } = build(app.appId);
  const statement = await statementFieldsFor(bytes, manifest, manifestBytes);
  const signed = await signStatement(statement, [app.partner.key]);
  const exchange = await t.world.upload(t.scope, app, {
    pkg: { bytes, manifest, manifestBytes, entries: [] },
    statementBytes: signed.bytes,
  });
  if (exchange.status >= 400 && exchange.status < 500) {
    const body = jsonOf<{ code?: string; errors?: { code?: string }[] }>(exchange);
    const left = await t.send({
      path: `/v1/partner/apps/${app.appId}/versions/1`,
      token: app.partner.token,
    });
    if (left.status !== 404)
      throw new CaseFailure(`the refused upload left a version: ${describeExchange(left)}`);
    return {
      refusedWith: [String(body?.code), ...(body?.errors ?? []).map((e) => String(e.code))],
      how: describeExchange(exchange),
    };
  }
  if (exchange.status !== 201)
    throw new CaseFailure(`the upload answered ${describeExchange(exchange)}`);
  const version = await t.world.settledVersion(t.scope, app, 1);
  if (version.reviewStatus !== 'rejected') return null;
  const report = jsonOf<{ findings: Finding[] }>(
    await t.send({
      path: `/v1/partner/apps/${app.appId}/versions/1/review`,
      token: app.partner.token,
    }),
  );
  return {
    refusedWith: (report?.findings ?? []).filter((f) => f.severity === 'error').map((f) => f.code),
    how: 'rejected by the automated review',
  };
}

/** A valid package's entries and manifest for `appId`, with `change` applied to the entries. */
function variant(
  change: (entries: ZipEntry[]) => ZipEntry[],
  options: ZipOptions = {},
  manifestChange?: (m: Record<string, unknown>) => Record<string, unknown>,
) {
  return (appId: string) => {
    const base = manifestOf({ appId, versionCode: 1 });
    const manifest = manifestChange ? manifestChange(base) : base;
    const manifestBytes = utf8(JSON.stringify(manifest));
    const entries = change(packageEntries({ appId, versionCode: 1 }, manifestBytes));
    return { bytes: writeZip(entries, options), manifest, manifestBytes };
  };
}

function hostileCase(definition: {
  id: string;
  description: string;
  requirements: string[];
  why: string;
  build: Parameters<typeof uploadHostile>[1];
  codes: string[];
  /** The refusal must come at upload, leaving no version at all [PKG-100]. */
  atUpload?: boolean;
}) {
  return serverCase({
    id: definition.id,
    description: definition.description,
    requirements: definition.requirements,
    why: definition.why,
    async run(t) {
      const outcome = await uploadHostile(t, definition.build);
      if (!outcome) throw new CaseFailure('the package was accepted');
      if (definition.atUpload && outcome.how === 'rejected by the automated review') {
        throw new CaseFailure(
          'the archive was refused only by the review, after a version had been created',
        );
      }
      if (!outcome.refusedWith.some((c) => definition.codes.includes(c))) {
        throw new CaseFailure(
          `refused (${outcome.how}) with ${outcome.refusedWith.join(', ') || 'no code'}, expected ${definition.codes.join(' or ')}`,
        );
      }
      t.note(`refused: ${outcome.how}, ${outcome.refusedWith.join(', ')}`);
    },
  });
}

const noise = (n: number) => {
  const out = new Uint8Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
};

/** The Info-ZIP Unicode Path extra field (0x7075) naming `path` for a central name `name`. */
function unicodePathExtra(name: string, path: string): Uint8Array {
  const target = utf8(path);
  const out = new Uint8Array(4 + 5 + target.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x7075, true);
  view.setUint16(2, 5 + target.length, true);
  out[4] = 1;
  view.setUint32(5, crc32(utf8(name)), true);
  out.set(target, 9);
  return out;
}

/** Streams an upload larger than every limit and reports whether the server answered before the end. */
async function streamOversized(
  t: ServerTest,
): Promise<{ status: number; code?: string; early: boolean; sent: number }> {
  const app = await t.world.freshApp(t.scope, 'big');
  const total = 48 * 1024 * 1024;
  const manifest = manifestOf({ appId: app.appId, versionCode: 1 });
  const signed = await signStatement(
    {
      appId: app.appId,
      version: String(manifest.version),
      versionCode: 1,
      package: { sha256: 'a'.repeat(64), length: total },
      manifestSha256: 'b'.repeat(64),
      createdAt: timestampNow(),
    },
    [app.partner.key],
  );
  const { contentType, body } = multipartBody([
    { name: 'statement', contentType: 'application/json', bytes: signed.bytes },
  ]);
  const text = new TextDecoder().decode(body);
  const boundary = /boundary=(.*)$/.exec(contentType)?.[1] ?? '';
  const head = utf8(
    text.replace(`--${boundary}--\r\n`, '') +
      `--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="big.ma"\r\nContent-Type: application/miniapp-pkg+zip\r\n\r\n`,
  );
  const tail = utf8(`\r\n--${boundary}--\r\n`);
  const url = new URL(`/v1/partner/apps/${app.appId}/versions`, t.subject.baseUrl);
  const send = url.protocol === 'https:' ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    let sent = 0;
    let finished = false;
    const chunk = noise(64 * 1024);
    const req = send(url, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${app.partner.token}`,
        'content-type': contentType,
        'content-length': String(head.length + total + tail.length),
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new CaseFailure('no answer to a 48 MiB upload within 60 s'));
    }, 60_000);
    req.on('response', (res) => {
      const early = !finished;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        clearTimeout(timer);
        const parsed = jsonOf<{ code?: string }>({
          body: new Uint8Array(Buffer.concat(parts)),
        } as never);
        resolve({
          status: res.statusCode ?? 0,
          ...(parsed?.code ? { code: parsed.code } : {}),
          early,
          sent,
        });
        req.destroy();
      });
    });
    req.on('error', () => undefined);
    const pump = () => {
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      finished = true;
      req.end(tail);
    };
    req.write(head);
    pump();
  });
}

export const hostilePackageCases = [
  hostileCase({
    id: 'server.packages.not-a-zip',
    description: 'An upload whose package is not a ZIP archive is refused with PKG_NOT_ZIP',
    requirements: ['PKG-005'],
    why: 'The reader must fail closed on bytes it cannot read, naming the fault.',
    build: (appId) => {
      const manifest = manifestOf({ appId, versionCode: 1 });
      return {
        bytes: utf8('%PDF-1.7 this is not a zip archive at all\n'.repeat(20)),
        manifest,
        manifestBytes: utf8(JSON.stringify(manifest)),
      };
    },
    codes: ['PKG_NOT_ZIP', 'PKG_CORRUPT'],
  }),
  hostileCase({
    id: 'server.packages.truncated',
    description:
      'A ZIP archive cut short inside its central directory is refused with PKG_CORRUPT or PKG_NOT_ZIP',
    requirements: ['PKG-005'],
    why: 'A damaged archive read leniently gives different files to different readers.',
    build: (appId) => {
      const full = variant((e) => e)(appId);
      return { ...full, bytes: full.bytes.subarray(0, full.bytes.length - 40) };
    },
    codes: ['PKG_CORRUPT', 'PKG_NOT_ZIP'],
  }),
  hostileCase({
    id: 'server.packages.unsupported-compression',
    description:
      'An entry compressed with a method other than stored or deflate is refused with PKG_UNSUPPORTED_COMPRESSION',
    requirements: ['PKG-005'],
    why: 'A reader that skips an entry it cannot inflate sees a different package than one that can.',
    build: variant((entries) =>
      entries.map((e) => (e.path === 'app.css' ? { ...e, method: 12 } : e)),
    ),
    codes: ['PKG_UNSUPPORTED_COMPRESSION'],
  }),
  hostileCase({
    id: 'server.packages.encrypted-entry',
    description: 'An entry flagged as encrypted is refused with PKG_ENCRYPTED',
    requirements: ['PKG-005'],
    why: 'Encrypted content cannot be reviewed; accepting it ships unreviewed code.',
    build: variant((entries) =>
      entries.map((e) => (e.path === 'app.css' ? { ...e, flags: 1 } : e)),
    ),
    codes: ['PKG_ENCRYPTED'],
  }),
  hostileCase({
    id: 'server.packages.zip64',
    description: 'An archive with ZIP64 end records is refused with PKG_UNSUPPORTED_ZIP_FEATURE',
    requirements: ['PKG-005'],
    why: 'ZIP64 is a second, rarely tested path through every reader; the format forbids it so that readers agree.',
    build: variant((e) => e, { zip64: true }),
    codes: ['PKG_UNSUPPORTED_ZIP_FEATURE'],
  }),
  hostileCase({
    id: 'server.packages.multi-disk',
    description:
      'An archive whose end record claims another disk is refused with PKG_UNSUPPORTED_ZIP_FEATURE or PKG_CORRUPT',
    requirements: ['PKG-005'],
    why: 'Spanned archives are not packages; a reader that ignores the disk fields reads a different directory.',
    build: variant((e) => e, { diskNumber: 1 }),
    codes: ['PKG_UNSUPPORTED_ZIP_FEATURE', 'PKG_CORRUPT'],
  }),
  hostileCase({
    id: 'server.packages.directory-with-data',
    description: 'A directory entry whose size is not zero is refused',
    requirements: ['PKG-028', 'PKG-029'],
    why: 'A directory that carries bytes is a file to one reader and a folder to another.',
    build: variant((entries) => [{ path: 'pages/', data: utf8('hidden') }, ...entries]),
    codes: ['PKG_CORRUPT', 'PKG_SIZE_MISMATCH', 'PKG_SPECIAL_FILE', 'PKG_UNSAFE_PATH'],
  }),
  hostileCase({
    id: 'server.packages.path-traversal',
    description:
      'A package with one entry whose path climbs out with .. is refused as a whole with PKG_UNSAFE_PATH',
    requirements: ['PKG-029', 'PKG-100'],
    why: 'Skipping the bad entry instead of refusing the package lets reviewer and host see different contents.',
    build: variant((entries) => [
      ...entries,
      { path: 'pages/../../escape.html', data: utf8('<p>x</p>') },
    ]),
    codes: ['PKG_UNSAFE_PATH'],
  }),
  hostileCase({
    id: 'server.packages.symlink',
    description: 'A package with a symbolic link entry is refused with PKG_SYMLINK',
    requirements: ['PKG-029'],
    why: 'A link extracted on a server or device points anywhere on its disk.',
    build: variant((entries) => [
      ...entries,
      { path: 'link.css', data: utf8('/etc/passwd'), unixMode: 0o120777 },
    ]),
    codes: ['PKG_SYMLINK', 'PKG_SPECIAL_FILE'],
  }),
  hostileCase({
    id: 'server.packages.too-many-entries',
    description: 'A package with more than 2000 entries is refused with PKG_TOO_MANY_ENTRIES',
    requirements: ['PKG-047', 'PKG-048'],
    why: "A platform that raises a limit accepts packages that other platforms refuse, and entry counts bound a reader's work.",
    build: variant((entries) => [
      ...entries,
      ...Array.from({ length: 2000 }, (_, i) => ({ path: `filler/f${i}.txt`, data: utf8('x') })),
    ]),
    codes: ['PKG_TOO_MANY_ENTRIES'],
  }),
  hostileCase({
    id: 'server.packages.compression-ratio',
    description:
      'An entry that inflates to more than 100 times its compressed size is refused with PKG_COMPRESSION_RATIO',
    requirements: ['PKG-048'],
    why: 'Declared ratios are checked before inflating so that a small archive cannot expand to gigabytes.',
    build: variant((entries) => [
      ...entries,
      { path: 'zeros.bin', data: new Uint8Array(1024 * 1024), method: 8 },
    ]),
    codes: ['PKG_COMPRESSION_RATIO'],
  }),
  hostileCase({
    id: 'server.packages.declared-ratio-short-data',
    description:
      'An entry whose headers declare more than 100 times its compressed size, over data that inflates to far less, is refused at upload with PKG_COMPRESSION_RATIO',
    requirements: ['PKG-048'],
    why: 'The ratio is a check of the central directory, made before any byte is inflated; a server that measures it while inflating names the damage instead, and with no output cap inflates the bomb first.',
    build: variant((entries) => [
      ...entries,
      {
        path: 'assets/bomb.bin',
        data: noise(1000),
        method: 8,
        declaredUncompressedSize: 1024 * 1024,
      },
    ]),
    codes: ['PKG_COMPRESSION_RATIO'],
    atUpload: true,
  }),
  hostileCase({
    id: 'server.packages.size-lie',
    description:
      'An entry whose inflated length differs from its declared size is refused with PKG_SIZE_MISMATCH',
    requirements: ['PKG-049'],
    why: 'A header that lies about sizes is how bombs pass the declared-size checks.',
    build: variant((entries) =>
      entries.map((e) =>
        e.path === 'pages/index.html'
          ? { ...e, method: 8, declaredUncompressedSize: e.data.length - 20 }
          : e,
      ),
    ),
    codes: ['PKG_SIZE_MISMATCH'],
  }),
  hostileCase({
    id: 'server.packages.crc-mismatch',
    description:
      'An entry whose CRC-32 does not match its content is refused with PKG_CRC_MISMATCH',
    requirements: ['PKG-050'],
    why: "The CRC is the archive's own integrity check; a reader that skips it accepts corrupted pages.",
    build: variant((entries) =>
      entries.map((e) =>
        e.path === 'pages/index.html' ? { ...e, crc32: (crc32(e.data) ^ 1) >>> 0 } : e,
      ),
    ),
    codes: ['PKG_CRC_MISMATCH'],
  }),
  hostileCase({
    id: 'server.packages.deflated-crc-mismatch',
    description:
      'A deflated entry whose CRC-32 does not match its inflated content is refused with PKG_CRC_MISMATCH',
    requirements: ['PKG-050', 'PKG-172'],
    why: 'Raw deflate in a ZIP carries no checksum of its own; a reader that compares the CRC-32 of stored entries only accepts any deflated page altered after packing.',
    build: variant((entries) =>
      entries.map((e) =>
        e.path === 'pages/index.html'
          ? { ...e, method: 8, crc32: (crc32(e.data) ^ 0x10) >>> 0 }
          : e,
      ),
    ),
    codes: ['PKG_CRC_MISMATCH'],
  }),
  hostileCase({
    id: 'server.packages.main-package-too-large',
    description:
      'A package whose main package exceeds 2 MiB uncompressed is refused with PKG_MAIN_PACKAGE_TOO_LARGE',
    requirements: ['PKG-047', 'REV-001'],
    why: 'The size budgets are measurable on the package alone; a server that raises them ships packages that break start-up budgets on other platforms.',
    build: variant((entries) => [
      ...entries,
      { path: 'assets/blob.bin', data: noise(2 * 1024 * 1024 + 4096) },
    ]),
    codes: ['PKG_MAIN_PACKAGE_TOO_LARGE', 'PKG_TOO_LARGE'],
  }),
  hostileCase({
    id: 'server.packages.manifest-unknown-member',
    description:
      'A package whose manifest has a member the spec does not define is refused with MANIFEST_UNKNOWN_MEMBER',
    requirements: ['MAN-032', 'REV-001'],
    why: 'A server that accepts manifests the spec forbids ships packages hosts must refuse.',
    build: variant(
      (e) => e,
      {},
      (m) => ({ ...m, autoUpdate: true }),
    ),
    codes: ['MANIFEST_UNKNOWN_MEMBER'],
  }),
  hostileCase({
    id: 'server.packages.manifest-missing',
    description: 'A package without a root manifest.json is refused with MANIFEST_MISSING',
    requirements: ['MAN-032', 'PKG-005'],
    why: 'Without a manifest nothing identifies the app; accepting it publishes an anonymous archive.',
    build: (appId) => {
      const full = variant((entries) => entries.filter((e) => e.path !== 'manifest.json'))(appId);
      return full;
    },
    codes: ['MANIFEST_MISSING'],
  }),
  serverCase({
    id: 'server.packages.central-name-wins',
    description:
      'A package whose entry carries a well-formed Info-ZIP Unicode Path field naming its own path, and an empty directory entry, is read by its central names and accepted',
    requirements: ['PKG-008', 'PKG-028'],
    why: 'A field that agrees with the central name and an empty directory entry are legitimate; a reader that refuses them refuses packages real packers write.',
    async run(t) {
      const outcome = await uploadHostile(
        t,
        variant((entries) => [
          { path: 'icons/', data: new Uint8Array(0) },
          ...entries.map((e) =>
            e.path === 'pages/index.html'
              ? { ...e, centralExtra: unicodePathExtra(e.path, e.path) }
              : e,
          ),
        ]),
      );
      if (outcome)
        throw new CaseFailure(
          `a valid package was refused (${outcome.how}): ${outcome.refusedWith.join(', ')}`,
        );
    },
  }),
  hostileCase({
    id: 'server.packages.polyglot-prefix',
    description:
      'A package with an HTML and GIF prefix before its first entry, every offset shifted to match, is refused at upload with PKG_EXTRA_BYTES',
    requirements: ['PKG-170'],
    why: 'Readers that locate entries from the end record read such a file happily, while a browser or image decoder takes it for HTML or a GIF: a polyglot served from the platform.',
    build: variant((e) => e, { leading: utf8('GIF89a<html><script>alert(1)</script></html>\n') }),
    codes: ['PKG_EXTRA_BYTES'],
    atUpload: true,
  }),
  hostileCase({
    id: 'server.packages.bytes-between-entries',
    description:
      'A package with bytes that belong to no entry between two entries (a hidden second archive) is refused at upload with PKG_EXTRA_BYTES',
    requirements: ['PKG-170'],
    why: 'Bytes between entries can hold a second archive that a scanning tool finds and the reviewer never saw.',
    build: variant((entries) =>
      entries.map((e) =>
        e.path === 'app.css'
          ? { ...e, gapAfter: writeZip([{ path: 'hidden.html', data: utf8('<p>x</p>') }]) }
          : e,
      ),
    ),
    codes: ['PKG_EXTRA_BYTES'],
    atUpload: true,
  }),
  hostileCase({
    id: 'server.packages.bytes-before-central-directory',
    description:
      'A package with bytes that belong to no entry after its last entry, before the central directory (a hidden second archive), is refused at upload with PKG_EXTRA_BYTES',
    requirements: ['PKG-170'],
    why: 'A reader that compares each entry with the one before it never looks past the last one, where a tool that scans for local headers finds a file the reviewer never saw.',
    build: variant((entries) =>
      entries.map((e, i) =>
        i === entries.length - 1
          ? { ...e, gapAfter: writeZip([{ path: 'hidden.html', data: utf8('<p>x</p>') }]) }
          : e,
      ),
    ),
    codes: ['PKG_EXTRA_BYTES'],
    atUpload: true,
  }),
  hostileCase({
    id: 'server.packages.local-name-differs',
    description:
      'A package whose local header names another path than its central directory header is refused with PKG_HEADER_MISMATCH',
    requirements: ['PKG-008', 'REV-001'],
    why: 'Streaming extractors take names from local headers and the central directory is authoritative to everyone else: a reviewer and a host would see different files in one archive.',
    build: variant((entries) =>
      entries.map((e) => (e.path === 'app.css' ? { ...e, localPath: 'evil.css' } : e)),
    ),
    codes: ['PKG_HEADER_MISMATCH'],
  }),
  hostileCase({
    id: 'server.packages.bytes-after-end-record',
    description:
      'A package with bytes after its end-of-central-directory record is refused at upload with PKG_EXTRA_BYTES',
    requirements: ['PKG-170'],
    why: 'Appended bytes are where a second end record or a script hides for tools that scan from the other side.',
    build: variant((e) => e, { trailing: utf8('<script>alert(1)</script>') }),
    codes: ['PKG_EXTRA_BYTES'],
    atUpload: true,
  }),
  hostileCase({
    id: 'server.packages.unicode-path-elsewhere',
    description:
      'A package whose central header carries an Info-ZIP Unicode Path field naming another path than the entry is refused with PKG_UNICODE_PATH_MISMATCH',
    requirements: ['PKG-171'],
    why: 'Extraction tools that prefer the field would write ../../outside.html where the reviewer saw pages/index.html.',
    build: variant((entries) =>
      entries.map((e) =>
        e.path === 'pages/index.html'
          ? { ...e, centralExtra: unicodePathExtra(e.path, '../../outside.html') }
          : e,
      ),
    ),
    codes: ['PKG_UNICODE_PATH_MISMATCH'],
  }),
  hostileCase({
    id: 'server.packages.unicode-path-local-header',
    description:
      'A package whose local header carries an Info-ZIP Unicode Path field naming another path is refused with PKG_UNICODE_PATH_MISMATCH',
    requirements: ['PKG-171'],
    why: 'Streaming extractors read only local headers; the field there renames the file as surely as in the central directory.',
    build: variant((entries) =>
      entries.map((e) =>
        e.path === 'app.css' ? { ...e, localExtra: unicodePathExtra(e.path, 'evil.css') } : e,
      ),
    ),
    codes: ['PKG_UNICODE_PATH_MISMATCH'],
  }),
  hostileCase({
    id: 'server.packages.unicode-path-stale-crc',
    description:
      'An Info-ZIP Unicode Path field naming the entry but carrying the CRC-32 of another name is refused with PKG_UNICODE_PATH_MISMATCH',
    requirements: ['PKG-171'],
    why: 'The CRC is how a tool decides the field still describes the name; a stale one makes tools disagree on which copy to trust.',
    build: variant((entries) =>
      entries.map((e) =>
        e.path === 'app.css' ? { ...e, centralExtra: unicodePathExtra('other.css', e.path) } : e,
      ),
    ),
    codes: ['PKG_UNICODE_PATH_MISMATCH'],
  }),
  hostileCase({
    id: 'server.packages.unread-entry-crc',
    description:
      'A package whose only fault is a wrong CRC-32 in an entry no review rule reads is refused at upload with PKG_CRC_MISMATCH, leaving no version',
    requirements: ['PKG-172'],
    why: 'A server that inflates only the files its rules read signs an archive whose other entries a host will refuse, or that carries a corrupted payload nobody checked.',
    build: variant((entries) => [
      ...entries,
      {
        path: 'assets/unused.bin',
        data: noise(4096),
        crc32: (crc32(noise(4096)) ^ 0x5a5a) >>> 0,
      },
    ]),
    codes: ['PKG_CRC_MISMATCH'],
    atUpload: true,
  }),
  hostileCase({
    id: 'server.packages.unread-entry-size-lie',
    description:
      'A package whose only fault is a deflated entry, read by no review rule, that inflates to another length than declared is refused at upload with PKG_SIZE_MISMATCH, leaving no version',
    requirements: ['PKG-172'],
    why: 'Declared sizes are what the limits are checked on; an unread entry that lies about its size passes every limit and ships a bomb under the countersignature.',
    build: variant((entries) => [
      ...entries,
      {
        path: 'assets/unused.txt',
        data: utf8('unused text '.repeat(40)),
        method: 8,
        declaredUncompressedSize: 100,
      },
    ]),
    codes: ['PKG_SIZE_MISMATCH'],
    atUpload: true,
  }),
  serverCase({
    id: 'server.packages.upload-over-limit',
    description:
      'A package part over 25 MiB is refused with 413 API_PAYLOAD_TOO_LARGE before the server reads it to the end',
    requirements: ['API-070', 'PKG-047'],
    why: 'A server that buffers any upload before checking its size can be filled by one request.',
    timeoutMs: 90_000,
    async run(t) {
      const result = await streamOversized(t);
      t.note(
        `answered ${result.status} ${result.code ?? ''} after ${(result.sent / 1048576).toFixed(1)} MiB of 48 MiB sent`,
      );
      if (result.status !== 413 || result.code !== 'API_PAYLOAD_TOO_LARGE')
        throw new CaseFailure(`a 48 MiB upload answered ${result.status} ${result.code ?? ''}`);
      if (!result.early) throw new CaseFailure('the server answered only after reading all 48 MiB');
    },
  }),
];

export { concatBytes };
