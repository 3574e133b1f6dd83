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
  'conformance.md': 'CNF',
};

export type ConformanceClass = 'package' | 'server' | 'host' | 'toolkit';
export type Level = 'MUST' | 'SHOULD' | 'MAY';

/**
 * How the conformance suite observes a requirement from outside the implementation (spec/README.md):
 * over the HTTP contract, by reading a package, through the host adapter, from inside the mini-app
 * frame, on the host's own screens, by measuring time, or by running a toolkit command.
 */
export type Observation =
  'http' | 'package' | 'adapter' | 'frame' | 'screen' | 'measure' | 'toolkit';
export const observations: readonly Observation[] = [
  'http',
  'package',
  'adapter',
  'frame',
  'screen',
  'measure',
  'toolkit',
];

export interface Requirement {
  id: string;
  document: string;
  section: string;
  classes: ConformanceClass[];
  /** How each MUST is observed from outside; empty for withdrawn lines and those listed as not certifiable. */
  observed: Observation[];
  /**
   * Why a MUST cannot be certified from outside, as the table of conformance.md states it; null for
   * every requirement that table does not list.
   */
  notCertifiable: string | null;
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

/**
 * Which classes an observation can see (spec/README.md): the suite reads packages, talks HTTP to
 * servers, drives hosts through the adapter, the probe frame or their screens, times servers and
 * hosts, and runs the toolkit.
 */
export const observationClasses: Record<Observation, readonly ConformanceClass[]> = {
  http: ['server'],
  package: ['package'],
  adapter: ['host'],
  frame: ['host'],
  screen: ['host'],
  measure: ['server', 'host'],
  toolkit: ['toolkit'],
};

/** The document and heading whose table lists the MUSTs that cannot be certified from outside. */
export const notCertifiableDocument = 'conformance.md';
export const notCertifiableHeading = 'Requirements not certifiable from outside';
const notCertifiableRow = /^\| \[([A-Z]{3}-\d{3})\] \| (.*) \|$/;

export interface ParsedSpec {
  requirements: Requirement[];
  problems: SpecProblem[];
}

/** One spec document: its file name (e.g. `bridge.md`) and its text. */
export interface SpecDocument {
  file: string;
  text: string;
}

interface Located {
  requirement: Requirement;
  file: string;
  line: number;
}

interface ListedRow {
  id: string;
  reason: string;
  line: number;
}

/** Reads the table of MUSTs not certifiable from outside: `| [ABC-012] | reason |` rows under its heading. */
export function notCertifiableRows(text: string): {
  rows: ListedRow[];
  problems: Omit<SpecProblem, 'file'>[];
} {
  const rows: ListedRow[] = [];
  const problems: Omit<SpecProblem, 'file'>[] = [];
  let inside = false;
  text.split('\n').forEach((raw, index) => {
    if (/^#{1,6} /.test(raw)) {
      inside = raw.replace(/^#+\s*/, '') === notCertifiableHeading;
      return;
    }
    if (!inside || !raw.startsWith('|') || /^\|\s*(Id|-+)\s*\|/.test(raw)) return;
    const match = notCertifiableRow.exec(raw);
    if (!match) {
      problems.push({
        line: index + 1,
        message: `a row of "${notCertifiableHeading}" must read "| [ABC-012] | reason |"`,
      });
      return;
    }
    const [, id = '', reason = ''] = match;
    rows.push({ id, reason: reason.trim(), line: index + 1 });
  });
  return { rows, problems };
}

/** Parses spec documents and checks the notation rules of spec/README.md. */
export function checkSpecDocuments(documents: readonly SpecDocument[]): ParsedSpec {
  const located: Located[] = [];
  const problems: SpecProblem[] = [];
  const seen = new Map<string, string>();
  for (const { file, text } of [...documents].sort((a, b) => a.file.localeCompare(b.file))) {
    const prefix = documentPrefixes[file];
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
      if (levels[0] !== undefined && levels[0] !== 'MUST' && observed.length > 0) {
        problems.push({
          file,
          line: lineNo,
          message: `${id} is a ${levels[0]}: only MUST lines name observations (certification counts MUSTs only)`,
        });
      }
      located.push({
        file,
        line: lineNo,
        requirement: {
          id,
          document: file,
          section,
          classes: parsedClasses,
          observed,
          notCertifiable: null,
          level: levels[0] ?? null,
          text: body.trim(),
        },
      });
    });
  }
  problems.push(...checkObservations(located, documents));
  const requirements = located.map((l) => l.requirement);
  requirements.sort((a, b) => a.id.localeCompare(b.id));
  return { requirements, problems };
}

/**
 * Every MUST says how it is observed, with observations that can see each of its classes, unless the
 * table of conformance.md lists it as not certifiable (then it names no observation).
 */
function checkObservations(located: Located[], documents: readonly SpecDocument[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const byId = new Map(located.map((l) => [l.requirement.id, l]));
  const listing = documents.find((d) => d.file === notCertifiableDocument);
  const listed = new Map<string, ListedRow>();
  if (listing) {
    const { rows, problems: rowProblems } = notCertifiableRows(listing.text);
    problems.push(...rowProblems.map((p) => ({ ...p, file: notCertifiableDocument })));
    for (const row of rows) {
      const at = { file: notCertifiableDocument, line: row.line };
      const target = byId.get(row.id);
      if (listed.has(row.id)) {
        problems.push({ ...at, message: `${row.id} is listed twice as not certifiable` });
      } else if (!target) {
        problems.push({
          ...at,
          message: `${row.id} is listed as not certifiable but is not defined`,
        });
      } else if (target.requirement.level !== 'MUST') {
        problems.push({
          ...at,
          message: `${row.id} is listed as not certifiable but is not a MUST (only MUSTs are certified)`,
        });
      } else if (row.reason.length < 10) {
        problems.push({ ...at, message: `${row.id}: give the reason it cannot be certified` });
      }
      if (target) target.requirement.notCertifiable = row.reason;
      listed.set(row.id, row);
    }
  }
  for (const { requirement: r, file, line } of located) {
    if (r.level !== 'MUST') continue;
    const at = { file, line };
    if (r.notCertifiable !== null) {
      if (r.observed.length > 0) {
        problems.push({
          ...at,
          message: `${r.id} is listed in ${notCertifiableDocument} as not certifiable, so it names no observation`,
        });
      }
      continue;
    }
    if (r.observed.length === 0) {
      problems.push({
        ...at,
        message: `${r.id} is a MUST without an observation: say how it is observed from outside (${observations.map((o) => `\`@${o}\``).join(', ')}; spec/README.md), or list it under "${notCertifiableHeading}" in ${notCertifiableDocument} with the reason`,
      });
      continue;
    }
    for (const o of r.observed) {
      const sees = observationClasses[o];
      if (sees && !sees.some((c) => r.classes.includes(c))) {
        problems.push({
          ...at,
          message: `${r.id}: @${o} observes only ${sees.map((c) => `\`${c}\``).join(' or ')}, which the line does not bind`,
        });
      }
    }
    for (const c of r.classes) {
      if (!r.observed.some((o) => observationClasses[o]?.includes(c))) {
        problems.push({
          ...at,
          message: `${r.id} binds \`${c}\` but no observation of the line sees that class (${observations
            .filter((o) => observationClasses[o].includes(c))
            .map((o) => `@${o}`)
            .join(', ')})`,
        });
      }
    }
  }
  return problems;
}

/** Reads every spec document of a folder and checks it (see checkSpecDocuments). */
export async function parseSpec(specDir: string): Promise<ParsedSpec> {
  const files = (await readdir(specDir)).filter((f) => f.endsWith('.md')).sort();
  const documents = await Promise.all(
    files.map(async (file) => ({ file, text: await readFile(path.join(specDir, file), 'utf8') })),
  );
  return checkSpecDocuments(documents);
}
