import { defineCase, fromFaults, skip, type ConformanceCase } from '../framework/index.ts';
import type { PackageSubject } from '../suites/package-subject.ts';
import { showPath } from './entry-path.ts';
import { collisionsOf, pathFaultsOf } from './path-cases.ts';
import { sizeLimitCases } from './size-limit-cases.ts';
import { ignoredDirectoryNames, ignoredFileNames } from './source-directory.ts';

function packerCase(
  id: string,
  requirement: string,
  description: string,
  why: string,
  run: (
    subject: PackageSubject,
  ) => ReturnType<typeof fromFaults> | Promise<ReturnType<typeof fromFaults>>,
): ConformanceCase<PackageSubject> {
  return defineCase<PackageSubject>({
    id: `package.packer.${id}`,
    description,
    requirements: [requirement],
    level: 'MUST',
    class: 'package',
    lane: 'certify',
    why,
    run: ({ subject }) => run(subject),
  });
}

export const packerCases: ConformanceCase<PackageSubject>[] = [
  packerCase(
    'ignore-list',
    'PKG-070',
    'A packed package holds none of .git, .hg, .svn, .DS_Store, Thumbs.db or desktop.ini',
    'The packer skips exactly these; one of them in a package means the packer did not, and version-control folders leak history and secrets.',
    (subject) => {
      if (subject.kind === 'directory')
        return skip(
          'what a packer skips shows in the package it writes; a directory has not been packed',
        );
      if (subject.blocked) return skip(`blocked: ${subject.blocked}`);
      return fromFaults(
        subject.entries
          .filter((e) => {
            const segments = e.path.replace(/\/$/, '').split('/');
            const folders = e.kind === 'directory' ? segments : segments.slice(0, -1);
            return (
              folders.some((s) => ignoredDirectoryNames.includes(s)) ||
              (e.kind === 'file' && ignoredFileNames.includes(segments.at(-1) ?? ''))
            );
          })
          .map((e) => `${showPath(e.path)} is on the ignore list a packer skips`),
      );
    },
  ),
  packerCase(
    'links',
    'PKG-071',
    'A source directory holds no symbolic link or special file',
    'A packer must refuse links instead of following them (which would pack files from outside the app) or skipping them (which would hide them).',
    (subject) => {
      if (!subject.directory)
        return skip('an archive is already packed; its entry types are package.paths.entry-types');
      return fromFaults(subject.directory.refused.map((r) => `${showPath(r.path)} is a ${r.what}`));
    },
  ),
  packerCase(
    'normalised-paths',
    'PKG-072',
    'No two paths of a source directory collide after NFC and case folding',
    'A packer writes NFC so that every reader names files alike, and refuses colliding sources instead of letting one file replace another.',
    (subject) => {
      if (!subject.directory) {
        return skip(
          'an archive is already packed; its paths are package.paths.normalization-form-c and package.paths.no-collisions',
        );
      }
      return fromFaults(collisionsOf(subject));
    },
  ),
  packerCase(
    'refusal',
    'PKG-073',
    'A source directory would pack into a package that meets the container, path and size rules',
    'A packer must refuse such a directory rather than write a package every reader refuses.',
    async (subject) => {
      if (!subject.directory)
        return skip('an archive is already packed; the container, path and size cases judge it');
      const faults = pathFaultsOf(subject).map((f) => `[${f.requirement}] ${f.message}`);
      for (const c of sizeLimitCases) {
        const verdict = await c.run({
          subject,
          signal: AbortSignal.timeout(60_000),
          note: () => undefined,
        });
        if (verdict.status === 'fail')
          faults.push(`[${c.requirements.join(' ')}] ${verdict.reason}`);
      }
      return fromFaults(faults);
    },
  ),
];
