import { CaseFailure } from '../../framework/index.ts';
import { serverCase } from '../server-case.ts';
import { describeExchange, jsonOf } from '../subject/http-exchange.ts';
import type { RequestSpec } from '../subject/http-driver.ts';

export const hostileRequestCases = [
  serverCase({
    id: 'server.errors.hostile-requests',
    description:
      'Hostile requests (deep nesting, invalid UTF-8, oversized bodies, traversal and overlong paths, UTF-16 bodies) are refused with a 4xx problem carrying the matching code, never a 2xx or 5xx',
    requirements: ['API-015', 'API-016', 'API-090'],
    why: 'Parsers fail in ways their authors did not test; a hostile request that reaches a 5xx or, worse, succeeds is the start of an exploit.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      const device = await t.world.device(t.scope);
      const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
      const probes: [string, RequestSpec, number[], string[]][] = [
        [
          'JSON nested 20000 deep',
          {
            method: 'POST',
            path: '/v1/partner/apps',
            token: partner.token,
            body: deep,
            contentType: 'application/json',
          },
          [400, 413],
          ['API_VALIDATION_FAILED', 'API_PAYLOAD_TOO_LARGE'],
        ],
        [
          'invalid UTF-8 in a JSON body',
          {
            method: 'POST',
            path: '/v1/partner/apps',
            token: partner.token,
            body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
            contentType: 'application/json',
          },
          [400],
          ['API_VALIDATION_FAILED'],
        ],
        [
          'a 2 MiB JSON body',
          {
            method: 'POST',
            path: '/v1/partner/apps',
            token: partner.token,
            body: JSON.stringify({
              appId: 'com.example.big',
              name: 'x'.repeat(2 * 1024 * 1024),
              category: 'utilities',
            }),
            contentType: 'application/json',
          },
          [400, 413],
          ['API_VALIDATION_FAILED', 'API_PAYLOAD_TOO_LARGE'],
        ],
        [
          'a UTF-16 JSON body',
          {
            method: 'POST',
            path: '/v1/partner/apps',
            token: partner.token,
            body: new Uint8Array(
              Buffer.from('{"appId":"com.example.x","name":"x","category":"utilities"}', 'utf16le'),
            ),
            contentType: 'application/json; charset=utf-16',
          },
          [400, 415],
          ['API_VALIDATION_FAILED', 'API_UNSUPPORTED_MEDIA_TYPE'],
        ],
        [
          'a traversal in the bundle path',
          { path: '/v1/bundles/sha256/..%2F..%2F..%2Fetc%2Fpasswd.ma' },
          [404],
          ['API_NOT_FOUND'],
        ],
        [
          'an app id of 300 characters',
          { path: `/v1/partner/apps/${'a'.repeat(150)}.${'b'.repeat(149)}`, token: partner.token },
          [400, 404],
          ['API_VALIDATION_FAILED', 'API_NOT_FOUND'],
        ],
        [
          'a versionCode past 2^31',
          { path: '/v1/releases/com.example.shop/99999999999999999999.release.json' },
          [400, 404],
          ['API_VALIDATION_FAILED', 'API_NOT_FOUND'],
        ],
        [
          'a JSON array where an object is expected',
          {
            method: 'POST',
            path: '/v1/updates/check',
            token: device.token,
            body: '[]',
            contentType: 'application/json',
          },
          [400],
          ['API_VALIDATION_FAILED'],
        ],
        [
          'an empty body with a JSON media type',
          {
            method: 'POST',
            path: '/v1/updates/check',
            token: device.token,
            body: '',
            contentType: 'application/json',
          },
          [400],
          ['API_VALIDATION_FAILED'],
        ],
      ];
      for (const [what, spec, statuses, codes] of probes) {
        const exchange = await t.send({ ...spec, quiet: true });
        const code = jsonOf<{ code?: string }>(exchange)?.code;
        if (!statuses.includes(exchange.status) || !codes.includes(String(code))) {
          throw new CaseFailure(
            `${what}: ${describeExchange(exchange)}, expected ${statuses.join(' or ')} with ${codes.join(' or ')}`,
          );
        }
      }
    },
  }),
];
