import {
  defineCase,
  fail,
  fromFaults,
  pass,
  skip,
  type CaseVerdict,
  type ConformanceCase,
} from '../framework/index.ts';
import type { PackageSubject } from '../suites/package-subject.ts';
import { clientObservation, type ClientObservation } from './client-session.ts';

const sessionNote =
  'the entry page ran in headless Chromium inside a conformance host on another origin';

function unavailable(o: ClientObservation): CaseVerdict | undefined {
  if (!o.unavailable) return undefined;
  return o.unavailable.blocking ? fail(o.unavailable.reason) : skip(o.unavailable.reason);
}

function clientCase(
  id: string,
  requirement: string,
  description: string,
  why: string,
  judge: (o: ClientObservation) => CaseVerdict,
): ConformanceCase<PackageSubject> {
  return defineCase<PackageSubject>({
    id: `package.bridge.${id}`,
    description,
    requirements: [requirement],
    level: 'MUST',
    class: 'package',
    lane: 'certify',
    why,
    timeoutMs: 60_000,
    async run({ subject }) {
      const o = await clientObservation(subject);
      return unavailable(o) ?? judge(o);
    },
  });
}

const hostRequests = (o: ClientObservation) => o.requests.filter((r) => r.port === 'host');

const errorsIn = (o: ClientObservation, ...phases: string[]) =>
  o.errors
    .filter((e) => phases.includes(e.phase))
    .map((e) => `uncaught in the mini-app after the ${e.phase.replace('-', ' ')}: ${e.message}`);

export const clientCases: ConformanceCase<PackageSubject>[] = [
  clientCase(
    'unique-pending-ids',
    'BRG-010',
    "The mini-app's bridge client never reuses the id of a request that is still unanswered",
    'A client cannot tell two responses with one id apart, so a reused pending id mixes up two calls; the host holds the first answers back to see it.',
    (o) => {
      const requests = hostRequests(o);
      if (requests.length === 0)
        return skip(
          'the package sent no bridge request while it ran, so its request ids could not be observed',
        );
      return fromFaults(
        o.reusedIds.map(
          (r) =>
            `the id ${JSON.stringify(r.id)} was sent again (${String(r.method)}) while the first request with it was unanswered`,
        ),
        `${requests.length} request(s) with distinct pending ids; ${sessionNote}`,
      );
    },
  ),
  clientCase(
    'stray-responses',
    'BRG-012',
    "The mini-app's bridge client discards a response whose id matches no pending call, and a late second answer",
    'A response for an unknown id (or a late one after a timeout) must not resolve another call or throw; the host sends both and watches for uncaught errors.',
    (o) =>
      fromFaults(
        errorsIn(o, 'stray-response', 'late-response'),
        `no error after a stray and a late response; ${sessionNote}`,
      ),
  ),
  clientCase(
    'unknown-events',
    'BRG-013',
    "The mini-app's bridge client ignores an event whose name it does not know",
    'Newer hosts add events; a client that throws on an unknown name breaks on every newer host.',
    (o) =>
      fromFaults(errorsIn(o, 'unknown-event'), `no error after an unknown event; ${sessionNote}`),
  ),
  clientCase(
    'init-from-parent-once',
    'BRG-034',
    'The mini-app accepts an init message only from its parent window and only once per document',
    'Another frame that sends an init first, or a second init later, would take over the bridge; the host sends both and watches which port requests arrive on.',
    (o) => {
      const hijacked = o.requests.filter((r) => r.port !== 'host');
      if (hijacked.length > 0) {
        return fail(
          hijacked.some((r) => r.port === 'sibling')
            ? `the mini-app sent ${String(hijacked.find((r) => r.port === 'sibling')?.method)} on the port of an init posted by a sibling frame, not its parent`
            : `the mini-app sent ${String(hijacked[0]?.method)} on the port of a second init message`,
          hijacked.map((r) => `${r.port}: ${String(r.method)} id ${JSON.stringify(r.id)}`),
        );
      }
      if (hostRequests(o).length === 0) {
        return skip(
          'the package sent no bridge request while it ran, so which init message it accepted could not be observed',
        );
      }
      return pass(`requests only on the parent's port; ${sessionNote}`);
    },
  ),
];
