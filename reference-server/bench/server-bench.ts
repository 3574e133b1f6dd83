import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packDirectory } from '#sdk/package/index.ts';
import { createStatement } from '#sdk/signing/index.ts';
import { issueCredential } from '../src/accounts/credential-issuer.ts';
import { buildServer } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { loadDevPartnerKey } from '../src/platform/dev-partner-key.ts';
import { freePort } from '../src/platform/listen-port.ts';
import { seedPlatform } from '../src/platform/platform-seeding.ts';
import { configurePublishing } from '../src/publish/publish-settings.ts';
import { createServices, type Services } from '../src/services.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { writeLargeApp } from './large-app.ts';
import { summarise, measuredWindow } from '../../load/measure/latency-summary.ts';
import { writeTargets } from '../../load/scenarios/target-streams.ts';
import {
  attack,
  readResults,
  vegetaBinary,
  vegetaVersion,
} from '../../load/vegeta/vegeta-engine.ts';
import { startStaticServer } from './nginx-static.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '32' },
    devices: { type: 'string', default: '1000' },
    'publish-runs': { type: 'string', default: '10' },
  },
});

/** A bounded positive integer option, so the benchmark always stops by itself. */
function bounded(name: string, raw: string | undefined, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    console.error(`bench: --${name} must be an integer from 1 to ${String(max)}`);
    process.exit(2);
  }
  return value;
}

const durationMs = bounded('duration', args.duration, 120) * 1000;
const warmupMs = bounded('warmup', args.warmup, 30) * 1000;
const rounds = bounded('rounds', args.rounds, 20);
const concurrency = bounded('concurrency', args.concurrency, 1024);
const deviceCount = bounded('devices', args.devices, 100_000);
const publishRuns = bounded('publish-runs', args['publish-runs'], 100);

/** One request of a benchmark, replayed round-robin by vegeta. */
interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What one closed-model run measured (the warm-up excluded). */
interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  bytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const vegeta = await vegetaBinary();
const workDir = await mkdtemp(path.join(tmpdir(), 'miniapp-bench-vegeta-'));
let attacks = 0;

/**
 * One closed-model run with vegeta, the engine of every throughput figure of the project (load/):
 * `concurrency` connections, each sending its next request when the last one is answered, for the
 * warm-up and the measured window; vegeta is a separate process, so the client never shares the
 * server's event loop.
 */
async function measure(
  port: number,
  requests: LoadRequest[],
  meanBodyBytes: number,
): Promise<LoadResult> {
  attacks += 1;
  const targetsFile = path.join(workDir, `${String(attacks)}.targets.jsonl`);
  const resultsFile = path.join(workDir, `${String(attacks)}.bin`);
  await writeTargets(
    targetsFile,
    requests.map((r) => ({
      method: r.method,
      url: `http://127.0.0.1:${String(port)}${r.path}`,
      header: Object.fromEntries(
        Object.entries(r.headers)
          .filter(([name]) => name !== 'content-length')
          .map(([name, value]) => [name, [value]]),
      ),
      ...(r.body === undefined ? {} : { body: Buffer.from(r.body).toString('base64') }),
    })),
  );
  await attack(vegeta, {
    name: String(attacks),
    targetsFile,
    rate: 0,
    maxWorkers: concurrency,
    durationSeconds: (warmupMs + durationMs) / 1000,
    resultsFile,
  });
  const window = measuredWindow(await readResults(vegeta, [resultsFile]), warmupMs / 1000);
  await rm(resultsFile, { force: true });
  const s = summarise(window, [200]);
  const seconds = s.samples > 0 ? s.samples / Math.max(s.throughput, 1e-9) : 0;
  return {
    requests: s.samples,
    errors: s.errors,
    seconds: Math.round(seconds * 1000) / 1000,
    requestsPerSecond: s.throughput,
    // vegeta reads every body to its end but keeps none (-max-body=0), so bytes come from the sizes.
    bytesPerSecond: Math.round(s.throughput * meanBodyBytes),
    p50Ms: s.p50Ms,
    p99Ms: s.p99Ms,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

interface Comparison {
  server: LoadResult[];
  nginx: LoadResult[];
}

/** Alternates the order every round, so neither side always runs on a warmer machine. */
async function compare(
  label: string,
  serverPort: number,
  nginxPort: number,
  requests: LoadRequest[],
  meanBodyBytes: number,
): Promise<Comparison> {
  const out: Comparison = { server: [], nginx: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['server', 'nginx'] as const) : (['nginx', 'server'] as const);
    for (const target of order) {
      const result = await measure(
        target === 'server' ? serverPort : nginxPort,
        requests,
        meanBodyBytes,
      );
      if (result.errors > 0)
        throw new Error(`${label}: ${target} answered ${String(result.errors)} errors`);
      out[target].push(result);
      console.log(
        `bench: ${label} round ${String(round + 1)} ${target.padEnd(6)} ${result.requestsPerSecond.toFixed(0)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms`,
      );
    }
  }
  return out;
}

function summary(results: LoadResult[]) {
  return {
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    mibPerSecond: median(results.map((r) => r.bytesPerSecond / 1024 / 1024)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
  };
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'miniapp-bench-'));
const port = await freePort('127.0.0.1');
const config = {
  ...loadConfig({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }),
  logLevel: 'silent' as const,
};
const db = await openDatabase(config);
const services: Services = await createServices(config, db);
const app = await buildServer(services);
const screenshots = process.env.REVIEW_SCREENSHOTS === 'on';
configurePublishing(services, { screenshots });
let stopNginx: (() => Promise<void>) | undefined;
try {
  console.log(`bench: seeding the examples into the embedded store at ${dataDir}`);
  const seed = await seedPlatform(app, services);
  if (seed.state !== 'seeded') throw new Error('seeding was skipped on a fresh store');
  await app.listen({ port, host: '127.0.0.1' });

  // (a) many devices, each with the three examples installed at versionCode 1.
  const devices: LoadRequest[] = [];
  for (let i = 0; i < deviceCount; i++) {
    const deviceId = `bench-device-${String(i).padStart(8, '0')}`;
    const { token } = await issueCredential(db, { kind: 'host_device', subject: deviceId });
    const body = JSON.stringify({
      hostApiVersion: '1.2.0',
      channel: 'stable',
      deviceId,
      apps: seed.apps.map((a) => ({ appId: a.appId, versionCode: 1 })),
    });
    devices.push({
      method: 'POST',
      path: '/v1/updates/check',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    });
  }
  const sample = devices[0];
  if (!sample) throw new Error('no devices');
  const answer = await fetch(`http://127.0.0.1:${String(port)}${sample.path}`, {
    method: 'POST',
    headers: sample.headers,
    body: sample.body ?? '',
  });
  const answerBytes = new Uint8Array(await answer.arrayBuffer());
  const offered = (
    JSON.parse(Buffer.from(answerBytes).toString('utf8')) as {
      results: { kind: string }[];
    }
  ).results.filter((r) => r.kind === 'update').length;
  if (answer.status !== 200 || offered !== 3)
    throw new Error(
      `the update check answered ${String(answer.status)} with ${String(offered)} updates`,
    );

  // (b) the three seeded bundles, by digest.
  const bundles = await db.query<{ package_sha256: string }>(
    'select package_sha256 from versions order by app_id',
  );
  const staticFiles: Record<string, { bytes: Uint8Array; type: string }> = {
    '/v1/updates/check': { bytes: answerBytes, type: 'application/json' },
  };
  const downloads: LoadRequest[] = [];
  let bundleBytes = 0;
  for (const { package_sha256: sha256 } of bundles.rows) {
    const urlPath = `/v1/bundles/sha256/${sha256}.ma`;
    const archive = await services.bundles.archive(sha256);
    const bytes = typeof archive === 'string' ? await readFile(archive) : archive;
    bundleBytes += bytes.length;
    staticFiles[urlPath] = { bytes, type: 'application/miniapp-pkg+zip' };
    downloads.push({ method: 'GET', path: urlPath, headers: {} });
  }
  const nginx = await startStaticServer(staticFiles);
  stopNginx = () => nginx.stop();

  const updateCheck = await compare('update-check', port, nginx.port, devices, answerBytes.length);
  const bundleDownload = await compare(
    'bundle',
    port,
    nginx.port,
    downloads,
    bundleBytes / downloads.length,
  );

  // (c) publish a ~2 MB package: upload, automated review and countersignature, vs hash + write.
  const appId = 'dev.openminiapp.bench.large';
  const base = `http://127.0.0.1:${String(port)}`;
  const partnerAuth = { authorization: `Bearer ${seed.credentials.partner}` };
  const created = await fetch(`${base}/v1/partner/apps`, {
    method: 'POST',
    headers: { ...partnerAuth, 'content-type': 'application/json' },
    body: JSON.stringify({ appId, name: 'Large catalogue', category: 'shopping' }),
  });
  if (created.status !== 201) throw new Error(`createApp answered ${String(created.status)}`);
  const key = await loadDevPartnerKey(dataDir);
  const publish: {
    uploadMs: number;
    totalMs: number;
    baselineMs: number;
    bytes: number;
    status: string;
  }[] = [];
  for (let run = 1; run <= publishRuns; run++) {
    const dir = await mkdtemp(path.join(tmpdir(), 'miniapp-bench-app-'));
    try {
      await writeLargeApp(dir, appId, run);
      const packed = await packDirectory(dir);
      const statement = createStatement(
        {
          appId,
          version: `1.0.${String(run)}`,
          versionCode: run,
          packageBytes: packed.bytes,
          manifestBytes: await readFile(path.join(dir, 'manifest.json')),
        },
        key,
      );
      const form = new FormData();
      form.append(
        'statement',
        new Blob([new Uint8Array(statement.bytes)], { type: 'application/json' }),
        'statement',
      );
      form.append(
        'package',
        new Blob([new Uint8Array(packed.bytes)], { type: 'application/miniapp-pkg+zip' }),
        'package',
      );
      const t0 = performance.now();
      const upload = await fetch(`${base}/v1/partner/apps/${appId}/versions`, {
        method: 'PUT',
        headers: partnerAuth,
        body: form,
      });
      const t1 = performance.now();
      if (upload.status !== 201)
        throw new Error(`upload answered ${String(upload.status)}: ${await upload.text()}`);
      const { reviewStatus } = (await upload.json()) as { reviewStatus: string };
      if (reviewStatus === 'queued') {
        const decision = await fetch(`${base}/v1/review/${appId}/${String(run)}/decision`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${seed.credentials.reviewer}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ decision: 'approve' }),
        });
        if (decision.status !== 200)
          throw new Error(`decision answered ${String(decision.status)}`);
      } else if (reviewStatus !== 'approved') {
        throw new Error(`the upload is ${reviewStatus}`);
      }
      const t2 = performance.now();
      const b0 = performance.now();
      createHash('sha256').update(packed.bytes).digest('hex');
      const target = path.join(dir, 'baseline.ma');
      await writeFile(`${target}.partial`, packed.bytes);
      await rename(`${target}.partial`, target);
      const b1 = performance.now();
      publish.push({
        uploadMs: t1 - t0,
        totalMs: t2 - t0,
        baselineMs: b1 - b0,
        bytes: packed.bytes.length,
        status: reviewStatus,
      });
      console.log(
        `bench: publish run ${String(run)} ${(packed.bytes.length / 1e6).toFixed(2)} MB ${reviewStatus}: ${(t2 - t0).toFixed(0)} ms (baseline ${(b1 - b0).toFixed(1)} ms)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const a = { server: summary(updateCheck.server), nginx: summary(updateCheck.nginx) };
  const b = { server: summary(bundleDownload.server), nginx: summary(bundleDownload.nginx) };
  const c = {
    runs: publishRuns,
    packageBytes: median(publish.map((p) => p.bytes)),
    reviewStatus: publish.map((p) => p.status),
    uploadMs: median(publish.map((p) => p.uploadMs)),
    publishMs: median(publish.map((p) => p.totalMs)),
    baselineMs: median(publish.map((p) => p.baselineMs)),
  };
  const ratio = (x: number, y: number) => (y === 0 ? NaN : x / y);
  const rows: [string, string, string, string][] = [
    [
      'update check req/s',
      a.server.requestsPerSecond.toFixed(0),
      a.nginx.requestsPerSecond.toFixed(0),
      ratio(a.server.requestsPerSecond, a.nginx.requestsPerSecond).toFixed(3),
    ],
    [
      'update check p50 ms',
      a.server.p50Ms.toFixed(2),
      a.nginx.p50Ms.toFixed(2),
      ratio(a.server.p50Ms, a.nginx.p50Ms).toFixed(2),
    ],
    [
      'update check p99 ms',
      a.server.p99Ms.toFixed(2),
      a.nginx.p99Ms.toFixed(2),
      ratio(a.server.p99Ms, a.nginx.p99Ms).toFixed(2),
    ],
    [
      'bundle MiB/s',
      b.server.mibPerSecond.toFixed(0),
      b.nginx.mibPerSecond.toFixed(0),
      ratio(b.server.mibPerSecond, b.nginx.mibPerSecond).toFixed(3),
    ],
    [
      'bundle req/s',
      b.server.requestsPerSecond.toFixed(0),
      b.nginx.requestsPerSecond.toFixed(0),
      ratio(b.server.requestsPerSecond, b.nginx.requestsPerSecond).toFixed(3),
    ],
    [
      'bundle p99 ms',
      b.server.p99Ms.toFixed(2),
      b.nginx.p99Ms.toFixed(2),
      ratio(b.server.p99Ms, b.nginx.p99Ms).toFixed(2),
    ],
    [
      'publish 2 MB ms (vs sha256+write)',
      c.publishMs.toFixed(0),
      c.baselineMs.toFixed(1),
      ratio(c.publishMs, c.baselineMs).toFixed(0),
    ],
  ];
  console.log(
    `\nServer benchmark (vegeta ${vegetaVersion}, closed model): medians of ${String(rounds)} rounds x ${String(durationMs / 1000)} s, ${String(concurrency)} connections, ` +
      `${String(deviceCount)} devices, bundles ${(bundleBytes / 3 / 1024).toFixed(0)} KiB avg, ${String(publishRuns)} publish runs of ${(c.packageBytes / 1e6).toFixed(2)} MB, screenshots ${screenshots ? 'on' : 'off'}`,
  );
  console.log(
    `${'metric'.padEnd(36)}${'server'.padStart(12)}${'baseline'.padStart(12)}${'ratio'.padStart(10)}`,
  );
  for (const [name, s, n, r] of rows)
    console.log(`${name.padEnd(36)}${s.padStart(12)}${n.padStart(12)}${r.padStart(10)}`);
  console.log(
    '(baseline: nginx, 1 worker, same bytes, for update check and bundles; SHA-256 + write to disk for publish)',
  );
  if (args.json) {
    const report = {
      settings: {
        durationMs,
        warmupMs,
        rounds,
        concurrency,
        devices: deviceCount,
        publishRuns,
        screenshots,
      },
      updateCheck: {
        ...a,
        ratio: ratio(a.server.requestsPerSecond, a.nginx.requestsPerSecond),
        rounds: updateCheck,
      },
      bundleDownload: {
        ...b,
        ratio: ratio(b.server.mibPerSecond, b.nginx.mibPerSecond),
        rounds: bundleDownload,
      },
      publish: { ...c, ratio: ratio(c.publishMs, c.baselineMs), runs: publish },
    };
    await writeFile(args.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`bench: wrote ${args.json}`);
  }
} finally {
  await stopNginx?.();
  await app.close();
  await db.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
}
