import pg from 'pg';
import type { Database, QueryResult } from './database.ts';

/** A PostgreSQL server reached through DATABASE_URL (production). */
export async function openPostgresDatabase(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const listeners = listenerSet(url);
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
    listen: (channel, onNotify) => listeners.add(channel, onNotify),
    close: async () => {
      await listeners.closeAll();
      await pool.end();
    },
  };
}

/** How long a lost LISTEN connection waits before it connects again. */
const reconnectDelayMs = 1000;

/**
 * LISTEN needs a connection of its own for as long as it listens, outside the pool. A lost connection
 * is re-established after a short delay, and the listener is told (null) that it may have missed
 * notifications, so it can look at the store itself.
 */
function listenerSet(url: string) {
  const active = new Set<{ stop: () => Promise<void> }>();
  let closed = false;
  return {
    async add(channel: string, onNotify: (payload: string | null) => void) {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
      let client: pg.Client | null = null;
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const connect = async (again: boolean): Promise<void> => {
        const next = new pg.Client({ connectionString: url });
        next.on('notification', (message) => {
          if (message.channel === channel) onNotify(message.payload ?? '');
        });
        next.on('error', () => undefined);
        next.on('end', () => {
          if (stopped || closed || client !== next) return;
          client = null;
          timer = setTimeout(() => void connect(true).catch(() => undefined), reconnectDelayMs);
          timer.unref();
        });
        try {
          await next.connect();
          await next.query(`listen ${channel}`);
        } catch (error) {
          await next.end().catch(() => undefined);
          if (!again) throw error;
          timer = setTimeout(() => void connect(true).catch(() => undefined), reconnectDelayMs);
          timer.unref();
          return;
        }
        if (stopped || closed) {
          await next.end().catch(() => undefined);
          return;
        }
        client = next;
        if (again) onNotify(null);
      };
      await connect(false);
      const entry = {
        stop: async () => {
          stopped = true;
          clearTimeout(timer);
          active.delete(entry);
          await client?.end().catch(() => undefined);
          client = null;
        },
      };
      active.add(entry);
      return entry.stop;
    },
    async closeAll() {
      closed = true;
      await Promise.all([...active].map((entry) => entry.stop()));
    },
  };
}
