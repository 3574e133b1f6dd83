import { CaseFailure } from '../../framework/index.ts';
import { equalBytes } from '../crypto/byte-encoding.ts';
import { sha256Hex } from '../crypto/digest.ts';
import { payloadTypes } from '../crypto/dsse-envelope.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import { readSignedIndex } from '../subject/index-reader.ts';
import { definedCases } from './defined-cases.ts';
import {
  checkPayloadForms,
  currentRoot,
  open,
  validatePayload,
  verifyRole,
} from '../subject/trust-chain.ts';

const immutable = 'public, max-age=31536000, immutable';

async function signedIndex(t: ServerTest) {
  const root = await currentRoot(t);
  const exchange = await t.send({ path: '/v1/trust/index.json' });
  expectStatus(exchange, 200);
  const opened = open(exchange.body, payloadTypes.index, 'index.json');
  await verifyRole(root, opened, 'index', 'index.json');
  validatePayload(t, opened.payload, 'index', 'index.json');
  return {
    root,
    exchange,
    opened,
    payload: opened.payload as Record<string, unknown> & {
      version: number;
      issuedAt: string;
      expires: string;
    },
  };
}

const releaseExpiryCases = [
  serverCase({
    id: 'server.trust.release-expiry',
    description: 'Release metadata carries an expires later than its issuedAt',
    requirements: ['SIG-032'],
    why: 'Release metadata that expires before it was issued, or never, cannot be judged by hosts that check freshness.',
    async run(t) {
      const release = await t.world.sharedRelease(t.scope);
      const v = release.version;
      const exchange = await t.send({
        path: `/v1/releases/${v.app.appId}/${v.versionCode}.release.json`,
      });
      expectStatus(exchange, 200);
      const p = open(exchange.body, payloadTypes.release, 'release envelope').payload as {
        issuedAt?: string;
        expires?: string;
      };
      if (
        typeof p.expires !== 'string' ||
        !(Date.parse(p.expires) > Date.parse(String(p.issuedAt)))
      ) {
        throw new CaseFailure(
          `expires ${String(p.expires)} is not later than issuedAt ${String(p.issuedAt)}`,
        );
      }
    },
  }),
];

export const trustCases = [
  serverCase({
    id: 'server.trust.root-current',
    description:
      'GET /v1/trust/root.json is public, answered with Cache-Control no-cache, and is a root envelope whose roles, keys and signatures are valid',
    requirements: ['API-036', 'API-041', 'SIG-010', 'SIG-051', 'SIG-005', 'SIG-006', 'SIG-015'],
    why: 'Hosts walk from their baked-in root to this one; a root with a role that names a missing key, a key under a wrong keyid or too few signatures strands them.',
    async run(t) {
      const exchange = await t.send({ path: '/v1/trust/root.json' });
      expectStatus(exchange, 200);
      const cc = exchange.headers.get('cache-control');
      if (cc !== 'no-cache')
        throw new CaseFailure(`Cache-Control is ${JSON.stringify(cc)}, not no-cache`);
      const root = await currentRoot(t);
      const current = await t.send({ path: `/v1/trust/${root.version}.root.json` });
      if (!equalBytes(current.body, exchange.body)) {
        throw new CaseFailure(
          `root.json differs from ${root.version}.root.json, the newest version`,
        );
      }
    },
  }),
  serverCase({
    id: 'server.trust.root-versions',
    description:
      'Every root version from 1 is served byte-identical on repeated requests with an immutable Cache-Control, each signed by the root role of the version before it and its own',
    requirements: ['API-037', 'SIG-052'],
    why: 'A host that was offline for several rotations walks each version; a missing, changed or badly signed intermediate root locks it out for good.',
    async run(t) {
      const root = await currentRoot(t);
      for (let v = 1; v <= root.version; v++) {
        const first = await t.send({ path: `/v1/trust/${v}.root.json` });
        const again = await t.send({ path: `/v1/trust/${v}.root.json` });
        if (!equalBytes(first.body, again.body))
          throw new CaseFailure(`${v}.root.json changed between two requests`);
        if (first.headers.get('cache-control') !== immutable) {
          throw new CaseFailure(
            `${v}.root.json has Cache-Control ${JSON.stringify(first.headers.get('cache-control'))}`,
          );
        }
      }
      expectStatus(
        await t.send({ path: `/v1/trust/${root.version + 1}.root.json` }),
        404,
        'API_NOT_FOUND',
      );
    },
  }),
  serverCase({
    id: 'server.trust.index-signed-and-fresh',
    description:
      'The current index is signed by a threshold of the root index role, unexpired, expires at most 24 hours after issuedAt, and is cached at most 300 seconds and never past its expiry',
    requirements: ['API-038', 'API-039', 'SIG-060', 'SIG-061', 'SIG-013', 'SIG-015', 'SIG-016'],
    why: 'The index is the freshness signal that defeats freeze attacks; a long-lived or over-cached index lets a stale view of releases and revocations live on.',
    async run(t) {
      const { exchange, payload } = await signedIndex(t);
      const issued = Date.parse(payload.issuedAt);
      const expires = Date.parse(payload.expires);
      const now = Date.now();
      if (!(expires > now))
        throw new CaseFailure(`the served index expired at ${payload.expires} [API-039]`);
      if (expires - issued > 24 * 3600 * 1000) {
        throw new CaseFailure(
          `the index lives ${(expires - issued) / 3600000} h (issuedAt ${payload.issuedAt}, expires ${payload.expires}) [SIG-061]`,
        );
      }
      const cc = exchange.headers.get('cache-control') ?? '';
      const maxAge = /max-age=(\d+)/.exec(cc)?.[1];
      if (maxAge === undefined)
        throw new CaseFailure(`Cache-Control ${JSON.stringify(cc)} has no max-age`);
      if (Number(maxAge) > 300) throw new CaseFailure(`max-age=${maxAge} is over 300 s [API-038]`);
      const left = Math.ceil((expires - now) / 1000) + 2;
      if (Number(maxAge) > left)
        throw new CaseFailure(
          `max-age=${maxAge} outlives the index, which expires in ${left} s [API-038]`,
        );
      const problems: string[] = [];
      checkPayloadForms(payload, 'index', problems);
      if (problems.length) throw new CaseFailure(problems[0] as string, problems);
    },
  }),
  serverCase({
    id: 'server.trust.index-version-increases',
    description:
      'After a release is published the served index has a greater version than before, no later fetch goes back, and two different indexes never share a version, even when changes follow each other within a second',
    requirements: ['SIG-060'],
    why: 'Hosts reject an index whose version went down and keep the first index they saw of a version; a server that reuses or lowers versions makes hosts refuse its genuine updates.',
    async run(t) {
      const before = (await signedIndex(t)).payload.version;
      const app = await t.world.freshApp(t.scope, 'idx');
      const version = await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      const release = await t.world.release(t.scope, version, { rolloutPercent: 50 });
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) seen.push((await signedIndex(t)).payload.version);
      if (!(seen[0] !== undefined && seen[0] > before))
        throw new CaseFailure(
          `index version ${seen[0]} after a release is not greater than ${before} before it`,
        );
      for (let i = 1; i < seen.length; i++) {
        if ((seen[i] as number) < (seen[i - 1] as number))
          throw new CaseFailure(`index versions went back: ${seen.join(' then ')}`);
      }
      // Changes in quick succession: a version taken from the clock, or reused when the content is
      // re-signed, gives two different indexes one version. A server may fold changes into one index.
      const digests = new Map<number, string>();
      const observed: string[] = [];
      let last = 0;
      for (const action of ['pause', 'resume', 'pause', 'resume', 'pause', 'resume']) {
        expectStatus(await t.world.act(t.scope, release, action), 200);
        const { exchange, payload } = await signedIndex(t);
        const digest = await sha256Hex(exchange.body);
        observed.push(`${action}: version ${payload.version}, sha256 ${digest.slice(0, 12)}`);
        if (payload.version < last)
          throw new CaseFailure(
            `index versions went back from ${last} to ${payload.version}`,
            observed,
          );
        const known = digests.get(payload.version);
        if (known !== undefined && known !== digest)
          throw new CaseFailure(
            `two different indexes were served with version ${payload.version}`,
            observed,
          );
        digests.set(payload.version, digest);
        last = payload.version;
      }
    },
  }),
  serverCase({
    id: 'server.trust.release-envelope',
    description:
      'The release envelope of a released version is public, immutable, signed by the release role, and copies the statement members, its digest and its key',
    requirements: ['API-040', 'API-041', 'SIG-030', 'SIG-031', 'SIG-011', 'SIG-016'],
    why: 'The countersignature binds what the partner signed to what the platform reviewed; a member changed on the way or a wrong statement digest lets a package other than the reviewed one be installed.',
    async run(t) {
      const release = await t.world.sharedRelease(t.scope);
      const v = release.version;
      const root = await currentRoot(t);
      const path = `/v1/releases/${v.app.appId}/${v.versionCode}.release.json`;
      const exchange = await t.send({ path });
      expectStatus(exchange, 200);
      if (exchange.headers.get('cache-control') !== immutable) {
        throw new CaseFailure(
          `Cache-Control is ${JSON.stringify(exchange.headers.get('cache-control'))}`,
        );
      }
      const opened = open(exchange.body, payloadTypes.release, 'release envelope');
      await verifyRole(root, opened, 'release', 'release envelope');
      validatePayload(t, opened.payload, 'release', 'release payload');
      const p = opened.payload as {
        appId?: unknown;
        version?: unknown;
        versionCode?: unknown;
        package?: { sha256?: unknown; length?: unknown };
        manifestSha256?: unknown;
        statement?: { sha256?: unknown; keyid?: unknown };
        issuedAt?: string;
        expires?: string;
      };
      const wrong: string[] = [];
      const same = (name: string, a: unknown, b: unknown) => {
        if (JSON.stringify(a) !== JSON.stringify(b))
          wrong.push(`${name} is ${JSON.stringify(a)}, statement has ${JSON.stringify(b)}`);
      };
      same('appId', p.appId, v.statement.appId);
      same('version', p.version, v.statement.version);
      same('versionCode', p.versionCode, v.statement.versionCode);
      same('package.sha256', p.package?.sha256, v.statement.package.sha256);
      same('package.length', p.package?.length, v.statement.package.length);
      same('manifestSha256', p.manifestSha256, v.statement.manifestSha256);
      same('statement.sha256', p.statement?.sha256, await sha256Hex(v.statementBytes));
      same('statement.keyid', p.statement?.keyid, v.app.partner.key.keyid);
      checkPayloadForms(p, 'release', wrong);
      if (wrong.length > 0) throw new CaseFailure(wrong[0] as string, wrong);
      const again = await t.send({ path });
      if (!equalBytes(again.body, exchange.body))
        throw new CaseFailure('the envelope changed between two requests');
    },
  }),
  serverCase({
    id: 'server.trust.index-pins-release',
    description:
      'The index lists a released version on its channel with the SHA-256 of the release envelope bytes',
    requirements: ['SIG-060', 'API-040'],
    why: 'Hosts install only what the index pins; an index that omits a release, or pins other bytes than the envelope served, makes the release uninstallable.',
    async run(t) {
      const release = await t.world.sharedRelease(t.scope);
      const v = release.version;
      const envelope = await t.send({
        path: `/v1/releases/${v.app.appId}/${v.versionCode}.release.json`,
      });
      const digest = await sha256Hex(envelope.body);
      const index = await readSignedIndex(t);
      const entry = await index.entry(v.app.appId);
      const pinned = entry.releases.find(
        (r) => r.versionCode === v.versionCode && r.channel === 'stable',
      );
      if (!pinned)
        throw new CaseFailure(
          `index ${index.version} lists no stable release ${v.versionCode} of ${v.app.appId}`,
        );
      if (pinned.sha256 !== digest)
        throw new CaseFailure(
          `index ${index.version} pins ${pinned.sha256}, the envelope served has sha256 ${digest}`,
        );
    },
  }),
  serverCase({
    id: 'server.trust.routes-public',
    description:
      'Trust and release routes answer without credentials, and the same with a credential as without',
    requirements: ['API-041'],
    why: 'Hosts fetch signed metadata through CDNs that strip credentials; a trust route behind authentication cuts them off.',
    async run(t) {
      const release = await t.world.sharedRelease(t.scope);
      const device = await t.world.device(t.scope);
      const paths = [
        '/v1/trust/root.json',
        '/v1/trust/1.root.json',
        '/v1/trust/index.json',
        `/v1/releases/${release.version.app.appId}/${release.version.versionCode}.release.json`,
      ];
      for (const path of paths) {
        const anonymous = await t.send({ path });
        expectStatus(anonymous, 200);
        const withToken = await t.send({ path, token: device.token });
        expectStatus(withToken, 200);
      }
      bodyOf(await t.send({ path: paths[0] as string }));
    },
  }),
  // Draft 2 withdraws expiry from release metadata; the case leaves the suite with the line.
  ...definedCases(releaseExpiryCases),
];
