/**
 * The host conformance adapter (spec/conformance.md, "Host adapter"): a small command protocol,
 * JSON in and JSON out, that the conformance suite drives over WebDriver through
 * `window.openMiniAppConformance.call(command, args)`. It exists only in conformance builds: its
 * module is the separate entry point src/adapter/conformance-entry.ts, which no other build includes.
 *
 * Every command goes through the same SuperApp methods the shell uses; the adapter adds no
 * behaviour of its own beyond translating outcomes.
 */
import { failureOf } from '../launch/host-failure.ts';
import type { Shell } from '../shell/shell.ts';

export type ConformanceCommand =
  | 'init'
  | 'reset'
  | 'install'
  | 'refresh'
  | 'launch'
  | 'background'
  | 'foreground'
  | 'restart'
  | 'uninstall'
  | 'setClock'
  | 'answerPrompt'
  | 'state'
  | 'outcome'
  | 'events';

type Args = Record<string, unknown>;

function text(args: Args, name: string): string {
  const value = args[name];
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

export function createConformanceAdapter(
  shell: Shell,
): (command: string, args?: Args) => Promise<unknown> {
  const { host, ui } = shell;
  const commands: Record<ConformanceCommand, (args: Args) => Promise<unknown>> = {
    async init(args) {
      const channel = args.channel === 'beta' ? 'beta' : 'stable';
      await host.reset();
      await host.configure({
        distributionUrl: text(args, 'distributionUrl'),
        trustRoot: text(args, 'trustRoot'),
        channel,
        deviceId: text(args, 'deviceId'),
        ...(typeof args.credentials === 'object' && args.credentials !== null
          ? { credentials: args.credentials as never }
          : {}),
        ...(typeof args.readyTimeoutMs === 'number' ? { readyTimeoutMs: args.readyTimeoutMs } : {}),
      });
      await host.reset();
      shell.screens.home();
      await shell.storefront.render();
      return { ok: true, hostApiVersion: host.hostApiVersion };
    },
    async reset() {
      await host.reset();
      shell.screens.home();
      return { ok: true };
    },
    install: (args) => host.install(text(args, 'appId')),
    async refresh() {
      return host.refresh();
    },
    async launch(args) {
      return host.launch(text(args, 'link'));
    },
    async background() {
      await host.background();
      return { ok: true };
    },
    async foreground() {
      return (await host.foreground()) ?? { kind: 'notAvailable' };
    },
    async restart() {
      await host.restart();
      return { ok: true };
    },
    async uninstall(args) {
      await host.uninstall(text(args, 'appId'));
      return { ok: true };
    },
    async setClock(args) {
      const time = args.time;
      if (time !== null && (typeof time !== 'string' || Number.isNaN(Date.parse(time))))
        throw new TypeError('time must be an RFC 3339 string or null');
      host.setClock(time);
      return { ok: true };
    },
    async answerPrompt(args) {
      const decision = args.decision;
      if (decision !== 'grant' && decision !== 'deny' && decision !== 'dismiss')
        throw new TypeError('decision must be grant, deny or dismiss');
      const kind = ui.openSheet;
      return { answered: ui.answerPrompt(decision), ...(kind ? { prompt: kind } : {}) };
    },
    async state() {
      const records = await host.records();
      return {
        hostApiVersion: host.hostApiVersion,
        trust: host.trustSummary() ?? null,
        foreground: host.foregroundApp ?? null,
        prompt: ui.openSheet ?? null,
        cachedPackages: await host.packages.digests(),
        installed: records.map((r) => ({
          appId: r.appId,
          versionCode: r.current?.versionCode ?? null,
          version: r.current?.version ?? null,
          previousVersionCode: r.previous?.versionCode ?? null,
          pendingVersionCode: r.pending?.versionCode ?? null,
          probation: r.probation,
          rejected: r.rejected,
          instance: host.instanceState(r.appId) ?? null,
        })),
      };
    },
    async outcome() {
      return host.outcome ?? null;
    },
    async events() {
      return host.settledEvents();
    },
  };
  return async (command, args = {}) => {
    if (!Object.hasOwn(commands, command))
      return { error: { code: 'USAGE', message: `unknown command ${command}` } };
    try {
      return await commands[command as ConformanceCommand](args);
    } catch (error) {
      const failure = failureOf(error);
      return {
        error: {
          code: error instanceof TypeError ? 'USAGE' : failure.code,
          message: error instanceof Error ? error.message : String(error),
        },
      };
    }
  };
}

export function installConformanceAdapter(shell: Shell): void {
  const call = createConformanceAdapter(shell);
  Object.defineProperty(window, 'openMiniAppConformance', {
    value: Object.freeze({ version: 1, call }),
    writable: false,
    configurable: false,
    enumerable: false,
  });
}
