import { deflateSync } from 'fflate';
import { defineCase, fromFaults, skip, type ConformanceCase } from '../framework/index.ts';
import { memoised, type PackageSubject } from '../suites/package-subject.ts';
import type { ArchiveEntry, ArchiveInspection } from './archive/archive-inspection.ts';
import { equalBytes } from './archive/zip-record.ts';
import { showPath } from './entry-path.ts';

/**
 * The canonical form is a SHOULD (PKG-080); its MUSTs bind a package that is written in it. A
 * package claims the form when every central header carries its fingerprint: made by Unix 2.0 on
 * the fixed date 1980-01-01 00:00. A package that does not claim it is judged by PKG-080 alone.
 */
function claimsCanonicalForm(archive: ArchiveInspection): boolean {
  return (
    archive.entries.length > 0 &&
    archive.entries.every(
      (e) =>
        e.central.versionMadeBy === 0x0314 && e.central.time === 0 && e.central.date === 0x0021,
    )
  );
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

function entryOrderFaults(archive: ArchiveInspection): string[] {
  const faults = archive.entries
    .filter((e) => e.kind !== 'file')
    .map(
      (e) =>
        `${showPath(e.name)} is a ${e.kind} entry; the canonical form holds regular files only`,
    );
  archive.entries.forEach((e, i) => {
    const previous = archive.entries[i - 1];
    if (previous && compareBytes(previous.central.nameBytes, e.central.nameBytes) >= 0) {
      faults.push(
        `${showPath(e.name)} follows ${showPath(previous.name)}: entries are not sorted by the bytes of their UTF-8 paths`,
      );
    }
  });
  return faults;
}

function headerFaults(archive: ArchiveInspection): string[] {
  const faults: string[] = [];
  for (const e of archive.entries) {
    const c = e.central;
    const l = e.local;
    const wrong = [
      c.versionMadeBy !== 0x0314 ? `version made by 0x${c.versionMadeBy.toString(16)}` : '',
      c.versionNeeded !== 20 || (l && l.versionNeeded !== 20)
        ? `version needed ${c.versionNeeded}/${l?.versionNeeded ?? '?'}`
        : '',
      c.flags !== 0x0800 || (l && l.flags !== 0x0800)
        ? `flags 0x${c.flags.toString(16)}/0x${(l?.flags ?? 0).toString(16)}`
        : '',
      c.time !== 0 || c.date !== 0x0021 || (l && (l.time !== 0 || l.date !== 0x0021))
        ? 'a modification time other than 1980-01-01 00:00'
        : '',
      c.extra.length > 0 || (l && l.extraLength > 0) ? 'an extra field' : '',
      c.commentLength !== 0 ? 'a file comment' : '',
      c.internalAttributes !== 0 ? `internal attributes ${c.internalAttributes}` : '',
      c.externalAttributes !== 0x81a40000
        ? `external attributes 0x${c.externalAttributes.toString(16)}`
        : '',
      c.diskStart !== 0 ? `disk ${c.diskStart}` : '',
    ].filter(Boolean);
    if (wrong.length) faults.push(`${showPath(e.name)}: ${wrong.join(', ')}`);
  }
  return faults;
}

/** [PKG-083] fflate 0.8 deflateSync at level 9, memory level 8, unless storing is required. */
function deflateFaults(entry: ArchiveEntry): string[] {
  const data = entry.data;
  if (!data || !entry.local)
    return [`${showPath(entry.name)} could not be read intact (see PKG-001)`];
  const stream = deflateSync(data, { level: 9, mem: 8 });
  const store = stream.length >= data.length || data.length > 100 * stream.length;
  if (store) {
    return entry.central.method === 0
      ? []
      : [
          `${showPath(entry.name)} must be stored: deflate gains nothing or would cross the ratio limit`,
        ];
  }
  if (entry.central.method !== 8)
    return [`${showPath(entry.name)} is stored, but fflate's deflate stream is shorter`];
  return entry.compressed !== undefined && equalBytes(entry.compressed, stream)
    ? []
    : [
        `${showPath(entry.name)}: the deflate stream is not the one fflate 0.8 writes at level 9 (${entry.central.compressedSize} bytes, expected ${stream.length})`,
      ];
}

function layoutFaults(archive: ArchiveInspection): string[] {
  const faults: string[] = [];
  for (const e of archive.entries) {
    if ((e.central.flags & 0x08) !== 0 || e.descriptor)
      faults.push(`${showPath(e.name)} uses a data descriptor`);
  }
  const last = archive.entries.at(-1);
  if (archive.eocd && last?.range && last.range.end !== archive.eocd.centralDirectoryOffset) {
    faults.push(
      `the central directory starts at ${archive.eocd.centralDirectoryOffset}, not right after the last entry (${last.range.end})`,
    );
  }
  if (archive.eocd && archive.eocd.commentLength !== 0)
    faults.push(`the end record carries a ${archive.eocd.commentLength}-byte comment`);
  return faults;
}

interface CanonicalRule {
  id: string;
  requirement: string;
  description: string;
  why: string;
  faults(archive: ArchiveInspection): string[];
}

const rules: CanonicalRule[] = [
  {
    id: 'entry-order',
    requirement: 'PKG-081',
    description:
      'A canonical package holds regular files only, sorted by the bytes of their UTF-8 paths',
    why: 'Listing order comes from the file system; sorting removes it, so the same files give the same bytes and the same digest.',
    faults: entryOrderFaults,
  },
  {
    id: 'headers',
    requirement: 'PKG-082',
    description:
      'A canonical package carries the fixed header values: Unix 2.0, flag 0x0800, 1980-01-01, mode 0644, no extra fields or comments',
    why: 'Timestamps, owners and permissions differ between build machines; fixing them makes a rebuild byte-identical.',
    faults: headerFaults,
  },
  {
    id: 'deflate-stream',
    requirement: 'PKG-083',
    description:
      "A canonical package's entry data is fflate 0.8's level-9 deflate stream, or the stored file where that is required",
    why: 'Deflate output is not unique; pinning one pure-JavaScript deflater is what makes the digest reproducible on any machine.',
    faults: (archive) => archive.entries.flatMap(deflateFaults),
  },
  {
    id: 'layout',
    requirement: 'PKG-084',
    description:
      'A canonical package has no data descriptors, a central directory right after the last entry, and no archive comment',
    why: 'Each of these is a degree of freedom that two packers could use differently for the same files.',
    faults: layoutFaults,
  },
];

function canonicalCase(rule: CanonicalRule): ConformanceCase<PackageSubject> {
  return defineCase<PackageSubject>({
    id: `package.canonical.${rule.id}`,
    description: rule.description,
    requirements: [rule.requirement],
    level: 'MUST',
    class: 'package',
    lane: 'certify',
    why: rule.why,
    run({ subject }) {
      const archive = subject.archive;
      if (!archive)
        return skip(
          'a directory has no bytes yet; the canonical form binds the package a packer writes',
        );
      if (subject.blocked) return skip(`blocked: ${subject.blocked}`);
      if (!claimsCanonicalForm(archive)) {
        return skip(
          'the package is not written in the canonical form (its headers do not carry the fixed values); PKG-080 is a SHOULD',
        );
      }
      return fromFaults(memoised(subject, `canonical-${rule.id}`, () => rule.faults(archive)));
    },
  });
}

const canonicalForm = defineCase<PackageSubject>({
  id: 'package.canonical.form',
  description:
    'A package is written in the canonical form, so that the same files always give the same digest',
  requirements: ['PKG-080'],
  level: 'SHOULD',
  class: 'package',
  lane: 'certify',
  why: 'A canonical package can be rebuilt by the partner and compared by digest with the release.',
  run({ subject }) {
    const archive = subject.archive;
    if (!archive) return skip('a directory is not packed yet');
    if (subject.blocked) return skip(`blocked: ${subject.blocked}`);
    const faultsOf = (r: CanonicalRule) =>
      memoised(subject, `canonical-${r.id}`, () => r.faults(archive)).map(
        (f) => `[${r.requirement}] ${f}`,
      );
    // Re-deflating every entry is the costly part: only worth it once the cheap rules hold.
    const cheap = rules.filter((r) => r.requirement !== 'PKG-083').flatMap(faultsOf);
    if (cheap.length > 0) return fromFaults(cheap);
    return fromFaults(rules.filter((r) => r.requirement === 'PKG-083').flatMap(faultsOf));
  },
});

export const canonicalFormCases: ConformanceCase<PackageSubject>[] = [
  ...rules.map(canonicalCase),
  canonicalForm,
];
