import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Database } from '../../src/store/database.ts';
import { openEmbeddedDatabase } from '../../src/store/embedded-database.ts';
import { migrate } from '../../src/store/migrator.ts';
import { loadPlatformKeys } from '../../src/trust/platform-keys.ts';
import { createTrustService } from '../../src/trust/trust-service.ts';

const settled = (promise: Promise<unknown>) =>
  Promise.race([
    promise.then(() => true),
    new Promise((resolve) => setTimeout(() => resolve(false), 200)),
  ]);

describe('the poll of the store behind the index [API-106]', () => {
  it('answers from the index in hand while a due poll runs, and waits for the store once 4 s have passed', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'miniapp-poll-'));
    const store = await openEmbeddedDatabase(null);
    try {
      await migrate(store);
      // Every query waits while `held` is set, as behind a long transaction of another request.
      let held: Promise<void> | null = null;
      let release = () => {};
      const db: Database = {
        ...store,
        query: async (sql, params) => {
          if (held) await held;
          return store.query(sql, params);
        },
        transaction: async (fn) => {
          if (held) await held;
          return store.transaction(fn);
        },
      };
      let now = Date.parse('2026-06-01T00:00:00Z');
      const trust = createTrustService(db, await loadPlatformKeys(path.join(dataDir, 'trust')), {
        clock: () => new Date(now),
        pollMs: 2000,
      });
      await trust.currentIndex();
      // The process hears its own announcement of the index it signed, and looks once more.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const first = await trust.currentIndex();
      const hold = () => {
        held = new Promise((resolve) => (release = resolve));
      };

      hold();
      now += 2500;
      assert.equal(await settled(trust.currentIndex()), true, 'a due poll holds no request');
      assert.equal((await trust.currentIndex()).version, first.version);
      held = null;
      release();

      // Once the background look has finished, the store stalls again, and the clock passes the limit.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal((await trust.currentIndex()).version, first.version);
      hold();
      now += 4500;
      const waiting = trust.currentIndex();
      assert.equal(await settled(waiting), false, '4.5 s after the last look, requests wait');
      held = null;
      release();
      assert.equal((await waiting).version, first.version);
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
