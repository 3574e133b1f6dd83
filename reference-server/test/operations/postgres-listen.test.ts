import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPostgresDatabase } from '../../src/store/postgres-database.ts';

const databaseUrl = process.env.TEST_DATABASE_URL;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `seen` holds `count` entries, or fails after 10 s with what it holds. */
async function until(seen: readonly unknown[], count: number, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (seen.length < count) {
    assert.ok(Date.now() < deadline, `${what}: got ${JSON.stringify(seen)}`);
    await sleep(10);
  }
}

describe(
  'LISTEN on PostgreSQL [API-106] [API-094]',
  { skip: databaseUrl ? false : 'needs PostgreSQL: npm run test:postgres' },
  () => {
    it('holds one listening connection per process for every channel, and listens again after losing it', async () => {
      const url = databaseUrl ?? '';
      const listener = await openPostgresDatabase(url);
      const speaker = await openPostgresDatabase(url);
      try {
        const trust: (string | null)[] = [];
        const credentials: (string | null)[] = [];
        await listener.listen('scale_out_trust', (payload) => trust.push(payload));
        await listener.listen('scale_out_credentials', (payload) => credentials.push(payload));
        const listening = async () =>
          (
            await speaker.query<{ pid: number }>(
              `select pid from pg_stat_activity
                where datname = current_database() and query ilike 'listen scale_out_%'`,
            )
          ).rows;
        assert.equal((await listening()).length, 1, 'one connection listens on both channels');

        await speaker.query("select pg_notify('scale_out_trust', '7')");
        await speaker.query("select pg_notify('scale_out_credentials', '')");
        await until(trust, 1, 'the trust channel');
        await until(credentials, 1, 'the credentials channel');
        assert.deepEqual([trust, credentials], [['7'], ['']]);

        // The connection dies (a failover, an idle timeout): every listener hears it may have missed some.
        const [victim] = await listening();
        await speaker.query('select pg_terminate_backend($1)', [victim?.pid]);
        await until(trust, 2, 'the trust channel after reconnecting');
        await until(credentials, 2, 'the credentials channel after reconnecting');
        assert.deepEqual([trust[1], credentials[1]], [null, null]);
        assert.equal((await listening()).length, 1, 'one connection listens again');
        await speaker.query("select pg_notify('scale_out_trust', '8')");
        await until(trust, 3, 'the trust channel on the new connection');
        assert.equal(trust[2], '8');
      } finally {
        await speaker.close();
        await listener.close();
      }
    });
  },
);
