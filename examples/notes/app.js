/* global NotesStore */
// Pocket Notes: write, list and archive notes kept in namespaced host storage.
async function refresh() {
  const notes = await NotesStore.list('note:');
  const list = document.getElementById('notes');
  list.replaceChildren(
    ...notes.map((note) => {
      const item = document.createElement('li');
      const text = document.createElement('span');
      text.textContent = note.text;
      const archive = document.createElement('button');
      archive.type = 'button';
      archive.textContent = 'Archive';
      archive.addEventListener('click', async () => {
        await NotesStore.move(note.key, `archived:${note.createdAt}`);
        await refresh();
      });
      item.append(text, archive);
      return item;
    }),
  );
}

document.getElementById('editor').addEventListener('submit', async (event) => {
  event.preventDefault();
  const field = document.getElementById('text');
  try {
    await NotesStore.save('note:', field.value.trim());
    field.value = '';
    await refresh();
  } catch (error) {
    const message =
      error.code === 'QUOTA_EXCEEDED' ? 'Storage is full: archive or delete notes.' : error.code;
    await MiniAppBridge.call('ui.showToast', { message });
  }
});

refresh();
