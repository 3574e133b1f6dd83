/**
 * A headless Chromium driven by WebdriverIO, with the system's browser and driver (nothing is
 * downloaded), a fresh profile, and a resolver that reaches only loopback: 127.0.0.1 and the
 * runtime's *.localhost origins (the rule `MAP * ~NOTFOUND` would otherwise hide them too).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { remote } from 'webdriverio';
import { schemaBaseUri, schemaValidator, validatorFor } from '#schemas';

export type Browser = WebdriverIO.Browser;

export const chromiumPath = '/usr/bin/chromium';
export const chromedriverPath = '/usr/bin/chromedriver';

export interface BrowserSession {
  browser: Browser;
  close(): Promise<void>;
}

export async function startBrowser(
  options: { extraArgs?: string[]; width?: number; height?: number } = {},
): Promise<BrowserSession> {
  const profile = await mkdtemp(path.join(tmpdir(), 'omp-host-chromium-'));
  const browser = await remote({
    logLevel: 'error',
    capabilities: {
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: chromiumPath,
        args: [
          '--headless=new',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--no-first-run',
          '--disable-component-update',
          '--force-prefers-reduced-motion',
          '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost, EXCLUDE *.localhost',
          `--user-data-dir=${profile}`,
          `--window-size=${options.width ?? 390},${options.height ?? 844}`,
          ...(options.extraArgs ?? []),
        ],
      },
      'wdio:chromedriverOptions': { binary: chromedriverPath },
    },
  });
  return {
    browser,
    async close() {
      await browser.deleteSession().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const resultSchema = `${schemaBaseUri}conformance/adapter-result.schema.json`;

/** An adapter error (spec/conformance.md, Adapter errors), thrown by `adapter` when the call rejects. */
export class AdapterCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/**
 * Calls the conformance adapter in the host's top document exactly as spec/conformance.md drives it
 * (Execute Async Script), and holds both ends to the schemas: the command to
 * adapter-command.schema.json, the answer to adapter-result.schema.json and, for a success, the
 * result to the `$defs` entry of its command [CNF-022].
 */
export async function adapter<T = unknown>(
  browser: Browser,
  command: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  const commandValid = validatorFor('conformance/adapter-command.schema.json');
  assert.ok(
    commandValid({ command, args }),
    `the test sends a valid ${command}: ${JSON.stringify(commandValid.errors)}`,
  );
  await browser.waitUntil(() => adapterPresent(browser), {
    timeout: 20_000,
    timeoutMsg: 'the conformance adapter never appeared',
  });
  const answer = (await browser.executeAsync(
    (cmd: string, a: Record<string, unknown>, done: (value: unknown) => void) => {
      (
        window as unknown as {
          openMiniAppConformance: { call(c: string, a: unknown): Promise<unknown> };
        }
      ).openMiniAppConformance
        .call(cmd, a)
        .then(
          (result) => done({ ok: true, result }),
          (error: { code?: unknown; message?: unknown }) =>
            done({ ok: false, error: { code: error.code, message: String(error.message) } }),
        );
    },
    command,
    args,
  )) as { ok: boolean; result?: T; error?: { code: string; message: string } };
  const envelope = schemaValidator().getSchema(resultSchema);
  assert.ok(
    envelope?.(answer),
    `the answer to ${command} is an adapter answer: ${JSON.stringify(answer)}`,
  );
  if (!answer.ok) throw new AdapterCallError(answer.error?.code ?? '', answer.error?.message ?? '');
  const result = schemaValidator().getSchema(`${resultSchema}#/$defs/${command}`);
  assert.ok(
    result?.(answer.result),
    `the result of ${command} is valid: ${JSON.stringify(answer.result)} ${JSON.stringify(result?.errors)}`,
  );
  return answer.result as T;
}

/** The code of the adapter error a call rejects with. */
export async function adapterErrorOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    if (error instanceof AdapterCallError) return error.code;
    throw error;
  }
}

/**
 * Whether the host's top document exposes the adapter. Each look starts from the top-level window:
 * WebdriverIO's BiDi context tracking can be left on an app frame that a reload or a relaunch removed,
 * and a look inside a frame that is gone never sees the adapter.
 */
async function adapterPresent(browser: Browser): Promise<boolean> {
  await browser.switchFrame(null);
  return browser.execute(
    () =>
      typeof (window as unknown as { openMiniAppConformance?: unknown }).openMiniAppConformance ===
      'object',
  );
}

/** The harness's `restart` [CNF-028]: the host's top-level document is reloaded. */
export async function restartHost(browser: Browser): Promise<void> {
  await browser.switchFrame(null);
  // Opened again by its address (WebDriver's refresh leaves WebdriverIO's BiDi context stale).
  await browser.url(await browser.getUrl());
  await browser.waitUntil(() => adapterPresent(browser), {
    timeout: 20_000,
    timeoutMsg: 'the conformance adapter never came back after a reload',
  });
}

/**
 * What the host keeps in its own storage (IndexedDB of the shell's origin), read from outside by the
 * tests: the keys under a prefix, or one value.
 */
export async function storedKeys(browser: Browser, prefix: string): Promise<string[]> {
  await browser.switchFrame(null);
  return (await browser.executeAsync((p: string, done: (keys: string[]) => void) => {
    const open = indexedDB.open('openminiapp-host');
    open.onsuccess = () => {
      const request = open.result
        .transaction('kv')
        .objectStore('kv')
        .getAllKeys(IDBKeyRange.bound(p, `${p}\uffff`));
      request.onsuccess = () => {
        done(request.result.map(String));
        open.result.close();
      };
    };
  }, prefix)) as string[];
}

export async function storedValue<T>(browser: Browser, key: string): Promise<T | undefined> {
  await browser.switchFrame(null);
  return (await browser.executeAsync((k: string, done: (value: unknown) => void) => {
    const open = indexedDB.open('openminiapp-host');
    open.onsuccess = () => {
      const request = open.result.transaction('kv').objectStore('kv').get(k);
      request.onsuccess = () => {
        done(request.result ?? null);
        open.result.close();
      };
    };
  }, key)) as T | undefined;
}

/**
 * Saves a PNG of the host's window through classic WebDriver. WebdriverIO's BiDi `saveScreenshot`
 * captures the context it believes is current, which can still name an app frame the host has since
 * removed ("no such frame"); the classic command always captures the top-level window.
 */
export async function saveWindowScreenshot(browser: Browser, file: string): Promise<void> {
  await writeFile(file, Buffer.from(await browser.takeScreenshot(), 'base64'));
}
