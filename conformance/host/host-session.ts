import { randomBytes } from 'node:crypto';
import { schemaValidator } from '#schemas';
import { CaseFailure } from '../framework/index.ts';
import { TrustWorld } from './distribution/trust-world.ts';
import type { AdapterAnswer, CallRecord } from './driver/host-driver.ts';
import type { HostSubject } from './host-subject.ts';
import { buildProbe, type BuiltPackage, type ProbeOptions } from './probe/probe-package.ts';

/**
 * One test session with the host (spec/conformance.md, Sessions): `reset`, then `init` pointing the
 * host at a fresh world on the suite's distribution server. Every command's answer is checked
 * against schemas/conformance/adapter-result.schema.json [CNF-022] before a case reads it.
 */

export interface Outcome {
  kind: 'installed' | 'upToDate' | 'launched' | 'refused' | 'updateRequired' | 'notAvailable';
  appId: string | null;
  versionCode?: number;
  page?: string;
  code?: string;
  minHostVersion?: string;
  receivedAt?: number;
}

export interface HostState {
  initialized: boolean;
  trust: { rootVersion: number | null; indexVersion: number | null };
  apps: { appId: string; versionCode: number }[];
  running: { appId: string; versionCode: number; state: string; documentUrl: string } | null;
  permissions: { appId: string; permission: string; decision: string }[];
  deviceId: string | null;
  analytics: boolean;
}

const resultSchema = 'https://openminiapp.dev/schemas/v1/conformance/adapter-result.schema.json';

/** Checks an adapter answer's envelope and, for a success, the command's result schema [CNF-022]. */
export function answerProblems(command: string, answer: AdapterAnswer): string[] {
  const ajv = schemaValidator();
  const envelope = ajv.getSchema(resultSchema);
  const problems: string[] = [];
  if (envelope && !envelope(answer)) {
    problems.push(`answer envelope: ${ajv.errorsText(envelope.errors)}`);
  }
  if (answer.ok) {
    const validate = ajv.getSchema(`${resultSchema}#/$defs/${command}`);
    if (validate && !validate(answer.result)) {
      problems.push(`${command} result: ${ajv.errorsText(validate.errors)}`);
    }
  }
  return problems;
}

export class AdapterError extends CaseFailure {
  constructor(
    readonly command: string,
    readonly code: string,
    message: string,
  ) {
    super(`${command} was answered with the adapter error ${code}: ${message}`);
  }
}

export interface SessionOptions {
  world?: TrustWorld;
  channel?: 'stable' | 'beta';
  deviceId?: string;
  /** Skip init (for cases about the adapter before init). */
  noInit?: boolean;
  /** Send init without deviceId, so that the host chooses one (ANL-006). */
  omitDeviceId?: boolean;
}

export class HostSession {
  world!: TrustWorld;
  deviceId = '';
  hostApiVersion = '1.0.0';
  channel: 'stable' | 'beta' = 'stable';
  lastCall: CallRecord | undefined;
  /** Sees every adapter exchange of the session (features/ attaches them to its steps as evidence). */
  onExchange: ((command: string, args: unknown, call: CallRecord) => void) | undefined;

  constructor(
    readonly subject: HostSubject,
    readonly note: (line: string) => void,
    readonly signal: AbortSignal,
  ) {}

  get server() {
    return this.subject.server;
  }
  get driver() {
    return this.subject.driver;
  }

  /** Sends a command and returns the raw, schema-checked answer. */
  async raw(command: string, args: unknown = {}): Promise<AdapterAnswer> {
    if (this.signal.aborted) throw new CaseFailure('the case ran out of time');
    const call = await this.driver.call(command, args);
    this.lastCall = call;
    this.onExchange?.(command, args, call);
    const problems = answerProblems(command, call.answer);
    if (problems.length > 0) {
      throw new CaseFailure(
        `the adapter's answer to ${command} is not valid against adapter-result.schema.json (CNF-022): ${problems[0]}`,
        [JSON.stringify(call.answer).slice(0, 500)],
      );
    }
    return call.answer;
  }

  /** Sends a command; an adapter error fails the case with its code. */
  async command<T = unknown>(command: string, args: unknown = {}): Promise<T> {
    // The suite's own commands follow adapter-command.schema.json; only `raw` sends broken ones on purpose.
    const ajv = schemaValidator();
    const validate = ajv.getSchema(
      'https://openminiapp.dev/schemas/v1/conformance/adapter-command.schema.json',
    );
    if (validate && !validate({ command, args })) {
      throw new Error(
        `the suite built an invalid ${command} command: ${ajv.errorsText(validate.errors)}`,
      );
    }
    const answer = await this.raw(command, args);
    if (!answer.ok) {
      throw new AdapterError(command, answer.error?.code ?? '?', answer.error?.message ?? '');
    }
    return answer.result as T;
  }

  async start(options: SessionOptions = {}): Promise<this> {
    this.world = options.world ?? (await TrustWorld.create());
    this.server.reset(this.world);
    this.subject.echo.requests.length = 0;
    await this.command('reset');
    if (options.noInit) return this;
    this.channel = options.channel ?? 'stable';
    this.deviceId = options.deviceId ?? randomBytes(16).toString('hex');
    const args = this.initArgs();
    if (options.omitDeviceId) delete args['deviceId'];
    const info = await this.command<{
      adapterVersion: string;
      platform: string;
      hostApiVersion: string;
      deviceId: string;
    }>('init', args);
    this.hostApiVersion = info.hostApiVersion;
    this.deviceId = info.deviceId;
    this.subject.info ??= {
      hostApiVersion: info.hostApiVersion,
      platform: info.platform,
      adapterVersion: info.adapterVersion,
    };
    return this;
  }

  initArgs(): Record<string, unknown> {
    return {
      distributionUrl: this.server.url,
      trustRoot: this.world.trustRoot,
      channel: this.channel,
      credentials: { device: this.server.credentials.device, user: this.server.credentials.user },
      deviceId: this.deviceId,
      // [CNF-030] traffic that does not leave from the browser the suite starts (a native host's, a
      // web host's own server's) resolves the suite's origins and trusts its certificate this way.
      network: {
        resolve: {
          'echo.openminiapp.test': this.subject.address ?? '127.0.0.1',
          'other.openminiapp.test': this.subject.address ?? '127.0.0.1',
        },
        caCertificates: [this.subject.tls.cert],
        // On loopback the echo server listens on a free port, not on the origins' 8443.
        ...(this.subject.echo.port === 8443 ? {} : { ports: { '8443': this.subject.echo.port } }),
      },
    };
  }

  async install(appId: string): Promise<Outcome> {
    const outcome = await this.command<Outcome>('install', { appId });
    this.note(`install ${appId} -> ${describe(outcome)}`);
    return outcome;
  }

  async launch(link: string): Promise<Outcome> {
    const outcome = await this.command<Outcome>('launch', { link });
    this.note(`launch ${link.slice(0, 120)} -> ${describe(outcome)}`);
    return outcome;
  }

  async state(): Promise<HostState> {
    return this.command<HostState>('state');
  }

  async installedVersion(appId: string): Promise<number | undefined> {
    return (await this.state()).apps.find((a) => a.appId === appId)?.versionCode;
  }

  /** Builds a probe, adds it to the world as a release and publishes a new index. */
  async publishProbe(
    options: ProbeOptions & {
      channel?: 'stable' | 'beta';
      mandatory?: boolean;
      rolloutPercent?: number;
      publish?: boolean;
    } = {},
  ): Promise<BuiltPackage> {
    const built = buildProbe(options);
    await this.publishPackage(built, options);
    return built;
  }

  async publishPackage(
    built: BuiltPackage,
    options: {
      channel?: 'stable' | 'beta';
      mandatory?: boolean;
      rolloutPercent?: number;
      publish?: boolean;
    } = {},
  ): Promise<void> {
    if (!this.world.apps.has(built.appId)) await this.world.addApp(built.appId);
    this.world.addRelease(built.appId, {
      versionCode: built.versionCode,
      version: built.version,
      minHostVersion: built.minHostVersion,
      permissions: built.permissions,
      bundle: built.bytes,
      manifestBytes: built.manifestBytes,
      ...(options.channel ? { channel: options.channel } : {}),
      ...(options.mandatory ? { mandatory: true } : {}),
      ...(options.rolloutPercent !== undefined ? { rolloutPercent: options.rolloutPercent } : {}),
    });
    if (options.publish !== false) this.world.publish();
  }

  /** Installs and launches a probe; fails the case unless it launched. */
  async launchProbe(appId: string, page = ''): Promise<Outcome> {
    const outcome = await this.launch(`miniapp://${appId}/${page}`);
    if (outcome.kind !== 'launched') {
      throw new CaseFailure(`the probe ${appId} did not launch: ${describe(outcome)}`);
    }
    return outcome;
  }

  /** Runs a script against the probe of the running app; `p` is window.__openMiniAppProbe. */
  async probe<T>(appId: string, body: string, ...args: unknown[]): Promise<T> {
    const script = `
const done = arguments[arguments.length - 1];
const args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);
const p = window.__openMiniAppProbe;
if (!p) { done({ missing: true, href: location.href }); return; }
Promise.resolve().then(() => (${body})(p, ...args)).then(
  (value) => done({ value: value === undefined ? null : value }),
  (error) => done({ error: String(error && error.stack || error) }),
);`;
    const { found, value } = await this.driver.inApp(appId, () =>
      this.driver.executeAsync<{ value?: T; missing?: boolean; error?: string; href?: string }>(
        script,
        ...args,
      ),
    );
    if (!found) {
      throw new CaseFailure(
        `no iframe marked data-openminiapp-app="${appId}" in the host's top-level document (CNF-024)`,
      );
    }
    if (!value || value.missing) {
      throw new CaseFailure(
        `the mini-app frame of ${appId} has no probe (window.__openMiniAppProbe) at ${value?.href ?? '?'}`,
      );
    }
    if (value.error) throw new Error(`the probe script failed: ${value.error}`);
    return value.value as T;
  }

  /** Calls a bridge method from the probe with a well-formed request. */
  async call(
    appId: string,
    method: string,
    params: unknown = {},
    timeoutMs = 30_000,
  ): Promise<BridgeResponse> {
    const response = await this.probe<BridgeResponse>(
      appId,
      '(p, method, params, timeout) => p.connected(5000).then((ok) => ok ? p.call(method, params, timeout) : { unavailable: true })',
      method,
      params,
      timeoutMs,
    );
    if (response.unavailable) {
      throw new CaseFailure(
        `the probe of ${appId} received no bridge binding: no init message with a port from its parent (BRG-032) and no native binding`,
      );
    }
    this.note(
      `${method}(${JSON.stringify(params).slice(0, 80)}) -> ${
        response.timedOut ? 'no answer' : response.ok ? 'ok' : `error ${response.error?.code}`
      }`,
    );
    return response;
  }

  /** Starts a call in the probe without waiting for its answer (so that prompts can be answered). */
  async startCall(appId: string, method: string, params: unknown = {}): Promise<string> {
    const id = await this.probe<string | null>(
      appId,
      '(p, method, params) => p.connected(5000).then((ok) => ok ? p.start(method, params) : null)',
      method,
      params,
    );
    if (!id) {
      throw new CaseFailure(
        `the probe of ${appId} received no bridge binding: no init message with a port from its parent (BRG-032) and no native binding`,
      );
    }
    return id;
  }

  /** The first response to a request id, polling the probe until `timeoutMs`. */
  async awaitResponse(appId: string, id: string, timeoutMs = 15_000): Promise<BridgeResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await this.probe<BridgeResponse | null>(
        appId,
        '(p, id) => p.response(id, 0)',
        id,
      );
      if (response) return response;
      if (Date.now() > deadline) return { timedOut: true, id };
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /**
   * Calls a method and answers the screens it opens, in order, with answerPrompt; returns the
   * response and the screens answered (ADAPTER_NO_SCREEN ends the answering).
   */
  async callAnswering(
    appId: string,
    method: string,
    params: unknown,
    decisions: readonly ('grant' | 'deny' | 'dismiss')[],
    timeoutMs = 20_000,
  ): Promise<{ response: BridgeResponse; screens: { screen: string; permission?: string }[] }> {
    const id = await this.startCall(appId, method, params);
    const screens: { screen: string; permission?: string }[] = [];
    for (const decision of decisions) {
      const answer = await this.raw('answerPrompt', { decision, timeoutMs: 5_000 });
      if (!answer.ok) {
        if (answer.error?.code === 'ADAPTER_NO_SCREEN') break;
        throw new AdapterError(
          'answerPrompt',
          answer.error?.code ?? '?',
          answer.error?.message ?? '',
        );
      }
      const result = answer.result as { screen: string; permission?: string };
      screens.push({
        screen: result.screen,
        ...(result.permission ? { permission: result.permission } : {}),
      });
    }
    const response = await this.awaitResponse(appId, id, timeoutMs);
    this.note(
      `${method} answering ${decisions.join(',') || 'nothing'} -> screens [${screens.map((x) => x.screen + (x.permission ? `:${x.permission}` : '')).join(', ')}], ${
        response.timedOut ? 'no answer' : response.ok ? 'ok' : `error ${response.error?.code}`
      }`,
    );
    return { response, screens };
  }

  async screens(): Promise<{ name: string; text: string }[]> {
    return this.driver.screens();
  }

  /** Waits until a screen of that name is shown. */
  async waitForScreen(
    name: string,
    timeoutMs = 10_000,
  ): Promise<{ name: string; text: string } | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const shown = (await this.screens()).find((s) => s.name === name);
      if (shown || Date.now() > deadline) return shown;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export interface BridgeResponse {
  bridge?: string;
  v?: number;
  kind?: string;
  id?: string;
  ok?: boolean;
  result?: unknown;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  timedOut?: boolean;
  unavailable?: boolean;
}

export function describe(outcome: Outcome | null | undefined): string {
  if (!outcome) return 'null';
  const parts: string[] = [outcome.kind];
  if (outcome.versionCode !== undefined) parts.push(`versionCode ${outcome.versionCode}`);
  if (outcome.code) parts.push(outcome.code);
  if (outcome.minHostVersion) parts.push(`minHostVersion ${outcome.minHostVersion}`);
  return parts.join(' ');
}

/** Starts a session for a case. */
export async function session(
  context: { subject: HostSubject; note(line: string): void; signal: AbortSignal },
  options: SessionOptions = {},
): Promise<HostSession> {
  return new HostSession(context.subject, context.note, context.signal).start(options);
}
