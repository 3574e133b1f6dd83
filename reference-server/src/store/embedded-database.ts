import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Database, QueryResult, Queryable } from './database.ts';

/**
 * PostgreSQL compiled to WebAssembly, stored in a directory (or in memory when `directory` is null):
 * the zero-set-up default store. `loadDataDir` starts from a dump of another store's data directory
 * (PGlite's dumpDataDir) instead of running initdb, which tests use to skip a 10-second boot.
 */
export async function openEmbeddedDatabase(
  directory: string | null,
  options: { loadDataDir?: Blob } = {},
): Promise<Database> {
  if (directory) await mkdir(directory, { recursive: true });
  const pgliteOptions = options.loadDataDir ? { loadDataDir: options.loadDataDir } : {};
  const db = directory ? new PGlite(directory, pgliteOptions) : new PGlite(pgliteOptions);
  await db.waitReady;
  const run = async <T>(
    target: Pick<PGlite, 'query'>,
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<T>> => {
    const result = await target.query<T>(sql, params ? [...params] : []);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  };
  // PGlite serves one connection: its transaction() queues other statements until the transaction ends.
  return {
    kind: 'embedded',
    query: (sql, params) => run(db, sql, params),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({ query: (sql, params) => run(tx, sql, params) } satisfies Queryable),
      ),
    ping: async () => (await db.query('select 1')).rows.length === 1,
    // One process owns the embedded store, so NOTIFY only ever reaches this process's own listeners.
    listen: async (channel, onNotify) => {
      const stop = await db.listen(channel, (payload) => onNotify(payload));
      return async () => {
        await stop();
      };
    },
    close: () => db.close(),
  };
}
