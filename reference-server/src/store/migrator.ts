import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from './database.ts';

const migrationsDir = path.join(import.meta.dirname, 'migrations');
const migrationName = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export async function listMigrations(): Promise<Migration[]> {
  const files = (await readdir(migrationsDir)).filter((f) => migrationName.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const [, version = '0', name = ''] = migrationName.exec(file) ?? [];
      return {
        version: Number(version),
        name,
        sql: await readFile(path.join(migrationsDir, file), 'utf8'),
      };
    }),
  );
}

/**
 * Applies the versioned migrations that the database has not seen, each in its own transaction, so a
 * crash leaves the schema at a whole version. A lock keeps two servers starting at once from racing.
 */
export async function migrate(db: Database): Promise<number[]> {
  await db.query(
    'create table if not exists schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())',
  );
  const applied: number[] = [];
  for (const migration of await listMigrations()) {
    const done = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(74201)');
      const seen = await tx.query('select 1 from schema_migrations where version = $1', [
        migration.version,
      ]);
      if (seen.rows.length > 0) return false;
      for (const statement of migration.sql
        .split(/;\s*$/m)
        .map((s) => s.trim())
        .filter(Boolean)) {
        await tx.query(statement);
      }
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
