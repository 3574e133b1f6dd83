import pg from 'pg';
import type { Database, QueryResult } from './database.ts';

/** A PostgreSQL server reached through DATABASE_URL (production). */
export async function openPostgresDatabase(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // Fail at start, with the server's own message, rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  const toResult = <T>(result: pg.QueryResult): QueryResult<T> => ({
    rows: result.rows as T[],
    rowCount: result.rowCount ?? 0,
  });
  return {
    kind: 'postgres',
    query: async (sql, params) => toResult(await pool.query(sql, params ? [...params] : [])),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const value = await fn({
          query: async (sql, params) =>
            toResult(await client.query(sql, params ? [...params] : [])),
        });
        await client.query('commit');
        return value;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    ping: async () => (await pool.query('select 1')).rowCount === 1,
    close: () => pool.end(),
  };
}
