import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A server secret kept in a file so that it survives restarts and is shared by replicas on one volume:
 * read when present, otherwise created (exclusively, so two processes starting at once agree).
 */
export async function loadSecretFile(file: string, bytes = 32): Promise<Buffer> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    return await readExisting(file, bytes);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await writeFile(file, randomBytes(bytes).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readExisting(file, bytes);
}

async function readExisting(file: string, bytes: number): Promise<Buffer> {
  const secret = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
  if (secret.length < bytes) throw new Error(`${file} holds fewer than ${bytes} secret bytes`);
  return secret;
}
