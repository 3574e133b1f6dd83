import {
  defineCase,
  fromFaults,
  skip,
  type CaseVerdict,
  type ConformanceCase,
  type Level,
} from '../framework/index.ts';
import { manifestOf } from '../manifest/manifest-inspection.ts';
import type { PackageSubject } from '../suites/package-subject.ts';
import {
  codeOf,
  compareHostVersions,
  isExternal,
  originOf,
  registeredMethods,
  resourceFault,
  type CodeInspection,
} from './code-inspection.ts';

interface CodeRule {
  id: string;
  requirements: string[];
  level?: Level;
  description: string;
  why: string;
  /** Needs the manifest (permissions, minHostVersion, allowedDomains). */
  manifest?: boolean;
  faults(code: CodeInspection, manifest: Record<string, unknown>): string[];
}

function codeCase(rule: CodeRule): ConformanceCase<PackageSubject> {
  return defineCase<PackageSubject>({
    id: `package.review.${rule.id}`,
    description: rule.description,
    requirements: rule.requirements,
    level: rule.level ?? 'MUST',
    class: 'package',
    lane: 'certify',
    why: rule.why,
    run({ subject }): CaseVerdict {
      if (subject.blocked) return skip(`blocked: ${subject.blocked}`);
      const manifest = manifestOf(subject).manifest;
      if (rule.manifest && !manifest)
        return skip('blocked: the rule compares code with the manifest, which could not be read');
      const code = codeOf(subject);
      const n = code.inventory.units.length;
      return fromFaults(
        rule.faults(code, manifest ?? {}),
        `${n} script${n === 1 ? '' : 's'} reviewed`,
      );
    },
  });
}

const findingsOf = (requirement: string) => (code: CodeInspection) =>
  code.findings.filter((f) => f.requirement === requirement).map((f) => f.message);

const at = (p: { file: string; line: number; column: number }) => `${p.file}:${p.line}:${p.column}`;

const rules: CodeRule[] = [
  {
    id: 'scripts-parse',
    requirements: ['REV-101'],
    description: 'Every script, inline script and event-handler attribute parses as ECMAScript',
    why: 'Code that does not parse cannot be reviewed, and fails on the device anyway.',
    faults: findingsOf('REV-101'),
  },
  {
    id: 'utf8',
    requirements: ['REV-102'],
    description: 'Scripts and HTML documents are encoded in UTF-8',
    why: 'The review must read the same text the host runs; another encoding can hide code from one of them.',
    faults: (code) => code.inventory.notUtf8.map((f) => `${f} is not valid UTF-8`),
  },
  {
    id: 'no-eval',
    requirements: ['REV-104'],
    description:
      'Code never reaches the global eval, directly or through the global object or an alias',
    why: 'A string run as code escapes the review that the platform signs.',
    faults: findingsOf('REV-104'),
  },
  {
    id: 'no-function-constructor',
    requirements: ['REV-105'],
    description:
      'Code never creates functions from strings with Function or the constructor of a function object',
    why: 'new Function is eval under another name.',
    faults: findingsOf('REV-105'),
  },
  {
    id: 'no-string-timers',
    requirements: ['REV-106'],
    description: 'Code never passes a string to setTimeout or setInterval',
    why: 'The browser evaluates a string timer argument as code.',
    faults: findingsOf('REV-106'),
  },
  {
    id: 'no-remote-code',
    requirements: ['REV-107'],
    description: 'Code imports and loads only scripts that are files of the package',
    why: 'Every line of code must ship inside the signed package; remote code changes after review.',
    faults: findingsOf('REV-107'),
  },
  {
    id: 'literal-specifiers',
    requirements: ['REV-108'],
    description: 'Dynamic import() and importScripts take only string literals',
    why: 'A computed specifier names code that cannot be known before run time.',
    faults: findingsOf('REV-108'),
  },
  {
    id: 'page-resources',
    requirements: ['REV-109'],
    description:
      'HTML documents load scripts, stylesheets, frames, objects and base URLs only from the package',
    why: 'A remote script, stylesheet or frame is content the review never saw; a remote <base> redirects every relative URL.',
    faults: (code) => [
      ...code.inventory.resources.filter((r) => isExternal(r.url)).map(resourceFault),
      ...code.inventory.styleImports
        .filter((r) => isExternal(r.url))
        .map(
          (r) =>
            `${r.file}:${r.line}: @import ${JSON.stringify(r.url)} loads a stylesheet from outside the package`,
        ),
    ],
  },
  {
    id: 'no-frame-escape',
    requirements: ['REV-110'],
    description: 'Code never accesses parent, top, opener or frameElement of its window',
    why: 'A mini-app talks to its host only through the bridge; the frame tree is the host’s.',
    faults: findingsOf('REV-110'),
  },
  {
    id: 'no-document-domain',
    requirements: ['REV-111'],
    description: 'Code never assigns document.domain',
    why: 'Assigning document.domain relaxes same-origin isolation between frames.',
    faults: findingsOf('REV-111'),
  },
  {
    id: 'registered-methods',
    requirements: ['REV-114'],
    description: 'Every bridge method named by a string literal is a method of the registry',
    why: 'An unregistered name fails only at run time on a device; usually it is a typo.',
    faults: (code) => {
      const registry = registeredMethods();
      return code.bridgeCalls
        .filter((c) => !registry.has(c.method))
        .map((c) => `${at(c)}: ${JSON.stringify(c.method)} is not a method of the bridge registry`);
    },
  },
  {
    id: 'permissions-declared',
    requirements: ['REV-116'],
    manifest: true,
    description:
      'The manifest declares, with a reason, every permission that a bridge method called by the code requires',
    why: 'Hosts deny an undeclared permission outright, and users must see every permission before installing.',
    faults: (code, manifest) => {
      const registry = registeredMethods();
      const declared = manifest['permissions'];
      const has = (p: string) => {
        if (typeof declared !== 'object' || declared === null) return false;
        const d = (declared as Record<string, unknown>)[p];
        return (
          typeof d === 'object' &&
          d !== null &&
          typeof (d as { reason?: unknown }).reason === 'string' &&
          /\S/.test((d as { reason: string }).reason)
        );
      };
      return code.bridgeCalls.flatMap((c) => {
        const permission = registry.get(c.method)?.permission;
        return permission && !has(permission)
          ? [
              `${at(c)}: ${c.method} requires the permission "${permission}", which the manifest does not declare`,
            ]
          : [];
      });
    },
  },
  {
    id: 'methods-within-min-host-version',
    requirements: ['REV-118', 'VER-010'],
    manifest: true,
    description:
      'Code calls no bridge method newer than minHostVersion unless a capability query for it answered true first',
    why: 'The manifest promises to run on every host at minHostVersion; a newer method fails there with NOT_SUPPORTED.',
    faults: (code, manifest) => {
      const registry = registeredMethods();
      const min = manifest['minHostVersion'];
      if (typeof min !== 'string' || !/^\d+\.\d+\.\d+$/.test(min)) return [];
      return code.bridgeCalls.flatMap((c) => {
        const since = registry.get(c.method)?.since;
        return since && compareHostVersions(since, min) > 0 && !c.guarded
          ? [
              `${at(c)}: ${c.method} needs host API ${since} but minHostVersion is ${min}, and no canIUse('${c.method}') guards the call`,
            ]
          : [];
      });
    },
  },
  {
    id: 'network-origins',
    requirements: ['REV-119'],
    manifest: true,
    description:
      'Every absolute URL given to a network API is https or wss and has an origin listed in allowedDomains',
    why: 'Hosts refuse other origins at run time; finding them before release saves a broken feature.',
    faults: (code, manifest) => {
      const allowed = new Set(
        (Array.isArray(manifest['allowedDomains']) ? manifest['allowedDomains'] : [])
          .map((d) => (typeof d === 'string' ? originOf(d) : undefined))
          .filter((d): d is string => d !== undefined),
      );
      return code.networkUrls.flatMap((u) => {
        const text = u.prefix.startsWith('//') ? `https:${u.prefix}` : u.prefix;
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
        if (!scheme) return [];
        const shown = JSON.stringify(u.prefix.slice(0, 100));
        if (scheme !== 'https' && scheme !== 'wss')
          return [`${at(u)}: ${u.api} is given ${shown}, which is neither https nor wss`];
        const authority = /^[a-z]+:\/\/([^/?#]*)([/?#]|$)/i.exec(text);
        if (!authority || (!authority[2] && !u.complete)) return [];
        const origin = originOf(`${scheme}://${authority[1] ?? ''}/`);
        return origin && allowed.has(origin)
          ? []
          : [
              `${at(u)}: ${u.api} is given ${shown}, whose origin ${origin ?? '(invalid)'} is not in allowedDomains`,
            ];
      });
    },
  },
  {
    id: 'no-document-write',
    requirements: ['REV-112'],
    level: 'SHOULD',
    description: 'Code does not call document.write or document.writeln',
    why: 'document.write blocks parsing and is blocked by many hosts.',
    faults: (code) => code.documentWrites.map((w) => `${at(w)}: document.write is called`),
  },
  {
    id: 'no-inline-handlers',
    requirements: ['REV-113'],
    level: 'SHOULD',
    description: 'HTML documents have no event-handler attributes or javascript: URLs',
    why: "The host's content security policy has no 'unsafe-inline', so they never run and the feature silently does nothing.",
    faults: (code) =>
      code.inventory.inlineHandlers.map(
        (h) => `${h.file}:${h.line}: <${h.element} ${h.attribute}> is inline script`,
      ),
  },
  {
    id: 'literal-method-names',
    requirements: ['REV-115'],
    level: 'SHOULD',
    description: 'Code names bridge methods with string literals',
    why: 'Permissions and host versions can only be checked for methods the review can read.',
    faults: (code) =>
      code.dynamicBridgeCalls.map((c) => `${at(c)}: a bridge method is named by a computed value`),
  },
  {
    id: 'no-unused-permissions',
    requirements: ['REV-117'],
    level: 'SHOULD',
    manifest: true,
    description: 'The manifest declares no permission that no bridge call of the code requires',
    why: 'Asking for more than the code uses erodes the trust users put in permission prompts.',
    faults: (code, manifest) => {
      const registry = registeredMethods();
      const used = new Set(
        code.bridgeCalls.map((c) => registry.get(c.method)?.permission).filter(Boolean),
      );
      const declared =
        typeof manifest['permissions'] === 'object' && manifest['permissions'] !== null
          ? Object.keys(manifest['permissions'])
          : [];
      return declared
        .filter((p) => !used.has(p as never))
        .map((p) => `the permission "${p}" is declared but no literal bridge call requires it`);
    },
  },
];

export const codeRuleCases: ConformanceCase<PackageSubject>[] = rules.map(codeCase);
