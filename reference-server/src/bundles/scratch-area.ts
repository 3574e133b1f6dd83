import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/** `<host>-<pid>-<uuid><suffix>`: who created a scratch entry. */
const scratchOwner = `${hostname()}-${process.pid}`;
const scratchName = /^(.+)-(\d+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
/** Another host's scratch file this old belongs to no upload still in progress. */
const staleScratchMs = 24 * 60 * 60 * 1000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh path in a process's scratch folder, named after its host and pid for sweepScratchArea. */
export async function scratchFile(scratch: string, suffix = ''): Promise<string> {
  await mkdir(scratch, { recursive: true });
  return path.join(scratch, `${scratchOwner}-${randomUUID()}${suffix}`);
}

/**
 * Removes what a killed process left in a scratch folder (a partial upload after SIGKILL): files of
 * this host whose process is gone, files older than a day from other hosts sharing the directory,
 * and files without an owner. Returns the names removed.
 */
export async function sweepScratchArea(scratch: string, now = Date.now()): Promise<string[]> {
  const names = await readdir(scratch).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const owner = scratchName.exec(name);
    let stale = owner === null;
    if (owner && owner[1] === hostname()) stale = !processAlive(Number(owner[2]));
    else if (owner) {
      const info = await stat(path.join(scratch, name)).catch(() => null);
      stale = info !== null && now - info.mtimeMs > staleScratchMs;
    }
    if (!stale) continue;
    await rm(path.join(scratch, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
