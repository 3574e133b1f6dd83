import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMiniAppError } from '../../diagnostics/index.ts';
import { openArchiveSource } from '../archive-source.ts';
import { extractPackage } from '../extractor.ts';
import type { PackageLimits } from '../package-limits.ts';

/** Every path below dir, sorted, so two listings can be compared. */
export async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

export async function scratchDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'miniapp-pkg-test-'));
}

/**
 * Opens bytes as a package and extracts every file into <sandbox>/app, reading each one.
 * Returns the error code (or 'ok') and the sandbox listing before and after, outside app/.
 */
export async function attemptInstall(
  bytes: Uint8Array,
  limits?: Partial<PackageLimits>,
): Promise<{ code: string; before: string[]; after: string[] }> {
  const sandbox = await scratchDir();
  const before = await listTree(sandbox);
  let code = 'ok';
  try {
    const source = await openArchiveSource(bytes, limits);
    await extractPackage(source, path.join(sandbox, 'app'));
  } catch (error) {
    if (!isMiniAppError(error)) throw error;
    code = error.code;
  }
  const after = (await listTree(sandbox)).filter((p) =>
    code === 'ok' ? !p.startsWith('app') : true,
  );
  await rm(sandbox, { recursive: true, force: true });
  return { code, before, after };
}
