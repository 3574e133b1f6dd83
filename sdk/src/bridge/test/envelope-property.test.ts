import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validatorFor } from '#schemas';
import { parseMessage } from '../envelope.ts';
import { createMockBridge } from '../mock-bridge.ts';
import { compareHostApiVersions } from '../host-api-version.ts';
import { shopManifest } from './bridge-fixture.ts';

const methodNames = [
  'host.getInfo',
  'payment.pay',
  'storage.set',
  'storage.get',
  'user.getProfile',
  'network.request',
  'permissions.query',
  '__proto__',
  'payment.pay ',
];

/** Envelope-like objects: mostly near-valid requests with one member mutated, plus junk. */
const envelopeLike = fc.oneof(
  fc.record(
    {
      bridge: fc.oneof(fc.constant('openminiapp'), fc.string()),
      v: fc.oneof(fc.constant(1), fc.integer(), fc.string()),
      kind: fc.constantFrom('request', 'response', 'event', 'init', 'other'),
      id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,70}$/), fc.string(), fc.integer()),
      method: fc.oneof(fc.constantFrom(...methodNames), fc.string()),
      params: fc.oneof(
        fc.dictionary(
          fc.constantFrom('key', 'value', 'orderId', 'amount', 'currency', 'url', 'names', 'x'),
          fc.jsonValue(),
        ),
        fc.jsonValue(),
      ),
      name: fc.string(),
      data: fc.jsonValue(),
      hostApiVersion: fc.constantFrom('1.0.0', '1.2', 'x'),
      extra: fc.jsonValue(),
    },
    { requiredKeys: ['bridge'] },
  ),
  fc.jsonValue(),
);

const allowedCodes = new Set([
  'BRIDGE_MALFORMED',
  'BRIDGE_DUPLICATE_ID',
  'UNKNOWN_METHOD',
  'NOT_SUPPORTED',
  'PERMISSION_DENIED',
  'INVALID_PARAMS',
  'QUOTA_EXCEEDED',
  'DOMAIN_NOT_ALLOWED',
]);

describe('envelope handling (property)', () => {
  const responseSchema = validatorFor('bridge/response.schema.json');

  it('answers any message with nothing or a schema-valid response, never a throw or a host error', async () => {
    const mock = createMockBridge({ manifest: shopManifest });
    await fc.assert(
      fc.asyncProperty(envelopeLike, fc.boolean(), async (message, asText) => {
        const reply = await mock.handle(asText ? JSON.stringify(message) : message);
        if (reply === null) return;
        const response = JSON.parse(reply) as { ok: boolean; error?: { code: string } };
        assert.ok(responseSchema(response), JSON.stringify(responseSchema.errors));
        if (!response.ok)
          assert.ok(allowedCodes.has(response.error?.code ?? ''), response.error?.code);
      }),
      { numRuns: 400 },
    );
  });

  it('accepts exactly the requests, events and init messages that the envelope schema accepts', () => {
    const envelopeSchema = validatorFor('bridge/envelope.schema.json');
    fc.assert(
      fc.property(envelopeLike, (message) => {
        const parsed = parseMessage(message);
        const kind = (message as { kind?: unknown } | null)?.kind;
        if (kind === 'response') return; // error objects are checked further by the schema's code enum
        const schemaValid = envelopeSchema(message);
        assert.equal(parsed.outcome === 'envelope', schemaValid, JSON.stringify(message));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('host API versions (property)', () => {
  const version = fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30)).map((v) => v.join('.'));
  it('orders versions antisymmetrically and transitively', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        assert.equal(
          Math.sign(compareHostApiVersions(a, b)),
          -Math.sign(compareHostApiVersions(b, a)),
        );
        if (compareHostApiVersions(a, b) <= 0 && compareHostApiVersions(b, c) <= 0) {
          assert.ok(compareHostApiVersions(a, c) <= 0, `${a} <= ${c} follows from a <= b <= c`);
        }
      }),
    );
  });

  it('orders numerically, not as text', () => {
    assert.ok(
      compareHostApiVersions('1.10.0', '1.9.0') > 0,
      '1.10.0 is newer than 1.9.0 (numeric, not string order)',
    );
  });
});
