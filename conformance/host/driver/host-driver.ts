/**
 * How the suite reaches a host under test (spec/conformance.md, "Host adapter"): the adapter's
 * commands, the harness's restart, the host's screens and the mini-app's frame or web view. The web
 * binding (a web or hybrid host's top-level document) is implemented here over any WebDriver
 * session: WebdriverIO straight to chromedriver, or Appium's Chromium driver.
 */

export interface AdapterAnswer {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

export interface CallRecord {
  /** Host clock (Date.now() in the host's document) just before the adapter was called. */
  sentAt: number;
  /** Suite clock when the answer arrived. */
  answeredAt: number;
  answer: AdapterAnswer;
}

export interface ShownScreen {
  name: string;
  text: string;
}

export interface HostDriver {
  readonly binding: 'web' | 'native';
  /** What drives the host, for the report (e.g. `WebdriverIO 9.33.1 + chromedriver 156`). */
  readonly description: string;
  /** The browser or device the host runs on, for the report's device profile. */
  readonly device: Record<string, string | number | boolean>;
  /** Sends one adapter command and returns its answer; a transport failure throws. */
  call(command: string, args: unknown, timeoutMs?: number): Promise<CallRecord>;
  /** The harness's `restart` (spec/conformance.md, Sessions), then waits for the adapter. */
  restart(): Promise<void>;
  /** Screens the host shows now, in its top-level document. */
  screens(): Promise<ShownScreen[]>;
  /** Runs `body` inside the mini-app of `appId`; resolves undefined when no such frame exists. */
  inApp<T>(appId: string, body: () => Promise<T>): Promise<{ found: boolean; value?: T }>;
  /** Executes a script in the current context (top document, or the frame inside inApp). */
  execute<T>(script: string, ...args: unknown[]): Promise<T>;
  executeAsync<T>(script: string, ...args: unknown[]): Promise<T>;
  /** Describes the element holding the mini-app (CNF-024): how it is marked and where it lives. */
  appFrames(): Promise<{ appId: string; inShadowRoot: boolean; tag: string }[]>;
  /** The URL of the host's top-level document. */
  topUrl(): Promise<string>;
  /** Applies the web device profile (CPU throttling, viewport); returns what it could apply. */
  applyProfile(on: boolean): Promise<Record<string, string | number | boolean>>;
  close(): Promise<void>;
}

/** The WebDriver session commands the web binding needs (a subset of WebdriverIO's browser). */
export interface WebDriverSession {
  sessionId: string;
  executeScript(script: string, args: unknown[]): Promise<unknown>;
  executeAsyncScript(script: string, args: unknown[]): Promise<unknown>;
  setTimeouts(implicit?: number, pageLoad?: number, script?: number): Promise<unknown>;
  refresh(): Promise<unknown>;
  navigateTo(url: string): Promise<unknown>;
  getUrl(): Promise<string>;
  findElement(using: string, value: string): Promise<Record<string, string>>;
  findElements(using: string, value: string): Promise<Record<string, string>[]>;
  switchToFrame(id: unknown): Promise<unknown>;
  switchToParentFrame(): Promise<unknown>;
  deleteSession(): Promise<unknown>;
}

const callScript = `
const [command, args, done] = arguments;
const sentAt = Date.now();
const adapter = window.openMiniAppConformance;
if (!adapter || typeof adapter.call !== 'function') {
  done({ sentAt, missing: true });
  return;
}
let promise;
try {
  promise = Promise.resolve(adapter.call(command, args));
} catch (error) {
  promise = Promise.reject(error);
}
promise.then(
  (result) => done({ sentAt, answer: { ok: true, result: result === undefined ? null : result } }),
  (error) => done({ sentAt, answer: { ok: false, error: { code: error && error.code, message: String(error && error.message) } } }),
);`;

const screensScript = `
const out = [];
for (const el of document.querySelectorAll('[data-openminiapp-screen]')) {
  const style = getComputedStyle(el);
  const visible = style.display !== 'none' && style.visibility !== 'hidden' && el.getClientRects().length > 0;
  if (visible) out.push({ name: el.getAttribute('data-openminiapp-screen'), text: (el.innerText || el.textContent || '').trim() });
}
return out;`;

const framesScript = `
const out = [];
const walk = (root, shadow) => {
  for (const el of root.querySelectorAll('[data-openminiapp-app]')) {
    out.push({ appId: el.getAttribute('data-openminiapp-app'), inShadowRoot: shadow, tag: el.tagName.toLowerCase() });
  }
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot, true);
};
walk(document, false);
return out;`;

export class AdapterUnavailable extends Error {
  override name = 'AdapterUnavailable';
}

/** The web binding over a WebDriver session. */
export class WebHostDriver implements HostDriver {
  readonly binding = 'web' as const;
  private inFrame = false;

  constructor(
    private readonly session: WebDriverSession,
    readonly description: string,
    readonly device: Record<string, string | number | boolean>,
    private readonly hostUrl: string,
    private readonly onClose: () => Promise<void>,
    private readonly profile?: (on: boolean) => Promise<Record<string, string | number | boolean>>,
  ) {}

  async open(): Promise<void> {
    await this.session.setTimeouts(0, 60_000, 130_000);
    await this.session.navigateTo(this.hostUrl);
    await this.waitForAdapter(30_000);
  }

  async waitForAdapter(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const present = await this.session
        .executeScript(
          'return !!(window.openMiniAppConformance && typeof window.openMiniAppConformance.call === "function")',
          [],
        )
        .catch(() => false);
      if (present === true) return;
      if (Date.now() > deadline) {
        throw new AdapterUnavailable(
          `window.openMiniAppConformance.call is not defined in ${this.hostUrl} after ${timeoutMs} ms (CNF-020)`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async call(command: string, args: unknown, timeoutMs = 125_000): Promise<CallRecord> {
    await this.top();
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    // The timer is cleared once the answer arrives: left pending, it kept the process alive 125 s.
    const outcome = (await Promise.race([
      this.session.executeAsyncScript(callScript, [command, args]),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve({ sentAt: started, timedOut: true }), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer))) as {
      sentAt: number;
      answer?: AdapterAnswer;
      missing?: boolean;
      timedOut?: boolean;
    };
    if (outcome.missing) {
      throw new AdapterUnavailable('window.openMiniAppConformance.call is not defined (CNF-020)');
    }
    if (outcome.timedOut || !outcome.answer) {
      throw new AdapterUnavailable(`the adapter did not answer ${command} within ${timeoutMs} ms`);
    }
    return { sentAt: outcome.sentAt, answeredAt: Date.now(), answer: outcome.answer };
  }

  async restart(): Promise<void> {
    await this.top();
    await this.session.refresh();
    await this.waitForAdapter(30_000);
  }

  async screens(): Promise<{ name: string; text: string }[]> {
    await this.top();
    return (await this.session.executeScript(screensScript, [])) as ShownScreen[];
  }

  async appFrames(): Promise<{ appId: string; inShadowRoot: boolean; tag: string }[]> {
    await this.top();
    return (await this.session.executeScript(framesScript, [])) as {
      appId: string;
      inShadowRoot: boolean;
      tag: string;
    }[];
  }

  private async top(): Promise<void> {
    if (this.inFrame) {
      await this.session.switchToFrame(null);
      this.inFrame = false;
    }
  }

  async inApp<T>(appId: string, body: () => Promise<T>): Promise<{ found: boolean; value?: T }> {
    await this.top();
    const found = await this.session.findElements(
      'css selector',
      `iframe[data-openminiapp-app="${appId.replace(/"/g, '')}"]`,
    );
    const frame = found[0];
    if (!frame) return { found: false };
    await this.session.switchToFrame(frame);
    this.inFrame = true;
    try {
      return { found: true, value: await body() };
    } finally {
      await this.top().catch(() => undefined);
    }
  }

  async execute<T>(script: string, ...args: unknown[]): Promise<T> {
    return (await this.session.executeScript(script, args)) as T;
  }

  async executeAsync<T>(script: string, ...args: unknown[]): Promise<T> {
    return (await this.session.executeAsyncScript(script, args)) as T;
  }

  async topUrl(): Promise<string> {
    await this.top();
    return this.session.getUrl();
  }

  async applyProfile(on: boolean): Promise<Record<string, string | number | boolean>> {
    return (await this.profile?.(on)) ?? { cpuThrottlingRate: 'not applied' };
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}
