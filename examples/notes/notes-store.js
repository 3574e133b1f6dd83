// Notes live in the app's own storage namespace on the host (storage.*); other mini-apps cannot read them.
globalThis.NotesStore = {
  async list(prefix) {
    const { keys } = await MiniAppBridge.call('storage.list', { prefix });
    const notes = [];
    for (const key of keys) {
      const { value } = await MiniAppBridge.call('storage.get', { key });
      if (value) notes.push({ key, ...value });
    }
    return notes.sort((a, b) => b.createdAt - a.createdAt);
  },
  async save(prefix, text) {
    const createdAt = Date.now();
    await MiniAppBridge.call('storage.set', {
      key: `${prefix}${createdAt}`,
      value: { text, createdAt },
    });
  },
  async move(key, toKey) {
    const { value } = await MiniAppBridge.call('storage.get', { key });
    await MiniAppBridge.call('storage.set', { key: toKey, value });
    await MiniAppBridge.call('storage.remove', { key });
  },
  async remove(key) {
    await MiniAppBridge.call('storage.remove', { key });
  },
};
