import { cpus } from 'node:os';
import { hostAdapterCases } from '../adapter/host-adapter-cases.ts';
import { hostLinkCases } from '../addressing/host-link-cases.ts';
import { hostAnalyticsCases } from '../analytics/host-analytics-cases.ts';
import { hostDispatchCases } from '../bridge/host-dispatch-cases.ts';
import { hostEnvelopeCases } from '../bridge/host-envelope-cases.ts';
import { hostMethodCases } from '../bridge/host-method-cases.ts';
import { hostPaymentCases } from '../bridge/host-payment-cases.ts';
import { hostBudgetCases, requiredSamples } from '../budgets/host-budget-cases.ts';
import { defineSuite, UsageError } from '../framework/index.ts';
import { ConformanceServer } from '../host/distribution/conformance-server.ts';
import { EchoServer } from '../host/distribution/echo-server.ts';
import { makeCertificate } from '../host/driver/tls-certificate.ts';
import {
  defaultChromedriver,
  defaultChromium,
  launchHostDriver,
} from '../host/driver/webdriver-launch.ts';
import type { HostSubject } from '../host/host-subject.ts';
import { hostLifecycleCases } from '../lifecycle/host-lifecycle-cases.ts';
import { hostProbationCases } from '../lifecycle/host-probation-cases.ts';
import { hostManifestCases } from '../manifest/host-subpackage-cases.ts';
import { hostReaderCases } from '../package/host-reader-cases.ts';
import { hostPermissionCases } from '../permissions/host-permission-cases.ts';
import { hostTrustCases } from '../signing/host-trust-cases.ts';
import { hostStorageCases } from '../storage/host-storage-cases.ts';
import { hostCompatibilityCases } from '../versioning/host-compatibility-cases.ts';

/**
 * The host class: a super app driven through the adapter of spec/conformance.md by WebDriver
 * (WebdriverIO straight to Chromium, or Appium), fed by the suite's own distribution server, and
 * observed through its adapter, its screens, a probe mini-app and the requests it makes.
 */
export const hostSuite = defineSuite<HostSubject>({
  class: 'host',
  title: 'Mini-app host',
  defaultTimeoutMs: 90_000,
  concurrency: 1,
  cases: [
    ...hostAdapterCases,
    ...hostTrustCases,
    ...hostReaderCases,
    ...hostCompatibilityCases,
    ...hostEnvelopeCases,
    ...hostDispatchCases,
    ...hostMethodCases,
    ...hostPaymentCases,
    ...hostPermissionCases,
    ...hostStorageCases,
    ...hostLifecycleCases,
    ...hostProbationCases,
    ...hostManifestCases,
    ...hostLinkCases,
    ...hostAnalyticsCases,
    ...hostBudgetCases,
  ],
  command: {
    usage: '--url URL [--webdriver URL | --appium URL|start [--capabilities FILE]] [options]',
    summary:
      'certify a super app (host) through its conformance adapter, driven by WebDriver or Appium',
    options: {
      url: { type: 'string' },
      webdriver: { type: 'string' },
      appium: { type: 'string' },
      capabilities: { type: 'string' },
      chromium: { type: 'string' },
      chromedriver: { type: 'string' },
      samples: { type: 'string' },
      listen: { type: 'string' },
    },
    optionHelp: {
      url: "the host's top-level page (web or hybrid host; for a native host, any label)",
      webdriver: 'a running WebDriver server to use instead of starting chromedriver',
      appium:
        'an Appium server URL, or "start" to start the suite\'s own Appium with the Chromium driver',
      capabilities:
        'capabilities JSON for --appium or --webdriver (see conformance/host/capabilities/)',
      chromium: `Chromium for the default session (default ${defaultChromium}; env CHROMIUM_PATH)`,
      chromedriver: `chromedriver for the default session (default ${defaultChromedriver}; env CHROMEDRIVER_PATH)`,
      samples: `samples per time budget (default ${requiredSamples}; fewer make the run incomplete)`,
      listen:
        "address of this machine that a native device reaches (default 127.0.0.1); the suite's HTTPS origins then listen on its port 8443",
    },
    positionals: { min: 0, max: 0, names: 'no argument' },
    async open(args) {
      const url = args.values['url'];
      if (typeof url !== 'string' || url === '') throw new UsageError('--url is required');
      try {
        new URL(url);
      } catch {
        throw new UsageError(`--url "${url}" is not a URL`);
      }
      const text = (name: string) =>
        typeof args.values[name] === 'string' ? (args.values[name] as string) : undefined;
      if (text('webdriver') && text('appium'))
        throw new UsageError('give --webdriver or --appium, not both');
      if (text('appium') && text('appium') !== 'start') {
        try {
          new URL(text('appium') ?? '');
        } catch {
          throw new UsageError('--appium takes a URL or "start"');
        }
        if (!text('capabilities')) throw new UsageError('--appium URL needs --capabilities FILE');
      }
      const samplesText = text('samples') ?? String(requiredSamples);
      const samples = Number(samplesText);
      if (!/^\d+$/.test(samplesText) || samples < 1 || samples > 1000) {
        throw new UsageError('--samples must be a whole number from 1 to 1000');
      }
      const address = text('listen') ?? '127.0.0.1';
      if (!/^[0-9.]+$|^[0-9a-f:]+$/i.test(address))
        throw new UsageError('--listen takes an IP address');
      const server = await ConformanceServer.start(address);
      const tls = makeCertificate(['echo.openminiapp.test', 'other.openminiapp.test']);
      const echo = await EchoServer.start(tls, address === '127.0.0.1' ? 0 : 8443, address).catch(
        async (error: unknown) => {
          await server.close();
          throw error;
        },
      );
      const rules = ['echo.openminiapp.test', 'other.openminiapp.test']
        .map((name) => `MAP ${name}:8443 ${address}:${echo.port}`)
        .join(', ');
      let driver;
      try {
        driver = await launchHostDriver({
          hostUrl: url,
          ...(text('webdriver') ? { webdriver: text('webdriver') } : {}),
          ...(text('appium') ? { appium: text('appium') } : {}),
          ...(text('capabilities') ? { capabilitiesFile: text('capabilities') } : {}),
          chromium: text('chromium') ?? defaultChromium,
          chromedriver: text('chromedriver') ?? defaultChromedriver,
          network: { rules, spki: tls.spki },
        });
      } catch (error) {
        await echo.close();
        await server.close();
        throw new UsageError(`cannot reach the host: ${(error as Error).message}`);
      }
      const details: Record<string, string | number | boolean> = {
        driver: driver.description,
        ...Object.fromEntries(Object.entries(driver.device).map(([k, v]) => [`device.${k}`, v])),
        cpuModel: cpus()[0]?.model ?? 'unknown',
        cpuCount: cpus().length,
        budgetSamples: samples,
      };
      const subject: HostSubject = {
        driver,
        server,
        echo,
        tls,
        address,
        samples,
        measurements: [],
        environment: {},
        details,
        memo: new Map(),
      };
      return {
        subject,
        target: { kind: `${driver.binding} host`, label: url, details },
        environment: subject.environment,
        ...(samples < requiredSamples
          ? {
              incomplete: `--samples ${samples}: each time budget was measured on ${samples} of the ${requiredSamples} samples certification needs`,
            }
          : {}),
        async close() {
          await driver.close().catch(() => undefined);
          await echo.close().catch(() => undefined);
          await server.close().catch(() => undefined);
        },
      };
    },
  },
});
