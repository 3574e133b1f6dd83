import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMockBridge } from '../mock-bridge.ts';
import { MockStorage, storageLimits } from '../mock-storage.ts';
import { outcome, request } from './bridge-fixture.ts';

function twoApps() {
  const storage = new MockStorage();
  const shop = createMockBridge({ manifest: { id: 'com.example.shop' }, storage });
  const other = createMockBridge({ manifest: { id: 'com.other.app' }, storage });
  return { shop, other, storage };
}

async function result(reply: Promise<string | null>): Promise<unknown> {
  return (JSON.parse((await reply) ?? 'null') as { result: unknown }).result;
}

describe('bridge storage', () => {
  it('returns the stored JSON value unchanged [STO-004]', async () => {
    const { shop } = twoApps();
    const value = { items: [{ sku: 'A', qty: 2 }], note: null, ok: true };
    await shop.handle(request('c-1', 'storage.set', { key: 'cart', value }));
    assert.deepEqual(await result(shop.handle(request('c-2', 'storage.get', { key: 'cart' }))), {
      exists: true,
      value,
    });
  });

  it("keeps one app out of another app's namespace, whatever the key [STO-001] [STO-003]", async () => {
    const { shop, other } = twoApps();
    await shop.handle(request('c-1', 'storage.set', { key: 'token', value: 'secret' }));
    for (const key of [
      'token',
      '../com.example.shop/token',
      '["user","com.example.shop"]',
      '__proto__',
      'com.example.shop:token',
    ]) {
      assert.deepEqual(
        await result(other.handle(request('c-2', 'storage.get', { key }))),
        { exists: false },
        key,
      );
    }
    assert.deepEqual(await result(other.handle(request('c-3', 'storage.list', {}))), {
      keys: [],
      bytesUsed: 0,
      bytesQuota: storageLimits.maxNamespaceBytes,
    });
    await other.handle(request('c-4', 'storage.clear', {}));
    assert.deepEqual(await result(shop.handle(request('c-5', 'storage.get', { key: 'token' }))), {
      exists: true,
      value: 'secret',
    });
  });

  it('stores __proto__ as an ordinary key of the app', async () => {
    const { shop } = twoApps();
    await shop.handle(
      request('c-1', 'storage.set', { key: '__proto__', value: { polluted: true } }),
    );
    assert.deepEqual(
      await result(shop.handle(request('c-2', 'storage.get', { key: '__proto__' }))),
      { exists: true, value: { polluted: true } },
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses a value over 1 MiB and leaves the old value [STO-007]', async () => {
    const { shop } = twoApps();
    await shop.handle(request('c-1', 'storage.set', { key: 'k', value: 'old' }));
    const big = 'x'.repeat(storageLimits.maxValueBytes);
    assert.equal(
      outcome(await shop.handle(request('c-2', 'storage.set', { key: 'k', value: big }))),
      'QUOTA_EXCEEDED',
    );
    assert.deepEqual(await result(shop.handle(request('c-3', 'storage.get', { key: 'k' }))), {
      exists: true,
      value: 'old',
    });
  });

  it('accepts writes up to 10 MiB per app and refuses the one beyond [STO-007] [STO-008]', async () => {
    const { shop, other } = twoApps();
    const chunk = 'y'.repeat(storageLimits.maxValueBytes - 16);
    let written = 0;
    for (let i = 0; i < 10; i++) {
      const reply = await shop.handle(
        request(`c-${i}`, 'storage.set', { key: `k${i}`, value: chunk }),
      );
      if (outcome(reply) === 'ok') written++;
      else assert.equal(outcome(reply), 'QUOTA_EXCEEDED');
    }
    assert.ok(written >= 9, `at least 9 writes fit under the namespace quota, not ${written}`);
    assert.equal(
      outcome(await shop.handle(request('c-x', 'storage.set', { key: 'more', value: chunk }))),
      'QUOTA_EXCEEDED',
    );
    assert.ok(
      shop.storage.bytesUsed <= storageLimits.maxNamespaceBytes,
      'the namespace stays within its quota',
    );
    // The quota is per app: the other app still has all of its own.
    assert.equal(
      outcome(await other.handle(request('c-y', 'storage.set', { key: 'k', value: chunk }))),
      'ok',
    );
  });

  it('rejects keys longer than 256 UTF-8 bytes even when under 256 characters [STO-009]', async () => {
    const { shop } = twoApps();
    assert.equal(
      outcome(await shop.handle(request('c-1', 'storage.set', { key: 'é'.repeat(129), value: 1 }))),
      'INVALID_PARAMS',
    );
    assert.equal(
      outcome(await shop.handle(request('c-2', 'storage.set', { key: 'é'.repeat(128), value: 1 }))),
      'ok',
    );
    assert.equal(
      outcome(await shop.handle(request('c-3', 'storage.set', { key: '', value: 1 }))),
      'INVALID_PARAMS',
    );
  });

  it("deletes an app's entries on uninstall and keeps the others [STO-005]", async () => {
    const { shop, other, storage } = twoApps();
    await shop.handle(request('c-1', 'storage.set', { key: 'a', value: 1 }));
    await other.handle(request('c-2', 'storage.set', { key: 'b', value: 2 }));
    storage.deleteApp('com.example.shop');
    assert.equal(storage.namespace('com.example.shop').bytesUsed, 0);
    assert.deepEqual(storage.namespace('com.other.app').list(), ['b']);
  });
});
