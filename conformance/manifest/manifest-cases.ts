import { validatorFor } from '#schemas';
import {
  defineCase,
  fromFaults,
  fail,
  pass,
  skip,
  type ConformanceCase,
} from '../framework/index.ts';
import { collisionKey } from '../package/entry-path.ts';
import type { PackageSubject } from '../suites/package-subject.ts';
import { readJsonDocument } from './json-document.ts';
import { manifestBlocked, manifestOf } from './manifest-inspection.ts';
import * as rules from './manifest-rules.ts';

/** Permission names of the registry: the enum of schemas/permissions/permission-name.schema.json. */
function registeredPermissions(): Set<string> {
  const schema = validatorFor('permissions/permission-name.schema.json').schema as {
    enum: string[];
  };
  return new Set(schema.enum);
}

interface MemberRule {
  id: string;
  requirements: string[];
  description: string;
  why: string;
  faults(manifest: Record<string, unknown>, subject: PackageSubject): string[];
}

/** A case that runs its own rule and adds the schema errors given to its requirement. */
function memberCase(rule: MemberRule): ConformanceCase<PackageSubject> {
  return defineCase<PackageSubject>({
    id: `package.manifest.${rule.id}`,
    description: rule.description,
    requirements: rule.requirements,
    level: 'MUST',
    class: 'package',
    lane: 'certify',
    why: rule.why,
    run({ subject }) {
      const inspection = manifestOf(subject);
      const blocked = manifestBlocked(subject, inspection);
      if (blocked || !inspection.manifest) return skip(blocked ?? 'blocked');
      const own = rule.faults(inspection.manifest, subject);
      const schema = inspection.schemaErrors
        .filter((e) => rule.requirements.includes(e.requirement))
        .map((e) => e.message);
      return fromFaults([...own, ...schema]);
    },
  });
}

const manifestFile = defineCase<PackageSubject>({
  id: 'package.manifest.present',
  description: 'A package holds a regular file named manifest.json at its root',
  requirements: ['MAN-001'],
  level: 'MUST',
  class: 'package',
  lane: 'certify',
  why: 'Without a manifest a reader knows neither the app nor its pages; readers refuse such a package with MANIFEST_MISSING.',
  run({ subject }) {
    if (subject.blocked) return skip(`blocked: ${subject.blocked}`);
    if (subject.files.has('manifest.json')) return pass();
    const other = subject.entries.find((e) => e.path.replace(/\/$/, '') === 'manifest.json');
    if (other) return fail(`manifest.json is a ${other.kind}, not a regular file`);
    const nested = subject.entries.find((e) => e.path.endsWith('/manifest.json'));
    return fail(
      `no manifest.json at the package root${nested ? ` (there is one at ${JSON.stringify(nested.path)})` : ''}`,
    );
  },
});

const manifestJson = defineCase<PackageSubject>({
  id: 'package.manifest.json-object',
  description:
    'manifest.json is one JSON object in UTF-8 without a byte order mark or a repeated member name',
  requirements: ['MAN-002'],
  level: 'MUST',
  class: 'package',
  lane: 'certify',
  why: 'JSON parsers disagree on which of two repeated members wins, so a reviewer and a host could read different manifests from the same bytes.',
  run({ subject }) {
    const inspection = manifestOf(subject);
    if (subject.blocked) return skip(`blocked: ${subject.blocked}`);
    if (inspection.status === 'missing')
      return skip('blocked: the package has no manifest.json (see MAN-001)');
    if (inspection.status === 'unreadable' || !inspection.document) {
      return skip('blocked: manifest.json could not be read intact (see PKG-001)');
    }
    const d = inspection.document;
    const faults: string[] = [];
    if (!d.utf8) faults.push('manifest.json is not valid UTF-8');
    if (d.bom) faults.push('manifest.json starts with a byte order mark');
    if (d.syntaxError) faults.push(`manifest.json is not JSON: ${d.syntaxError}`);
    else if (d.utf8 && !inspection.manifest)
      faults.push(
        `the top level of manifest.json is a ${Array.isArray(d.value) ? 'array' : d.value === null ? 'null' : typeof d.value}, not an object`,
      );
    for (const dup of d.duplicates) {
      faults.push(
        `the member ${JSON.stringify(dup.name)} appears more than once in the object at ${dup.pointer || '/'}`,
      );
    }
    faults.push(
      ...inspection.schemaErrors.filter((e) => e.requirement === 'MAN-002').map((e) => e.message),
    );
    return fromFaults(faults);
  },
});

const manifestBounds = defineCase<PackageSubject>({
  id: 'package.manifest.size-and-depth',
  description:
    'manifest.json is at most 256 KiB and nests objects and arrays at most 32 levels deep',
  requirements: ['MAN-003'],
  level: 'MUST',
  class: 'package',
  lane: 'certify',
  why: 'Bounded size and depth keep every reader, in every language, clear of memory and stack exhaustion on a hostile manifest.',
  run({ subject }) {
    const inspection = manifestOf(subject);
    if (subject.blocked) return skip(`blocked: ${subject.blocked}`);
    if (inspection.status === 'missing')
      return skip('blocked: the package has no manifest.json (see MAN-001)');
    if (!inspection.bytes || !inspection.document)
      return skip('blocked: manifest.json could not be read intact (see PKG-001)');
    const faults: string[] = [];
    if (inspection.bytes.length > 256 * 1024) {
      faults.push(
        `manifest.json is ${inspection.bytes.length} bytes, more than 256 KiB (262,144 bytes)`,
      );
    }
    if (inspection.document.depth > 32) {
      faults.push(
        `manifest.json nests ${inspection.document.depth} levels deep (at most 32, the top-level object being level 1)`,
      );
    }
    return fromFaults(
      faults,
      `${inspection.bytes.length} bytes, ${inspection.document.depth} levels`,
    );
  },
});

const memberRules: MemberRule[] = [
  {
    id: 'required-members',
    requirements: ['MAN-004'],
    description: 'The manifest has every required member, from specVersion to defaultLocale',
    why: 'Readers rely on each of these members; a manifest without one cannot be reviewed, listed or launched.',
    faults: rules.missingMembers,
  },
  {
    id: 'defined-members',
    requirements: ['MAN-005'],
    description:
      'Every object of the manifest holds only members the specification defines or x-<vendor>-<name> extensions',
    why: 'Unknown members are rejected so that a misspelt member ("premissions") fails loudly instead of silently doing nothing.',
    faults: rules.undefinedMembers,
  },
  {
    id: 'spec-version',
    requirements: ['MAN-007'],
    description: 'specVersion is the string "1.0"',
    why: 'A reader of this specification can only vouch for packages written for it.',
    faults: rules.specVersionFaults,
  },
  {
    id: 'app-id',
    requirements: ['MAN-008'],
    description:
      'id is a lowercase reverse-DNS name of 3 to 255 characters with labels that start with a letter',
    why: 'The id is the permanent address of the app in links, storage and signed metadata; lower case only so that case cannot make look-alike apps.',
    faults: rules.idFaults,
  },
  {
    id: 'names',
    requirements: ['MAN-009'],
    description:
      'name, shortName and description have the lengths the specification allows and are not blank',
    why: 'Stores and prompts show these strings; bounds keep layouts and prompts honest.',
    faults: rules.nameFaults,
  },
  {
    id: 'version',
    requirements: ['MAN-010'],
    description: 'version is a Semantic Versioning 2.0.0 string of at most 64 characters',
    why: 'People compare versions by SemVer; an invalid string breaks every store listing that sorts or shows it.',
    faults: rules.versionFaults,
  },
  {
    id: 'version-code',
    requirements: ['MAN-011'],
    description: 'versionCode is an integer from 1 to 2147483647',
    why: 'versionCode alone orders releases and protects against rollback; it must fit a signed 32-bit integer everywhere.',
    faults: rules.versionCodeFaults,
  },
  {
    id: 'min-host-version',
    requirements: ['MAN-012'],
    description: 'minHostVersion is MAJOR.MINOR.PATCH without pre-release or build parts',
    why: 'Hosts and update checks compare it with their host API version; anything else cannot be compared.',
    faults: rules.minHostVersionFaults,
  },
  {
    id: 'pages',
    requirements: ['MAN-013'],
    description:
      'pages is a non-empty list of relative .html paths without empty, dot or dot-dot segments',
    why: 'Page paths become document URLs inside the package; a path that escapes or is not a page cannot be loaded safely.',
    faults: rules.pagesFaults,
  },
  {
    id: 'entry-page',
    requirements: ['MAN-014'],
    description: 'entryPage is one of the paths listed in pages',
    why: 'The host opens entryPage first and only listed pages may become documents (PKG-061).',
    faults: rules.entryPageFaults,
  },
  {
    id: 'unique-pages',
    requirements: ['MAN-015'],
    description:
      'No page is listed twice, counting subpackage pages under their root and ignoring case',
    why: 'Two listings of one page (or two that a case-insensitive file system merges) make routing ambiguous.',
    faults: (m) => rules.duplicatePageFaults(m, collisionKey),
  },
  {
    id: 'named-files-exist',
    requirements: ['MAN-016'],
    description:
      'Every page, subpackage page and icon the manifest names exists in the package with exactly that path',
    why: 'A missing page fails only on the device, when the user opens it; an icon path that differs in case works on one file system and not on another.',
    faults: (m, subject) => {
      const named = [
        ...(typeof m['entryPage'] === 'string'
          ? [{ path: m['entryPage'], where: '/entryPage' }]
          : []),
        ...rules.allPages(m),
        ...(Array.isArray(m['icons'])
          ? m['icons'].flatMap((icon, i) =>
              rules.isObject(icon) && typeof icon['src'] === 'string'
                ? [{ path: icon['src'], where: `/icons/${i}/src` }]
                : [],
            )
          : []),
      ];
      return named
        .filter(({ path }) => !subject.files.has(path))
        .map(({ path, where }) => {
          const near = [...subject.files.keys()].find(
            (p) => p.toLowerCase() === path.toLowerCase(),
          );
          return `${where} names ${JSON.stringify(path)}, which is not a file of the package${near ? ` (there is ${JSON.stringify(near)})` : ''}`;
        });
    },
  },
  {
    id: 'subpackages',
    requirements: ['MAN-017'],
    description:
      'Each subpackage has a relative root ending in "/", a unique name of a-z 0-9 - _, and pages relative to its root',
    why: 'Roots and names identify which folder a host loads into the runtime on first use.',
    faults: rules.subpackageFaults,
  },
  {
    id: 'subpackage-roots-apart',
    requirements: ['MAN-018'],
    description: 'No subpackage root equals or lies within another',
    why: 'Roots that never nest give every file exactly one owner, which is what the size limits count.',
    faults: rules.nestedRootFaults,
  },
  {
    id: 'main-pages-outside-roots',
    requirements: ['MAN-019'],
    description: 'No page of the main package lies under a subpackage root',
    why: 'A main page inside a subpackage would be counted and loaded as part of two packages.',
    faults: rules.pageUnderRootFaults,
  },
  {
    id: 'permission-names',
    requirements: ['MAN-021', 'PRM-001'],
    description: 'Every permission the manifest declares is a name of the permission registry',
    why: 'Hosts prompt only for registered permissions; an unknown name is either a typo or an attempt to reach something unreviewed.',
    faults: (m) => rules.permissionNameFaults(m, registeredPermissions()),
  },
  {
    id: 'permission-reasons',
    requirements: ['MAN-022'],
    description:
      'Every declared permission carries a reason of 1 to 256 characters that is not blank',
    why: 'The reason is what the user reads in the permission prompt.',
    faults: rules.permissionReasonFaults,
  },
  {
    id: 'allowed-domains',
    requirements: ['MAN-023'],
    description:
      'Every allowedDomains entry is an https or wss origin with a lowercase DNS host, no port 443, listed once',
    why: 'Hosts compare origins exactly; IP literals, wildcards, credentials or paths would widen or confuse the allow-list.',
    faults: rules.allowedDomainFaults,
  },
  {
    id: 'icons',
    requirements: ['MAN-025'],
    description:
      'icons is a non-empty list of objects with a relative src, sizes from 1x1 to 4096x4096 and an allowed type',
    why: 'Stores and home screens need at least one icon they can decode at a known size.',
    faults: rules.iconFaults,
  },
  {
    id: 'category',
    requirements: ['MAN-027'],
    description: 'category is one of the 22 categories of the specification',
    why: 'Stores file apps by category; an unknown one hides the app or breaks the listing.',
    faults: rules.categoryFaults,
  },
  {
    id: 'default-locale',
    requirements: ['MAN-028'],
    description: 'defaultLocale is a BCP 47 tag in canonical case such as en, pt-BR or zh-Hans-CN',
    why: 'The tag names a translation file, so its case must be predictable on every file system.',
    faults: rules.defaultLocaleFaults,
  },
  {
    id: 'translations',
    requirements: ['MAN-029'],
    description:
      'Every file in i18n/ is named <locale>.json and holds a UTF-8 JSON object of strings',
    why: 'Hosts look translations up by locale and substitute their strings; anything else breaks the lookup at run time.',
    faults: (_m, subject) =>
      [...subject.files.entries()]
        .filter(([path]) => path.startsWith('i18n/'))
        .flatMap(([path, entry]) => {
          const name = path.slice('i18n/'.length);
          const match = /^([^/]+)\.json$/.exec(name);
          if (!match || !rules.localeTag.test(match[1] as string)) {
            return [
              `${JSON.stringify(path)} is not named i18n/<locale>.json with a canonical locale tag`,
            ];
          }
          const bytes = entry.read();
          if (!bytes) return [`${path} could not be read intact (see PKG-001)`];
          const d = readJsonDocument(bytes);
          if (!d.utf8) return [`${path} is not valid UTF-8`];
          if (!d.ok)
            return [
              `${path} is not a JSON text${d.bom ? ' (it starts with a byte order mark)' : `: ${d.syntaxError ?? ''}`}`,
            ];
          if (!rules.isObject(d.value)) return [`${path} does not hold a JSON object`];
          const nonStrings = Object.entries(d.value).filter(([, v]) => typeof v !== 'string');
          return nonStrings.length
            ? [`${path}: member ${JSON.stringify(nonStrings[0]?.[0])} is not a string`]
            : [];
        }),
  },
  {
    id: 'default-translation',
    requirements: ['MAN-030'],
    description: 'A package with files in i18n/ holds the translation of its defaultLocale',
    why: 'The default locale is the fallback of every lookup; without its file the fallback fails.',
    faults: (m, subject) => {
      const hasI18n = [...subject.files.keys()].some((p) => p.startsWith('i18n/'));
      const locale = m['defaultLocale'];
      if (!hasI18n || typeof locale !== 'string') return [];
      return subject.files.has(`i18n/${locale}.json`)
        ? []
        : [`the package has files in i18n/ but not i18n/${locale}.json for its defaultLocale`];
    },
  },
  {
    id: 'no-nul-character',
    requirements: ['MAN-170'],
    description:
      'No string or member name of the manifest, vendor members included, contains U+0000',
    why: 'U+0000 ends a string in C and cannot be stored as text by PostgreSQL, so readers would truncate, refuse or crash on the same manifest in different ways.',
    faults: rules.nulCharacterFaults,
  },
];

export const manifestCases: ConformanceCase<PackageSubject>[] = [
  manifestFile,
  manifestJson,
  manifestBounds,
  ...memberRules.map(memberCase),
];
