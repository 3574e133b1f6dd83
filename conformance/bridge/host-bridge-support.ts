import { schemaValidator, bridgeMethodRegistry } from '#schemas';
import { CaseFailure } from '../framework/index.ts';
import type { BridgeResponse, HostSession } from '../host/host-session.ts';
import { echoOrigin, type BuiltPackage, type ProbeOptions } from '../host/probe/probe-package.ts';

/** What the bridge cases of the host suite share: launching a probe and judging responses. */

const base = 'https://openminiapp.dev/schemas/v1/';

export interface LaunchedProbe {
  appId: string;
  pkg: BuiltPackage;
}

export async function launchProbe(
  s: HostSession,
  options: ProbeOptions = {},
  page = '',
): Promise<LaunchedProbe> {
  const pkg = await s.publishProbe({ allowedDomains: [echoOrigin], ...options });
  await s.launchProbe(pkg.appId, page);
  return { appId: pkg.appId, pkg };
}

/** Faults of one response: envelope [BRG-006], error object [ERR-001], result schema [BRG-020]. */
export function responseFaults(method: string, response: BridgeResponse): string[] {
  const ajv = schemaValidator();
  const faults: string[] = [];
  const envelope = ajv.getSchema(`${base}bridge/response.schema.json`);
  if (envelope && !envelope(response)) {
    faults.push(
      `${method}: the response is not a valid response envelope: ${ajv.errorsText(envelope.errors)}`,
    );
  }
  if (response.ok === true) {
    const entry = bridgeMethodRegistry().methods.find((m) => m.name === method);
    const result = entry ? ajv.getSchema(`${base}bridge/${entry.schema}#/$defs/result`) : undefined;
    if (result && !result(response.result)) {
      faults.push(
        `${method}: the result is not valid against its result schema: ${ajv.errorsText(result.errors)}`,
      );
    }
  } else if (response.ok === false) {
    const error = ajv.getSchema(`${base}errors/error.schema.json`);
    if (error && !error(response.error)) {
      faults.push(
        `${method}: the error is not a valid error object: ${ajv.errorsText(error.errors)}`,
      );
    }
  }
  const text = JSON.stringify(response);
  if (stackTrace(text))
    faults.push(`${method}: the response carries what looks like a stack trace or source path`);
  return faults;
}

/** [BRG-009] a line starting with `at ` or a source path with a line number. */
export function stackTrace(text: string): boolean {
  const unescaped = text.replace(/\\n/g, '\n');
  return (
    /(^|\n)\s*at \S/.test(unescaped) ||
    /[\w/.-]+\.(?:m?js|ts|tsx|jsx|java|kt|swift|cc|cpp):\d+/.test(unescaped)
  );
}

export function expectError(response: BridgeResponse, code: string, what: string): void {
  if (response.timedOut) throw new CaseFailure(`${what}: no response arrived`);
  if (response.ok !== false || response.error?.code !== code) {
    throw new CaseFailure(
      `${what}: expected error ${code}, got ${response.ok ? 'a success' : `error ${response.error?.code ?? '?'}`}`,
      [JSON.stringify(response).slice(0, 300)],
    );
  }
}

export function expectSuccess(method: string, response: BridgeResponse, what: string): unknown {
  if (response.timedOut) throw new CaseFailure(`${what}: no response arrived`);
  if (response.ok !== true) {
    throw new CaseFailure(
      `${what}: expected a success, got error ${response.error?.code ?? '?'}: ${response.error?.message ?? ''}`,
    );
  }
  const faults = responseFaults(method, response);
  if (faults.length > 0) throw new CaseFailure(faults[0] ?? '', faults);
  return response.result;
}

/** The registry's methods with the permission each needs. */
export function registryMethods(): {
  name: string;
  since: string;
  permission: string | null;
  schema: string;
}[] {
  return bridgeMethodRegistry().methods.map((m) => ({
    name: m.name,
    since: m.since,
    permission: m.permission,
    schema: m.schema,
  }));
}

export function registryEvents(): string[] {
  return bridgeMethodRegistry().events.map((e) => e.name);
}

/** Whether host API version `host` is at least `since` within the same major (versioning.md). */
export function atLeast(host: string, since: string): boolean {
  const [a = 0, b = 0, c = 0] = host.split('.').map(Number);
  const [x = 0, y = 0, z = 0] = since.split('.').map(Number);
  return a === x && (b > y || (b === y && c >= z));
}

/** A reason string for the permission a method needs, as a manifest declares it. */
export function reasonFor(permission: string): string {
  return `Conformance probe needs ${permission} to test the bridge.`;
}

export async function noScreenShown(s: HostSession, what: string): Promise<void> {
  const shown = (await s.screens()).filter(
    (x) => x.name === 'permissionPrompt' || x.name === 'sheet',
  );
  if (shown.length > 0)
    throw new CaseFailure(`${what}: the host shows its ${shown[0]?.name} screen`);
}

/** A bridge answer in a few words, for failure messages. */
export function describeAnswer(response: BridgeResponse): string {
  if (response.timedOut) return 'no answer arrived';
  if (response.ok !== true) return `answered ${response.error?.code ?? 'an error without a code'}`;
  const status = (response.result as { status?: unknown } | undefined)?.status;
  return `answered status ${typeof status === 'number' ? status : '?'}`;
}

/**
 * [BRG-028] [CNF-030] A network.request to the suite's echo origin reached it: the echo server
 * recorded the path, and the answer carries the echo server's own body, not one the host made up.
 */
export function expectEchoed(s: HostSession, result: unknown, path: string): void {
  const reached = s.subject.echo.requestsFor('echo.openminiapp.test').some((r) => r.path === path);
  const { status, body } = (result ?? {}) as { status?: unknown; body?: unknown };
  let echoed: { echo?: unknown; path?: unknown } | undefined;
  try {
    echoed = typeof body === 'string' ? (JSON.parse(body) as typeof echoed) : undefined;
  } catch {
    echoed = undefined;
  }
  if (!reached || status !== 200 || echoed?.echo !== true || echoed.path !== path) {
    throw new CaseFailure(
      `network.request to ${echoOrigin}${path} ${reached ? 'reached the echo origin' : "never reached the suite's echo origin"} and answered status ${String(status)} with ${typeof body === 'string' ? JSON.stringify(body.slice(0, 120)) : 'no body'}; expected the echo server's 200 and its body (a host whose traffic leaves from anywhere but the suite's browser applies init.network [CNF-030])`,
    );
  }
}
