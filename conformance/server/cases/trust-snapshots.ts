import { CaseFailure } from '../../framework/index.ts';
import { requirementIndex, type ConformanceCase } from '../../framework/index.ts';
import { equalBytes, utf8 } from '../crypto/byte-encoding.ts';
import { sha256Hex } from '../crypto/digest.ts';
import { payloadTypes, trustedKeys } from '../crypto/dsse-envelope.ts';
import { generateSigningKey } from '../crypto/jwk-key.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import { signStatement, statementPayload } from '../inputs/author-statement.ts';
import { expectedSelection, type ModelRelease } from '../model/update-selection.ts';
import { batchCheck, mismatch, ReleaseHistory } from '../subject/update-checks.ts';
import { jsonOf } from '../subject/http-exchange.ts';
import { encodeStandardBase64 } from '../crypto/byte-encoding.ts';
import { readSignedIndex } from '../subject/index-reader.ts';
import type { ServerSubject } from '../subject/server-subject.ts';
import { currentRoot, open, validatePayload, verifyRole } from '../subject/trust-chain.ts';

/**
 * Cases of the trust model of spec 1.0.0-draft.2 (delegations, statements for hosts, an index of pinned
 * bins). A case joins the suite once the specification in this checkout defines every line it cites.
 */
const immutable = 'public, max-age=31536000, immutable';

function allHex(length: number): string[] {
  if (length === 0) return [''];
  return allHex(length - 1).flatMap((p) => [...'0123456789abcdef'].map((c) => p + c));
}

async function binOf(t: ServerTest, prefix: string, version: number) {
  const path = `/v1/trust/bins/${prefix === '' ? 'all' : prefix}/${version}.bin.json`;
  const exchange = await t.send({ path });
  expectStatus(exchange, 200);
  return { path, exchange };
}

/** The partner revokes one of its keys; the delegations that drop it are signed before the case reads on. */
async function revokePartnerKey(t: ServerTest, partnerToken: string, keyid: string): Promise<void> {
  expectStatus(
    await t.send({ method: 'POST', path: `/v1/partner/keys/${keyid}/revoke`, token: partnerToken }),
    200,
  );
  await t.world.delegationSigner?.settle(t.subject.driver, t.adminToken, t.scope);
}

async function delegationOf(t: ServerTest, appId: string) {
  const index = await readSignedIndex(t);
  const length = Number(index.payload.binPrefixLength);
  const prefix = (await sha256Hex(utf8(appId))).slice(0, length);
  const pin = (index.payload.bins as { prefix: string; version: number; sha256: string }[]).find(
    (b) => b.prefix === prefix,
  );
  if (!pin) throw new CaseFailure(`no bin pinned for prefix "${prefix}"`);
  const { exchange } = await binOf(t, prefix, pin.version);
  const bin = open(exchange.body, payloadTypes.bin, 'bin');
  const entry = (
    bin.payload.apps as Record<string, { delegation?: { version: number; sha256: string } }>
  )[appId];
  if (!entry?.delegation) throw new CaseFailure(`the bin lists no delegation for ${appId}`);
  return { index, pin: entry.delegation };
}

const draftTwoCases: ConformanceCase<ServerSubject>[] = [
  serverCase({
    id: 'server.trust.root-four-roles',
    description:
      'The root defines the roles root, delegation, release and index, and no keyid appears in two of them',
    requirements: ['SIG-070', 'SIG-071'],
    why: 'A key shared between the offline delegation role and an online role lets a server compromise sign delegations, which is exactly what the split prevents.',
    async run(t) {
      const root = await currentRoot(t);
      const missing = ['root', 'delegation', 'release', 'index'].filter((r) => !root.roles[r]);
      if (missing.length > 0)
        throw new CaseFailure(`the root lacks the role(s) ${missing.join(', ')}`);
      const seen = new Map<string, string>();
      for (const [role, { keyids }] of Object.entries(root.roles)) {
        for (const keyid of keyids) {
          if (seen.has(keyid))
            throw new CaseFailure(`keyid ${keyid} is in both ${seen.get(keyid)} and ${role}`);
          seen.set(keyid, role);
        }
      }
    },
  }),
  serverCase({
    id: 'server.trust.statement-route',
    description:
      'GET /v1/releases/{appId}/{versionCode}.statement.json serves exactly the statement bytes the partner uploaded, publicly and immutably',
    requirements: ['API-105'],
    why: "Hosts verify the partner's own signature; a statement re-serialised or missing breaks the chain from partner key to package.",
    async run(t) {
      const release = await t.world.sharedRelease(t.scope);
      const v = release.version;
      const exchange = await t.send({
        path: `/v1/releases/${v.app.appId}/${v.versionCode}.statement.json`,
      });
      expectStatus(exchange, 200);
      if (!equalBytes(exchange.body, v.statementBytes))
        throw new CaseFailure('the served statement is not the bytes the partner uploaded');
      if (exchange.headers.get('cache-control') !== immutable)
        throw new CaseFailure(
          `Cache-Control is ${JSON.stringify(exchange.headers.get('cache-control'))}`,
        );
    },
  }),
  serverCase({
    id: 'server.trust.index-snapshots',
    description:
      'The current index and its predecessor are served by version, each the index of that version, byte-identical on every request, with an immutable Cache-Control',
    requirements: ['API-102'],
    why: 'Consistent snapshots let a CDN publish a new index atomically; a versioned index that changes or disappears breaks hosts that fetched its pin.',
    async run(t) {
      const index = await readSignedIndex(t);
      const same = await t.send({ path: `/v1/trust/${index.version}.index.json` });
      expectStatus(same, 200);
      if (!equalBytes(same.body, index.bytes))
        throw new CaseFailure(`${index.version}.index.json differs from index.json`);
      if (same.headers.get('cache-control') !== immutable)
        throw new CaseFailure(
          `Cache-Control is ${JSON.stringify(same.headers.get('cache-control'))}`,
        );
      if (index.version > 1) {
        const path = `/v1/trust/${index.version - 1}.index.json`;
        const a = await t.send({ path });
        const b = await t.send({ path });
        expectStatus(a, 200);
        if (!equalBytes(a.body, b.body))
          throw new CaseFailure(`${index.version - 1}.index.json changed between requests`);
        // A route that ignores the number and serves the newest index passes every check above.
        const older = open(a.body, payloadTypes.index, path);
        if (older.payload.version !== index.version - 1)
          throw new CaseFailure(
            `${path} holds index version ${JSON.stringify(older.payload.version)}, not ${index.version - 1}`,
          );
        if (a.headers.get('cache-control') !== immutable)
          throw new CaseFailure(
            `${path} has Cache-Control ${JSON.stringify(a.headers.get('cache-control'))}`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.trust.bins',
    description:
      'The index pins every bin prefix once in order; each pinned bin is served by its pin, signed by the index role, lists only apps of its prefix, and gets a new version when it changes while the old one stays served',
    requirements: ['API-103', 'SIG-100', 'SIG-101', 'SIG-103'],
    why: "A hidden bin hides an app's revocations; a bin that lists apps of another prefix or keeps its version when it changes enables mix-and-match attacks.",
    async run(t) {
      const shared = await t.world.sharedRelease(t.scope);
      const index = await readSignedIndex(t);
      const length = Number(index.payload.binPrefixLength);
      const bins = index.payload.bins as { prefix: string; version: number; sha256: string }[];
      if (bins.map((b) => b.prefix).join() !== allHex(length).join())
        throw new CaseFailure(
          `the ${bins.length} bins do not list every prefix of ${length} digits once, in order`,
        );
      const prefix = (await sha256Hex(utf8(shared.version.app.appId))).slice(0, length);
      const pin = bins.find((b) => b.prefix === prefix) as {
        prefix: string;
        version: number;
        sha256: string;
      };
      const { path, exchange } = await binOf(t, prefix, pin.version);
      if ((await sha256Hex(exchange.body)) !== pin.sha256)
        throw new CaseFailure(`${path} does not have the pinned digest`);
      if (exchange.headers.get('cache-control') !== immutable)
        throw new CaseFailure(
          `${path} has Cache-Control ${JSON.stringify(exchange.headers.get('cache-control'))}`,
        );
      const opened = open(exchange.body, payloadTypes.bin, path);
      await verifyRole(index.root, opened, 'index', path);
      validatePayload(t, opened.payload, 'bin', path);
      for (const appId of Object.keys(opened.payload.apps as object)) {
        if (!(await sha256Hex(utf8(appId))).startsWith(prefix))
          throw new CaseFailure(`${path} lists ${appId}, outside its prefix`);
      }
      // The released app belongs in the bin of its prefix, and in no other [SIG-101].
      if (!Object.hasOwn(opened.payload.apps as object, shared.version.app.appId))
        throw new CaseFailure(
          `${path}, the bin of prefix "${prefix}", does not list ${shared.version.app.appId}, which is released`,
        );
      // Every bin, while there are few: a server sharding by other digits fills bins the shared app's misses.
      if (bins.length <= 256) {
        for (const other of bins) {
          if (other.prefix === prefix) continue;
          const fetched = await binOf(t, other.prefix, other.version);
          const apps = open(fetched.exchange.body, payloadTypes.bin, fetched.path).payload.apps;
          for (const appId of Object.keys(apps as object)) {
            if (!(await sha256Hex(utf8(appId))).startsWith(other.prefix))
              throw new CaseFailure(`${fetched.path} lists ${appId}, outside its prefix`);
          }
        }
      }
      // A new release in the shared app's bin must give that bin a greater version.
      const app = await t.world.freshApp(t.scope, 'bin');
      await t.world.release(
        t.scope,
        await t.world.approvedVersion(t.scope, app, { versionCode: 1 }),
      );
      const after = await readSignedIndex(t);
      const appPrefix = (await sha256Hex(utf8(app.appId))).slice(
        0,
        Number(after.payload.binPrefixLength),
      );
      const before = bins.find((b) => b.prefix === appPrefix);
      const now = (after.payload.bins as { prefix: string; version: number }[]).find(
        (b) => b.prefix === appPrefix,
      );
      if (before && now && !(now.version > before.version))
        throw new CaseFailure(`bin ${appPrefix} changed but kept version ${now.version}`);
      // The bin it replaced stays served as pinned: hosts holding the older index still fetch it.
      if (before) {
        const old = await binOf(t, appPrefix, before.version);
        if ((await sha256Hex(old.exchange.body)) !== before.sha256)
          throw new CaseFailure(`${old.path}, pinned by an earlier index, changed once replaced`);
      }
    },
  }),
  serverCase({
    id: 'server.trust.delegation',
    description:
      "The delegation an app's entry pins is served by its pin, signed by the root's delegation role, lists the partner's key and no root key, and expires within 400 days",
    requirements: ['API-104', 'SIG-080', 'SIG-081', 'SIG-083', 'SIG-106'],
    why: 'The delegation is what stops a compromised server from signing for a partner; one signed by an online key, or listing a root key, gives that power back.',
    async run(t) {
      const shared = await t.world.sharedRelease(t.scope);
      const appId = shared.version.app.appId;
      const { index, pin } = await delegationOf(t, appId);
      const path = `/v1/delegations/${appId}/${pin.version}.delegation.json`;
      const exchange = await t.send({ path });
      expectStatus(exchange, 200);
      if ((await sha256Hex(exchange.body)) !== pin.sha256)
        throw new CaseFailure(`${path} does not have the pinned digest`);
      if (exchange.headers.get('cache-control') !== immutable)
        throw new CaseFailure(
          `${path} has Cache-Control ${JSON.stringify(exchange.headers.get('cache-control'))}`,
        );
      const opened = open(exchange.body, payloadTypes.delegation, path);
      await verifyRole(index.root, opened, 'delegation', path);
      validatePayload(t, opened.payload, 'delegation', path);
      const p = opened.payload as {
        appId: string;
        keys: Record<string, unknown>;
        threshold: number;
        issuedAt: string;
        expires: string;
      };
      if (p.appId !== appId) throw new CaseFailure(`the delegation names ${p.appId}`);
      const keys = await trustedKeys(p.keys);
      if (!keys.has(shared.version.app.partner.key.keyid))
        throw new CaseFailure(
          'the delegation does not list the partner key that signed the release',
        );
      if (p.threshold < 1 || p.threshold > keys.size)
        throw new CaseFailure(`threshold ${p.threshold} for ${keys.size} keys`);
      for (const keyid of keys.keys())
        if (index.root.keys.has(keyid))
          throw new CaseFailure(`the delegation lists ${keyid}, a key of the root`);
      const life = Date.parse(p.expires) - Date.parse(p.issuedAt);
      if (!(life > 0) || life > 400 * 86_400_000)
        throw new CaseFailure(`the delegation lives ${(life / 86_400_000).toFixed(1)} days`);
    },
  }),
  serverCase({
    id: 'server.trust.delegation-versions',
    description:
      "Registering a new partner key gives the app a new delegation whose version is greater than the one before, listing the new key, the app's entry pins it, and the one before stays served",
    requirements: ['SIG-082', 'SIG-106', 'API-110', 'API-104'],
    why: 'Hosts keep the highest delegation version they trusted; a reused version pins either keys hosts refuse or keys they should not trust.',
    async run(t) {
      const partner = await t.world.newPartner(t.scope, 'dv');
      const app = await t.world.freshApp(t.scope, 'dv', partner);
      await t.world.release(
        t.scope,
        await t.world.approvedVersion(t.scope, app, { versionCode: 1 }),
      );
      const first = (await delegationOf(t, app.appId)).pin;
      const before = first.version;
      const key = await generateSigningKey();
      await t.world.registerKey(t.scope, partner.token, key);
      await t.world.delegationSigner?.settle(t.subject.driver, t.adminToken, t.scope);
      const deadline = Date.now() + 6000;
      for (;;) {
        const { pin } = await delegationOf(t, app.appId);
        if (pin.version > before) {
          const d = open(
            (await t.send({ path: `/v1/delegations/${app.appId}/${pin.version}.delegation.json` }))
              .body,
            payloadTypes.delegation,
            'delegation',
          );
          if (!(d.payload.keys as Record<string, unknown>)[key.keyid])
            throw new CaseFailure('the new delegation does not list the new key');
          // [API-104] the delegation it replaced, pinned by earlier bins, is still served unchanged.
          const path = `/v1/delegations/${app.appId}/${before}.delegation.json`;
          const old = await t.send({ path });
          expectStatus(old, 200);
          if ((await sha256Hex(old.body)) !== first.sha256)
            throw new CaseFailure(`${path}, pinned by an earlier bin, changed once replaced`);
          return;
        }
        if (Date.now() > deadline) {
          // A newer delegation that is served but not pinned is a stale entry, not a missing version.
          const next = `/v1/delegations/${app.appId}/${before + 1}.delegation.json`;
          if ((await t.send({ path: next })).status === 200)
            throw new CaseFailure(
              `the entry still pins delegation version ${pin.version}, though ${next} is served [SIG-106]`,
            );
          throw new CaseFailure(
            `the delegation stayed at version ${pin.version} after a key was registered [SIG-082]`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  }),
  serverCase({
    id: 'server.upload.version-code-jump',
    description:
      "An upload whose versionCode is more than 10,000,000 above the app's highest is refused with 409 VERSION_CODE_JUMP_TOO_LARGE, and a jump of exactly 10,000,000 is taken",
    requirements: ['API-111', 'VER-020'],
    why: 'A huge versionCode signed with a stolen key locks every later genuine version out; the bound keeps recovery possible.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'jump');
      expectStatus(
        await t.world.upload(t.scope, app, await t.world.prepareVersion(app, { versionCode: 5 })),
        201,
      );
      expectStatus(
        await t.world.upload(
          t.scope,
          app,
          await t.world.prepareVersion(app, { versionCode: 10_000_006 }),
        ),
        409,
        'VERSION_CODE_JUMP_TOO_LARGE',
      );
      expectStatus(
        await t.world.upload(
          t.scope,
          app,
          await t.world.prepareVersion(app, { versionCode: 10_000_005 }),
        ),
        201,
      );
    },
  }),
  serverCase({
    id: 'server.releases.delegation-required',
    description:
      'A release of a version whose statement key was revoked after approval is refused with 409 API_DELEGATION_MISSING',
    requirements: ['API-112'],
    why: 'Publishing a release whose statement no current delegation verifies gives hosts a release they must refuse.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'dm');
      const key = await generateSigningKey();
      await t.world.registerKey(t.scope, app.partner.token, key);
      await t.world.delegationSigner?.settle(t.subject.driver, t.adminToken, t.scope);
      const prepared = await t.world.prepareVersion(app, { versionCode: 1 }, [key]);
      expectStatus(await t.world.upload(t.scope, app, prepared), 201);
      await t.world.settledVersion(t.scope, app, 1);
      await t.world.decide(t.scope, app, 1, 'approve');
      await revokePartnerKey(t, app.partner.token, key.keyid);
      const exchange = await t.send({
        method: 'POST',
        path: `/v1/partner/apps/${app.appId}/releases`,
        token: app.partner.token,
        json: { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
      });
      expectStatus(exchange, 409, 'API_DELEGATION_MISSING');
    },
  }),
  serverCase({
    id: 'server.trust.entry-lists-installable-releases',
    description:
      "An app's bin entry lists exactly its rolling-out, paused (marked paused) and completed releases, and the envelope digest of its revoked version",
    requirements: ['SIG-104', 'SIG-105', 'API-079'],
    why: 'Hosts decide updates from the entry alone; a rolled-back release still listed is installed, a revoked one missing from revokedReleases is never removed.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'entry');
      const versions = [];
      for (let v = 1; v <= 4; v++)
        versions.push(await t.world.approvedVersion(t.scope, app, { versionCode: v }));
      const [v1, v2, v3, v4] = versions as [
        (typeof versions)[0],
        (typeof versions)[0],
        (typeof versions)[0],
        (typeof versions)[0],
      ];
      await t.world.release(t.scope, v1);
      await t.world.act(
        t.scope,
        await t.world.release(t.scope, v2, { rolloutPercent: 50 }),
        'pause',
      );
      await t.world.act(t.scope, await t.world.release(t.scope, v3), 'rollback');
      await t.world.release(t.scope, v4);
      const revokedDigest = await sha256Hex(
        (await t.send({ path: `/v1/releases/${app.appId}/4.release.json` })).body,
      );
      expectStatus(await t.world.revoke(t.scope, v4, t.adminToken), 200);
      const entry = await (await readSignedIndex(t)).entry(app.appId);
      const listed = entry.releases
        .map((r) => r.versionCode)
        .sort()
        .join(',');
      if (listed !== '1,2')
        throw new CaseFailure(`the entry lists versionCodes ${listed}, expected 1 and 2`);
      // Hosts offer a listed release unless it is marked paused; the member is required by the schema.
      const flags = entry.releases.map((r) => `${r.versionCode}: paused ${String(r.paused)}`);
      for (const r of entry.releases) {
        if (r.paused !== (r.versionCode === 2))
          throw new CaseFailure(
            `release ${r.versionCode} is listed with paused ${JSON.stringify(r.paused)}, expected ${r.versionCode === 2} (versionCode 2 is paused, 1 completed)`,
            flags,
          );
      }
      if (!entry.revokedReleases.includes(revokedDigest))
        throw new CaseFailure("the revoked version's envelope digest is not in revokedReleases");
    },
  }),
  serverCase({
    id: 'server.trust.entry-revoked-key',
    description:
      "Once the partner revokes the key that signed a live release, the app's bin entry drops that release, keeps the others, and lists the key in revokedKeys",
    requirements: ['SIG-104', 'SIG-105'],
    why: 'A host keeps a release it installed until the entry tells it otherwise; a release signed by a stolen key that stays listed, or a revoked key missing from revokedKeys, stays installable after the partner reported the theft.',
    timeoutMs: 60_000,
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'rk');
      const key = await generateSigningKey();
      await t.world.registerKey(t.scope, app.partner.token, key);
      await t.world.delegationSigner?.settle(t.subject.driver, t.adminToken, t.scope);
      await t.world.release(
        t.scope,
        await t.world.approvedVersion(t.scope, app, { versionCode: 1 }),
      );
      // versionCode 2 is signed by the second key alone, then released on stable.
      const prepared = await t.world.prepareVersion(app, { versionCode: 2 }, [key]);
      expectStatus(await t.world.upload(t.scope, app, prepared), 201);
      if ((await t.world.settledVersion(t.scope, app, 2)).reviewStatus === 'queued') {
        expectStatus(await t.world.decide(t.scope, app, 2, 'approve'), 200);
        await t.world.settledVersion(t.scope, app, 2);
      }
      const exchange = await t.send({
        method: 'POST',
        path: `/v1/partner/apps/${app.appId}/releases`,
        token: app.partner.token,
        json: { versionCode: 2, channel: 'stable', rolloutPercent: 50 },
      });
      expectStatus(exchange, 201);
      const listed = (entry: { releases: { versionCode: number }[] }) =>
        entry.releases
          .map((r) => r.versionCode)
          .sort()
          .join(',');
      const before = listed(await (await readSignedIndex(t)).entry(app.appId));
      if (before !== '1,2')
        throw new CaseFailure(
          `before the revocation the entry lists versionCodes ${before}, expected 1 and 2`,
        );
      await revokePartnerKey(t, app.partner.token, key.keyid);
      // [API-106] the change may take up to 5 s to reach the served index.
      const deadline = Date.now() + 6000;
      for (;;) {
        const entry = await (await readSignedIndex(t)).entry(app.appId);
        const problems: string[] = [];
        if (listed(entry) !== '1')
          problems.push(
            `the entry lists versionCodes ${listed(entry)} after the key that signed 2 was revoked, expected 1 [SIG-104]`,
          );
        if (!entry.revokedKeys.includes(key.keyid))
          problems.push(
            `revokedKeys ${JSON.stringify(entry.revokedKeys)} lacks the revoked key ${key.keyid}, which an earlier delegation of the app listed [SIG-105]`,
          );
        if (problems.length === 0) return;
        if (Date.now() > deadline) throw new CaseFailure(problems[0] as string, problems);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  }),
  serverCase({
    id: 'server.trust.changes-within-five-seconds',
    description:
      'A release shows in the served index, its bin and update checks within 5 seconds, and index versions never go back over repeated requests',
    requirements: ['API-106', 'API-107'],
    why: 'Replicas that serve an old index keep offering what was withdrawn, and one that goes back makes hosts refuse it.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const app = await t.world.freshApp(t.scope, 'coh');
      const version = await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      await t.world.release(t.scope, version);
      const committed = Date.now();
      let seen = 0;
      for (;;) {
        const index = await readSignedIndex(t);
        if (index.version < seen)
          throw new CaseFailure(`index version went back from ${seen} to ${index.version}`);
        seen = index.version;
        const listed = (await index.entry(app.appId)).releases.some((r) => r.versionCode === 1);
        const check = bodyOf<{ results: { kind: string }[] }>(
          await t.send({
            method: 'POST',
            path: '/v1/updates/check',
            token: device.token,
            json: {
              hostApiVersion: '1.2.0',
              channel: 'stable',
              deviceId: device.deviceId,
              apps: [{ appId: app.appId, versionCode: 0 }],
            },
            quiet: true,
          }),
        );
        if (listed && check.results[0]?.kind === 'update') return;
        if (Date.now() - committed > 5000)
          throw new CaseFailure(
            '5 s after the release, the index or the update check still does not show it',
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  }),

  serverCase({
    id: 'server.trust.payload-spec-versions',
    description:
      'Every payload the server signs (root, index, bin, delegation, release) carries a 1.x specVersion, only members its schema defines, and critical pointers to members it has',
    requirements: ['SIG-074', 'SIG-079'],
    why: 'A signer that writes members its own version does not define, or marks nothing critical, lets older hosts silently ignore what they must not.',
    async run(t) {
      const shared = await t.world.sharedRelease(t.scope);
      const appId = shared.version.app.appId;
      const { index, pin } = await delegationOf(t, appId);
      const length = Number(index.payload.binPrefixLength);
      const prefix = (await sha256Hex(utf8(appId))).slice(0, length);
      const binPin = (index.payload.bins as { prefix: string; version: number }[]).find(
        (b) => b.prefix === prefix,
      ) as { version: number };
      const documents: [string, string, string][] = [
        ['/v1/trust/root.json', payloadTypes.root, 'root'],
        ['/v1/trust/index.json', payloadTypes.index, 'index'],
        [
          `/v1/trust/bins/${prefix === '' ? 'all' : prefix}/${binPin.version}.bin.json`,
          payloadTypes.bin,
          'bin',
        ],
        [
          `/v1/delegations/${appId}/${pin.version}.delegation.json`,
          payloadTypes.delegation,
          'delegation',
        ],
        [`/v1/releases/${appId}/1.release.json`, payloadTypes.release, 'release'],
      ];
      for (const [path, type, schema] of documents) {
        const exchange = await t.send({ path });
        expectStatus(exchange, 200);
        const opened = open(exchange.body, type, path);
        const version = opened.payload.specVersion;
        if (typeof version !== 'string' || !/^1\.(0|[1-9][0-9]*)$/.test(version))
          throw new CaseFailure(`${path}: specVersion ${JSON.stringify(version)}`);
        validatePayload(t, opened.payload, schema, path);
        for (const pointer of (opened.payload.critical as string[] | undefined) ?? []) {
          const found = pointer
            .split('/')
            .slice(1)
            .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
            .reduce<unknown>(
              (node, key) =>
                node && typeof node === 'object'
                  ? (node as Record<string, unknown>)[key]
                  : undefined,
              opened.payload,
            );
          if (found === undefined)
            throw new CaseFailure(
              `${path}: critical names ${pointer}, which the payload does not have`,
            );
        }
      }
    },
  }),
  serverCase({
    id: 'server.upload.statement-versions',
    description:
      'Statements of another major version or with critical unknown members are refused with SIG_UNSUPPORTED_VERSION, unknown members of version 1.0 with SIG_MALFORMED, and those of a later 1.x minor are accepted',
    requirements: ['SIG-075', 'SIG-076', 'SIG-077', 'SIG-078'],
    why: 'Forward compatibility is what lets 1.1 signers talk to 1.0 verifiers without downgrade holes; a server that ignores critical members or rejects a later minor breaks both ways.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'sv');
      const prepared = await t.world.prepareVersion(app, { versionCode: 1 });
      const base = statementPayload(prepared.statement);
      const refuse = async (what: string, payload: Record<string, unknown>, code: string) => {
        const signed = await signStatement(prepared.statement, [app.partner.key], payload);
        const exchange = await t.world.upload(t.scope, app, {
          pkg: prepared.pkg,
          statementBytes: signed.bytes,
        });
        if (
          exchange.status < 400 ||
          exchange.status >= 500 ||
          jsonOf<{ code?: string }>(exchange)?.code !== code
        ) {
          throw new CaseFailure(
            `${what}: answered ${exchange.status} ${String(jsonOf<{ code?: string }>(exchange)?.code ?? '')}, expected ${code}`,
          );
        }
      };
      await refuse('specVersion 2.0', { specVersion: '2.0' }, 'SIG_UNSUPPORTED_VERSION');
      await refuse(
        'an unknown member at 1.0',
        { specVersion: '1.0', channelHint: 'beta' },
        'SIG_MALFORMED',
      );
      await refuse(
        'a critical unknown member',
        { specVersion: '1.9', channelHint: 'beta', critical: ['/channelHint'] },
        'SIG_UNSUPPORTED_VERSION',
      );
      await refuse(
        'a critical pointer to nothing',
        { specVersion: '1.9', critical: ['/absent'] },
        'SIG_MALFORMED',
      );
      const later = await signStatement(prepared.statement, [app.partner.key], {
        ...base,
        specVersion: '1.9',
        channelHint: 'beta',
      });
      expectStatus(
        await t.world.upload(t.scope, app, { pkg: prepared.pkg, statementBytes: later.bytes }),
        201,
      );
    },
  }),
  serverCase({
    id: 'server.updates.equals-bin-selection',
    description:
      "For staged, paused, rolled-back and revoked histories, each update answer equals the update selection applied to the app's entry in the served bin",
    requirements: ['API-100'],
    why: 'Hosts may decide from the bin themselves; a server whose answers differ from its own signed data splits the fleet into two behaviours.',
    timeoutMs: 60_000,
    async run(t) {
      const device = await t.world.device(t.scope);
      const app = await t.world.freshApp(t.scope, 'bs');
      const history = new ReleaseHistory(app);
      const steps: [number, string, { rolloutPercent?: number; mandatory?: boolean }][] = [
        [1, '1.0.0', {}],
        [2, '1.0.0', { rolloutPercent: 40, mandatory: true }],
        [3, '1.2.0', { rolloutPercent: 70 }],
        [4, '1.0.0', { rolloutPercent: 55 }],
      ];
      for (const [vc, minHostVersion, options] of steps) {
        const v = await t.world.approvedVersion(t.scope, app, { versionCode: vc, minHostVersion });
        history.add(await t.world.release(t.scope, v, options));
      }
      await history.act(t, 4, 'pause');
      await history.act(t, 2, 'revoke');
      const index = await readSignedIndex(t);
      const length = Number(index.payload.binPrefixLength);
      const prefix = (await sha256Hex(utf8(app.appId))).slice(0, length);
      const pin = (index.payload.bins as { prefix: string; version: number }[]).find(
        (b) => b.prefix === prefix,
      ) as { version: number };
      const bin = open(
        (await binOf(t, prefix, pin.version)).exchange.body,
        payloadTypes.bin,
        'bin',
      );
      const entry = (
        bin.payload.apps as Record<
          string,
          {
            releases: {
              channel: 'stable' | 'beta';
              versionCode: number;
              minHostVersion: string;
              rolloutPercent: number;
              mandatory: boolean;
              paused?: boolean;
            }[];
            revokedReleases: string[];
          }
        >
      )[app.appId];
      if (!entry) throw new CaseFailure('the bin has no entry for the app');
      const model: ModelRelease[] = entry.releases.map((r) => ({
        ...r,
        state: r.paused ? 'paused' : r.rolloutPercent >= 100 ? 'completed' : 'rollingOut',
      }));
      for (const v of [1, 2, 3, 4]) {
        const digest = await sha256Hex(
          (await t.send({ path: `/v1/releases/${app.appId}/${v}.release.json`, quiet: true })).body,
        );
        if (entry.revokedReleases.includes(digest))
          model.push({
            versionCode: v,
            channel: 'stable',
            minHostVersion: '1.0.0',
            rolloutPercent: 0,
            mandatory: false,
            state: 'revoked',
          });
      }
      for (let i = 0; i < 40; i++) {
        const query = {
          appId: app.appId,
          hostApiVersion: ['1.0.0', '1.2.0'][i % 2] as string,
          channel: 'stable' as const,
          deviceId: `certify-${t.subject.runId}-bin-${i}`.padEnd(20, '0'),
          installedVersionCode: i % 5,
        };
        const { results } = await batchCheck(
          t,
          device.token,
          {
            hostApiVersion: query.hostApiVersion,
            channel: 'stable',
            deviceId: query.deviceId,
            apps: [{ appId: app.appId, versionCode: query.installedVersionCode }],
          },
          true,
        );
        const problem = mismatch(
          await expectedSelection(model, query),
          results[0],
          history,
          t.subject.baseUrl,
        );
        if (problem) throw new CaseFailure(`${JSON.stringify(query)}: ${problem}`);
      }
    },
  }),
  serverCase({
    id: 'server.trust.pending-delegations',
    description:
      'GET /v1/admin/delegations/pending lists delegation payloads, and PUT /v1/admin/delegations/{appId} refuses an envelope not signed by the delegation role',
    requirements: ['API-108', 'API-109'],
    why: 'An import that stores whatever it is sent lets a server compromise install its own delegation; the pending list is how offline signers learn what to sign.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'pd');
      const pending = bodyOf<{
        items: { appId: string; payloadType: string; payload: string; version: number }[];
      }>(await t.send({ path: '/v1/admin/delegations/pending', token: t.adminToken }));
      for (const item of pending.items) {
        if (item.payloadType !== payloadTypes.delegation)
          throw new CaseFailure(
            `pending item of ${item.appId} has payloadType ${item.payloadType}`,
          );
      }
      const forger = await generateSigningKey();
      const payload = utf8(
        JSON.stringify({
          _type: 'delegation',
          specVersion: '1.0',
          appId: app.appId,
          version: 999,
          issuedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          expires: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          keys: { [forger.keyid]: forger.publicJwk },
          threshold: 1,
        }),
      );
      const { signEnvelope } = await import('../crypto/dsse-envelope.ts');
      const forged = await signEnvelope(payloadTypes.delegation, payload, [forger]);
      const exchange = await t.send({
        method: 'PUT',
        path: `/v1/admin/delegations/${app.appId}`,
        token: t.adminToken,
        json: forged,
      });
      if (exchange.status < 400 || exchange.status >= 500)
        throw new CaseFailure(`a delegation signed by a stranger answered ${exchange.status}`);
      t.note(
        `forged delegation refused with ${String(jsonOf<{ code?: string }>(exchange)?.code)} (${encodeStandardBase64(payload).length} base64 bytes)`,
      );
    },
  }),
];

/** The cases whose every cited requirement is a live server MUST of the specification in this checkout. */
export function definedCases(
  cases: ConformanceCase<ServerSubject>[],
): ConformanceCase<ServerSubject>[] {
  const index = requirementIndex();
  return cases.filter((c) =>
    c.requirements.every(
      (id) =>
        index.byId.get(id)?.level === 'MUST' && index.byId.get(id)?.classes.includes('server'),
    ),
  );
}

export const trustSnapshotCases = definedCases(draftTwoCases);
