import { clientCases } from '../bridge/client-cases.ts';
import { defaultChromium } from '../bridge/client-session.ts';
import { defineSuite, type ImplementationName } from '../framework/index.ts';
import { manifestOf } from '../manifest/manifest-inspection.ts';
import { manifestCases } from '../manifest/manifest-cases.ts';
import { canonicalFormCases } from '../package/canonical-form-cases.ts';
import { containerCases } from '../package/container-cases.ts';
import { pathCases } from '../package/path-cases.ts';
import { sizeLimitCases } from '../package/size-limit-cases.ts';
import { codeRuleCases } from '../review/code-rule-cases.ts';
import { hostVersionCases } from '../versioning/host-version-cases.ts';
import { openPackage, type PackageSubject } from './package-subject.ts';

/**
 * What a package states about itself: the manifest's id and version; a package whose manifest
 * cannot be read is named by its file and, for an archive, the size of its bytes.
 */
function implementationOf(subject: PackageSubject): ImplementationName {
  const manifest = subject.blocked ? undefined : manifestOf(subject).manifest;
  const id = manifest?.['id'];
  const version = manifest?.['version'];
  return {
    name: typeof id === 'string' && id.trim() ? id : subject.label,
    version:
      typeof version === 'string' && version.trim()
        ? version
        : `unversioned (${subject.kind === 'archive' ? `${subject.archive?.size ?? 0} bytes, no readable manifest` : 'no readable manifest'})`,
  };
}

/**
 * The package class: a `.ma` file, or the directory it is packed from, against every requirement
 * that binds a package. It reads the bytes itself and shares no code with `miniapp validate`.
 */
export const packageSuite = defineSuite<PackageSubject>({
  class: 'package',
  title: 'Mini-app package',
  defaultTimeoutMs: 30_000,
  cases: [
    ...containerCases,
    ...pathCases,
    ...sizeLimitCases,
    ...canonicalFormCases,
    ...manifestCases,
    ...codeRuleCases,
    ...hostVersionCases,
    ...clientCases,
  ],
  command: {
    usage: '<file.ma|directory> [options]',
    summary: 'certify a mini-app package (.ma) or the directory it is packed from',
    options: { chromium: { type: 'string' } },
    optionHelp: {
      chromium: `Chromium for the bridge-client cases (default ${defaultChromium}; env CHROMIUM_PATH)`,
    },
    positionals: { min: 1, max: 1, names: 'the package file or directory to certify' },
    open: (args) => {
      const target = args.positionals[0] as string;
      const subject = openPackage(target);
      const chromium = args.values['chromium'];
      if (typeof chromium === 'string') subject.chromiumPath = chromium;
      const details: Record<string, string | number> = {
        entries: subject.entries.length,
        bytes:
          subject.kind === 'archive'
            ? (subject.archive?.size ?? 0)
            : subject.entries.reduce((n, e) => n + e.size, 0),
      };
      return Promise.resolve({
        subject,
        target: { kind: subject.kind, label: subject.label, details },
        implementation: implementationOf(subject),
      });
    },
  },
});
