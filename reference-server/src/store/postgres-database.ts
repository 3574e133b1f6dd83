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
 * LISTEN needs a connection of its own for as long as it listens, outside the pool: one per process,
 * shared by every channel, so a deployment of N processes holds N listening connections. A lost
 * connection is re-established after a short delay, listens again on every channel, and tells every
 * listener (null) that it may have missed notifications, so it can look at the store itself.
 */
function listenerSet(url: string) {
  const channels = new Map<string, Set<(payload: string | null) => void>>();
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const connect = async (again: boolean): Promise<pg.Client> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      for (const listener of channels.get(message.channel) ?? []) listener(message.payload ?? '');
    });
    next.on('error', () => undefined);
    next.on('end', () => {
      if (closed || client !== next) return;
      client = null;
      retry();
    });
    try {
      await next.connect();
      for (const channel of channels.keys()) await next.query(`listen ${channel}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return next;
    }
    client = next;
    if (again) for (const set of channels.values()) for (const listener of set) listener(null);
    return next;
  };

  function retry(): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      connecting = connect(true).finally(() => (connecting = null));
      connecting.catch(retry);
    }, reconnectDelayMs);
    timer.unref();
  }

  /** The listening connection, connected once; a failure of the first connection is the caller's. */
  async function connection(): Promise<pg.Client | null> {
    if (client) return client;
    if (connecting) return connecting.catch(() => null);
    connecting = connect(false).finally(() => (connecting = null));
    return connecting;
  }

  return {
    async add(channel: string, onNotify: (payload: string | null) => void) {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
      let set = channels.get(channel);
      const first = !set;
      if (!set) {
        set = new Set();
        channels.set(channel, set);
      }
      set.add(onNotify);
      try {
        const listening = await connection();
        // A connection made before this channel existed listens on it now; a later one does by itself.
        if (first && listening && !closed) await listening.query(`listen ${channel}`);
      } catch (error) {
        set.delete(onNotify);
        if (set.size === 0) channels.delete(channel);
        throw error;
      }
      return async () => {
        set.delete(onNotify);
      };
    },
    async closeAll() {
      closed = true;
      clearTimeout(timer);
      channels.clear();
      const open = client;
      client = null;
      await open?.end().catch(() => undefined);
    },
  };
}
