import { setTimeout as delay } from 'node:timers/promises';
import {
  budgetVerdict,
  CaseFailure,
  defineCase,
  defineSuite,
  fail,
  pass,
  skip,
  type ConformanceCase,
  type Suite,
} from '../index.ts';

/** What each sample case should do, keyed by case id; absent means pass. */
export type Behaviour =
  | 'pass'
  | 'fail'
  | 'skip'
  | 'throw-failure'
  | 'crash'
  | 'hang'
  | 'within-budget'
  | 'over-budget'
  | 'unmeasured';
export type SampleSubject = Record<string, Behaviour>;

function behave(id: string) {
  return async ({
    subject,
    signal,
    note,
  }: {
    subject: SampleSubject;
    signal: AbortSignal;
    note(l: string): void;
  }) => {
    const behaviour = subject[id] ?? 'pass';
    note(`behaviour ${behaviour}`);
    switch (behaviour) {
      case 'fail':
        return fail(`${id} observed a fault`, ['at /somewhere']);
      case 'skip':
        return skip('does not apply');
      case 'throw-failure':
        throw new CaseFailure('thrown failure', ['evidence line']);
      case 'crash':
        throw new TypeError('cannot read properties of undefined');
      case 'hang':
        await delay(10_000, undefined, { signal }).catch(() => undefined);
        return pass();
      case 'within-budget':
      case 'over-budget':
        return budgetVerdict({
          what: 'cold start',
          // 50 starts; the 90th percentile is the 45th smallest sample (nearest rank).
          samples: Array.from(
            { length: 50 },
            (_, i) => (behaviour === 'over-budget' ? 1000 : 0) + i * 20,
          ),
          percentile: 90,
          budget: 1500,
        });
      case 'unmeasured':
        return pass('timed something but kept no figures');
      default:
        return pass('looked fine');
    }
  };
}

function sample(
  id: string,
  requirements: string[],
  level: 'MUST' | 'SHOULD' | 'MAY' = 'MUST',
  lane: 'certify' | 'staging' = 'certify',
  cls: 'package' | 'host' = 'package',
): ConformanceCase<SampleSubject> {
  return defineCase<SampleSubject>({
    id,
    description: `Sample case ${id} observes ${requirements.join(' and ')}`,
    requirements,
    level,
    class: cls,
    lane,
    why: 'A sample case of the harness tests; its subject tells it what to do.',
    run: behave(id),
  });
}

/** A small package-class suite whose cases do what the subject tells them. */
export const sampleSuite: Suite<SampleSubject> = defineSuite<SampleSubject>({
  class: 'package',
  title: 'sample',
  defaultTimeoutMs: 200,
  cases: [
    sample('package.manifest.present', ['MAN-001']),
    sample('package.manifest.json-object', ['MAN-002']),
    sample('package.container.zip64', ['PKG-004']),
    sample('package.container.extension', ['PKG-012'], 'SHOULD'),
    sample('package.manifest.icon-size', ['MAN-026'], 'SHOULD', 'staging'),
    sample('package.container.single-disk', ['PKG-004'], 'MUST', 'staging'),
    sample('package.content.unnamed-files', ['PKG-060'], 'MAY'),
  ],
  command: {
    usage: '<nothing>',
    summary: 'sample',
    options: {},
    optionHelp: {},
    positionals: { min: 0, max: 0, names: 'nothing' },
    open: () =>
      Promise.resolve({ subject: {}, target: { kind: 'sample', label: 'sample', details: {} } }),
  },
});

/** A host-class suite with one case of a time budget (BUD-006, observed `@measure`). */
export const timedSuite: Suite<SampleSubject> = defineSuite<SampleSubject>({
  class: 'host',
  title: 'timed sample',
  defaultTimeoutMs: 200,
  cases: [
    sample('host.budgets.cold-start', ['BUD-006'], 'MUST', 'certify', 'host'),
    sample('host.adapter.reset', ['CNF-026'], 'MUST', 'certify', 'host'),
  ],
  command: sampleSuite.command,
});
