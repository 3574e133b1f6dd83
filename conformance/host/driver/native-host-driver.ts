import { randomBytes } from 'node:crypto';
import type { AdapterAnswer, CallRecord, HostDriver, ShownScreen } from './host-driver.ts';

/**
 * The native binding of the host adapter (spec/conformance.md, Bindings) over Appium's UiAutomator2
 * or XCUITest driver: commands by deep link, answers read from the element
 * `openminiapp-conformance-result`, screens by accessibility id, the mini-app in its WEBVIEW context.
 * This machine has no Android or iOS device, so this binding is not exercised here; it follows the
 * protocol as written and is meant for vendors running the suite against their own devices.
 */

const screenNames = ['permissionPrompt', 'sheet', 'updateRequired', 'notAvailable', 'error'];

export class NativeHostDriver implements HostDriver {
  readonly binding = 'native' as const;
  private context = 'NATIVE_APP';

  constructor(
    private readonly browser: WebdriverIO.Browser,
    private readonly appIdentifier: string,
    readonly description: string,
    readonly device: Record<string, string | number | boolean>,
    private readonly onClose: () => Promise<void>,
  ) {}

  private get android(): boolean {
    return String(this.device['platform']).toLowerCase() === 'android';
  }

  private async native(): Promise<void> {
    if (this.context !== 'NATIVE_APP') {
      await this.browser.switchContext('NATIVE_APP');
      this.context = 'NATIVE_APP';
    }
  }

  async call(command: string, args: unknown, timeoutMs = 125_000): Promise<CallRecord> {
    await this.native();
    const id = randomBytes(9).toString('base64url');
    const encoded = Buffer.from(JSON.stringify(args ?? {}), 'utf8').toString('base64url');
    const url = `openminiapp-conformance://call?id=${id}&command=${encodeURIComponent(command)}&args=${encoded}`;
    const sentAt = Date.now();
    await this.browser.execute(
      'mobile: deepLink',
      this.android ? { url, package: this.appIdentifier } : { url, bundleId: this.appIdentifier },
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const element = await this.browser.$('~openminiapp-conformance-result');
      if (await element.isExisting()) {
        const text = this.android ? await element.getText() : await element.getAttribute('value');
        try {
          const answer = JSON.parse(text ?? '') as AdapterAnswer & { id?: string };
          if (answer.id === id) {
            return {
              sentAt,
              answeredAt: Date.now(),
              answer: {
                ok: answer.ok,
                result: answer.result,
                ...(answer.error ? { error: answer.error } : {}),
              },
            };
          }
        } catch {
          // not yet a complete answer
        }
      }
      if (Date.now() > deadline) throw new Error(`no answer to ${command} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async restart(): Promise<void> {
    await this.native();
    const target = this.android ? { appId: this.appIdentifier } : { bundleId: this.appIdentifier };
    await this.browser.execute('mobile: terminateApp', target);
    await this.browser.execute('mobile: activateApp', target);
  }

  async screens(): Promise<ShownScreen[]> {
    await this.native();
    const shown: ShownScreen[] = [];
    for (const name of screenNames) {
      const element = await this.browser.$(`~openminiapp-screen-${name}`);
      if (await element.isExisting()) shown.push({ name, text: await element.getText() });
    }
    return shown;
  }

  async inApp<T>(appId: string, body: () => Promise<T>): Promise<{ found: boolean; value?: T }> {
    const state = (await this.call('state', {})).answer.result as
      { running?: { appId: string; documentUrl: string } | null } | undefined;
    const running = state?.running;
    if (!running || running.appId !== appId) return { found: false };
    const contexts = (await this.browser.execute('mobile: getContexts', {})) as
      { id: string; url?: string }[] | string[];
    const match = (contexts as ({ id: string; url?: string } | string)[]).find((c) =>
      typeof c === 'string' ? c.startsWith('WEBVIEW') : c.url === running.documentUrl,
    );
    if (!match) return { found: false };
    const id = typeof match === 'string' ? match : match.id;
    await this.browser.switchContext(id);
    this.context = id;
    try {
      return { found: true, value: await body() };
    } finally {
      await this.native().catch(() => undefined);
    }
  }

  async execute<T>(script: string, ...args: unknown[]): Promise<T> {
    return (await this.browser.execute(script, ...args)) as T;
  }

  async executeAsync<T>(script: string, ...args: unknown[]): Promise<T> {
    return (await this.browser.executeAsync(script, ...args)) as T;
  }

  async appFrames(): Promise<{ appId: string; inShadowRoot: boolean; tag: string }[]> {
    return [];
  }

  async topUrl(): Promise<string> {
    return `app:${this.appIdentifier}`;
  }

  async applyProfile(_on: boolean): Promise<Record<string, string | number | boolean>> {
    return { profile: this.android ? 'android' : 'ios' };
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}
