import { AfterAll, Before, BeforeAll, type World } from '@cucumber/cucumber';
import type { OpenedTarget } from '../../conformance/framework/index.ts';
import { HostSession, type Outcome } from '../../conformance/host/host-session.ts';
import type { HostSubject } from '../../conformance/host/host-subject.ts';
import type { BuiltPackage } from '../../conformance/host/probe/probe-package.ts';
import { hostSuite } from '../../conformance/suites/host-suite.ts';
import { hostFeatureSettings, hostScenariosNotRun } from './feature-settings.ts';

/**
 * The host under test for the @host scenarios: opened once per run exactly as `miniapp-certify host`
 * opens it (the host suite's own `open`: its conformance distribution server, echo origins and
 * WebDriver session, chromedriver from /usr/bin unless --webdriver names one), and driven per
 * scenario through a HostSession of the suite (reset, init at a fresh world on the suite's server).
 */

let opening: Promise<OpenedTarget<HostSubject>> | undefined;

function hostTarget(): Promise<OpenedTarget<HostSubject>> {
  const settings = hostFeatureSettings(process.env);
  if (!settings)
    return Promise.reject(new Error(hostScenariosNotRun.replace('were not run', 'cannot run')));
  opening ??= hostSuite.command
    .open(
      {
        positionals: [],
        values: {
          url: settings.hostUrl,
          ...(settings.webdriver ? { webdriver: settings.webdriver } : {}),
        },
      },
      { stdout: process.stdout, stderr: process.stderr },
    )
    .then((target) => {
      console.log(`features: host ${settings.hostUrl} (${target.subject.driver.description})`);
      return target;
    });
  return opening;
}

BeforeAll(function () {
  if (!hostFeatureSettings(process.env)) console.log(`features: ${hostScenariosNotRun}`);
});

AfterAll({ timeout: 60_000 }, async function () {
  const target = await opening?.catch(() => undefined);
  await target?.close?.();
});

/** The state of one @host scenario: its session with the host and what its steps hand on. */
export class HostScenario {
  /** Probe apps by the name the scenario gives them ("A", "B", "the probe"). */
  readonly apps = new Map<string, BuiltPackage>();
  /** The outcome of the last install, update or launch. */
  outcome: Outcome | undefined;
  /** Values one step hands to the next. */
  readonly noted = new Map<string, unknown>();

  constructor(
    readonly session: HostSession,
    readonly log: (line: string) => void,
  ) {}

  get server() {
    return this.session.server;
  }

  app(name: string): BuiltPackage {
    const app = this.apps.get(name);
    if (!app)
      throw new Error(`the scenario has no app "${name}": start with a Given that installs it`);
    return app;
  }
}

const scenarios = new WeakMap<World, HostScenario>();

/** The host scenario of a step's world (a @host scenario always has one). */
export function hostOf(world: World): HostScenario {
  const scenario = scenarios.get(world);
  if (!scenario) throw new Error('this step needs the host: tag its scenario @host');
  return scenario;
}

function brief(value: unknown, limit = 400): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

// A session per scenario, as every case of the host suite starts its own; the browser is shared.
Before({ tags: '@host', timeout: 180_000 }, async function (this: World, { pickle }) {
  const target = await hostTarget();
  const log = (line: string) => this.log(line);
  const session = new HostSession(target.subject, log, AbortSignal.timeout(15 * 60_000));
  // Every adapter exchange is attached to the step that made it, as HTTP exchanges are for servers.
  session.onExchange = (command, args, call) => {
    // The root is long and the credentials are the suite's own; neither helps a reader of the report.
    const shown =
      command === 'init'
        ? { ...(args as object), trustRoot: '(base64 root)', credentials: '(device, user)' }
        : args;
    log(`adapter ${command} ${brief(shown, 300)} -> ${brief(call.answer)}`);
  };
  log(`feature: ${pickle.name}`);
  await session.start();
  scenarios.set(this, new HostScenario(session, log));
});
