import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { remote } from 'webdriverio';
import { startAppium } from './appium-service.ts';
import { WebHostDriver, type HostDriver, type WebDriverSession } from './host-driver.ts';
import { NativeHostDriver } from './native-host-driver.ts';

/**
 * Opens the WebDriver session that drives a host: by default WebdriverIO starts chromedriver and a
 * headless Chromium of this machine (nothing is downloaded); `--webdriver URL` uses a WebDriver
 * server the vendor runs; `--appium URL` (or `start`, the suite's own Appium with the Chromium
 * driver) drives a browser or a device through Appium with the vendor's capabilities.
 */

export const defaultChromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const defaultChromedriver = process.env['CHROMEDRIVER_PATH'] ?? '/usr/bin/chromedriver';
export const webdriverioVersion = '9.33.1';

export interface LaunchOptions {
  hostUrl: string;
  webdriver?: string;
  appium?: string;
  capabilitiesFile?: string;
  chromium: string;
  chromedriver: string;
  /** Host-resolver rules and trusted SPKI digest for the suite's network origins. */
  network: { rules: string; spki: string };
}

const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-component-update',
];

type Capabilities = Record<string, unknown>;

function readCapabilities(file: string): Capabilities {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw new Error('not an object');
    return value as Capabilities;
  } catch (error) {
    throw new Error(`cannot read capabilities ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Adds the suite's network mapping and a fresh profile to Chromium options, when there are any. */
function withNetwork(caps: Capabilities, options: LaunchOptions, profile: string): Capabilities {
  const chrome = (caps['goog:chromeOptions'] ?? undefined) as { args?: string[] } | undefined;
  if (!chrome && caps['browserName'] !== 'chrome') return caps;
  const args = [...(chrome?.args ?? [])].filter(
    (a) => !a.startsWith('--user-data-dir') && !a.startsWith('--host-resolver-rules'),
  );
  return {
    ...caps,
    'goog:chromeOptions': {
      ...(chrome ?? {}),
      args: [
        ...args,
        `--user-data-dir=${profile}`,
        `--host-resolver-rules=${options.network.rules}`,
        `--ignore-certificate-errors-spki-list=${options.network.spki}`,
      ],
    },
  };
}

function ownCapabilities(caps: Capabilities): Capabilities {
  return Object.fromEntries(Object.entries(caps).filter(([k]) => !k.startsWith('openminiapp:')));
}

async function cdp(
  serverUrl: string,
  sessionId: string,
  cmd: string,
  params: Record<string, unknown>,
): Promise<boolean> {
  try {
    const response = await fetch(`${serverUrl}/session/${sessionId}/goog/cdp/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cmd, params }),
    });
    return response.ok;
  } catch {
    return false;
  }
}

export async function launchHostDriver(options: LaunchOptions): Promise<HostDriver> {
  // The suite calls WebDriver's own Switch To Frame on purpose; WebdriverIO would warn on every call.
  process.env['DISABLE_WEBDRIVERIO_DEPRECATION_WARNINGS'] ??= 'true';
  const profile = mkdtempSync(path.join(tmpdir(), 'miniapp-certify-profile-'));
  const cleanups: (() => Promise<void>)[] = [
    async () => rmSync(profile, { recursive: true, force: true }),
  ];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    let browser: WebdriverIO.Browser;
    let description: string;
    let serverUrl: string;
    let binding: 'web' | 'native' = 'web';
    let appIdentifier = '';
    if (options.appium) {
      let url = options.appium;
      if (url === 'start') {
        const appium = await startAppium();
        cleanups.push(() => appium.stop());
        url = appium.url;
        description = `Appium ${appium.version} (started by the suite) + appium-chromium-driver`;
      } else description = `Appium at ${url}`;
      const file =
        options.capabilitiesFile ??
        path.join(import.meta.dirname, '..', 'capabilities', 'appium-chromium.json');
      const read = readCapabilities(file);
      binding = read['openminiapp:binding'] === 'native' ? 'native' : 'web';
      appIdentifier = String(read['openminiapp:appIdentifier'] ?? '');
      const caps = withNetwork(ownCapabilities(read), options, profile);
      const parsed = new URL(url);
      browser = await remote({
        protocol: parsed.protocol.replace(':', '') as 'http' | 'https',
        hostname: parsed.hostname,
        port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
        path: parsed.pathname === '' ? '/' : parsed.pathname,
        logLevel: 'error',
        connectionRetryCount: 0,
        capabilities: caps as WebdriverIO.Capabilities,
      });
      serverUrl = `${parsed.origin}${parsed.pathname.replace(/\/$/, '')}`;
    } else if (options.webdriver) {
      const parsed = new URL(options.webdriver);
      const caps = withNetwork(
        options.capabilitiesFile
          ? ownCapabilities(readCapabilities(options.capabilitiesFile))
          : {
              browserName: 'chrome',
              'goog:chromeOptions': { binary: options.chromium, args: chromiumArgs },
            },
        options,
        profile,
      );
      browser = await remote({
        protocol: parsed.protocol.replace(':', '') as 'http' | 'https',
        hostname: parsed.hostname,
        port: Number(parsed.port || 80),
        path: parsed.pathname === '' ? '/' : parsed.pathname,
        logLevel: 'error',
        connectionRetryCount: 0,
        capabilities: caps as WebdriverIO.Capabilities,
      });
      serverUrl = `${parsed.origin}${parsed.pathname.replace(/\/$/, '')}`;
      description = `WebDriver at ${options.webdriver}`;
    } else {
      const caps = withNetwork(
        {
          browserName: 'chrome',
          'goog:chromeOptions': { binary: options.chromium, args: chromiumArgs },
          'wdio:chromedriverOptions': { binary: options.chromedriver },
        },
        options,
        profile,
      );
      browser = await remote({
        logLevel: 'error',
        connectionRetryCount: 0,
        capabilities: caps as WebdriverIO.Capabilities,
      });
      serverUrl = `http://${browser.options.hostname ?? '127.0.0.1'}:${browser.options.port ?? 0}`;
      description = `WebdriverIO ${webdriverioVersion} + chromedriver`;
    }
    cleanups.push(async () => {
      await browser.deleteSession();
    });
    const caps = browser.capabilities as Record<string, unknown>;
    const device: Record<string, string | number | boolean> = {
      browser: String(caps['browserName'] ?? 'unknown'),
      browserVersion: String(caps['browserVersion'] ?? caps['platformVersion'] ?? 'unknown'),
      platform: String(caps['platformName'] ?? process.platform),
    };
    const session = browser as unknown as WebDriverSession;
    if (binding === 'native') {
      const driver = new NativeHostDriver(browser, appIdentifier, description, device, cleanup);
      return driver;
    }
    const profileFn = async (on: boolean) => {
      // The web device profile of spec/budgets.md, through the DevTools Protocol where the driver offers it.
      const throttled = await cdp(serverUrl, browser.sessionId, 'Emulation.setCPUThrottlingRate', {
        rate: on ? 4 : 1,
      });
      const metrics = on
        ? await cdp(serverUrl, browser.sessionId, 'Emulation.setDeviceMetricsOverride', {
            width: 390,
            height: 844,
            deviceScaleFactor: 3,
            mobile: true,
          })
        : await cdp(serverUrl, browser.sessionId, 'Emulation.clearDeviceMetricsOverride', {});
      return {
        profile: 'web',
        cpuThrottlingRate: throttled ? 4 : 'unavailable',
        viewport: metrics ? '390x844@3 mobile' : 'unavailable',
      };
    };
    const driver = new WebHostDriver(
      session,
      description,
      device,
      options.hostUrl,
      cleanup,
      profileFn,
    );
    await driver.open();
    return driver;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
