/**
 * `node:fs/promises` for the browser build: the sdk reads archives from disk only in its CLI; the
 * host hands it bytes, so any file access here is a bug and fails loudly.
 */
function unavailable(): never {
  throw new Error('the host reads no files: archives reach the sdk as bytes');
}

export const open = unavailable;
export const readFile = unavailable;
export const stat = unavailable;
