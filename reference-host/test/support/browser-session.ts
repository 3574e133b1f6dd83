/**
 * A headless Chromium driven by WebdriverIO, with the system's browser and driver (nothing is
 * downloaded), a fresh profile, and a resolver that reaches only loopback: 127.0.0.1 and the
 * runtime's *.localhost origins (the rule `MAP * ~NOTFOUND` would otherwise hide them too).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { remote } from 'webdriverio';

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

/** Calls the conformance adapter in the host's top document. */
export async function adapter<T = unknown>(
  browser: Browser,
  command: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  await browser.switchFrame(null);
  await browser.waitUntil(
    () =>
      browser.execute(
        () =>
          typeof (window as unknown as { openMiniAppConformance?: unknown })
            .openMiniAppConformance === 'object',
      ),
    {
      timeout: 20_000,
      timeoutMsg: 'the conformance adapter never appeared',
    },
  );
  return (await browser.executeAsync(
    (cmd: string, a: Record<string, unknown>, done: (value: unknown) => void) => {
      (
        window as unknown as {
          openMiniAppConformance: { call(c: string, a: unknown): Promise<unknown> };
        }
      ).openMiniAppConformance
        .call(cmd, a)
        .then(done, (error: unknown) => done({ thrown: String(error) }));
    },
    command,
    args,
  )) as T;
}
