import { Registry, collectDefaultMetrics } from 'prom-client';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './app.ts';
import { ConfigError, loadConfig, type ServerConfig } from './config.ts';
import type { Database } from './store/database.ts';
import { devCredentialsFile } from './platform/dev-credentials.ts';
import { freePort } from './platform/listen-port.ts';
import { seedPlatform, type SeedOutcome } from './platform/platform-seeding.ts';
import { startBanner } from './platform/start-banner.ts';
import { openDatabase } from './store/open-database.ts';
import { createServices } from './services.ts';
import { loadPlatformKeys } from './trust/platform-keys.ts';

/** How long a graceful shutdown may take before the process gives up and exits 1. */
const shutdownTimeoutMs = 30_000;

/** Operators get one line saying what failed, never a stack trace. */
function fail(what: string, error: unknown): never {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`reference-server: ${what}: ${reason}`);
  process.exit(1);
}

function readConfig(): ServerConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`reference-server: ${error.message}`);
      process.exit(1);
    }
    return fail('cannot read the configuration', error);
  }
}

/**
 * PORT=0 picks a free port before anything is built, so the public URL written into signed release
 * metadata names the port the server really listens on.
 */
async function withConcretePort(config: ServerConfig): Promise<ServerConfig> {
  if (config.port !== 0) return config;
  const port = await freePort(config.host).catch((error: unknown) =>
    fail(`cannot find a free port on ${config.host}`, error),
  );
  const publicUrl = process.env.PUBLIC_URL
    ? config.publicUrl
    : loadConfig({ ...process.env, PORT: String(port) }).publicUrl;
  return { ...config, port, publicUrl };
}

const config = await withConcretePort(readConfig());
const metrics = new Registry();
collectDefaultMetrics({ register: metrics });
const db = await openDatabase(config).catch((error: unknown) =>
  fail('cannot open the database', error),
);
const keys = await loadPlatformKeys(path.join(config.dataDir, 'trust')).catch((error: unknown) =>
  fail(`cannot load the platform keys from ${path.join(config.dataDir, 'trust')}`, error),
);
const services = await createServices(config, db, { keys, metrics });
const { shuttingDown } = services;
const app = await buildServer(services).catch((error: unknown) =>
  fail('cannot build the server', error),
);
if (keys.development) {
  app.log.warn(
    `using a DEVELOPMENT trust root from ${path.join(config.dataDir, 'trust')}: not for production`,
  );
}

/**
 * Graceful shutdown [API-088]: turn unready first and keep serving for SHUTDOWN_DELAY_MS so load
 * balancers stop routing here, then finish in-flight requests, then close the store. A second signal,
 * or a shutdown that hangs, ends the process with status 1.
 */
function shutdown(server: FastifyInstance, store: Database, signal: NodeJS.Signals): void {
  shuttingDown.value = true;
  console.log(`reference-server: ${signal} received, shutting down`);
  setTimeout(() => {
    console.error('reference-server: shutdown timed out');
    process.exit(1);
  }, shutdownTimeoutMs + config.shutdownDelayMs).unref();
  void new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs))
    .then(() => server.close())
    .then(() => store.close())
    .then(
      () => {
        console.log('reference-server: stopped');
        process.exit(0);
      },
      (error: unknown) => fail('shutdown failed', error),
    );
}

// Seeded before listening, so /readyz answers only once the example platform exists.
const seed: SeedOutcome | 'off' =
  process.env.SEED === 'off'
    ? 'off'
    : await seedPlatform(app, services).catch((error: unknown) =>
        fail('cannot seed the example platform (SEED=off starts without it)', error),
      );

/**
 * Ctrl-C reaches the process twice under `npm start` (from the terminal and forwarded by npm), so a
 * repeat of the same signal this soon is the same request, not a second one.
 */
const duplicateSignalMs = 1000;
let firstSignal: { signal: NodeJS.Signals; at: number } | null = null;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (firstSignal?.signal === signal && Date.now() - firstSignal.at < duplicateSignalMs) return;
    if (shuttingDown.value) {
      console.error(`reference-server: ${signal} received again, exiting now`);
      process.exit(1);
    }
    firstSignal = { signal, at: Date.now() };
    shutdown(app, db, signal);
  });
}

await app
  .listen({ port: config.port, host: config.host })
  .catch((error: unknown) => fail(`cannot listen on ${config.host}:${config.port}`, error));
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
console.log(
  `reference-server: listening on ${base} (store: ${db.kind === 'embedded' ? `embedded, ${config.dataDir}` : 'PostgreSQL'})`,
);
console.log(
  startBanner({
    base,
    developmentTrust: keys.development,
    seed,
    credentialsFile: devCredentialsFile(config.dataDir),
  }).join('\n'),
);
