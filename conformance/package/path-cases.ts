import { defineCase, fromFaults, skip, type ConformanceCase } from '../framework/index.ts';
import { memoised, type PackageSubject } from '../suites/package-subject.ts';
import { pathCollisions, pathFaults, showPath, type PathFault } from './entry-path.ts';

/** Every path fault of the package's entries, once per subject. */
export function pathFaultsOf(subject: PackageSubject): PathFault[] {
  return memoised(subject, 'path-faults', () =>
    subject.entries.flatMap((e) => pathFaults(e.path, e.kind === 'directory')),
  );
}

export function collisionsOf(subject: PackageSubject): string[] {
  return memoised(subject, 'collisions', () =>
    pathCollisions(
      subject.entries.map((e) => ({ path: e.path, isDirectory: e.kind === 'directory' })),
    ).map((c) =>
      c.kind === 'same name'
        ? `${showPath(c.first)} and ${showPath(c.second)} are the same path after NFC and case folding`
        : `the file ${showPath(c.first)} is, after case folding, a folder of ${showPath(c.second)}`,
    ),
  );
}

interface PathRule {
  id: string;
  requirement: string;
  description: string;
  why: string;
}

function pathCase(rule: PathRule): ConformanceCase<PackageSubject> {
  return defineCase<PackageSubject>({
    id: `package.paths.${rule.id}`,
    description: rule.description,
    requirements: [rule.requirement],
    level: 'MUST',
    class: 'package',
    lane: 'certify',
    why: rule.why,
    run({ subject }) {
      if (subject.blocked) return skip(`blocked: ${subject.blocked}`);
      return fromFaults(
        pathFaultsOf(subject)
          .filter((f) => f.requirement === rule.requirement)
          .map((f) => f.message),
      );
    },
  });
}

const rules: PathRule[] = [
  {
    id: 'relative',
    requirement: 'PKG-020',
    description: 'No entry path starts with "/" or a drive letter, or contains a backslash',
    why: 'An absolute path or a Windows separator writes outside the destination on some extractor (zip slip).',
  },
  {
    id: 'no-dot-segments',
    requirement: 'PKG-021',
    description: 'No entry path has an empty, "." or ".." segment',
    why: '".." segments are the classic zip slip: the file lands outside the folder it was extracted into.',
  },
  {
    id: 'no-control-characters',
    requirement: 'PKG-022',
    description: 'No entry path contains a control character',
    why: 'Control characters hide parts of a name from people and are cut off or rejected by file systems.',
  },
  {
    id: 'normalization-form-c',
    requirement: 'PKG-023',
    description: 'Every entry path is in Unicode Normalization Form C',
    why: 'Normalising file systems rewrite other forms, so two readers would name the same file differently.',
  },
  {
    id: 'portable-characters',
    requirement: 'PKG-024',
    description: 'No entry path contains : * ? " < > | or a segment ending in a dot or a space',
    why: 'Some file systems cannot store these names or silently drop the trailing dot or space, merging two files.',
  },
  {
    id: 'length',
    requirement: 'PKG-025',
    description: 'Entry paths are at most 1024 bytes and each segment at most 255 bytes in UTF-8',
    why: 'Longer names cannot be created on common file systems, so extraction would fail on some devices only.',
  },
];

const collisions = defineCase<PackageSubject>({
  id: 'package.paths.no-collisions',
  description:
    'No two entry paths are equal after NFC and case folding, and no file path is a folder of another path',
  requirements: ['PKG-026'],
  level: 'MUST',
  class: 'package',
  lane: 'certify',
  why: 'On a case-insensitive or normalising file system two such entries become one file, so the host runs a file the reviewer never saw.',
  run({ subject }) {
    if (subject.blocked) return skip(`blocked: ${subject.blocked}`);
    return fromFaults(collisionsOf(subject));
  },
});

const entryTypes = defineCase<PackageSubject>({
  id: 'package.paths.entry-types',
  description: 'Every entry is a regular file or a directory, never a link, device, FIFO or socket',
  requirements: ['PKG-027'],
  level: 'MUST',
  class: 'package',
  lane: 'certify',
  why: 'A symbolic link inside a package points extraction or serving at files outside it.',
  run({ subject }) {
    if (subject.kind === 'directory') {
      return skip(
        'a directory has no entry types; links and special files in it are package.packer.links',
      );
    }
    if (subject.blocked) return skip(`blocked: ${subject.blocked}`);
    return fromFaults(
      subject.entries
        .filter((e) => e.kind !== 'file' && e.kind !== 'directory')
        .map(
          (e) =>
            `${showPath(e.path)} is a ${e.kind === 'symlink' ? 'symbolic link' : 'device, FIFO or socket'} (external attributes)`,
        ),
    );
  },
});

export const pathCases: ConformanceCase<PackageSubject>[] = [
  ...rules.map(pathCase),
  collisions,
  entryTypes,
];
