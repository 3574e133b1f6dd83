import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequirementIndex } from '../framework/index.ts';

/** One scenario of a Gherkin feature, with the tags it carries (its own, its Rule's, its Feature's). */
export interface FeatureScenario {
  file: string;
  line: number;
  name: string;
  tags: string[];
  /** Requirement ids among the tags (`@API-075` gives `API-075`). */
  requirements: string[];
}

const idTag = /^@([A-Z]{3}-\d{3})$/;
const keyword =
  /^(Feature|Rule|Background|Scenario Outline|Scenario Template|Scenario|Example|Examples|Scenarios):/;

/**
 * Reads the scenarios of Gherkin text: tag lines attach to the next Feature, Rule, Scenario or
 * Examples keyword; a scenario inherits its Feature's and Rule's tags, and an outline its Examples'.
 */
export function featureScenarios(text: string, file: string): FeatureScenario[] {
  const scenarios: FeatureScenario[] = [];
  let pending: string[] = [];
  let featureTags: string[] = [];
  let ruleTags: string[] = [];
  let current: FeatureScenario | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('@')) {
      pending.push(
        ...line
          .replace(/\s#.*$/, '')
          .split(/\s+/)
          .filter((t) => t.startsWith('@')),
      );
      return;
    }
    const kw = keyword.exec(line)?.[1];
    if (!kw) return;
    if (kw === 'Feature') featureTags = pending;
    else if (kw === 'Rule') ruleTags = pending;
    else if (kw === 'Examples' || kw === 'Scenarios') current?.tags.push(...pending);
    else if (kw !== 'Background') {
      current = {
        file,
        line: i + 1,
        name: line.slice(kw.length + 1).trim(),
        tags: [...featureTags, ...ruleTags, ...pending],
        requirements: [],
      };
      scenarios.push(current);
    }
    pending = [];
  });
  for (const s of scenarios) {
    s.tags = [...new Set(s.tags)];
    s.requirements = s.tags.flatMap((t) => idTag.exec(t)?.[1] ?? []);
  }
  return scenarios;
}

/** Every scenario of every `.feature` file below `dir`. */
export function readFeatures(dir: string): FeatureScenario[] {
  let files: string[];
  try {
    files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.feature'))
    .sort()
    .flatMap((f) =>
      featureScenarios(readFileSync(path.join(dir, f), 'utf8'), path.join(path.basename(dir), f)),
    );
}

export interface FeatureCoverage {
  scenarios: number;
  /** MUSTs with a scenario that runs: against a server, or against a host (@host, features/cucumber.mjs). */
  runnable: Set<string>;
  /** Of `runnable`, the MUSTs with a @host scenario (run on the host suite's driver). */
  host: Set<string>;
  /** MUSTs only in scenarios that wait for the reference (@pending-reference). */
  excluded: Set<string>;
  problems: string[];
}

/** Tags that keep a scenario out of every default run (features/cucumber.mjs). */
export const excludedTags = ['@pending-reference'];

/**
 * What the features cover, reported beside the suites and never counted as a case: a scenario's
 * ids must be defined (withdrawn ids are refused), and every scenario must cite at least one.
 */
export function featureCoverage(
  index: RequirementIndex,
  scenarios: readonly FeatureScenario[],
): FeatureCoverage {
  const problems: string[] = [];
  const runnable = new Set<string>();
  const host = new Set<string>();
  const excluded = new Set<string>();
  for (const s of scenarios) {
    const where = `${s.file}:${s.line} "${s.name}"`;
    if (s.requirements.length === 0) problems.push(`${where} is tagged with no requirement id`);
    const off = s.tags.some((t) => excludedTags.includes(t));
    const onHost = s.tags.includes('@host');
    for (const id of s.requirements) {
      const r = index.byId.get(id);
      if (!r) problems.push(`${where} cites ${id}, which no spec document defines`);
      else if (r.level === null) problems.push(`${where} cites ${id}, which is withdrawn`);
      else if (r.level === 'MUST') {
        (off ? excluded : runnable).add(id);
        if (!off && onHost) host.add(id);
      }
    }
  }
  for (const id of runnable) excluded.delete(id);
  return { scenarios: scenarios.length, runnable, host, excluded, problems };
}

export function featureCoverageLine(c: FeatureCoverage): string {
  return `features: ${c.runnable.size} MUSTs covered by scenarios that run against a server or a host (${c.host.size} by @host scenarios), ${c.excluded.size} more by scenarios awaiting the reference (${c.scenarios} scenarios)`;
}
