import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repositoryRoot } from '../../framework/index.ts';
import { main } from '../../cli/main.ts';
import type { BrokenServer } from './broken-server.ts';

/** The outcome of certifying one server: exit code, output, and the failed cases with the ids they cite. */
export interface CertifyRun {
  exitCode: number;
  output: string;
  failed: { caseId: string; requirements: string[]; reason: string }[];
}

/** Runs `miniapp-certify server` in-process and reads the failed cases from its progress lines. */
export async function certify(args: string[]): Promise<CertifyRun> {
  let output = '';
  const sink = { write: (chunk: string) => void (output += chunk) };
  const exitCode = await main(['server', ...args], { stdout: sink, stderr: sink });
  const failed: CertifyRun['failed'] = [];
  const lines = output.split('\n');
  lines.forEach((line, i) => {
    const m = /^\[\s*\d+\/\d+\] FAIL\s+(\S+)\s+([A-Z]{3}-\d{3}(?: [A-Z]{3}-\d{3})*)/.exec(line);
    if (m)
      failed.push({
        caseId: m[1] as string,
        requirements: (m[2] as string).split(' '),
        reason: (lines[i + 1] ?? '').trim(),
      });
  });
  return { exitCode, output, failed };
}

/** The failed case that names the violated requirement, if any. */
export function caughtBy(
  run: CertifyRun,
  broken: BrokenServer,
): CertifyRun['failed'][number] | undefined {
  return run.failed.find((f) => f.requirements.includes(broken.violates));
}

/**
 * Copies reference-server/ into DATA-like scratch space inside the repository (so that its package
 * imports still resolve) and applies the broken server's patches; each `find` must occur exactly once.
 */
export async function patchedCopy(
  broken: BrokenServer,
): Promise<{ entry: string; remove(): Promise<void> }> {
  const base = path.join(repositoryRoot, '.data', 'broken-servers', broken.name);
  await rm(base, { recursive: true, force: true });
  await mkdir(base, { recursive: true });
  const copy = path.join(base, 'reference-server');
  await cp(path.join(repositoryRoot, 'reference-server'), copy, {
    recursive: true,
    filter: (source) =>
      !source.includes(`${path.sep}test${path.sep}`) &&
      !source.endsWith(`${path.sep}test`) &&
      !source.includes(`${path.sep}bench`),
  });
  // Start-up seeding reads the examples beside reference-server/.
  await symlink(path.join(repositoryRoot, 'examples'), path.join(base, 'examples'), 'dir');
  for (const patch of broken.patches ?? []) {
    const file = path.join(copy, patch.file);
    const text = await readFile(file, 'utf8');
    const count = text.split(patch.find).length - 1;
    if (count !== 1)
      throw new Error(
        `${broken.name}: "${patch.find.slice(0, 60)}" occurs ${count} times in ${patch.file}; update the patch`,
      );
    await writeFile(file, text.replace(patch.find, patch.replace));
  }
  return {
    entry: path.join(copy, 'src', 'main.ts'),
    remove: () => rm(base, { recursive: true, force: true }),
  };
}
