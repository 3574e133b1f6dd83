import type { Browser } from 'playwright-core';

/** Where Debian's Chromium lives; CHROMIUM_PATH overrides it wherever a browser is started. */
export const defaultChromiumPath = '/usr/bin/chromium';

/**
 * The one set of flags every headless Chromium of the project starts with (review screenshots, browser
 * tests, README screenshots): no sandbox (containers and CI run as root), no GPU, no background
 * network, update or sync traffic, and no QUIC, so a page reaches only what its test serves.
 */
export const headlessChromiumFlags: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]);

/**
 * Starts headless Chromium through playwright-core with the flags above (plus `extraArgs`).
 * playwright-core is loaded here, on first use, so commands and servers that never render a page
 * do not load it at start.
 */
export async function launchHeadlessChromium(
  options: { executablePath?: string; extraArgs?: readonly string[]; timeoutMs?: number } = {},
): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: options.executablePath ?? defaultChromiumPath,
    args: [...headlessChromiumFlags, ...(options.extraArgs ?? [])],
    headless: true,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
}
