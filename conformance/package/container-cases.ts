import {
  defineCase,
  fromFaults,
  fail,
  pass,
  skip,
  type ConformanceCase,
} from '../framework/index.ts';
import type { PackageSubject } from '../suites/package-subject.ts';
import type { ContainerTopic } from './archive/archive-inspection.ts';

const notAnArchive =
  'a directory has no ZIP container; package.packer.refusal covers what packing it would give';

interface ContainerRule {
  id: string;
  requirement: string;
  topic?: ContainerTopic;
  description: string;
  why: string;
  /** Still meaningful when the central directory could not be read. */
  beforeCentralDirectory?: boolean;
}

function containerCase(rule: ContainerRule): ConformanceCase<PackageSubject> {
  return defineCase<PackageSubject>({
    id: `package.container.${rule.id}`,
    description: rule.description,
    requirements: [rule.requirement],
    level: 'MUST',
    class: 'package',
    lane: 'certify',
    why: rule.why,
    run({ subject }) {
      const archive = subject.archive;
      if (subject.kind === 'directory' || !archive) return skip(notAnArchive);
      const faults = archive.findings
        .filter(
          (f) =>
            f.requirement === rule.requirement &&
            (rule.topic === undefined || f.topic === rule.topic),
        )
        .map((f) => f.message);
      if (faults.length === 0 && !archive.readable && !rule.beforeCentralDirectory) {
        return skip(
          `blocked: ${subject.blocked ?? 'the central directory could not be read (see PKG-001)'}`,
        );
      }
      return fromFaults(faults);
    },
  });
}

const rules: ContainerRule[] = [
  {
    id: 'end-of-central-directory',
    requirement: 'PKG-001',
    topic: 'end-of-central-directory',
    beforeCentralDirectory: true,
    description:
      'A package ends with exactly one end-of-central-directory record that places the central directory inside the file',
    why: 'Readers that scan for the end record differently would otherwise find different central directories, and so different files.',
  },
  {
    id: 'central-directory',
    requirement: 'PKG-001',
    topic: 'central-directory',
    beforeCentralDirectory: true,
    description:
      'The central directory is a run of well-formed headers whose count and size match the end record',
    why: 'A central directory that disagrees with its end record is damaged or crafted; readers must refuse it.',
  },
  {
    id: 'local-headers',
    requirement: 'PKG-001',
    topic: 'local-header',
    description:
      'Each entry has a local header, and its sizes, CRC-32 and data descriptor agree with the central directory',
    why: 'Streaming readers trust local headers and data descriptors; when they disagree with the central directory, two readers extract different bytes.',
  },
  {
    id: 'listed-bytes',
    requirement: 'PKG-001',
    topic: 'layout',
    description:
      'No local header lies before the central directory for an entry the central directory does not list',
    why: 'A local entry the central directory does not list is seen by streaming readers and missed by reviewers.',
  },
  {
    id: 'entry-data',
    requirement: 'PKG-001',
    topic: 'data',
    description: 'Every entry inflates to exactly its declared size and matches its CRC-32',
    why: 'A bad CRC or a size that lies means a damaged package or a decompression trick; readers must refuse both.',
  },
  {
    id: 'compression-method',
    requirement: 'PKG-002',
    description: 'Every entry is stored (method 0) or deflated (method 8)',
    why: 'Other methods are not implemented by every reader, so the package would open on some hosts and not on others.',
  },
  {
    id: 'no-encryption',
    requirement: 'PKG-003',
    description: 'No entry is encrypted: bits 0 and 6 of each general purpose flag are clear',
    why: 'Encrypted content cannot be reviewed, and the review is what the platform signs.',
  },
  {
    id: 'no-zip64-one-disk',
    requirement: 'PKG-004',
    beforeCentralDirectory: true,
    description: 'A package holds no ZIP64 record or extra field and spans a single disk',
    why: 'ZIP64 is never needed below the size limits; refusing it removes a rarely tested second code path from every reader.',
  },
  {
    id: 'name-encoding',
    requirement: 'PKG-007',
    description:
      'Entry names are UTF-8, and a name with bytes above 0x7F sets the language-encoding flag',
    why: 'Without the flag, readers decode names as CP437 and see different paths than the packer wrote.',
  },
  {
    id: 'local-names-agree',
    requirement: 'PKG-009',
    description:
      "Each local header repeats its central directory header's name, method and encryption bits",
    why: 'ZIP stores each name twice; when tools pick different copies, a reviewer and a host see different files.',
  },
  {
    id: 'no-overlap',
    requirement: 'PKG-010',
    description: 'No two entries share bytes: local header and data ranges do not overlap',
    why: 'Overlapping entries are the construction of small archives that expand to gigabytes (and of entries that alias one another).',
  },
  {
    id: 'no-extra-bytes',
    requirement: 'PKG-170',
    beforeCentralDirectory: true,
    description:
      'Every byte belongs to an entry, the central directory or the end record: nothing before the first entry, between entries or after the end record',
    why: 'Bytes before the first entry make a polyglot that a browser or an image decoder also opens as HTML or GIF; bytes between entries or after the end record can hide a second archive that another tool finds.',
  },
  {
    id: 'unicode-path-field',
    requirement: 'PKG-171',
    description:
      "An Info-ZIP Unicode Path extra field (0x7075) is of version 1, carries the CRC-32 of its header's name field and names exactly that path",
    why: 'Readers take the path from the name field, but extraction tools that prefer this field would write another file (../../x) than the one the reviewer saw.',
  },
];

const extension = defineCase<PackageSubject>({
  id: 'package.container.ma-extension',
  description: 'A package file is named with the extension .ma',
  requirements: ['PKG-012'],
  level: 'SHOULD',
  class: 'package',
  lane: 'certify',
  why: 'The extension tells people and tools what the file is.',
  run({ subject }) {
    if (subject.kind === 'directory') return skip('a directory is not a package file');
    return subject.label.endsWith('.ma')
      ? pass()
      : fail(`${JSON.stringify(subject.label)} does not end in .ma`);
  },
});

export const containerCases: ConformanceCase<PackageSubject>[] = [
  ...rules.map(containerCase),
  extension,
];
