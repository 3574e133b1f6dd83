import {
  CaseFailure,
  defineCase,
  fail,
  pass,
  type CaseContext,
  type CaseVerdict,
  type ConformanceCase,
  type Lane,
  type Level,
} from '../framework/index.ts';
import type { HostSubject } from './host-subject.ts';
import { describe, HostSession, type Outcome, type SessionOptions } from './host-session.ts';

/**
 * A case of the host suite: it starts its own session with the host (reset, init at a fresh world)
 * unless it says otherwise, and returns a verdict from what the adapter, the probe, the host's
 * screens and the suite's distribution server observed.
 */
export interface HostCaseDefinition {
  id: string;
  description: string;
  requirements: readonly string[];
  why: string;
  level?: Level;
  lane?: Lane;
  timeoutMs?: number;
  /** Session options, or false to start none (the case drives the adapter itself). */
  session?: SessionOptions | false;
  run(s: HostSession, context: CaseContext<HostSubject>): Promise<CaseVerdict | undefined>;
}

export function hostCase(definition: HostCaseDefinition): ConformanceCase<HostSubject> {
  return defineCase<HostSubject>({
    id: definition.id,
    description: definition.description,
    requirements: definition.requirements,
    level: definition.level ?? 'MUST',
    class: 'host',
    lane: definition.lane ?? 'certify',
    why: definition.why,
    timeoutMs: definition.timeoutMs ?? 90_000,
    async run(context) {
      const s = new HostSession(context.subject, context.note, context.signal);
      if (definition.session !== false) await s.start(definition.session ?? {});
      const verdict = await definition.run(s, context);
      return verdict ?? pass();
    },
  });
}

/** Fails unless the outcome is a refusal (with one of `codes`, when the requirement names them). */
export function expectRefused(
  outcome: Outcome,
  codes: readonly string[] | undefined,
  what: string,
): void {
  if (outcome.kind !== 'refused') {
    throw new CaseFailure(`${what}: the host answered ${describe(outcome)} instead of refusing`);
  }
  if (codes && codes.length > 0 && !codes.includes(outcome.code ?? '')) {
    throw new CaseFailure(
      `${what}: the host refused with ${outcome.code ?? 'no code'}, the requirement names ${codes.join(' or ')}`,
    );
  }
}

/** Fails unless the app is absent from `state`, or installed at exactly `version`. */
export async function expectInstalled(
  s: HostSession,
  appId: string,
  version: number | undefined,
  what: string,
): Promise<void> {
  const installed = await s.installedVersion(appId);
  if (installed !== version) {
    throw new CaseFailure(
      version === undefined
        ? `${what}: state lists ${appId} as installed at versionCode ${installed}`
        : `${what}: state lists ${appId} at versionCode ${installed ?? 'none'}, expected ${version}`,
    );
  }
}

export function expectOutcome(
  outcome: Outcome,
  kind: Outcome['kind'],
  versionCode: number | undefined,
  what: string,
): void {
  if (outcome.kind !== kind || (versionCode !== undefined && outcome.versionCode !== versionCode)) {
    throw new CaseFailure(
      `${what}: the host answered ${describe(outcome)}, expected ${kind}${versionCode === undefined ? '' : ` versionCode ${versionCode}`}`,
    );
  }
}

/** The value, or a failure of the case naming what was missing. */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new CaseFailure(`${what} is missing`);
  return value;
}

export { fail, pass };
