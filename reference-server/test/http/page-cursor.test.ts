import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PageCursors } from '../../src/http/page-cursor.ts';
import { ApiProblem } from '../../src/http/problem.ts';
import type { Database } from '../../src/store/database.ts';
import { openEmbeddedDatabase } from '../../src/store/embedded-database.ts';

const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const refusal = async (attempt: Promise<unknown>): Promise<string> => {
  try {
    await attempt;
  } catch (error) {
    if (error instanceof ApiProblem) return error.code;
    throw error;
  }
  return 'accepted';
};

describe('page cursors [API-049]', () => {
  let db: Database;
  before(async () => {
    db = await openEmbeddedDatabase(null);
    await db.query('create table server_secrets (name text primary key, value text not null)');
  });
  after(async () => {
    await db.close();
  });

  it('opens a cursor it issued, for the list it was issued for', async () => {
    const cursors = new PageCursors(db);
    const cursor = await cursors.issue('catalog?q=a', { after: 'com.example.a' });
    assert.deepEqual(await cursors.open('catalog?q=a', cursor), { after: 'com.example.a' });
    assert.equal(await refusal(cursors.open('catalog?q=b', cursor)), 'API_CURSOR_INVALID');
  });

  it('refuses every one-character change, the padding bits of the last one included', async () => {
    const cursors = new PageCursors(db);
    const cursor = await cursors.issue('catalog', { after: 'com.example.a' });
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: cursor.length - 1 }),
        fc.constantFrom(...base64url),
        async (at, replacement) => {
          fc.pre(cursor[at] !== replacement);
          const changed = cursor.slice(0, at) + replacement + cursor.slice(at + 1);
          assert.equal(await refusal(cursors.open('catalog', changed)), 'API_CURSOR_INVALID');
        },
      ),
    );
    // The last character of a 32-byte MAC carries two padding bits: its three other spellings.
    const last = base64url.indexOf(cursor.at(-1) ?? '');
    for (const bits of [1, 2, 3]) {
      const spelling = cursor.slice(0, -1) + base64url[last ^ bits];
      assert.equal(await refusal(cursors.open('catalog', spelling)), 'API_CURSOR_INVALID');
    }
  });

  it('refuses a cursor once its lifetime is over', async () => {
    let now = 1_000;
    const cursors = new PageCursors(db, () => now);
    const cursor = await cursors.issue('catalog', 1);
    now += 60 * 60 * 1000;
    assert.equal(await refusal(cursors.open('catalog', cursor)), 'API_CURSOR_INVALID');
  });
});
