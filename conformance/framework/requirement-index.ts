import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the suite reads the specification from spec/ and its schemas from schemas/. */
export const repositoryRoot = path.resolve(import.meta.dirname, '..', '..');

export type ConformanceClass = 'package' | 'server' | 'host' | 'toolkit';
export const conformanceClasses: readonly ConformanceClass[] = [
  'package',
  'server',
  'host',
  'toolkit',
];
export type Level = 'MUST' | 'SHOULD' | 'MAY';

/** One requirement of spec/generated/requirements.json, with the line that defines it. */
export interface SpecRequirement {
  id: string;
  document: string;
  section: string;
  classes: string[];
  /** How a MUST is observed from outside (`http`, `package`, ...); empty for other levels. */
  observed: string[];
  /** The reason of spec/conformance.md's table when the MUST is not certifiable from outside. */
  notCertifiable: string | null;
  /** null for a withdrawn line. */
  level: Level | null;
  text: string;
  /** 1-based line of the definition in spec/<document>, 0 when the line was not found. */
  line: number;
}

export interface RequirementIndex {
  specVersion: string;
  requirements: readonly SpecRequirement[];
  byId: ReadonlyMap<string, SpecRequirement>;
}

interface GeneratedIndex {
  requirements: Omit<SpecRequirement, 'line'>[];
}

/** Finds the line of each `- **[ID]**` definition so that reports can link to it. */
function definitionLines(specDir: string, documents: Iterable<string>): Map<string, number> {
  const lines = new Map<string, number>();
  for (const document of documents) {
    let text: string;
    try {
      text = readFileSync(path.join(specDir, document), 'utf8');
    } catch {
      continue;
    }
    text.split('\n').forEach((line, index) => {
      const match = /^- \*\*\[([A-Z]{3}-\d{3})\]\*\*/.exec(line);
      if (match?.[1]) lines.set(match[1], index + 1);
    });
  }
  return lines;
}

function readSpecVersion(specDir: string): string {
  try {
    const readme = readFileSync(path.join(specDir, 'README.md'), 'utf8');
    return /^Version: \*\*([^*]+)\*\*/m.exec(readme)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

let cached: RequirementIndex | undefined;

/** The requirements of the specification in this repository (spec/generated/requirements.json). */
export function requirementIndex(root = repositoryRoot): RequirementIndex {
  if (cached && root === repositoryRoot) return cached;
  const specDir = path.join(root, 'spec');
  const generated = JSON.parse(
    readFileSync(path.join(specDir, 'generated', 'requirements.json'), 'utf8'),
  ) as GeneratedIndex;
  const lines = definitionLines(specDir, new Set(generated.requirements.map((r) => r.document)));
  const requirements = generated.requirements.map((r) => ({ ...r, line: lines.get(r.id) ?? 0 }));
  const index: RequirementIndex = {
    specVersion: readSpecVersion(specDir),
    requirements,
    byId: new Map(requirements.map((r) => [r.id, r])),
  };
  if (root === repositoryRoot) cached = index;
  return index;
}

/** Live MUST-level requirements that bind a class. */
export function mustsOf(index: RequirementIndex, cls: ConformanceClass): SpecRequirement[] {
  return index.requirements.filter((r) => r.level === 'MUST' && r.classes.includes(cls));
}

/**
 * A `toolkit` line of spec/conformance.md binds miniapp-certify itself, not the toolkit a run
 * certifies (apart from its section "Toolkit commands"): its harness tests prove it (the
 * traceability check requires one that cites the id), and a report lists it apart, neither passed
 * nor failed.
 */
export function bindsSuite(r: Pick<SpecRequirement, 'document' | 'classes' | 'section'>): boolean {
  return (
    r.document === 'conformance.md' &&
    r.classes.includes('toolkit') &&
    r.section !== 'Toolkit commands'
  );
}
