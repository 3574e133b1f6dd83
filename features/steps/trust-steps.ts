import { Then, When } from '@cucumber/cucumber';
import { CaseFailure } from '../../conformance/framework/index.ts';
import { sha256Hex } from '../../conformance/server/crypto/digest.ts';
import { payloadTypes } from '../../conformance/server/crypto/dsse-envelope.ts';
import { expectStatus } from '../../conformance/server/server-case.ts';
import type { Exchange } from '../../conformance/server/subject/http-exchange.ts';
import { readSignedIndex } from '../../conformance/server/subject/index-reader.ts';
import {
  currentRoot,
  open,
  verifyRole,
  type TrustedRoot,
} from '../../conformance/server/subject/trust-chain.ts';
import type { PlatformWorld } from '../support/platform-world.ts';

When('a host walks the trust root from version 1', async function (this: PlatformWorld) {
  // currentRoot checks each version against its predecessor's root role and its own [SIG-052].
  this.noted.set('root', await currentRoot(this.test));
});

Then(
  'every root version up to the current one is served and signed by the root role before it',
  function (this: PlatformWorld) {
    const root = this.noted.get('root') as TrustedRoot;
    if (!(root.version >= 1)) throw new CaseFailure(`the root has version ${root.version}`);
  },
);

Then(
  'the root defines the roles root, delegation, release and index, no key serving two of them',
  function (this: PlatformWorld) {
    const root = this.noted.get('root') as TrustedRoot;
    const names = Object.keys(root.roles).sort();
    if (names.join() !== ['delegation', 'index', 'release', 'root'].join())
      throw new CaseFailure(`the root defines the roles ${names.join(', ')}`);
    const seen = new Map<string, string>();
    for (const [name, role] of Object.entries(root.roles)) {
      for (const keyid of role.keyids) {
        const other = seen.get(keyid);
        if (other) throw new CaseFailure(`key ${keyid} serves both ${other} and ${name}`);
        seen.set(keyid, name);
      }
    }
  },
);

When('a host fetches the current index', async function (this: PlatformWorld) {
  this.last = await this.send({ path: '/v1/trust/index.json' });
  this.noted.set('index', await readSignedIndex(this.test));
});

Then(
  'the index is signed by the index role and expires at most 24 hours after it was issued',
  function (this: PlatformWorld) {
    const index = this.noted.get('index') as Awaited<ReturnType<typeof readSignedIndex>>;
    const issued = Date.parse(String(index.payload.issuedAt));
    const expires = Date.parse(String(index.payload.expires));
    if (!(expires > issued && expires - issued <= 24 * 3600_000))
      throw new CaseFailure(
        `index ${index.version} is issued ${String(index.payload.issuedAt)} and expires ${String(index.payload.expires)}`,
      );
  },
);

Then('a cache may keep the index for at most 300 seconds', function (this: PlatformWorld) {
  const header = (this.last as Exchange).headers.get('cache-control') ?? '';
  const maxAge = /max-age=(\d+)/.exec(header)?.[1];
  if (maxAge === undefined || Number(maxAge) > 300)
    throw new CaseFailure(`Cache-Control of the index is "${header}"`);
});

async function fetchPublic(w: PlatformWorld, versionCode: number, kind: string): Promise<Exchange> {
  const app = w.requireHistory().app;
  // No token: trust, release and statement routes are public [API-041].
  const exchange = await w.send({ path: `/v1/releases/${app.appId}/${versionCode}.${kind}.json` });
  expectStatus(exchange, 200);
  return exchange;
}

When(
  'anyone fetches the release envelope of version {int} without a credential',
  async function (this: PlatformWorld, versionCode: number) {
    this.noted.set('envelope', await fetchPublic(this, versionCode, 'release'));
  },
);

Then(
  'the envelope is signed by the release role of the trusted root',
  async function (this: PlatformWorld) {
    const envelope = this.noted.get('envelope') as Exchange;
    const opened = open(envelope.body, payloadTypes.release, 'release envelope');
    await verifyRole(await currentRoot(this.test), opened, 'release', 'release envelope');
    this.noted.set('release payload', opened.payload);
  },
);

Then(
  'it names the app, the version code and the package digest that the partner signed for version {int}',
  function (this: PlatformWorld, versionCode: number) {
    const payload = this.noted.get('release payload') as {
      appId?: string;
      versionCode?: number;
      package?: { sha256?: string; length?: number };
    };
    const version = this.version(versionCode);
    if (
      payload.appId !== version.app.appId ||
      payload.versionCode !== versionCode ||
      payload.package?.sha256 !== version.sha256 ||
      payload.package.length !== version.pkg.bytes.length
    )
      throw new CaseFailure(`the release metadata reads ${JSON.stringify(payload)}`);
  },
);

When(
  'anyone fetches the partner statement of version {int} without a credential',
  async function (this: PlatformWorld, versionCode: number) {
    this.noted.set('statement', await fetchPublic(this, versionCode, 'statement'));
  },
);

Then(
  'it is byte for byte the statement the partner uploaded for version {int}',
  function (this: PlatformWorld, versionCode: number) {
    const served = (this.noted.get('statement') as Exchange).body;
    if (Buffer.compare(Buffer.from(served), Buffer.from(this.version(versionCode).statementBytes)))
      throw new CaseFailure('the served statement differs from the uploaded bytes');
  },
);

Then(
  'within 10 seconds the signed index lists the release envelope of version {int} as revoked',
  async function (this: PlatformWorld, versionCode: number) {
    const app = this.requireHistory().app;
    const envelope = await fetchPublic(this, versionCode, 'release');
    const digest = await sha256Hex(envelope.body);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const entry = await (await readSignedIndex(this.test)).entry(app.appId);
      const listed = entry.releases.some((r) => r.versionCode === versionCode);
      if (entry.revokedReleases.includes(digest) && !listed) return;
      if (Date.now() > deadline)
        throw new CaseFailure(
          `after 10 s the entry of ${app.appId} lists ${JSON.stringify(entry)}; expected ${digest} revoked and version ${versionCode} no longer installable`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  },
);
