import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { createContractValidator, type ContractOperation } from '#schemas';

/** A credential the fuzzer may attach; `secret` must never come back in a response [API-014]. */
export interface Credential {
  label: string;
  secret: string;
}

/** One generated request, with what the checks need to know about it. */
export interface HostileRequest {
  inject: InjectOptions & { method: ContractOperation['method']; url: string };
  /**
   * True when every path parameter was percent-encoded, so the request still reaches the operation's
   * own route and its answer must match that operation's contract; raw hostile paths may land elsewhere.
   */
  routed: boolean;
}

type Json = Record<string, unknown>;

/** Byte strings that attack path handling: traversal, bad and overlong encodings, NUL, bidi controls. */
const rawPathAttacks = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '..%5c..%5cwindows',
  '....//....//',
  'a/../../b',
  '%00',
  'x%00.json',
  '%ZZ',
  '%',
  '%C0%AE%C0%AE',
  '%E2%80%AE',
  '%F0%9F%92%A9',
  '~root',
  '%252e%252e',
  ';jsessionid=1',
];

/** Values that look almost right for the identifiers the contract uses. */
const plausibleValues = [
  'com.example.shop',
  'com.example',
  'COM.EXAMPLE.SHOP',
  '1',
  '0',
  '-1',
  '2147483648',
  '99999999999999999999999',
  '1.5',
  '1e3',
  'null',
  'true',
  'a'.repeat(64),
  '0'.repeat(64),
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'rel_00000000000000000000000000000000',
  'pay_00000000000000000000000000000000',
  'key_00000000000000000000000000000000',
  'promote',
  'pause',
  'revoke',
  'scr_1',
];

/** Percent-encodes everything that could change routing, including dots. */
function encodeSegment(value: string): string {
  return encodeURIComponent(value).replaceAll('.', '%2E');
}

/**
 * A segment that is `.` or `..` stays a dot segment even percent-encoded (WHATWG URL parsing, which
 * the request injector applies, removes `%2E` and `%2E%2E`), so the request reaches another path.
 */
function segment(value: string): { text: string; routed: boolean } {
  return { text: encodeSegment(value), routed: value !== '.' && value !== '..' };
}

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 20 }),
);

const pathValue: fc.Arbitrary<{ text: string; routed: boolean }> = fc.oneof(
  fc.constantFrom(...plausibleValues).map(segment),
  text.map(segment),
  fc
    .integer({ min: 1000, max: 10_000 })
    .map((n) => ({ text: encodeSegment('x'.repeat(n)), routed: true })),
  fc.constantFrom(...rawPathAttacks).map((v) => ({ text: v, routed: false })),
);

/** Printable ASCII only: the HTTP layer itself refuses control characters in header values. */
const headerText = fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((v) => v.trim());

/** Property names and literal values reachable from a schema, so bodies look nearly valid. */
interface SchemaVocabulary {
  names: string[];
  literals: unknown[];
}

function vocabularyOf(schema: Json | undefined): SchemaVocabulary {
  const ajv = createContractValidator();
  const names = new Set<string>();
  const literals: unknown[] = [];
  const seen = new Set<string>();
  const walk = (node: unknown, base: string, depth: number): void => {
    if (depth > 12 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, base, depth + 1);
      return;
    }
    const object = node as Json;
    if (typeof object.$ref === 'string') {
      const target = URL.canParse(object.$ref, base || undefined)
        ? new URL(object.$ref, base || undefined).href
        : object.$ref;
      if (!seen.has(target)) {
        seen.add(target);
        const resolved = ajv.getSchema(target)?.schema;
        walk(resolved, target.split('#')[0] ?? '', depth + 1);
      }
    }
    const base$id = typeof object.$id === 'string' ? object.$id : base;
    if (object.properties && typeof object.properties === 'object') {
      for (const name of Object.keys(object.properties)) names.add(name);
    }
    if (Array.isArray(object.enum)) literals.push(...(object.enum as unknown[]));
    if ('const' in object) literals.push(object.const);
    for (const [key, value] of Object.entries(object)) {
      if (key !== '$ref' && key !== 'enum' && key !== 'const') walk(value, base$id, depth + 1);
    }
  };
  walk(schema, '', 0);
  return { names: [...names], literals };
}

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/problem+json',
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'application/miniapp-pkg+zip',
  'multipart/form-data',
  'multipart/form-data; boundary=fuzz',
  'multipart/mixed; boundary=fuzz',
  'image/png',
  'application/json, text/plain',
  ';;;',
];

/** Larger than the server's JSON body limit (1 MiB), allocated once. */
const oversized = Buffer.alloc(1024 * 1024 + 17, 0x61);

function multipartBody(parts: { name: string; filename: boolean; content: string }[]): string {
  return (
    parts
      .map(
        (part) =>
          `--fuzz\r\nContent-Disposition: form-data; name="${part.name}"${part.filename ? '; filename="x.ma"' : ''}\r\n\r\n${part.content}\r\n`,
      )
      .join('') + '--fuzz--\r\n'
  );
}

type Body = { payload?: string | Buffer; contentType?: string };

function bodyArbitrary(operation: ContractOperation): fc.Arbitrary<Body> {
  const schema = operation.requestBody?.content['application/json'];
  const vocabulary = vocabularyOf(schema);
  const values: fc.Arbitrary<unknown>[] = [
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom('', 'x'.repeat(10_000), -1, 1e308, '../../etc/passwd'),
  ];
  if (vocabulary.literals.length > 0) values.push(fc.constantFrom(...vocabulary.literals));
  const value = fc.oneof(...values);
  const shaped = fc
    .dictionary(
      vocabulary.names.length > 0 ? fc.constantFrom(...vocabulary.names) : fc.string(),
      value,
      { maxKeys: Math.max(1, vocabulary.names.length) },
    )
    .map((object) => JSON.stringify(object));
  const anyType = fc.constantFrom(...contentTypes);
  return fc.oneof(
    fc.constant<Body>({}),
    fc.jsonValue().map((v) => ({ payload: JSON.stringify(v), contentType: 'application/json' })),
    shaped.map((payload) => ({ payload, contentType: 'application/json' })),
    fc.record({ payload: shaped, contentType: anyType }),
    fc.record({ payload: text, contentType: anyType }),
    fc
      .constantFrom('{', '{"a":', '[1,2', '"\\ud800"', 'nul', '{"__proto__":{"x":1}}', '\u0000')
      .map((payload) => ({ payload, contentType: 'application/json' })),
    anyType.map((contentType) => ({ payload: oversized, contentType })),
    fc
      .array(
        fc.record({
          name: fc.constantFrom('statement', 'package', 'file', 'x'),
          filename: fc.boolean(),
          content: text,
        }),
        { maxLength: 3 },
      )
      .map((parts) => ({
        payload: multipartBody(parts),
        contentType: 'multipart/form-data; boundary=fuzz',
      })),
  );
}

/** A one-line summary of a request for failure messages: long URLs and bodies are cut. */
export function describeRequest(inject: {
  method: string;
  url: string;
  headers?: unknown;
  payload?: unknown;
}): string {
  const cut = (value: string, max: number) =>
    value.length > max ? `${value.slice(0, max)}…(${value.length} chars)` : value;
  const payload =
    inject.payload === undefined
      ? 'no body'
      : Buffer.isBuffer(inject.payload)
        ? `${inject.payload.length}-byte body`
        : `body ${cut(JSON.stringify(inject.payload), 200)}`;
  return `${inject.method} ${cut(inject.url, 200)} headers ${cut(JSON.stringify(inject.headers ?? {}), 300)} ${payload}`;
}

/**
 * Hostile requests for one operation: random path parameters (traversal, unicode, huge), random and
 * declared query parameters, missing, garbage, expired, revoked or valid credentials of every role,
 * random headers, and JSON, non-JSON, malformed, multipart and oversized bodies with random media types.
 */
export function hostileRequest(
  operation: ContractOperation,
  credentials: readonly Credential[],
): fc.Arbitrary<HostileRequest> {
  const pathNames = [...operation.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? '');
  const queryNames = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const headerNames = operation.parameters
    .filter((p) => p.in === 'header')
    .map((p) => p.name.toLowerCase());
  const secrets = credentials.map((c) => c.secret);
  const authorization = fc.oneof(
    fc.constant(undefined),
    headerText,
    headerText.map((v) => `Bearer ${v}`),
    fc.constantFrom(...secrets).map((s) => `Bearer ${s}`),
    fc.constantFrom(...secrets).map((s) => `bearer ${s}`),
    fc.constantFrom(...secrets).map((s) => `Basic ${Buffer.from(`${s}:x`).toString('base64')}`),
    fc.constantFrom(...secrets).map((s) => `Bearer ${s}x`),
  );
  const query = fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(...queryNames, 'access_token', 'token', 'api_key', 'cursor', 'limit'),
        text,
      ),
      fc.oneof(text, fc.constantFrom(...plausibleValues), fc.constantFrom(...secrets)),
    ),
    { maxLength: 4 },
  );
  const extraHeaders = fc.dictionary(
    fc.constantFrom(
      ...headerNames,
      'if-none-match',
      'if-range',
      'range',
      'accept',
      'accept-language',
      'idempotency-key',
      'x-forwarded-for',
    ),
    fc.oneof(headerText, fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=5-1', 'bytes=0-', '*')),
    { maxKeys: 3 },
  );
  return fc
    .record({
      path: fc.tuple(...pathNames.map(() => pathValue)),
      query,
      authorization,
      extraHeaders,
      body: bodyArbitrary(operation),
    })
    .map(({ path, query, authorization, extraHeaders, body }) => {
      let url = operation.path;
      pathNames.forEach((name, i) => {
        url = url.replace(`{${name}}`, path[i]?.text ?? '');
      });
      const search = new URLSearchParams(query).toString();
      const headers: Record<string, string> = { ...extraHeaders };
      if (authorization !== undefined) headers.authorization = authorization;
      if (body.contentType !== undefined) headers['content-type'] = body.contentType;
      const inject = {
        method: operation.method,
        url: search ? `${url}?${search}` : url,
        headers,
        ...(body.payload !== undefined ? { payload: body.payload } : {}),
      };
      return {
        inject,
        routed: path.every((p) => p.routed),
        // Counterexamples print this short form rather than megabytes of body.
        [fc.toStringMethod]: () => describeRequest(inject),
      };
    });
}
