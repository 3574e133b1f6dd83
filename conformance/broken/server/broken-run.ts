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
  // A report names what it certified (CNF-060): the reference server, or a broken copy of it.
  const named = args.includes('--implementation-name')
    ? args
    : [...args, '--implementation-name', 'reference-server', '--implementation-version', '0.1.0'];
  const exitCode = await main(['server', ...named], { stdout: sink, stderr: sink });
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
 * Copies reference-server/ and sdk/ into scratch space inside the repository's .data/ (so that package
 * imports and node_modules still resolve), with a package.json whose import map points at the copies,
 * and applies the first form of the broken server's patch whose every `find` occurs exactly once.
 */
export async function patchedCopy(
  broken: BrokenServer,
): Promise<{ entry: string; remove(): Promise<void> }> {
  const base = path.join(repositoryRoot, '.data', 'broken-servers', broken.name);
  await rm(base, { recursive: true, force: true });
  await mkdir(base, { recursive: true });
  const skip = (source: string) =>
    !/[\\/](test|bench)([\\/]|$)/.test(path.relative(repositoryRoot, source));
  await cp(path.join(repositoryRoot, 'reference-server'), path.join(base, 'reference-server'), {
    recursive: true,
    filter: skip,
  });
  await cp(path.join(repositoryRoot, 'sdk'), path.join(base, 'sdk'), {
    recursive: true,
    filter: skip,
  });
  // Start-up seeding reads the examples beside reference-server/; schemas are read, never patched.
  await symlink(path.join(repositoryRoot, 'examples'), path.join(base, 'examples'), 'dir');
  await symlink(path.join(repositoryRoot, 'schemas'), path.join(base, 'schemas'), 'dir');
  const manifest = JSON.parse(
    await readFile(path.join(repositoryRoot, 'package.json'), 'utf8'),
  ) as Record<string, unknown>;
  await writeFile(
    path.join(base, 'package.json'),
    JSON.stringify({
      name: `broken-${broken.name}`,
      private: true,
      type: 'module',
      imports: manifest.imports,
    }),
  );
  const forms = [broken.patches ?? [], ...(broken.alternatives ?? [])];
  const counts: string[] = [];
  let applied = false;
  for (const form of forms) {
    const texts = await Promise.all(
      form.map((p) => readFile(path.join(base, p.file), 'utf8').catch(() => '')),
    );
    const found = form.map((p, i) => (texts[i] as string).split(p.find).length - 1);
    counts.push(form.map((p, i) => `${p.file}: ${found[i]}`).join(', '));
    if (found.every((n) => n === 1)) {
      // One after another, re-reading each file, so that several changes to one file all land.
      for (const p of form) {
        const file = path.join(base, p.file);
        await writeFile(file, (await readFile(file, 'utf8')).replace(p.find, p.replace));
      }
      applied = true;
      break;
    }
  }
  if (!applied)
    throw new Error(
      `${broken.name}: no form of the patch applies (occurrences ${counts.join('; ')}); update the patch`,
    );
  return {
    entry: path.join(base, 'reference-server', 'src', 'main.ts'),
    remove: () => rm(base, { recursive: true, force: true }),
  };
}
