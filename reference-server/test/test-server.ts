import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/app.ts';
import { BundleStore } from '../src/bundles/bundle-store.ts';
import {
  createAccount,
  createPartner,
  issueCredential,
} from '../src/accounts/credential-issuer.ts';
import { loadConfig } from '../src/config.ts';
import { createServices, type Services } from '../src/services.ts';
import type { Database } from '../src/store/database.ts';
import { migrate } from '../src/store/migrator.ts';
import { openPostgresDatabase } from '../src/store/postgres-database.ts';
import type { PlatformKeys } from '../src/trust/platform-keys.ts';
import { openTestStore } from './store-snapshot.ts';

/** A running server on a fresh store, with helpers to make callers of every role. */
export interface TestServer {
  app: FastifyInstance;
  services: Services;
  dataDir: string;
  /** A partner with a portal session; `token` is its bearer secret. */
  partner(name?: string): Promise<{ partnerId: string; accountId: string; token: string }>;
  reviewer(): Promise<{ accountId: string; token: string }>;
  admin(): Promise<{ accountId: string; token: string }>;
  hostDevice(deviceId?: string): Promise<{ token: string; deviceId: string }>;
  hostUser(userId?: string): Promise<{ token: string; userId: string }>;
  close(): Promise<void>;
}

/**
 * Starts the server on the store that TEST_DATABASE_URL names (a real PostgreSQL, emptied first) or,
 * by default, on an in-memory embedded store, so one suite runs against both.
 */
export async function startTestServer(
  options: {
    clock?: () => Date;
    credentialCacheMs?: number;
    /** Platform keys and roots; a development trust root in the data directory by default. */
    keys?: PlatformKeys;
    /** Extra environment for loadConfig (timeouts, limits). */
    env?: Record<string, string>;
    /** Receives the request log at level info, instead of no log. */
    logStream?: { write(line: string): unknown };
    /** Reuse this data directory (a restart) instead of a fresh one. */
    dataDir?: string;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'miniapp-server-')));
  const url = process.env.TEST_DATABASE_URL;
  let db: Database;
  if (url) {
    db = await openPostgresDatabase(url);
    await db.query('drop schema public cascade');
    await db.query('create schema public');
    await migrate(db);
  } else {
    db = await openTestStore();
  }
  const config = {
    ...loadConfig({ ...options.env, DATA_DIR: dataDir, PORT: '0' }),
    logLevel: options.logStream ? ('info' as const) : ('silent' as const),
  };
  const services: Services = await createServices(config, db, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.credentialCacheMs === undefined
      ? {}
      : { credentialCacheMs: options.credentialCacheMs }),
  });
  const app = await buildServer(
    services,
    options.logStream ? { logStream: options.logStream } : {},
  );
  let counter = 0;
  const session = async (accountId: string, partnerId?: string) =>
    (
      await issueCredential(db, {
        kind: 'session',
        accountId,
        ...(partnerId ? { partnerId } : {}),
        ttlSeconds: 3600,
      })
    ).token;
  return {
    app,
    services,
    dataDir,
    async partner(name = `Partner ${++counter}`) {
      const partnerId = await createPartner(db, name);
      const accountId = await createAccount(db, {
        role: 'partner',
        name: `${name} developer`,
        partnerId,
      });
      return { partnerId, accountId, token: await session(accountId, partnerId) };
    },
    async reviewer() {
      const accountId = await createAccount(db, {
        role: 'reviewer',
        name: `Reviewer ${++counter}`,
      });
      return { accountId, token: await session(accountId) };
    },
    async admin() {
      const accountId = await createAccount(db, { role: 'admin', name: `Admin ${++counter}` });
      return { accountId, token: await session(accountId) };
    },
    async hostDevice(deviceId = `device-${++counter}-0123456789abcdef`) {
      return {
        deviceId,
        token: (await issueCredential(db, { kind: 'host_device', subject: deviceId })).token,
      };
    },
    async hostUser(userId = `user-${++counter}`) {
      return {
        userId,
        token: (await issueCredential(db, { kind: 'host_user', subject: userId, ttlSeconds: 3600 }))
          .token,
      };
    },
    async close() {
      await app.close();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The local-disk bundle store of a server, for tests that look at the files themselves. */
export function localBundles(services: Services): BundleStore {
  if (!(services.bundles instanceof BundleStore))
    throw new Error('this test needs BUNDLE_STORE=local');
  return services.bundles;
}
