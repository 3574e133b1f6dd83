import { CaseFailure } from '../../framework/index.ts';
import { equalBytes } from '../crypto/byte-encoding.ts';
import { sha256Hex } from '../crypto/digest.ts';
import { expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import type { TestRelease } from '../subject/test-world.ts';

const bundlePath = (digest: string) => `/v1/bundles/sha256/${digest}.ma`;

async function shared(
  t: ServerTest,
): Promise<{ release: TestRelease; path: string; bytes: Uint8Array; digest: string }> {
  const release = await t.world.sharedRelease(t.scope);
  const bytes = release.version.pkg.bytes;
  return {
    release,
    path: bundlePath(release.version.sha256),
    bytes,
    digest: release.version.sha256,
  };
}

function header(exchange: { headers: Headers }, name: string): string | null {
  return exchange.headers.get(name);
}

export const bundleCases = [
  serverCase({
    id: 'server.bundles.digest-and-type',
    description:
      'A bundle download returns exactly the uploaded bytes, whose SHA-256 is the digest in its URL, as application/miniapp-pkg+zip, and HEAD and a 206 range answer carry the same media type',
    requirements: ['API-042', 'PKG-011', 'PKG-090'],
    why: 'Hosts check the bytes against the signed digest; a server that transforms, truncates or mislabels them makes every install fail or be refused, and a host that probes with HEAD or resumes with a range sees only those answers.',
    async run(t) {
      const { path, bytes, digest } = await shared(t);
      const exchange = await t.send({ path });
      expectStatus(exchange, 200);
      const got = await sha256Hex(exchange.body);
      if (got !== digest || !equalBytes(exchange.body, bytes)) {
        throw new CaseFailure(
          `the body (${exchange.body.length} bytes, sha256 ${got}) is not the uploaded package (${bytes.length} bytes, ${digest})`,
        );
      }
      const probe = await t.send({ method: 'HEAD', path });
      expectStatus(probe, 200);
      const resumed = await t.send({ path, headers: { range: 'bytes=10-' } });
      expectStatus(resumed, 206);
      for (const [what, answer] of [
        ['GET', exchange],
        ['HEAD', probe],
        ['GET with Range bytes=10-', resumed],
      ] as const) {
        const type = header(answer, 'content-type');
        if (type?.split(';')[0]?.trim() !== 'application/miniapp-pkg+zip') {
          throw new CaseFailure(
            `${what}: Content-Type is ${JSON.stringify(type)}, not application/miniapp-pkg+zip`,
          );
        }
      }
    },
  }),
  serverCase({
    id: 'server.bundles.etag-and-immutable',
    description:
      'A bundle carries the strong ETag "<digest>" and Cache-Control public, max-age=31536000, immutable, on 200 and HEAD',
    requirements: ['API-043'],
    why: 'The digest is the validator a resuming host sends in If-Range, and immutability lets CDNs keep bundles; a weak or different ETag breaks both.',
    async run(t) {
      const { path, digest } = await shared(t);
      for (const method of ['GET', 'HEAD']) {
        const exchange = await t.send({ method, path });
        expectStatus(exchange, 200);
        const etag = header(exchange, 'etag');
        if (etag !== `"${digest}"`)
          throw new CaseFailure(`${method}: ETag is ${JSON.stringify(etag)}, not "${digest}"`);
        const cc = header(exchange, 'cache-control');
        if (cc !== 'public, max-age=31536000, immutable')
          throw new CaseFailure(`${method}: Cache-Control is ${JSON.stringify(cc)}`);
      }
    },
  }),
  serverCase({
    id: 'server.bundles.single-range',
    description:
      'A satisfiable single Range is answered 206 with exactly those bytes and Content-Range bytes first-last/length, for closed, open and suffix ranges, a suffix longer than the bundle included',
    requirements: ['API-044'],
    why: 'Hosts resume interrupted downloads with ranges; an off-by-one range corrupts the resumed bundle, which then fails its digest check.',
    async run(t) {
      const { path, bytes } = await shared(t);
      const n = bytes.length;
      const ranges: { header: string; first: number; last: number }[] = [
        { header: 'bytes=0-0', first: 0, last: 0 },
        { header: 'bytes=10-99', first: 10, last: 99 },
        { header: `bytes=${n - 100}-`, first: n - 100, last: n - 1 },
        { header: 'bytes=-37', first: n - 37, last: n - 1 },
        { header: `bytes=${n - 5}-${n + 500}`, first: n - 5, last: n - 1 },
        // RFC 9110: a suffix longer than the body selects all of it; so does an open range from 0.
        { header: `bytes=-${n + 1000}`, first: 0, last: n - 1 },
        { header: 'bytes=0-', first: 0, last: n - 1 },
      ];
      for (const r of ranges) {
        const exchange = await t.send({ path, headers: { range: r.header } });
        expectStatus(exchange, 206);
        const expected = bytes.subarray(r.first, r.last + 1);
        if (!equalBytes(exchange.body, expected)) {
          throw new CaseFailure(
            `Range ${r.header}: got ${exchange.body.length} bytes, expected bytes ${r.first}-${r.last} (${expected.length})`,
          );
        }
        const cr = header(exchange, 'content-range');
        if (cr !== `bytes ${r.first}-${r.last}/${n}`) {
          throw new CaseFailure(
            `Range ${r.header}: Content-Range is ${JSON.stringify(cr)}, expected "bytes ${r.first}-${r.last}/${n}"`,
          );
        }
      }
    },
  }),
  serverCase({
    id: 'server.bundles.unsatisfiable-range',
    description:
      'A Range starting at or past the end, or a suffix of zero bytes, is answered 416 API_RANGE_NOT_SATISFIABLE with Content-Range bytes */length',
    requirements: ['API-044'],
    why: 'A host that asks past the end must learn the real length to restart; a 200 or a 416 without the length loops or corrupts its download.',
    async run(t) {
      const { path, bytes } = await shared(t);
      for (const range of [
        `bytes=${bytes.length}-`,
        `bytes=${bytes.length + 1000}-${bytes.length + 2000}`,
        // RFC 9110: a suffix of zero bytes selects nothing.
        'bytes=-0',
      ]) {
        const exchange = await t.send({ path, headers: { range } });
        expectStatus(exchange, 416, 'API_RANGE_NOT_SATISFIABLE');
        const cr = header(exchange, 'content-range');
        if (cr !== `bytes */${bytes.length}`)
          throw new CaseFailure(
            `Range ${range}: Content-Range is ${JSON.stringify(cr)}, expected "bytes */${bytes.length}"`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.bundles.ignored-ranges',
    description:
      'A bundle Range of another unit, of several ranges or of invalid syntax is ignored: 200 with the whole body and no Content-Range',
    requirements: ['API-179'],
    why: 'RFC 9110 lets a server ignore such a Range but not half-honour it; a 206 for the first of several ranges, or a multipart answer, is spliced by a resuming host into a corrupt bundle.',
    async run(t) {
      const { path, bytes } = await shared(t);
      const ranges = [
        'items=0-9',
        'bytes=0-9,20-29',
        'bytes=0-0, -1',
        'bytes=abc',
        'bytes=',
        'bytes 0-9',
        'bytes=--5',
      ];
      for (const range of ranges) {
        const exchange = await t.send({ path, headers: { range } });
        if (exchange.status !== 200 || !equalBytes(exchange.body, bytes)) {
          throw new CaseFailure(
            `Range ${JSON.stringify(range)}: answered ${exchange.status} with ${exchange.body.length} bytes, expected 200 with the whole bundle (${bytes.length} bytes)`,
          );
        }
        const cr = header(exchange, 'content-range');
        if (cr !== null)
          throw new CaseFailure(
            `Range ${JSON.stringify(range)}: a 200 carries Content-Range ${JSON.stringify(cr)}`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.bundles.accept-ranges-and-if-range',
    description:
      'A bundle answers Accept-Ranges bytes, honours If-Range with its ETag by a 206, and sends the whole body when the If-Range validator does not match: another tag, its ETag weakened or unquoted, or a date',
    requirements: ['API-045'],
    why: 'If-Range is how a host avoids splicing two different files; ignoring a mismatched validator, or matching a weak tag or a date it cannot check, sends a range of another version.',
    async run(t) {
      const { path, bytes, digest } = await shared(t);
      const whole = await t.send({ path });
      if (header(whole, 'accept-ranges') !== 'bytes')
        throw new CaseFailure(`Accept-Ranges is ${JSON.stringify(header(whole, 'accept-ranges'))}`);
      const matching = await t.send({
        path,
        headers: { range: 'bytes=0-9', 'if-range': `"${digest}"` },
      });
      expectStatus(matching, 206);
      if (!equalBytes(matching.body, bytes.subarray(0, 10)))
        throw new CaseFailure('If-Range with the current ETag did not give bytes 0-9');
      // RFC 9110 13.1.5: If-Range holds only for a strong match of the ETag or an exact match of
      // Last-Modified; a weak tag, a bare digest or a date the bundle cannot have (it was uploaded in
      // this run) never holds, whether or not the server sends Last-Modified.
      for (const validator of [
        `"${'0'.repeat(64)}"`,
        `W/"${digest}"`,
        digest,
        'Sat, 01 Jan 2000 00:00:00 GMT',
      ]) {
        const stale = await t.send({
          path,
          headers: { range: 'bytes=0-9', 'if-range': validator },
        });
        if (stale.status !== 200 || !equalBytes(stale.body, bytes))
          throw new CaseFailure(
            `If-Range ${JSON.stringify(validator)} does not match the bundle, yet it answered ${stale.status} with ${stale.body.length} bytes, not 200 with the whole bundle (${bytes.length} bytes)`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.bundles.conditional-get',
    description:
      'A bundle GET with If-None-Match of its ETag is answered 304 without a body, with the same ETag and Cache-Control',
    requirements: ['API-019'],
    why: 'Revalidation must not resend megabytes; a 304 with a body or without its validators confuses caches.',
    async run(t) {
      const { path, digest } = await shared(t);
      const exchange = await t.send({ path, headers: { 'if-none-match': `"${digest}"` } });
      expectStatus(exchange, 304);
      if (exchange.body.length > 0)
        throw new CaseFailure(`the 304 has a ${exchange.body.length}-byte body`);
      if (header(exchange, 'etag') !== `"${digest}"`)
        throw new CaseFailure(`the 304 has ETag ${JSON.stringify(header(exchange, 'etag'))}`);
      if (header(exchange, 'cache-control') !== 'public, max-age=31536000, immutable')
        throw new CaseFailure(
          `the 304 has Cache-Control ${JSON.stringify(header(exchange, 'cache-control'))}`,
        );
    },
  }),
  serverCase({
    id: 'server.bundles.bad-digest-not-found',
    description:
      'A bundle URL whose digest is not 64 lowercase hexadecimal digits, or names no bundle, is answered 404 API_NOT_FOUND',
    requirements: ['API-046'],
    why: 'A 400 for a malformed digest or a case-insensitive lookup lets clients probe the store and splits caches over spellings of one digest.',
    async run(t) {
      const { digest } = await shared(t);
      const candidates = [
        digest.toUpperCase(),
        digest.slice(0, 63),
        `${digest}0`,
        'z'.repeat(64),
        (digest[0] === '0' ? '1' : '0') + digest.slice(1),
        '%2e%2e%2f' + digest.slice(9),
      ];
      for (const d of candidates) {
        expectStatus(await t.send({ path: bundlePath(d) }), 404, 'API_NOT_FOUND');
      }
    },
  }),
];
