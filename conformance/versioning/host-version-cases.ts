import { bridgeMethodRegistry } from '#schemas';
import { defineCase, fromFaults, skip, type ConformanceCase } from '../framework/index.ts';
import { manifestOf } from '../manifest/manifest-inspection.ts';
import { codeOf, compareHostVersions, registeredMethods } from '../review/code-inspection.ts';
import type { PackageSubject } from '../suites/package-subject.ts';

function minHostVersionOf(subject: PackageSubject): string | undefined {
  const value = manifestOf(subject).manifest?.['minHostVersion'];
  return typeof value === 'string' && /^\d+\.\d+\.\d+$/.test(value) ? value : undefined;
}

/** [VER-170] The largest number of a host API version: it fits a signed 32-bit integer everywhere. */
const largestVersionNumber = 999_999_999n;

export const hostVersionCases: ConformanceCase<PackageSubject>[] = [
  defineCase<PackageSubject>({
    id: 'package.versioning.host-version-numbers',
    description: 'Each of the three numbers of minHostVersion is at most 999999999',
    requirements: ['VER-170'],
    level: 'MUST',
    class: 'package',
    lane: 'certify',
    why: 'Hosts and servers compare host API versions as integers; a larger number overflows 32-bit integers in some of them and compares differently in each.',
    run({ subject }) {
      const min = minHostVersionOf(subject);
      if (subject.blocked || !min) return skip('blocked: no minHostVersion of three numbers');
      const parts = ['MAJOR', 'MINOR', 'PATCH'] as const;
      return fromFaults(
        min
          .split('.')
          .map((n, i) =>
            BigInt(n) > largestVersionNumber
              ? `the ${parts[i] ?? ''} number of minHostVersion ${min} is above 999999999`
              : '',
          )
          .filter(Boolean),
      );
    },
  }),
  defineCase<PackageSubject>({
    id: 'package.versioning.lowest-min-host-version',
    description:
      'minHostVersion is the lowest host API version that the unguarded bridge calls need',
    requirements: ['VER-011'],
    level: 'SHOULD',
    class: 'package',
    lane: 'certify',
    why: 'A higher minHostVersion than the code needs shuts the app out of hosts that could run it.',
    run({ subject }) {
      const min = minHostVersionOf(subject);
      if (subject.blocked || !min) return skip('blocked: no readable minHostVersion');
      const registry = registeredMethods();
      const needed = codeOf(subject)
        .bridgeCalls.filter((c) => !c.guarded)
        .map((c) => registry.get(c.method)?.since)
        .filter((v): v is string => v !== undefined)
        .reduce(
          (a, b) => (compareHostVersions(a, b) >= 0 ? a : b),
          bridgeMethodRegistry().hostApiVersions[0] ?? '1.0.0',
        );
      return fromFaults(
        compareHostVersions(min, needed) > 0
          ? [`minHostVersion is ${min}, but the unguarded calls need only ${needed}`]
          : [],
        `the code needs ${needed}`,
      );
    },
  }),
  defineCase<PackageSubject>({
    id: 'package.versioning.defined-host-version',
    description: 'minHostVersion is a host API version that the specification version defines',
    requirements: ['VER-014'],
    level: 'SHOULD',
    class: 'package',
    lane: 'certify',
    why: 'No host implements an undefined host API version, so the app could never launch.',
    run({ subject }) {
      const min = minHostVersionOf(subject);
      if (subject.blocked || !min) return skip('blocked: no readable minHostVersion');
      const defined = bridgeMethodRegistry().hostApiVersions;
      return fromFaults(
        defined.includes(min) ? [] : [`minHostVersion ${min} is not one of ${defined.join(', ')}`],
      );
    },
  }),
  defineCase<PackageSubject>({
    id: 'package.manifest.large-icon',
    description: 'icons holds an icon of at least 192 by 192 pixels',
    requirements: ['MAN-026'],
    level: 'SHOULD',
    class: 'package',
    lane: 'certify',
    why: 'Launchers and stores scale icons down well and up badly.',
    run({ subject }) {
      const icons = manifestOf(subject).manifest?.['icons'];
      if (subject.blocked || !Array.isArray(icons)) return skip('blocked: no readable icons');
      const large = icons.some((icon) => {
        const m = /^(\d+)x(\d+)$/.exec(String((icon as { sizes?: unknown }).sizes));
        return m !== null && Number(m[1]) >= 192 && Number(m[2]) >= 192;
      });
      return fromFaults(large ? [] : ['no icon is 192x192 or larger']);
    },
  }),
];
