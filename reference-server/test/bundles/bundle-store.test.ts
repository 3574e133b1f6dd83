import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BundleStore } from '../../src/bundles/bundle-store.ts';

describe('bundle store', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'bundle-store-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const tooLarge = () => new Error('too large');

  it('stores bytes under their SHA-256 once, whatever number of puts [API-042]', async () => {
    const store = new BundleStore(dataDir);
    const bytes = randomBytes(3000);
    const first = await store.put(bytes, 10_000, tooLarge);
    const again = await store.put(bytes, 10_000, tooLarge);
    assert.deepEqual(first, again);
    assert.equal(first.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual(await readdir(path.join(store.root, first.sha256.slice(0, 2))), [
      `${first.sha256}.ma`,
    ]);
  });

  it('stops at the size cap and leaves nothing behind, not even in scratch', async () => {
    const store = new BundleStore(dataDir);
    await assert.rejects(store.put(randomBytes(5000), 4096, tooLarge), /too large/);
    assert.deepEqual(await readdir(store.scratch), []);
  });

  it('serves small bundles from memory byte for byte, and streams large ones', async () => {
    const store = new BundleStore(dataDir, { hotFileLimit: 4096, hotBudgetBytes: 8192 });
    const small = await store.put(randomBytes(2048), 10_000, tooLarge);
    const large = await store.put(randomBytes(6000), 10_000, tooLarge);
    const bytes = await store.bytes(small);
    assert.ok(bytes, 'a bundle under the hot limit is served from memory');
    assert.equal(createHash('sha256').update(bytes).digest('hex'), small.sha256);
    assert.equal(await store.bytes(large), null);
    // A digest is immutable: even if the file were replaced behind the store's back, the cached
    // length and bytes of that digest stay those that hash to it.
    await writeFile(store.pathOf(small.sha256), 'tampered');
    assert.equal((await store.stat(small.sha256))?.length, 2048);
    assert.equal(
      createHash('sha256')
        .update((await store.bytes(small)) ?? '')
        .digest('hex'),
      small.sha256,
    );
  });

  it('keeps the memory cache within its budget, dropping the least recently used', async () => {
    const store = new BundleStore(dataDir, { hotFileLimit: 4096, hotBudgetBytes: 8192 });
    const stored = [];
    for (let i = 0; i < 5; i++) stored.push(await store.put(randomBytes(3000), 10_000, tooLarge));
    for (const s of stored)
      assert.ok(await store.bytes(s), 'every small bundle is still readable after eviction');
    // Three of 3000 bytes exceed 8192; only the two most recent stay, so the first is read again from disk.
    await writeFile(store.pathOf(stored[0]?.sha256 ?? ''), 'gone');
    assert.equal(String(await store.bytes(stored[0] ?? { sha256: '', length: 0 })), 'gone');
  });

  it('refuses anything but a lowercase SHA-256 as a digest [API-046]', async () => {
    const store = new BundleStore(dataDir);
    assert.equal(await store.stat('../../etc/passwd'), null);
    assert.equal(await store.stat('A'.repeat(64)), null);
    assert.throws(() => store.pathOf('..'));
  });
});
