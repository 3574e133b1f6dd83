import { setTimeout as delay } from 'node:timers/promises';
import {
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
export type Behaviour = 'pass' | 'fail' | 'skip' | 'throw-failure' | 'crash' | 'hang';
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
): ConformanceCase<SampleSubject> {
  return defineCase<SampleSubject>({
    id,
    description: `Sample case ${id} observes ${requirements.join(' and ')}`,
    requirements,
    level,
    class: 'package',
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
