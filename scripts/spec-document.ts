import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Requirement-id prefix owned by each spec document. */
export const documentPrefixes: Record<string, string> = {
  'manifest.md': 'MAN',
  'package.md': 'PKG',
  'signing.md': 'SIG',
  'versioning.md': 'VER',
  'distribution.md': 'API',
  'bridge.md': 'BRG',
  'permissions.md': 'PRM',
  'storage.md': 'STO',
  'lifecycle.md': 'LIF',
  'addressing.md': 'ADR',
  'review.md': 'REV',
  'budgets.md': 'BUD',
  'analytics.md': 'ANL',
  'errors.md': 'ERR',
};

export type ConformanceClass = 'package' | 'server' | 'host' | 'toolkit';
export type Level = 'MUST' | 'SHOULD' | 'MAY';

/**
 * How the conformance suite observes a requirement from outside the implementation (spec/README.md):
 * over the HTTP contract, by reading a package, through the host adapter, from inside the mini-app
 * frame, on the host's own screens, by measuring time, or by running a toolkit command; `audit` marks
 * a deployment rule that no test can observe and that an auditor checks (offline keys, for example).
 */
export type Observation =
  'http' | 'package' | 'adapter' | 'frame' | 'screen' | 'measure' | 'toolkit' | 'audit';
export const observations: readonly Observation[] = [
  'http',
  'package',
  'adapter',
  'frame',
  'screen',
  'measure',
  'toolkit',
  'audit',
];

export interface Requirement {
  id: string;
  document: string;
  section: string;
  classes: ConformanceClass[];
  /** How each MUST is observed from outside; empty for withdrawn lines. */
  observed: Observation[];
  level: Level | null;
  text: string;
}

export interface SpecProblem {
  file: string;
  line: number;
  message: string;
}

export const requirementIdPattern = /\b([A-Z]{3})-(\d{3})\b/g;
const definitionLine =
  /^- \*\*\[([A-Z]{3}-\d{3})\]\*\* ((?:`[a-z]+`(?:, )?)+) ((?:`@[a-z]+` )*)(.+)$/;
const startsLikeDefinition = /^\s*[-*]\s*\**\[[A-Z]{3}-\d{3}\]/;
const keywordLevels: [RegExp, Level][] = [
  [/\b(MUST NOT|MUST|REQUIRED|SHALL NOT|SHALL)\b/, 'MUST'],
  [/\b(SHOULD NOT|SHOULD|RECOMMENDED)\b/, 'SHOULD'],
  [/\b(MAY|OPTIONAL)\b/, 'MAY'],
];
const anyKeyword = /\b(MUST|REQUIRED|SHALL|SHOULD|RECOMMENDED|MAY|OPTIONAL)\b/;
const classes = new Set<ConformanceClass>(['package', 'server', 'host', 'toolkit']);
const observationSet = new Set<string>(observations);

/** Removes inline code spans so that key words quoted as code are not read as normative. */
function withoutCode(line: string): string {
  return line.replace(/`[^`]*`/g, '');
}

export interface ParsedSpec {
  requirements: Requirement[];
  problems: SpecProblem[];
}

/** Parses every spec document and checks the notation rules of spec/README.md. */
export async function parseSpec(specDir: string): Promise<ParsedSpec> {
  const requirements: Requirement[] = [];
  const problems: SpecProblem[] = [];
  const files = (await readdir(specDir)).filter((f) => f.endsWith('.md')).sort();
  const seen = new Map<string, string>();
  for (const file of files) {
    const prefix = documentPrefixes[file];
    const text = await readFile(path.join(specDir, file), 'utf8');
    let section = '';
    let fenced = false;
    text.split('\n').forEach((raw, index) => {
      const lineNo = index + 1;
      if (raw.startsWith('```')) {
        fenced = !fenced;
        return;
      }
      if (fenced) return;
      if (raw.startsWith('#')) section = raw.replace(/^#+\s*/, '');
      const match = definitionLine.exec(raw);
      if (!match) {
        if (startsLikeDefinition.test(raw)) {
          problems.push({
            file,
            line: lineNo,
            message:
              'looks like a requirement but does not follow "- **[XXX-000]** `class` Text." (see spec/README.md)',
          });
        } else if (prefix && anyKeyword.test(withoutCode(raw)) && !raw.startsWith('|')) {
          problems.push({
            file,
            line: lineNo,
            message: `normative key word "${anyKeyword.exec(withoutCode(raw))?.[1]}" outside a requirement line: give the statement an id or write it in lower case`,
          });
        }
        return;
      }
      const [, id = '', classList = '', observationList = '', body = ''] = match;
      if (!prefix) {
        problems.push({
          file,
          line: lineNo,
          message: `${file} is not a registered spec document (scripts/spec-document.ts)`,
        });
        return;
      }
      if (!id.startsWith(`${prefix}-`)) {
        problems.push({
          file,
          line: lineNo,
          message: `${id} is defined in ${file}, whose prefix is ${prefix}`,
        });
      }
      const previous = seen.get(id);
      if (previous) {
        problems.push({
          file,
          line: lineNo,
          message: `${id} is defined twice (first in ${previous})`,
        });
      }
      seen.set(id, `${file}:${lineNo}`);
      const parsedClasses = [...classList.matchAll(/`([a-z]+)`/g)].map(
        (m) => m[1] as ConformanceClass,
      );
      for (const c of parsedClasses) {
        if (!classes.has(c))
          problems.push({ file, line: lineNo, message: `${id}: unknown conformance class "${c}"` });
      }
      const observed = [...observationList.matchAll(/`@([a-z]+)`/g)].map(
        (m) => m[1] as Observation,
      );
      for (const o of observed) {
        if (!observationSet.has(o))
          problems.push({
            file,
            line: lineNo,
            message: `${id}: unknown observation "@${o}" (one of ${observations.map((x) => `@${x}`).join(', ')})`,
          });
      }
      const prose = withoutCode(body);
      const levels = keywordLevels.filter(([re]) => re.test(prose)).map(([, level]) => level);
      const withdrawn = /^Withdrawn in /.test(body);
      if (levels[0] === 'MUST' && levels.length === 1 && observed.length === 0) {
        problems.push({
          file,
          line: lineNo,
          message: `${id} is a MUST without an observation: say how it is observed from outside (\`@http\`, \`@package\`, \`@adapter\`, \`@frame\`, \`@screen\`, \`@measure\`, \`@toolkit\`, or \`@audit\` for a rule no test can see; spec/README.md)`,
        });
      }
      if (withdrawn && observed.length > 0) {
        problems.push({ file, line: lineNo, message: `${id} is withdrawn and has an observation` });
      }
      if (levels.length === 0 && !withdrawn) {
        problems.push({ file, line: lineNo, message: `${id} has no key word (MUST, SHOULD, MAY)` });
      } else if (levels.length > 1) {
        problems.push({
          file,
          line: lineNo,
          message: `${id} mixes levels ${levels.join(' and ')}: split it into one requirement per level`,
        });
      }
      requirements.push({
        id,
        document: file,
        section,
        classes: parsedClasses,
        observed,
        level: levels[0] ?? null,
        text: body.trim(),
      });
    });
  }
  requirements.sort((a, b) => a.id.localeCompare(b.id));
  return { requirements, problems };
}
