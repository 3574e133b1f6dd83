import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openEmbeddedDatabase } from '../src/store/embedded-database.ts';
import { migrate } from '../src/store/migrator.ts';
import type { Database } from '../src/store/database.ts';

/**
 * A migrated embedded store, made once per set of migrations and reused by every test file: booting
 * PGlite runs initdb (about 10 seconds on a busy 2-core machine) where loading a dump takes about 2.
 * scripts/test.ts prepares it and names its folder in MINIAPP_TEST_STORE.
 */
const environmentVariable = 'MINIAPP_TEST_STORE';
const migrationsDir = path.resolve(import.meta.dirname, '../src/store/migrations');
const dumpFile = 'store.tar';
const directory = 'db';

/** Changes with any migration or PGlite version, so a stale snapshot is never used. */
async function snapshotKey(): Promise<string> {
  const hash = createHash('sha256');
  const pglite = path.resolve(
    import.meta.dirname,
    '../../node_modules/@electric-sql/pglite/package.json',
  );
  hash.update(JSON.parse(readFileSync(pglite, 'utf8')).version as string);
  for (const file of (await readdir(migrationsDir)).sort()) {
    hash.update(file).update(await readFile(path.join(migrationsDir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Makes (or finds) the snapshot folder: a PGlite dump and a data directory, both migrated. */
export async function prepareStoreSnapshot(): Promise<string> {
  const target = path.join(tmpdir(), `miniapp-test-store-${await snapshotKey()}`);
  if (existsSync(path.join(target, 'ready'))) return target;
  const building = await mkdtemp(`${target}.building-`);
  try {
    const store = path.join(building, directory);
    const db = await openEmbeddedDatabase(store);
    await migrate(db);
    await db.close();
    const reopened = new PGlite(store);
    // dumpDataDir never settles on a store that is not ready yet.
    await reopened.waitReady;
    const dump = await reopened.dumpDataDir('none');
    await reopened.close();
    await writeFile(path.join(building, dumpFile), Buffer.from(await dump.arrayBuffer()));
    await writeFile(path.join(building, 'ready'), '');
    await rename(building, target).catch(async () => {
      // Another run finished the same snapshot first; keep theirs.
      await rm(building, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
  return target;
}

function snapshotFolder(): string | null {
  const folder = process.env[environmentVariable];
  return folder && existsSync(path.join(folder, 'ready')) ? folder : null;
}

/** The environment that points test processes at the snapshot. */
export function snapshotEnvironment(folder: string): Record<string, string> {
  return { [environmentVariable]: folder };
}

/** A new in-memory store: from the snapshot when there is one, else booted and migrated here. */
export async function openTestStore(): Promise<Database> {
  const folder = snapshotFolder();
  const db = folder
    ? await openEmbeddedDatabase(null, {
        loadDataDir: new Blob([await readFile(path.join(folder, dumpFile))]),
      })
    : await openEmbeddedDatabase(null);
  // A no-op on the snapshot; the whole migration without one.
  await migrate(db);
  return db;
}

/**
 * Gives a server process about to start on `dataDir` a copy of the migrated data directory, when
 * the snapshot exists and the process would otherwise create its store itself.
 */
export async function copyStoreInto(dataDir: string): Promise<void> {
  const folder = snapshotFolder();
  const store = path.join(dataDir, directory);
  if (!folder || existsSync(store)) return;
  await cp(path.join(folder, directory), store, { recursive: true });
  // The copy's lock file names a process that is gone.
  await rm(path.join(store, 'postmaster.pid'), { force: true });
}
