import path from 'node:path';
import type { ServerConfig } from '../config.ts';
import type { Database } from './database.ts';
import { openEmbeddedDatabase } from './embedded-database.ts';
import { migrate } from './migrator.ts';
import { openPostgresDatabase } from './postgres-database.ts';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded store under DATA_DIR; migrated either way. */
export async function openDatabase(
  config: Pick<ServerConfig, 'databaseUrl' | 'dataDir'>,
): Promise<Database> {
  const db = config.databaseUrl
    ? await openPostgresDatabase(config.databaseUrl)
    : await openEmbeddedDatabase(path.join(config.dataDir, 'db'));
  await migrate(db);
  return db;
}
