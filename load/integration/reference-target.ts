import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createAccount,
  createPartner,
  issueCredential,
} from '../../reference-server/src/accounts/credential-issuer.ts';
import { buildServer } from '../../reference-server/src/app.ts';
import { loadConfig } from '../../reference-server/src/config.ts';
import { configurePublishing } from '../../reference-server/src/publish/publish-settings.ts';
import { createServices } from '../../reference-server/src/services.ts';
import type { Queryable } from '../../reference-server/src/store/database.ts';
import { openDatabase } from '../../reference-server/src/store/open-database.ts';
import { openPostgresDatabase } from '../../reference-server/src/store/postgres-database.ts';
import { freePort } from '../../reference-server/src/platform/listen-port.ts';
import type { HostDevice, LoadPrincipals } from '../dataset/load-principals.ts';

/**
 * The reference server as the project's own load runs and tests use it: one process, listening on a
 * free loopback port, on the embedded store in a fresh data directory or on the PostgreSQL that
 * `databaseUrl` names (emptied first). Its principals are made directly in its store, which only the
 * project's tests may do: a certification run makes them with the admin routes instead.
 */
export interface ReferenceTarget {
  url: string;
  store: 'embedded' | 'postgres';
  principals: LoadPrincipals;
  dataDir: string;
  close(): Promise<void>;
}

/** Test principals written straight into a store of the reference server. */
export function storePrincipals(db: Queryable, adminToken: string): LoadPrincipals {
  const session = async (accountId: string, partnerId?: string) =>
    (
      await issueCredential(db, {
        kind: 'session',
        accountId,
        ...(partnerId ? { partnerId } : {}),
        ttlSeconds: 86_400,
      })
    ).token;
  return {
    adminToken,
    async partner(name) {
      const partnerId = await createPartner(db, name, undefined, { test: true });
      const accountId = await createAccount(db, {
        role: 'partner',
        name: `${name} developer`,
        partnerId,
      });
      return { partnerId, token: await session(accountId, partnerId) };
    },
    async reviewer() {
      return session(await createAccount(db, { role: 'reviewer', name: 'Load reviewer' }));
    },
    async hostDevices(deviceIds) {
      const devices: HostDevice[] = [];
      for (const deviceId of deviceIds) {
        const { token } = await issueCredential(db, {
          kind: 'host_device',
          subject: deviceId,
          ttlSeconds: 86_400,
          test: true,
        });
        devices.push({ deviceId, token });
      }
      return devices;
    },
  };
}

/** An admin session written into the store. */
export async function storeAdmin(db: Queryable): Promise<string> {
  const accountId = await createAccount(db, { role: 'admin', name: 'Load admin' });
  return (await issueCredential(db, { kind: 'session', accountId, ttlSeconds: 86_400 })).token;
}

/** Drops every table of the PostgreSQL database, so one run's data set never meets another's. */
export async function emptyPostgres(databaseUrl: string): Promise<void> {
  const db = await openPostgresDatabase(databaseUrl);
  try {
    await db.query('drop schema public cascade');
    await db.query('create schema public');
  } finally {
    await db.close();
  }
}

export async function startReferenceTarget(
  options: {
    databaseUrl?: string;
    env?: Record<string, string>;
    /** [REV-007] screenshots in headless Chromium on upload; REVIEW_SCREENSHOTS decides by default. */
    screenshots?: boolean;
  } = {},
): Promise<ReferenceTarget> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'miniapp-load-'));
  const port = await freePort('127.0.0.1');
  const config = {
    ...loadConfig({
      ...(options.env ?? {}),
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    }),
    logLevel: 'silent' as const,
  };
  if (options.databaseUrl) await emptyPostgres(options.databaseUrl);
  const store = await openDatabase(config);
  const services = await createServices(config, store);
  // A screenshot costs about 2 s of Chromium per upload on 2 cores, which a short run cannot afford.
  if (options.screenshots !== undefined)
    configurePublishing(services, { screenshots: options.screenshots });
  const app = await buildServer(services);
  await app.listen({ port, host: '127.0.0.1' });
  const admin = await storeAdmin(store);
  return {
    url: `http://127.0.0.1:${String(port)}`,
    store: options.databaseUrl ? 'postgres' : 'embedded',
    principals: storePrincipals(store, admin),
    dataDir,
    async close() {
      await app.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
