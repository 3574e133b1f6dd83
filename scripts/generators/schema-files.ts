import { readdir } from 'node:fs/promises';
import path from 'node:path';

export const schemaBaseUri = 'https://openminiapp.dev/schemas/v1/';

/** Every hand-written JSON Schema under schemas/ (examples and generated output excluded). */
export async function listSchemaFiles(root: string): Promise<string[]> {
  const dir = path.join(root, 'schemas');
  const all = await readdir(dir, { recursive: true });
  return all
    .filter(
      (f) =>
        f.endsWith('.schema.json') &&
        !f
          .split(path.sep)
          .some((part) => part === 'examples' || part === 'generated' || part === 'node_modules'),
    )
    .map((f) => path.join('schemas', f))
    .sort();
}

/** Maps a schema $id under our base URI to its file. */
export function schemaFileForUri(root: string, uri: string): string | null {
  if (!uri.startsWith(schemaBaseUri)) return null;
  return path.join(root, 'schemas', uri.slice(schemaBaseUri.length).split('#')[0] ?? '');
}
