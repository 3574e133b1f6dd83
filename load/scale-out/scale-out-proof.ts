/**
 * `npm run load:scale-out`: the reference server as several stateless processes on one machine,
 * sharing one PostgreSQL and one S3 bucket (SeaweedFS), behind nginx as load balancer. It makes every
 * kind of change through one process (a release, a rollout change, a pause, a resume, a rollback, a
 * release revocation, a partner API key and a host credential revocation) and measures how long each
 * other process takes to serve it [API-106] [API-107] [API-094]; shows that nine releases made at once
 * through three processes are all in every process's index; and measures update-check and bundle
 * throughput through the balancer with 1 process and with 3 (vegeta, closed model), printing the
 * scaling ratio.
 *
 * Opt-in, never part of `npm test`: SeaweedFS is built from the Go module proxy the first time
 * (about 6 minutes and 3 GB of memory); `--bundles disk` shares one bundles folder instead.
 * Usage: npm run load:scale-out -- [--seconds 10] [--apps 20] [--bundles s3|disk]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../reference-server/src/platform/listen-port.ts';
import { openPostgresDatabase } from '../../reference-server/src/store/postgres-database.ts';
import type { AppEntry } from '#sdk/signing/index.ts';
import { inCohort } from '#sdk/distribution/rollout-cohort.ts';
import { LoadApi } from '../dataset/load-api.ts';
import { buildLoadDataset, publishedApps, uploadBody } from '../dataset/load-dataset.ts';
import { loadPackage } from '../dataset/load-packages.ts';
import { emptyPostgres, storeAdmin, storePrincipals } from '../integration/reference-target.ts';
import { ensureWeed, startSeaweed } from '../integration/seaweed-server.ts';
import { bundleTargets, updateCheckTargets } from '../scenarios/target-streams.ts';
import { measureThroughput, ratio } from '../suite/scenario-measurement.ts';
import { vegetaBinary } from '../vegeta/vegeta-engine.ts';

const root = path.resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    apps: { type: 'string', default: '20' },
    // `disk`: one bundles folder shared by the processes instead of SeaweedFS, for a machine that has
    // not built it; the coherence proof is the same, only the object storage is not exercised.
    bundles: { type: 'string', default: 's3' },
  },
});
const seconds = Number(values.seconds);
if (values.bundles !== 's3' && values.bundles !== 'disk')
  throw new Error(
    `--bundles ${String(values.bundles)}: write s3 (SeaweedFS) or disk (one shared folder)`,
  );
const sharedDisk = values.bundles === 'disk';
const apps = Number(values.apps);
const say = (line: string) => process.stderr.write(`scale-out: ${line}\n`);

function script(...args: string[]): string {
  const run = spawnSync('bash', args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`bash ${args.join(' ')} exited with ${String(run.status)}`);
  return run.stdout.trim();
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`a server process exited with ${String(child.exitCode)}`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not become ready within 120 s`);
}

/** nginx as a round-robin load balancer over the given loopback ports, with upstream keep-alive. */
async function startBalancer(dir: string, port: number, upstreams: readonly number[]) {
  await mkdir(dir, { recursive: true });
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
  const conf = `worker_processes 1;
daemon off;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}
  client_max_body_size 30m;
  upstream servers {
${upstreams.map((p) => `    server 127.0.0.1:${String(p)};`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${String(port)};
    location / {
      proxy_pass http://servers;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_request_buffering off;
      proxy_buffering off;
    }
  }
}
`;
  const file = path.join(dir, 'nginx.conf');
  await writeFile(file, conf);
  const child = spawn('/usr/sbin/nginx', ['-p', dir, '-c', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const up = await fetch(`http://127.0.0.1:${String(port)}/readyz`).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const work = await mkdtemp(path.join(tmpdir(), 'miniapp-scale-out-'));
// PostgreSQL runs as its own user, which must reach its folder (mkdtemp makes 0700 folders).
await chmod(work, 0o755);
const children: ChildProcess[] = [];
const stops: (() => Promise<void>)[] = [];
try {
  const weed = sharedDisk ? '' : await ensureWeed();
  const vegeta = await vegetaBinary();
  say(`starting PostgreSQL${sharedDisk ? ' (bundles on one shared folder)' : ' and SeaweedFS'}`);
  const pgDir = path.join(work, 'postgres');
  const databaseUrl = script('scripts/postgres.sh', 'start', pgDir);
  stops.push(async () => void script('scripts/postgres.sh', 'stop', pgDir));
  await emptyPostgres(databaseUrl);
  const s3 = sharedDisk ? null : await startSeaweed(weed);
  if (s3) stops.push(() => s3.stop());
  // What every process must share besides the store: the platform keys (trust/), the app-token keys
  // and pairwise secret (tokens/), and with --bundles disk the bundles; one folder, linked into each
  // DATA_DIR, as a deployment mounts one secret and one volume everywhere.
  const shared = path.join(work, 'shared');
  const sharedFolders = ['trust', 'tokens', ...(sharedDisk ? ['bundles'] : [])];
  for (const folder of sharedFolders) await mkdir(path.join(shared, folder), { recursive: true });

  const lbPort = await freePort('127.0.0.1');
  const publicUrl = `http://127.0.0.1:${String(lbPort)}`;
  const ports: number[] = [];
  const startProcess = async (index: number) => {
    const dataDir = path.join(work, `server-${String(index)}`);
    await mkdir(dataDir, { recursive: true });
    for (const folder of sharedFolders)
      await symlink(path.join(shared, folder), path.join(dataDir, folder), 'dir');
    const port = await freePort('127.0.0.1');
    const child = spawn(process.execPath, ['--import', 'tsx', 'reference-server/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        ...s3?.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        PUBLIC_URL: publicUrl,
        SEED: 'off',
        LOG_LEVEL: 'warn',
        REVIEW_SCREENSHOTS: 'off',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    await waitReady(`http://127.0.0.1:${String(port)}`, child);
    ports.push(port);
    say(`process ${String(index + 1)} ready on port ${String(port)}`);
  };
  // The first process migrates the schema and makes the keys; the others start once it has.
  await startProcess(0);
  await Promise.all([startProcess(1), startProcess(2)]);

  let balancer = await startBalancer(path.join(work, 'lb3'), lbPort, ports);
  // Whichever balancer runs when the proof stops, early or not, is stopped with the rest.
  stops.push(() => balancer.stop());
  const db = await openPostgresDatabase(databaseUrl);
  stops.push(() => db.close());
  const principals = storePrincipals(db, await storeAdmin(db));
  say(
    `building the data set through the balancer (${String(apps)} apps, round-robin over 3 processes)`,
  );
  const dataset = await buildLoadDataset({
    api: new LoadApi(publicUrl),
    principals,
    apps,
    devices: 200,
    progress: say,
  });

  // Every process signs app tokens with the same keys, so each publishes the same JWK set [API-062].
  const keySets = await Promise.all(
    ports.map((p) =>
      fetch(`http://127.0.0.1:${String(p)}/.well-known/jwks.json`).then((r) => r.text()),
    ),
  );
  if (new Set(keySets).size !== 1)
    throw new Error('the processes publish different app-token keys');

  // [API-106] [API-107] [API-094] every kind of change made through one process, and how long each
  // other process takes to serve it: in its signed index and bin, in its update answers, and for
  // credentials in its refusals.
  const urls = ports.map((p) => `http://127.0.0.1:${String(p)}`);
  const appId = dataset.apps[0] as string;
  const versionCode = dataset.versionsPerApp + 1;
  const partner = (url: string) => new LoadApi(url, dataset.partner.token);
  const admin = (url: string) => new LoadApi(url, principals.adminToken);
  const via = (i: number) => urls[i % urls.length] as string;
  const pkg = loadPackage(appId, versionCode);
  const { body, contentType } = await uploadBody(pkg, dataset.partner.key);
  const version = await partner(via(0)).call<{ reviewStatus: string }>(
    'PUT',
    `/v1/partner/apps/${appId}/versions`,
    { body: Buffer.from(body), headers: { 'content-type': contentType } },
  );
  if (version.body.reviewStatus === 'queued')
    await new LoadApi(via(1), dataset.reviewer).call(
      'POST',
      `/v1/review/${appId}/${String(versionCode)}/decision`,
      { json: { decision: 'approve' } },
    );
  // A device inside the 50 % cohort of the new version, so pause and resume change its answer.
  const device = dataset.devices.find((d) => inCohort(d.deviceId, appId, versionCode, 50));
  if (!device) throw new Error(`no device of the data set is in the 50 % cohort of ${appId}`);
  const installed = dataset.versionsPerApp;
  const observe = async (url: string) => {
    const entry = (await publishedApps(new LoadApi(url))).get(appId);
    const check = await new LoadApi(url, device.token).call<{
      results: { kind: string; update?: { versionCode: number } }[];
    }>('POST', '/v1/updates/check', {
      json: {
        hostApiVersion: '1.0.0',
        channel: 'stable',
        deviceId: device.deviceId,
        apps: [{ appId, versionCode: installed }],
      },
    });
    const result = check.body.results[0];
    const answer = `${result?.kind ?? ''}${result?.update ? `:${String(result.update.versionCode)}` : ''}`;
    return { entry, answer };
  };
  const bound = 5000;
  const propagation: Record<string, number[]> = {};
  /** Polls every process but `origin` until `seen` holds; the milliseconds each took after `change`. */
  const followed = async (
    kind: string,
    origin: number,
    change: () => Promise<unknown>,
    seen: (url: string) => Promise<boolean>,
  ) => {
    await change();
    const changedAt = performance.now();
    const took = await Promise.all(
      urls
        .filter((_, i) => i !== origin % urls.length)
        .map(async (url) => {
          for (;;) {
            if (await seen(url)) return Math.round(performance.now() - changedAt);
            if (performance.now() - changedAt > bound)
              throw new Error(
                `${kind} made through process ${String((origin % urls.length) + 1)} was not served by ${url} within ${String(bound)} ms [API-106] [API-107] [API-094]`,
              );
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }),
    );
    propagation[kind] = took;
    say(
      `${kind} through process ${String((origin % urls.length) + 1)}: served by the others after ${took.map((ms) => `${String(ms)} ms`).join(', ')} (bound ${String(bound)} ms)`,
    );
  };
  const stableRelease = (entry: AppEntry | undefined, code: number) =>
    entry?.releases.find((r) => r.channel === 'stable' && r.versionCode === code);
  let releaseId = '';
  await followed(
    'release',
    2,
    async () => {
      releaseId = (
        await partner(via(2)).call<{ releaseId: string }>(
          'POST',
          `/v1/partner/apps/${appId}/releases`,
          {
            json: { versionCode, channel: 'stable', rolloutPercent: 50 },
            accept: [201],
          },
        )
      ).body.releaseId;
    },
    async (url) => {
      const view = await observe(url);
      return (
        stableRelease(view.entry, versionCode)?.rolloutPercent === 50 &&
        view.answer === `update:${String(versionCode)}`
      );
    },
  );
  const releasePath = () => `/v1/partner/apps/${appId}/releases/${releaseId}`;
  await followed(
    'rollout change',
    0,
    () => partner(via(0)).call('PATCH', releasePath(), { json: { rolloutPercent: 75 } }),
    async (url) => stableRelease((await observe(url)).entry, versionCode)?.rolloutPercent === 75,
  );
  const act = (i: number, action: string) => () =>
    partner(via(i)).call('POST', `${releasePath()}/${action}`);
  await followed('pause', 1, act(1, 'pause'), async (url) => {
    const view = await observe(url);
    return stableRelease(view.entry, versionCode)?.paused === true && view.answer === 'upToDate';
  });
  await followed('resume', 2, act(2, 'resume'), async (url) => {
    const view = await observe(url);
    return (
      stableRelease(view.entry, versionCode)?.paused === false &&
      view.answer === `update:${String(versionCode)}`
    );
  });
  await followed('rollback', 0, act(0, 'rollback'), async (url) => {
    const view = await observe(url);
    return (
      view.entry !== undefined &&
      !stableRelease(view.entry, versionCode) &&
      view.answer === 'upToDate'
    );
  });
  const revokedSha = stableRelease(
    (await publishedApps(new LoadApi(via(1)))).get(appId),
    installed,
  )?.sha256;
  if (!revokedSha) throw new Error(`version ${String(installed)} of ${appId} is not released`);
  await followed(
    'release revocation',
    1,
    () =>
      admin(via(1)).call('POST', `/v1/admin/releases/${appId}/${String(installed)}/revoke`, {
        json: { reason: 'scale-out proof' },
      }),
    async (url) => {
      const view = await observe(url);
      return (
        view.entry?.revokedReleases.includes(revokedSha) === true &&
        view.answer.startsWith('revoked')
      );
    },
  );
  /** A credential used on every process first, so each has it cached, then revoked through one. */
  const refused = async (
    kind: string,
    origin: number,
    use: (url: string) => Promise<number>,
    revoke: () => Promise<unknown>,
  ) => {
    for (const url of urls)
      if ((await use(url)) !== 200) throw new Error(`${kind} is refused before its revocation`);
    await followed(kind, origin, revoke, async (url) => (await use(url)) === 401);
  };
  const apiKey = (
    await partner(via(0)).call<{ secret: string; apiKey: { apiKeyId: string } }>(
      'POST',
      '/v1/partner/api-keys',
      {
        json: { label: 'scale-out proof' },
        accept: [201],
      },
    )
  ).body;
  const statusOf = async (url: string, path: string, token: string) =>
    (await new LoadApi(url, token).call('GET', path, { accept: [200, 401] })).status;
  await refused(
    'partner API key revocation',
    2,
    (url) => statusOf(url, `/v1/partner/apps/${appId}/versions`, apiKey.secret),
    () => partner(via(2)).call('POST', `/v1/partner/api-keys/${apiKey.apiKey.apiKeyId}/revoke`),
  );
  const host = (
    await admin(via(1)).call<{ principalId: string; credential: string }>(
      'POST',
      '/v1/admin/principals',
      {
        json: { role: 'hostDevice', test: true },
        accept: [201],
      },
    )
  ).body;
  const checkQuery = new URLSearchParams({
    hostApiVersion: '1.0.0',
    channel: 'stable',
    deviceId: device.deviceId,
    versionCode: '0',
  });
  await refused(
    'host credential revocation',
    0,
    (url) => statusOf(url, `/v1/apps/${appId}/update?${checkQuery.toString()}`, host.credential),
    () => admin(via(0)).call('POST', `/v1/admin/principals/${host.principalId}/revoke`),
  );
  // Concurrent releases through different processes never lose one: each signs a new index, and the
  // last index every process serves must still list all of them [API-107].
  const concurrent = dataset.apps.slice(1, 10);
  await Promise.all(
    concurrent.map(async (id, i) => {
      const next = loadPackage(id, versionCode);
      const upload = await uploadBody(next, dataset.partner.key);
      const answer = await partner(urls[i % 3] as string).call<{ reviewStatus: string }>(
        'PUT',
        `/v1/partner/apps/${id}/versions`,
        { body: Buffer.from(upload.body), headers: { 'content-type': upload.contentType } },
      );
      if (answer.body.reviewStatus === 'queued')
        await new LoadApi(urls[(i + 1) % 3] as string, dataset.reviewer).call(
          'POST',
          `/v1/review/${id}/${String(versionCode)}/decision`,
          { json: { decision: 'approve' } },
        );
    }),
  );
  const releasedTogether = performance.now();
  await Promise.all(
    concurrent.map((id, i) =>
      partner(urls[i % 3] as string).call('POST', `/v1/partner/apps/${id}/releases`, {
        json: { versionCode, channel: 'stable', rolloutPercent: 100 },
        accept: [201],
      }),
    ),
  );
  let allSeenMs = -1;
  while (performance.now() - releasedTogether < 5000) {
    const views = await Promise.all(urls.map((url) => publishedApps(new LoadApi(url))));
    const complete = views.every((apps) =>
      concurrent.every((id) =>
        apps.get(id)?.releases.some((r) => r.channel === 'stable' && r.versionCode === versionCode),
      ),
    );
    if (complete) {
      allSeenMs = Math.round(performance.now() - releasedTogether);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (allSeenMs < 0)
    throw new Error(
      `${String(concurrent.length)} releases made at once through 3 processes were not all in every process's index within 5 s`,
    );
  say(
    `${String(concurrent.length)} releases made at once through 3 processes: all in every process's signed index after ${String(allSeenMs)} ms`,
  );

  const figures: Record<string, number> = { concurrentReleasesSeenEverywhereMs: allSeenMs };
  // The slowest other process, per change kind.
  for (const [kind, took] of Object.entries(propagation))
    figures[`propagation.${kind.replaceAll(' ', '-')}.maxMs`] = Math.max(...took);
  const measure = async (label: string) => {
    const updates = await measureThroughput({
      bin: vegeta,
      workDir: work,
      name: `update-check-${label}`,
      targets: updateCheckTargets(publicUrl, dataset, { count: 1000 }),
      seconds,
      workers: 32,
      expected: [200],
    });
    const bundles = await measureThroughput({
      bin: vegeta,
      workDir: work,
      name: `bundle-${label}`,
      targets: bundleTargets(publicUrl, dataset.bundle.path),
      seconds,
      workers: 8,
      expected: [200],
    });
    figures[`updateCheck.${label}.rps`] = updates.throughput;
    figures[`updateCheck.${label}.p50Ms`] = updates.p50Ms;
    figures[`updateCheck.${label}.errors`] = updates.errors;
    figures[`bundle.${label}.rps`] = bundles.throughput;
    figures[`bundle.${label}.p50Ms`] = bundles.p50Ms;
    figures[`bundle.${label}.errors`] = bundles.errors;
    say(
      `${label}: update checks ${String(updates.throughput)}/s (p50 ${String(updates.p50Ms)} ms, ${String(updates.errors)} errors), ` +
        `2 MiB bundles ${String(bundles.throughput)}/s (p50 ${String(bundles.p50Ms)} ms, ${String(bundles.errors)} errors)`,
    );
  };
  await measure('3-processes');
  await balancer.stop();
  balancer = await startBalancer(path.join(work, 'lb1'), lbPort, ports.slice(0, 1));
  await measure('1-process');
  await balancer.stop();
  figures['updateCheck.scaling'] = ratio(
    figures['updateCheck.3-processes.rps'] ?? 0,
    figures['updateCheck.1-process.rps'] ?? 0,
  );
  figures['bundle.scaling'] = ratio(
    figures['bundle.3-processes.rps'] ?? 0,
    figures['bundle.1-process.rps'] ?? 0,
  );
  process.stdout.write(
    `${JSON.stringify({ cores: (await import('node:os')).cpus().length, seconds, apps, ...figures }, null, 2)}\n`,
  );
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
  );
  for (const stop of stops.reverse()) await stop().catch((error: unknown) => say(String(error)));
  await rm(work, { recursive: true, force: true });
}
