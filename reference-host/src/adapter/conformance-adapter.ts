/**
 * The host conformance adapter of spec/conformance.md ("Host adapter"): JSON in, JSON out, through
 * `window.openMiniAppConformance.call(command, args)` in the host's top-level document [CNF-020]. It
 * exists only in conformance builds: its module is the separate entry point
 * src/adapter/conformance-entry.ts, which no other build includes [CNF-025].
 *
 * Every command is checked against schemas/conformance/adapter-command.schema.json before anything
 * happens (precompiled, like every validator of the web build), and goes through the same SuperApp
 * methods the shell uses; the adapter adds no behaviour of its own beyond translating results into
 * the shapes of adapter-result.schema.json. `restart` is not a command: the harness reloads the page.
 */
import { validatorFor } from '#schemas';
import { randomDeviceId } from '../host/host-config.ts';
import type { InstallOutcome, LaunchOutcome } from '../host/super-app.ts';
import { failureOf } from '../launch/host-failure.ts';
import type { Shell } from '../shell/shell.ts';
import { sha256Hex } from '../trust/sdk-verifier.ts';

/** This version of the adapter protocol. */
export const adapterVersion = '1.0';

export const commandNames = [
  'init',
  'reset',
  'install',
  'refresh',
  'launch',
  'background',
  'foreground',
  'uninstall',
  'setClock',
  'answerPrompt',
  'settings',
  'state',
  'outcome',
  'events',
] as const;

export type ConformanceCommand = (typeof commandNames)[number];

/** An adapter error of the registry (area `conformance`): the command could not be carried out. */
export interface AdapterError {
  code:
    | 'ADAPTER_UNKNOWN_COMMAND'
    | 'ADAPTER_INVALID_ARGUMENTS'
    | 'ADAPTER_NOT_INITIALIZED'
    | 'ADAPTER_NO_SCREEN'
    | 'ADAPTER_NO_RUNNING_APP'
    | 'HOST_ERROR';
  message: string;
}

function adapterError(code: AdapterError['code'], message: string): AdapterError {
  return Object.freeze({ code, message });
}

function isAdapterError(value: unknown): value is AdapterError {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.isFrozen(value) &&
    typeof (value as AdapterError).code === 'string'
  );
}

type Args = Record<string, unknown>;

/** A launch outcome in the members of the Outcomes table (`mode` is the host's own). */
function launchResult(outcome: LaunchOutcome): Record<string, unknown> {
  switch (outcome.kind) {
    case 'launched':
      return {
        kind: 'launched',
        appId: outcome.appId,
        versionCode: outcome.versionCode,
        page: outcome.page,
        receivedAt: outcome.receivedAt,
      };
    case 'refused':
      return {
        kind: 'refused',
        appId: outcome.appId,
        code: outcome.code,
        receivedAt: outcome.receivedAt,
      };
    case 'updateRequired':
      return {
        kind: 'updateRequired',
        appId: outcome.appId,
        minHostVersion: outcome.minHostVersion,
        receivedAt: outcome.receivedAt,
      };
    default:
      return { kind: 'notAvailable', appId: outcome.appId, receivedAt: outcome.receivedAt };
  }
}

function installResult(outcome: InstallOutcome): Record<string, unknown> {
  return { ...outcome };
}

/** The host's user id for a host user session: a pseudonym of the credential, never the credential. */
async function userIdOf(token: string): Promise<string> {
  return `user-${(await sha256Hex(new TextEncoder().encode(token))).slice(0, 32)}`;
}

export function createConformanceAdapter(
  shell: Shell,
): (command: unknown, args?: unknown) => Promise<unknown> {
  const { host, ui } = shell;
  const validate = validatorFor('conformance/adapter-command.schema.json');
  const commands: Record<ConformanceCommand, (args: Args, receivedAt: number) => Promise<unknown>> =
    {
      async init(args) {
        const credentials = args.credentials as { device: string; user: string };
        await host.forget();
        try {
          await shell.network(args.network);
        } catch (error) {
          throw adapterError(
            'ADAPTER_INVALID_ARGUMENTS',
            `network could not be applied: ${error instanceof Error ? error.message : String(error)}.`,
          );
        }
        const deviceId = typeof args.deviceId === 'string' ? args.deviceId : randomDeviceId();
        try {
          await host.configure({
            distributionUrl: args.distributionUrl as string,
            trustRoot: args.trustRoot as string,
            channel: args.channel as 'stable' | 'beta',
            deviceId,
            credentials: {
              device: { token: credentials.device },
              user: { token: credentials.user, userId: await userIdOf(credentials.user) },
            },
          });
        } catch (error) {
          // [CNF-023] a root the host cannot trust leaves it as reset, not half-configured.
          await host.forget();
          throw adapterError(
            'ADAPTER_INVALID_ARGUMENTS',
            `trustRoot is not a root this host can trust: ${failureOf(error).code}.`,
          );
        }
        shell.screens.home();
        void shell.storefront.render().catch(() => undefined);
        return {
          adapterVersion,
          platform: host.deps.info.platform,
          hostApiVersion: host.hostApiVersion,
          deviceId,
        };
      },
      async reset() {
        await host.forget();
        await shell.network(undefined).catch(() => undefined);
        shell.screens.home();
        return {};
      },
      async install(args) {
        return installResult(await host.install(args.appId as string));
      },
      async refresh() {
        return { outcomes: (await host.refresh()).map(installResult) };
      },
      async launch(args, receivedAt) {
        return { ...launchResult(await host.launch(args.link as string)), receivedAt };
      },
      async background(_args, receivedAt) {
        if (!(await host.background()))
          throw adapterError('ADAPTER_NO_RUNNING_APP', 'No mini-app is in the foreground.');
        return { receivedAt };
      },
      async foreground(_args, receivedAt) {
        if (!(await host.foreground()))
          throw adapterError('ADAPTER_NO_RUNNING_APP', 'No mini-app is in the background.');
        return { receivedAt };
      },
      async uninstall(args) {
        return { uninstalled: await host.uninstall(args.appId as string) };
      },
      async setClock(args) {
        await host.setClock(args.time as string | null);
        return {};
      },
      async answerPrompt(args) {
        const answered = await ui.answerPrompt(
          args.decision as 'grant' | 'deny' | 'dismiss',
          typeof args.timeoutMs === 'number' ? args.timeoutMs : 10_000,
        );
        if (!answered)
          throw adapterError(
            'ADAPTER_NO_SCREEN',
            'No permission prompt or sheet was shown in time.',
          );
        return {
          screen: answered.screen,
          appId: answered.appId,
          ...(answered.permission ? { permission: answered.permission } : {}),
        };
      },
      async settings(args) {
        if (typeof args.analytics === 'boolean') await host.setAnalyticsAllowed(args.analytics);
        if (args.resetDeviceId === true) await host.resetDeviceId();
        for (const { appId, permission } of (args.revoke ?? []) as {
          appId: string;
          permission: Parameters<typeof host.revoke>[1];
        }[]) {
          await host.revoke(appId, permission);
        }
        return { analytics: await host.analyticsAllowed(), deviceId: host.config.deviceId };
      },
      async state() {
        const initialized = host.configured;
        const trust = host.trustSummary();
        const records = initialized ? await host.records() : [];
        return {
          initialized,
          trust: {
            rootVersion: trust?.rootVersion ?? null,
            indexVersion: trust && trust.indexVersion > 0 ? trust.indexVersion : null,
          },
          apps: records
            .filter((r) => r.current)
            .map((r) => ({ appId: r.appId, versionCode: r.current?.versionCode ?? 0 }))
            .sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0)),
          running: host.running() ?? null,
          permissions: initialized ? await host.decisions() : [],
          deviceId: initialized ? host.config.deviceId : null,
          analytics: await host.analyticsAllowed(),
        };
      },
      async outcome() {
        const outcome = host.outcome;
        return outcome ? launchResult(outcome) : null;
      },
      async events() {
        return { sent: await host.sendAnalytics() };
      },
    };
  return async (command, args = {}) => {
    const receivedAt = Date.now();
    if (typeof command !== 'string' || !(commandNames as readonly string[]).includes(command)) {
      throw adapterError('ADAPTER_UNKNOWN_COMMAND', `${String(command)} is not a command.`);
    }
    // [CNF-023] checked before anything changes.
    if (!validate({ command, args })) {
      const first = validate.errors?.[0];
      throw adapterError(
        'ADAPTER_INVALID_ARGUMENTS',
        `${command}: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}.`,
      );
    }
    if (!host.configured && !['init', 'reset', 'state'].includes(command)) {
      throw adapterError('ADAPTER_NOT_INITIALIZED', `${command} needs init first.`);
    }
    try {
      return await commands[command as ConformanceCommand](args as Args, receivedAt);
    } catch (error) {
      if (isAdapterError(error)) throw error;
      // A failure inside the host is not a refusal; it is reported without internal details.
      throw adapterError('HOST_ERROR', `${command} failed: ${failureOf(error).code}.`);
    }
  };
}

export function installConformanceAdapter(shell: Shell): void {
  const call = createConformanceAdapter(shell);
  Object.defineProperty(window, 'openMiniAppConformance', {
    value: Object.freeze({ version: adapterVersion, call }),
    writable: false,
    configurable: false,
    enumerable: false,
  });
}
