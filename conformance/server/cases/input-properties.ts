import fc from 'fast-check';
import { CaseFailure } from '../../framework/index.ts';
import { checkProperty } from '../model/property-run.ts';
import { serverCase } from '../server-case.ts';
import { describeExchange, jsonOf } from '../subject/http-exchange.ts';

const categories = [
  'books',
  'business',
  'education',
  'finance',
  'food',
  'games',
  'health',
  'music',
  'news',
  'shopping',
  'social',
  'travel',
  'utilities',
  'weather',
];

/** A valid update-check body, and ways to break exactly one thing in it. */
const validCheck = {
  hostApiVersion: '1.2.0',
  channel: 'stable',
  deviceId: 'certify-property-device-01',
  apps: [{ appId: 'com.example.property', versionCode: 3 }],
};
const checkBreaks: [string, (b: typeof validCheck) => unknown][] = [
  ['no hostApiVersion', ({ hostApiVersion: _h, ...rest }) => rest],
  ['hostApiVersion with a leading zero', (b) => ({ ...b, hostApiVersion: '1.02.0' })],
  ['channel nightly', (b) => ({ ...b, channel: 'nightly' })],
  ['numeric deviceId', (b) => ({ ...b, deviceId: 1234567890123456 })],
  ['short deviceId', (b) => ({ ...b, deviceId: 'short' })],
  ['apps not an array', (b) => ({ ...b, apps: { appId: 'com.example.x', versionCode: 1 } })],
  ['negative versionCode', (b) => ({ ...b, apps: [{ appId: 'com.example.x', versionCode: -1 }] })],
  [
    'versionCode over 2^31-1',
    (b) => ({ ...b, apps: [{ appId: 'com.example.x', versionCode: 2147483648 }] }),
  ],
  [
    'fractional versionCode',
    (b) => ({ ...b, apps: [{ appId: 'com.example.x', versionCode: 1.5 }] }),
  ],
  ['uppercase appId', (b) => ({ ...b, apps: [{ appId: 'Com.Example.X', versionCode: 1 }] })],
  ['single-label appId', (b) => ({ ...b, apps: [{ appId: 'example', versionCode: 1 }] })],
  ['extra member', (b) => ({ ...b, debug: true })],
  [
    'extra member in an app',
    (b) => ({ ...b, apps: [{ appId: 'com.example.x', versionCode: 1, channel: 'beta' }] }),
  ],
  ['null body', () => null],
  ['array body', (b) => [b]],
];

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?$/);

export const inputPropertyCases = [
  serverCase({
    id: 'server.errors.property-negative-refused',
    description:
      'Update-check bodies broken in one random way are each refused with 400 API_VALIDATION_FAILED, never accepted and never a 5xx',
    requirements: ['API-015', 'API-082', 'API-090'],
    why: 'Validation that holds for the examples an implementer tried but not for the rest lets malformed input reach the selection logic.',
    async run(t) {
      const device = await t.world.device(t.scope);
      t.note(`fast-check seed ${t.subject.seed}`);
      await checkProperty(
        fc.asyncProperty(fc.constantFrom(...checkBreaks), async ([what, breakIt]) => {
          const exchange = await t.send({
            method: 'POST',
            path: '/v1/updates/check',
            token: device.token,
            json: breakIt(structuredClone(validCheck)),
            quiet: true,
          });
          if (
            exchange.status !== 400 ||
            jsonOf<{ code?: string }>(exchange)?.code !== 'API_VALIDATION_FAILED'
          ) {
            throw new CaseFailure(`${what}: ${describeExchange(exchange)}`);
          }
        }),
        { seed: t.subject.seed, numRuns: Math.max(checkBreaks.length, t.subject.propertyRuns) },
      );
    },
  }),
  serverCase({
    id: 'server.portal.property-valid-apps-accepted',
    description:
      'Random valid app ids, names and categories are each accepted with 201 and read back unchanged',
    requirements: ['API-015', 'API-068'],
    why: 'A server that refuses valid input (a hyphenated label, a long name) is as broken for partners as one that accepts invalid input.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      t.note(`fast-check seed ${t.subject.seed}`);
      let n = 0;
      await checkProperty(
        fc.asyncProperty(
          label,
          fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim().length > 0),
          fc.constantFrom(...categories),
          async (tail, name, category) => {
            n += 1;
            const appId = `dev.certify${t.subject.runId}.v${n}.${tail}`;
            const created = await t.send({
              method: 'POST',
              path: '/v1/partner/apps',
              token: partner.token,
              json: { appId, name, category },
              quiet: true,
            });
            if (created.status !== 201)
              throw new CaseFailure(
                `${JSON.stringify({ appId, name, category })}: ${describeExchange(created)}`,
              );
            const read = jsonOf<{ appId: string; name: string; category: string }>(
              await t.send({
                path: `/v1/partner/apps/${appId}`,
                token: partner.token,
                quiet: true,
              }),
            );
            if (read?.appId !== appId || read.name !== name || read.category !== category)
              throw new CaseFailure(`read back ${JSON.stringify(read)}`);
          },
        ),
        { seed: t.subject.seed, numRuns: t.subject.propertyRuns },
      );
    },
  }),
];
