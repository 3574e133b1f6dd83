/**
 * `npm run load:scale-out`: the reference server as several stateless processes on one machine,
 * sharing one PostgreSQL and one S3 bucket (SeaweedFS), behind nginx as load balancer. It shows that
 * a version uploaded through one process, approved through a second and released through a third is
 * offered at once by the first, and measures update-check and bundle throughput through the balancer
 * with 1 process and with 3 (vegeta, closed model), printing the scaling ratio.
 *
 * Opt-in, never part of `npm test`: SeaweedFS is built from the Go module proxy the first time
 * (about 6 minutes and 3 GB of memory). Usage: npm run load:scale-out -- [--seconds 10] [--apps 20]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../reference-server/src/platform/listen-port.ts';
import { openPostgresDatabase } from '../../reference-server/src/store/postgres-database.ts';
import { LoadApi } from '../dataset/load-api.ts';
import { buildLoadDataset, publishedApps, uploadBody } from '../dataset/load-dataset.ts';
import { loadPackage } from '../dataset/load-packages.ts';
import { emptyPostgres, storeAdmin, storePrincipals } from '../integration/reference-target.ts';
import { builtWeed, startSeaweed } from '../integration/seaweed-server.ts';
import { bundleTargets, updateCheckTargets } from '../scenarios/target-streams.ts';
import { measureThroughput, ratio } from '../suite/scenario-measurement.ts';
import { vegetaBinary } from '../vegeta/vegeta-engine.ts';

const root = path.resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, apps: { type: 'string', default: '20' } },
});
const seconds = Number(values.seconds);
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
  const weed = builtWeed() ?? script('scripts/go-tools.sh', 'weed');
  const vegeta = await vegetaBinary();
  say('starting PostgreSQL and SeaweedFS');
  const pgDir = path.join(work, 'postgres');
  const databaseUrl = script('scripts/postgres.sh', 'start', pgDir);
  stops.push(async () => void script('scripts/postgres.sh', 'stop', pgDir));
  await emptyPostgres(databaseUrl);
  const s3 = await startSeaweed(weed);
  stops.push(() => s3.stop());

  const lbPort = await freePort('127.0.0.1');
  const publicUrl = `http://127.0.0.1:${String(lbPort)}`;
  const ports: number[] = [];
  const startProcess = async (index: number) => {
    const dataDir = path.join(work, `server-${String(index)}`);
    await mkdir(dataDir, { recursive: true });
    // Every process signs with the same platform keys, as a deployment mounts one secret everywhere.
    if (index > 0)
      await cp(path.join(work, 'server-0', 'trust'), path.join(dataDir, 'trust'), {
        recursive: true,
      });
    const port = await freePort('127.0.0.1');
    const child = spawn(process.execPath, ['--import', 'tsx', 'reference-server/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        ...s3.env,
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

  // A change made through one process is seen by the others at once: they share one store.
  const [p1, p2, p3] = ports.map((p) => `http://127.0.0.1:${String(p)}`) as [
    string,
    string,
    string,
  ];
  const appId = dataset.apps[0] as string;
  const versionCode = dataset.versionsPerApp + 1;
  const pkg = loadPackage(appId, versionCode);
  const { body, contentType } = await uploadBody(pkg, dataset.partner.key);
  const partner = (url: string) => new LoadApi(url, dataset.partner.token);
  const version = await partner(p1).call<{ reviewStatus: string }>(
    'PUT',
    `/v1/partner/apps/${appId}/versions`,
    {
      body: Buffer.from(body),
      headers: { 'content-type': contentType },
    },
  );
  if (version.body.reviewStatus === 'queued')
    await new LoadApi(p2, dataset.reviewer).call(
      'POST',
      `/v1/review/${appId}/${String(versionCode)}/decision`,
      {
        json: { decision: 'approve' },
      },
    );
  await partner(p3).call('POST', `/v1/partner/apps/${appId}/releases`, {
    json: { versionCode, channel: 'stable', rolloutPercent: 100 },
    accept: [201],
  });
  // [API-107] every process follows the same index within 5 s: poll process 1 until it offers it.
  const device = dataset.devices[0] as { deviceId: string; token: string };
  const releasedAt = performance.now();
  let offered = '';
  let seenAfterMs = -1;
  while (performance.now() - releasedAt < 5000) {
    const check = await new LoadApi(p1, device.token).call<{ results: unknown[] }>(
      'POST',
      '/v1/updates/check',
      {
        json: {
          hostApiVersion: '1.0.0',
          channel: 'stable',
          deviceId: device.deviceId,
          apps: [{ appId, versionCode: 1 }],
        },
      },
    );
    offered = JSON.stringify(check.body.results[0]);
    if (offered.includes(`"versionCode":${String(versionCode)}`)) {
      seenAfterMs = Math.round(performance.now() - releasedAt);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (seenAfterMs < 0)
    throw new Error(
      `process 1 still offered ${offered.slice(0, 120)} 5 s after version ${String(versionCode)} was released through process 3 [API-107]`,
    );
  say(
    `uploaded via process 1, approved via 2, released via 3: process 1 offered version ${String(versionCode)} after ${String(seenAfterMs)} ms (bound 5000 ms, API-107)`,
  );

  // Concurrent releases through different processes never lose one: each signs a new index, and the
  // last index every process serves must still list all of them [API-107].
  const urls = [p1, p2, p3];
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

  const figures: Record<string, number> = {
    releaseSeenByOtherProcessMs: seenAfterMs,
    concurrentReleasesSeenEverywhereMs: allSeenMs,
  };
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
