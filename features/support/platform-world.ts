import {
  AfterAll,
  Before,
  BeforeAll,
  setDefaultTimeout,
  setWorldConstructor,
  World,
} from '@cucumber/cucumber';
import type { ServerTest } from '../../conformance/server/server-case.ts';
import type { CaseScope, RequestSpec } from '../../conformance/server/subject/http-driver.ts';
import type { Exchange } from '../../conformance/server/subject/http-exchange.ts';
import type { ServerSubject } from '../../conformance/server/subject/server-subject.ts';
import { openServerSubject } from '../../conformance/server/subject/subject-opening.ts';
import type { TestPartner, TestVersion } from '../../conformance/server/subject/test-world.ts';
import type { ReleaseHistory } from '../../conformance/server/subject/update-checks.ts';
import { featureSettings } from './feature-settings.ts';

// Reviews, rollouts and payments take a few requests each; a slow server still has 60 s per step.
setDefaultTimeout(60_000);

let opening: Promise<ServerSubject> | undefined;
let shared: ServerSubject | undefined;

/**
 * The server under test, opened from its URL and credentials file (spec/conformance.md) at the first
 * scenario that needs one, so that a run of @host scenarios alone needs no server credentials.
 */
async function serverSubject(): Promise<ServerSubject> {
  opening ??= (async () => {
    const settings = featureSettings(process.env);
    shared = await openServerSubject(settings);
    console.log(`features: server ${shared.baseUrl.href}, run ${shared.runId}`);
    return shared;
  })();
  return opening;
}

BeforeAll(function () {
  // The default profile (cucumber.mjs) leaves the server scenarios out of a run given a host alone.
  if (!process.env.MINIAPP_CREDENTIALS && process.env.MINIAPP_HOST_URL)
    console.log(
      'features: the server scenarios were not run: no server is configured (give --credentials FILE or MINIAPP_CREDENTIALS)',
    );
});

AfterAll(async function () {
  await shared?.driver.prism?.close();
});

/**
 * The state of one scenario. Everything it creates goes through the conformance suite's drivers
 * (TestWorld, HttpDriver): the features are a plain-words view of the same certification, not a copy.
 */
export class PlatformWorld extends World {
  subject!: ServerSubject;
  scope!: CaseScope;
  partner: TestPartner | undefined;
  history: ReleaseHistory | undefined;
  /** Versions uploaded but not (yet) approved, by versionCode. */
  readonly prepared = new Map<
    number,
    Awaited<ReturnType<ServerSubject['world']['prepareVersion']>>
  >();
  /** The last response a When step got, for the Then steps that judge it. */
  last: Exchange | undefined;
  /** Values that one step hands to the next (tokens, ids, answers). */
  readonly noted = new Map<string, unknown>();

  get world(): ServerSubject['world'] {
    return this.subject.world;
  }

  /** The shape the suite's helpers take (batch checks, trust chain, index reader). */
  get test(): ServerTest {
    return {
      subject: this.subject,
      world: this.subject.world,
      scope: this.scope,
      note: (line) => this.log(line),
      signal: AbortSignal.timeout(60_000),
      send: (spec: RequestSpec) => this.subject.driver.send(spec, this.scope),
      adminToken: this.subject.adminToken,
    };
  }

  send(spec: RequestSpec): Promise<Exchange> {
    return this.subject.driver.send(spec, this.scope);
  }

  version(versionCode: number): TestVersion {
    const version = this.history?.versions.get(versionCode);
    if (!version) throw new Error(`the scenario has no approved version ${versionCode}`);
    return version;
  }

  requireHistory(): ReleaseHistory {
    if (!this.history) throw new Error('the scenario has no app yet: start with "Given ... app"');
    return this.history;
  }
}

setWorldConstructor(PlatformWorld);

Before({ tags: 'not @host' }, async function (this: PlatformWorld, { pickle }) {
  this.subject = await serverSubject();
  // Every exchange of a step is attached to the scenario in the reports, as the suite's evidence is.
  this.scope = { caseId: `feature: ${pickle.name}`, note: (line) => this.log(line) };
});
