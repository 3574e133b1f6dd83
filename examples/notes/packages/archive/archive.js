/* global NotesStore */
// The archive is a subpackage: the host downloads it only when the user opens it.
async function refresh() {
  const notes = await NotesStore.list('archived:');
  const list = document.getElementById('notes');
  list.replaceChildren(
    ...notes.map((note) => {
      const item = document.createElement('li');
      const text = document.createElement('span');
      text.textContent = `${new Date(note.createdAt).toLocaleDateString()}: ${note.text}`;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Delete';
      remove.addEventListener('click', async () => {
        await NotesStore.remove(note.key);
        await refresh();
      });
      item.append(text, remove);
      return item;
    }),
  );
}

refresh();
