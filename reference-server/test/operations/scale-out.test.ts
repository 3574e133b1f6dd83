import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { inCohort } from '#sdk/distribution/rollout-cohort.ts';
import { binPrefixOf, createStatement, parseEnvelope, type AppEntry } from '#sdk/signing/index.ts';
import { buildServer } from '../../src/app.ts';
import {
  createAccount,
  createPartner,
  issueCredential,
} from '../../src/accounts/credential-issuer.ts';
import { encodeForm } from '../../src/publish/upload-form.ts';
import { createServices, type Services } from '../../src/services.ts';
import type { Database } from '../../src/store/database.ts';
import { openPostgresDatabase } from '../../src/store/postgres-database.ts';
import { coherenceBoundMs } from '../../src/trust/trust-service.ts';
import { createApp, partnerKeyOf, publishVersion } from '../delivery/delivery-fixture.ts';
import { tinyPackage } from '../publish/publish-fixture.ts';
import {
  resetSharedPlatform,
  startServerProcesses,
  stopServerProcesses,
  type ServerProcess,
} from './server-processes.ts';

// Every assert.ok here has a message: without one, Node 20 re-parses this file at the call site.
const databaseUrl = process.env.TEST_DATABASE_URL;
const skip = databaseUrl ? false : 'needs PostgreSQL: npm run test:postgres';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function payloadOf<T>(text: string): T {
  const envelope = parseEnvelope(new TextEncoder().encode(text));
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as T;
}

async function call(
  base: string,
  method: string,
  url: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** What one process serves for an app: its index version, the app's bin entry, one update answer. */
interface Served {
  index: number;
  entry: AppEntry | null;
  answer: string;
}

/** The people of the store, made with SQL: partner, reviewer, admin and one host device. */
async function people(db: Database, deviceId: string) {
  const partnerId = await createPartner(db, 'Scale-out partner');
  const session = async (role: 'partner' | 'reviewer' | 'admin', partner?: string) =>
    (
      await issueCredential(db, {
        kind: 'session',
        accountId: await createAccount(db, {
          role,
          name: role,
          ...(partner ? { partnerId: partner } : {}),
        }),
        ...(partner ? { partnerId: partner } : {}),
        ttlSeconds: 3600,
      })
    ).token;
  return {
    partnerId,
    partner: await session('partner', partnerId),
    reviewer: await session('reviewer'),
    admin: await session('admin'),
    host: (await issueCredential(db, { kind: 'host_device', subject: deviceId })).token,
  };
}

/** A device inside the cohort of `percent` for version `versionCode` of the app [API-081]. */
function deviceIn(appId: string, versionCode: number, percent: number): string {
  for (let i = 0; ; i++) {
    const deviceId = `device-${String(i).padStart(4, '0')}-scaleout`;
    if (inCohort(deviceId, appId, versionCode, percent)) return deviceId;
  }
}

describe(
  'three real server processes on one PostgreSQL [API-106] [API-107] [API-094]',
  { skip },
  () => {
    const url = databaseUrl ?? '';
    const appId = 'com.example.scaleout';
    const deviceId = deviceIn(appId, 1, 50);
    let dataDir = '';
    let db: Database;
    let setup: Services;
    let who: Awaited<ReturnType<typeof people>>;
    let servers: ServerProcess[] = [];
    /** The highest index version each process served so far: it must never go back [API-106]. */
    const highest = new Map<string, number>();

    before(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'miniapp-scale-out-'));
      db = await openPostgresDatabase(url);
      // One platform: every process reads the same trust directory and bundle store under DATA_DIR.
      const { keys, config } = await resetSharedPlatform(db, dataDir);
      setup = await createServices(config, db, { keys });
      who = await people(db, deviceId);
      await createApp({ services: setup }, who.partnerId, appId);
      for (const versionCode of [1, 2])
        await publishVersion({ services: setup }, { appId, versionCode });
      servers = await startServerProcesses(3, { DATABASE_URL: url, DATA_DIR: dataDir });
    });

    after(async () => {
      await stopServerProcesses(servers);
      await db?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    async function served(base: string, app: string, installed: number): Promise<Served> {
      const indexResponse = await fetch(`${base}/v1/trust/index.json`);
      assert.equal(indexResponse.status, 200, 'the index route answers');
      const index = payloadOf<{
        version: number;
        binPrefixLength: number;
        bins: { prefix: string; version: number }[];
      }>(await indexResponse.text());
      const last = highest.get(base) ?? 0;
      assert.ok(index.version >= last, `${base} went back from index ${last} to ${index.version}`);
      highest.set(base, index.version);
      const prefix = binPrefixOf(app, index.binPrefixLength);
      const pin = index.bins.find((b) => b.prefix === prefix);
      assert.ok(pin, `index ${index.version} pins a bin for ${prefix}`);
      const binResponse = await fetch(
        `${base}/v1/trust/bins/${prefix === '' ? 'all' : prefix}/${pin.version}.bin.json`,
      );
      assert.equal(binResponse.status, 200, 'a pinned bin is served');
      const bin = payloadOf<{ apps: Record<string, AppEntry> }>(await binResponse.text());
      const query = new URLSearchParams({
        hostApiVersion: '1.0.0',
        channel: 'stable',
        deviceId,
        versionCode: String(installed),
      });
      const update = await call(base, 'GET', `/v1/apps/${app}/update?${query}`, who.host);
      assert.equal(update.status, 200, `the update check answers: ${JSON.stringify(update.json)}`);
      const offer = update.json.update as { versionCode: number } | undefined;
      return {
        index: index.version,
        entry: bin.apps[app] ?? null,
        answer: `${String(update.json.kind)}${offer ? `:${offer.versionCode}` : ''}`,
      };
    }

    /**
     * Makes a change through one process and measures, on every other, how long after the change was
     * answered the process serves an index whose bin shows it and an update answer that follows it
     * [API-106] [API-107]. The bound is the spec's 5 s, counted from the answer (after the commit).
     */
    async function propagates(
      t: TestContext,
      kind: string,
      through: number,
      change: (base: string) => Promise<void>,
      installed: number,
      expected: { entry: (entry: AppEntry | null) => boolean; answer: string },
    ): Promise<void> {
      const origin = servers[through] as ServerProcess;
      await change(origin.base);
      const changedAt = performance.now();
      const others = servers.filter((_, i) => i !== through);
      const took = await Promise.all(
        others.map(async ({ base }) => {
          for (;;) {
            const view = await served(base, appId, installed);
            const elapsed = performance.now() - changedAt;
            if (expected.entry(view.entry) && view.answer === expected.answer) return elapsed;
            assert.ok(
              elapsed < coherenceBoundMs,
              `${kind}: ${base} still served index ${view.index} (${view.answer}) ${Math.round(elapsed)} ms after the change`,
            );
            await sleep(20);
          }
        }),
      );
      const line = `${kind} through process ${through + 1}: seen by the others after ${took.map((ms) => `${Math.round(ms)} ms`).join(', ')} (bound ${coherenceBoundMs} ms)`;
      t.diagnostic(line);
    }

    const release = (entry: AppEntry | null, versionCode: number) =>
      entry?.releases.find((r) => r.channel === 'stable' && r.versionCode === versionCode);

    /** Creates a stable release through the process at `base`; its id. */
    async function createRelease(
      base: string,
      versionCode: number,
      rolloutPercent: number,
    ): Promise<string> {
      const created = await call(base, 'POST', `/v1/partner/apps/${appId}/releases`, who.partner, {
        versionCode,
        channel: 'stable',
        rolloutPercent,
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      return String(created.json.releaseId);
    }

    it('shows a release, a rollout change, a pause, a resume, a rollback and a revocation made through one process on the others within 5 s, never going back', async (t) => {
      let releaseId = '';
      await propagates(
        t,
        'release',
        0,
        async (base) => {
          releaseId = await createRelease(base, 1, 50);
        },
        0,
        { entry: (e) => release(e, 1)?.rolloutPercent === 50, answer: 'update:1' },
      );
      await propagates(
        t,
        'rollout change',
        1,
        async (base) => {
          const widened = await call(
            base,
            'PATCH',
            `/v1/partner/apps/${appId}/releases/${releaseId}`,
            who.partner,
            { rolloutPercent: 75 },
          );
          assert.equal(widened.status, 200, JSON.stringify(widened.json));
        },
        0,
        { entry: (e) => release(e, 1)?.rolloutPercent === 75, answer: 'update:1' },
      );
      const act = (action: string) => async (base: string) => {
        const acted = await call(
          base,
          'POST',
          `/v1/partner/apps/${appId}/releases/${releaseId}/${action}`,
          who.partner,
        );
        assert.equal(acted.status, 200, JSON.stringify(acted.json));
      };
      await propagates(t, 'pause', 2, act('pause'), 0, {
        entry: (e) => release(e, 1)?.paused === true,
        answer: 'upToDate',
      });
      await propagates(t, 'resume', 0, act('resume'), 0, {
        entry: (e) => release(e, 1)?.paused === false,
        answer: 'update:1',
      });
      await propagates(t, 'rollback', 1, act('rollback'), 0, {
        entry: (e) => e !== null && release(e, 1) === undefined,
        answer: 'upToDate',
      });
      await propagates(
        t,
        'release at 100 %',
        2,
        async (base) => {
          await createRelease(base, 2, 100);
        },
        1,
        { entry: (e) => release(e, 2)?.rolloutPercent === 100, answer: 'update:2' },
      );
      const { rows } = await db.query<{ release_sha256: string }>(
        'select release_sha256 from versions where app_id = $1 and version_code = 2',
        [appId],
      );
      const revokedSha = rows[0]?.release_sha256 ?? '';
      await propagates(
        t,
        'release revocation',
        0,
        async (base) => {
          const revoked = await call(
            base,
            'POST',
            `/v1/admin/releases/${appId}/2/revoke`,
            who.admin,
            {
              reason: 'compromised build',
            },
          );
          assert.equal(revoked.status, 200, JSON.stringify(revoked.json));
        },
        2,
        {
          entry: (e) => e !== null && e.revokedReleases.includes(revokedSha) && !release(e, 2),
          answer: 'revoked',
        },
      );
    });

    /**
     * Uses a credential on every other process until each has it cached, revokes it through one, and
     * measures how long the others still accept it [API-094] [API-007].
     */
    async function refusedEverywhere(
      t: TestContext,
      kind: string,
      through: number,
      use: (base: string) => Promise<number>,
      revoke: (base: string) => Promise<void>,
    ): Promise<void> {
      for (const { base } of servers) assert.equal(await use(base), 200, `${kind} works before`);
      await revoke((servers[through] as ServerProcess).base);
      const revokedAt = performance.now();
      assert.equal(
        await use((servers[through] as ServerProcess).base),
        401,
        `${kind}: refused at once by the process that revoked it`,
      );
      const took = await Promise.all(
        servers
          .filter((_, i) => i !== through)
          .map(async ({ base }) => {
            for (;;) {
              const status = await use(base);
              const elapsed = performance.now() - revokedAt;
              if (status === 401) return elapsed;
              assert.equal(status, 200, `${kind}: ${base} answered ${status}`);
              assert.ok(
                elapsed < coherenceBoundMs,
                `${kind}: ${base} still accepted it ${Math.round(elapsed)} ms after the revocation`,
              );
              await sleep(20);
            }
          }),
      );
      const line = `${kind} revoked through process ${through + 1}: refused by the others after ${took.map((ms) => `${Math.round(ms)} ms`).join(', ')} (bound ${coherenceBoundMs} ms)`;
      t.diagnostic(line);
    }

    it('refuses a partner API key and a host device credential revoked through one process on the others within 5 s', async (t) => {
      const created = await call(
        servers[0]?.base ?? '',
        'POST',
        '/v1/partner/api-keys',
        who.partner,
        {
          label: 'ci',
        },
      );
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const secret = String(created.json.secret);
      const apiKeyId = String((created.json.apiKey as { apiKeyId: string }).apiKeyId);
      await refusedEverywhere(
        t,
        'partner API key',
        1,
        async (base) =>
          (await call(base, 'GET', `/v1/partner/apps/${appId}/versions`, secret)).status,
        async (base) => {
          const revoked = await call(
            base,
            'POST',
            `/v1/partner/api-keys/${apiKeyId}/revoke`,
            who.partner,
          );
          assert.equal(revoked.status, 200, JSON.stringify(revoked.json));
        },
      );

      const principal = await call(
        servers[2]?.base ?? '',
        'POST',
        '/v1/admin/principals',
        who.admin,
        {
          role: 'hostDevice',
        },
      );
      assert.equal(principal.status, 201, JSON.stringify(principal.json));
      const credential = String(principal.json.credential);
      const principalId = String(principal.json.principalId);
      const check = new URLSearchParams({
        hostApiVersion: '1.0.0',
        channel: 'stable',
        deviceId: 'device-9999-scaleout',
        versionCode: '0',
      });
      await refusedEverywhere(
        t,
        'host device credential',
        2,
        async (base) =>
          (await call(base, 'GET', `/v1/apps/${appId}/update?${check}`, credential)).status,
        async (base) => {
          const revoked = await call(
            base,
            'POST',
            `/v1/admin/principals/${principalId}/revoke`,
            who.admin,
          );
          assert.equal(revoked.status, 200, JSON.stringify(revoked.json));
        },
      );
    });

    it('loses no version uploaded at once through three processes, and serves one state for each everywhere', async (t) => {
      const uploadApp = 'com.example.scaleout.uploads';
      await createApp({ services: setup }, who.partnerId, uploadApp);
      const key = await partnerKeyOf({ services: setup }, uploadApp);
      // [VER-001] each upload must exceed every earlier one, so three codes race per round, one through
      // each process: the highest of a round always wins, the others may be refused, none may be lost.
      const upload = async (versionCode: number, base: string) => {
        const pkg = await tinyPackage({ appId: uploadApp, versionCode });
        const statement = createStatement(
          {
            appId: uploadApp,
            version: `1.0.${versionCode}`,
            versionCode,
            packageBytes: pkg.bytes,
            manifestBytes: pkg.manifestBytes,
          },
          key,
        );
        const form = await encodeForm([
          { name: 'statement', type: 'application/json', bytes: statement.bytes },
          { name: 'package', type: 'application/miniapp-pkg+zip', bytes: pkg.bytes },
        ]);
        const response = await fetch(`${base}/v1/partner/apps/${uploadApp}/versions`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${who.partner}`, ...form.headers },
          body: new Uint8Array(form.payload),
        });
        return {
          versionCode,
          status: response.status,
          body: (await response.json()) as { reviewStatus: string; code?: string },
        };
      };
      const uploads: Awaited<ReturnType<typeof upload>>[] = [];
      for (const round of [0, 1, 2]) {
        const answers = await Promise.all(
          servers.map(({ base }, i) => upload(round * 3 + i + 1, base)),
        );
        uploads.push(...answers);
        assert.equal(answers[2]?.status, 201, `the highest of round ${round} is taken`);
      }
      for (const answer of uploads) {
        if (answer.status === 409)
          assert.equal(
            answer.body.code,
            'VERSION_CODE_NOT_INCREASING',
            JSON.stringify(answer.body),
          );
        else
          assert.equal(
            answer.status,
            201,
            `version ${answer.versionCode}: ${JSON.stringify(answer.body)}`,
          );
      }
      const accepted = uploads.filter((u) => u.status === 201);
      const codes = accepted.map((u) => u.versionCode);
      // Approved through a process other than the one that took the upload.
      await Promise.all(
        accepted
          .filter((u) => u.body.reviewStatus === 'queued')
          .map(async ({ versionCode }) => {
            const base = servers[(versionCode + 1) % 3]?.base ?? '';
            const decided = await call(
              base,
              'POST',
              `/v1/review/${uploadApp}/${versionCode}/decision`,
              who.reviewer,
              {
                decision: 'approve',
              },
            );
            assert.equal(decided.status, 200, JSON.stringify(decided.json));
          }),
      );
      for (const { base } of servers) {
        const listed = await call(
          base,
          'GET',
          `/v1/partner/apps/${uploadApp}/versions?limit=50`,
          who.partner,
        );
        const items = listed.json.items as { versionCode: number; reviewStatus: string }[];
        assert.deepEqual(
          items.map((v) => v.versionCode).sort((a, b) => a - b),
          codes,
          `${base} lists every version once`,
        );
        assert.ok(
          items.every((v) => v.reviewStatus === 'approved'),
          `${base}: every version approved`,
        );
      }

      // Every taken version released at once, spread over the processes, and the same version released on beta by all three.
      const [stable, beta] = await Promise.all([
        Promise.all(
          codes.map((versionCode) =>
            call(
              servers[versionCode % 3]?.base ?? '',
              'POST',
              `/v1/partner/apps/${uploadApp}/releases`,
              who.partner,
              {
                versionCode,
                channel: 'stable',
                rolloutPercent: 100,
              },
            ),
          ),
        ),
        Promise.all(
          servers.map(({ base }) =>
            call(base, 'POST', `/v1/partner/apps/${uploadApp}/releases`, who.partner, {
              versionCode: 9,
              channel: 'beta',
              rolloutPercent: 10,
            }),
          ),
        ),
      ]);
      for (const created of stable) assert.equal(created.status, 201, JSON.stringify(created.json));
      assert.deepEqual(
        beta.map((r) => r.status).sort(),
        [201, 409, 409],
        'one release of a version per channel, however many processes create it at once',
      );
      for (const refused of beta.filter((r) => r.status === 409))
        assert.equal(
          (refused.json.error as { code?: string } | undefined)?.code ?? refused.json.code,
          'API_RELEASE_STATE_CONFLICT',
          JSON.stringify(refused.json),
        );
      const betaRelease = String(beta.find((r) => r.status === 201)?.json.releaseId);

      // Rollout changes at once through three processes: the percentage only goes up, so the highest wins.
      const percents = [20, 30, 40, 50, 60, 70, 80, 90, 35];
      const widened = await Promise.all(
        percents.map((rolloutPercent, i) =>
          call(
            servers[i % 3]?.base ?? '',
            'PATCH',
            `/v1/partner/apps/${uploadApp}/releases/${betaRelease}`,
            who.partner,
            {
              rolloutPercent,
            },
          ),
        ),
      );
      for (const answer of widened)
        assert.ok(
          answer.status === 200 || answer.status === 400,
          `widen answered ${answer.status}`,
        );
      // Pause, complete and rollback at once: the store serialises them into one path of the table.
      const actions = await Promise.all(
        ['pause', 'complete', 'rollback'].map((action, i) =>
          call(
            servers[i]?.base ?? '',
            'POST',
            `/v1/partner/apps/${uploadApp}/releases/${betaRelease}/${action}`,
            who.partner,
          ),
        ),
      );
      for (const answer of actions)
        assert.ok(
          answer.status === 200 || answer.status === 409,
          `action answered ${answer.status}`,
        );

      const { rows } = await db.query<{ state: string; rollout_percent: string }>(
        `select state, rollout_percent::text as rollout_percent from releases where id = $1`,
        [betaRelease],
      );
      const stored = rows[0];
      assert.ok(stored, 'the beta release is stored');
      const { rows: events } = await db.query<{ action: string; rollout_percent: string }>(
        'select action, rollout_percent::text as rollout_percent from release_events where release_id = $1 order by id',
        [betaRelease],
      );
      // Every change that was answered 200 is in the audit log once, in an order the table allows.
      assert.equal(
        events.length,
        1 +
          widened.filter((w) => w.status === 200).length +
          actions.filter((a) => a.status === 200).length,
        'one audit entry per accepted change',
      );
      const rollouts = events
        .filter((e) => e.action === 'rollout')
        .map((e) => Number(e.rollout_percent));
      assert.deepEqual(
        rollouts,
        [...rollouts].sort((a, b) => a - b),
        'the percentage never went down',
      );

      // Every process ends on one index that lists all nine stable releases once, and the beta one as stored.
      const expectBeta = (entry: AppEntry | null) => {
        const listed = entry?.releases.filter((r) => r.channel === 'beta') ?? [];
        if (stored.state === 'rolledBack') return listed.length === 0;
        return (
          listed.length === 1 &&
          listed[0]?.paused === (stored.state === 'paused') &&
          listed[0]?.rolloutPercent === Number(stored.rollout_percent)
        );
      };
      // From the last answered change on, within the bound, every process serves one index with it all.
      const settledAt = performance.now();
      const matches = (view: Served) => {
        const stableCodes = (view.entry?.releases ?? [])
          .filter((r) => r.channel === 'stable')
          .map((r) => r.versionCode)
          .sort((x, y) => x - y);
        return JSON.stringify(stableCodes) === JSON.stringify(codes) && expectBeta(view.entry);
      };
      const converged = async (): Promise<Served[]> => {
        for (;;) {
          const views = await Promise.all(servers.map(({ base }) => served(base, uploadApp, 0)));
          if (views.every(matches) && new Set(views.map((v) => v.index)).size === 1) return views;
          assert.ok(
            performance.now() - settledAt < coherenceBoundMs,
            `5 s after the last change the processes serve ${JSON.stringify(views)} (stored beta ${JSON.stringify(stored)})`,
          );
          await sleep(50);
        }
      };
      const views = await converged();
      const [first] = views;
      for (const view of views) {
        assert.equal(view.index, first?.index, 'every process ends on the same index');
        assert.deepEqual(view.entry, first?.entry, 'and the same entry');
        assert.equal(view.answer, 'update:9', 'and the same answer');
      }
      t.diagnostic(
        `9 uploads in 3 racing rounds (${codes.length} taken: ${codes.join(', ')}), ${codes.length} + 3 concurrent releases, 9 rollout changes and 3 actions through 3 processes: beta release ended ${stored.state} at ${stored.rollout_percent} %, ${events.length} audit entries, every process on index ${first?.index}`,
      );
    });
  },
);

describe(
  'two processes on one PostgreSQL with a credential cache far longer than 5 s [API-094]',
  { skip },
  () => {
    it('refuses a credential revoked on one at once on the other: the announcement, not the cache age, drops it', async () => {
      const url = databaseUrl ?? '';
      const dataDir = await mkdtemp(path.join(tmpdir(), 'miniapp-credentials-'));
      const dbA = await openPostgresDatabase(url);
      const dbB = await openPostgresDatabase(url);
      try {
        const { keys, config } = await resetSharedPlatform(dbA, dataDir);
        // An hour: only the announcement on the credentials channel can make B refuse within 5 s.
        const a = await createServices(config, dbA, { keys, credentialCacheMs: 3_600_000 });
        const b = await createServices(config, dbB, { keys, credentialCacheMs: 3_600_000 });
        const [appA, appB] = [await buildServer(a), await buildServer(b)];
        try {
          const adminAccount = await createAccount(dbA, { role: 'admin', name: 'admin' });
          const admin = (
            await issueCredential(dbA, {
              kind: 'session',
              accountId: adminAccount,
              ttlSeconds: 3600,
            })
          ).token;
          const created = await appA.inject({
            method: 'POST',
            url: '/v1/admin/principals',
            headers: { authorization: `Bearer ${admin}` },
            payload: { role: 'hostDevice' },
          });
          assert.equal(created.statusCode, 201, created.body);
          const { credential, principalId } = created.json() as {
            credential: string;
            principalId: string;
          };
          const use = async () =>
            (
              await appB.inject({
                method: 'GET',
                url: '/v1/apps/com.example.none/update?hostApiVersion=1.0.0&channel=stable&deviceId=device-0001-aaaaaaaa&versionCode=0',
                headers: { authorization: `Bearer ${credential}` },
              })
            ).statusCode;
          const before = await use();
          assert.ok(before !== 401, `B accepts the credential before (answered ${before})`);
          const revoked = await appA.inject({
            method: 'POST',
            url: `/v1/admin/principals/${principalId}/revoke`,
            headers: { authorization: `Bearer ${admin}` },
          });
          assert.equal(revoked.statusCode, 200, revoked.body);
          const startedAt = Date.now();
          while ((await use()) !== 401) {
            assert.ok(Date.now() - startedAt < coherenceBoundMs, 'B still accepts it after 5 s');
            await sleep(10);
          }
        } finally {
          await appA.close();
          await appB.close();
        }
      } finally {
        await dbB.close();
        await dbA.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  },
);
