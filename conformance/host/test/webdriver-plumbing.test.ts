import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validatorFor } from '#schemas';
import { main } from '../../cli/main.ts';
import { defineSuite, runSuite, type ConformanceReport } from '../../framework/index.ts';
import { hostEnvelopeCases } from '../../bridge/host-envelope-cases.ts';
import { hostSuite } from '../../suites/host-suite.ts';
import { ConformanceServer } from '../distribution/conformance-server.ts';
import { EchoServer } from '../distribution/echo-server.ts';
import type { HostDriver } from '../driver/host-driver.ts';
import { makeCertificate } from '../driver/tls-certificate.ts';
import {
  defaultChromedriver,
  defaultChromium,
  launchHostDriver,
} from '../driver/webdriver-launch.ts';
import type { HostSubject } from '../host-subject.ts';
import { HostSession } from '../host-session.ts';
import { buildProbe, echoOrigin, otherOrigin } from '../probe/probe-package.ts';
import { startHarnessPage, type HarnessPage } from './harness-page.ts';

// The suite's WebDriver path in a real Chromium (WebdriverIO, then Appium): the adapter call, the
// probe inside a cross-origin frame, calls answered on the port, the network mapping of the suite's
// origins with their certificate, the policy violation report and the screen reader.
const available = existsSync(defaultChromium) && existsSync(defaultChromedriver);

for (const mode of ['webdriverio', 'appium'] as const) {
  describe(
    `WebDriver plumbing through ${mode}`,
    { skip: available ? false : 'no Chromium/chromedriver on this machine' },
    () => {
      let page: HarnessPage;
      let server: ConformanceServer;
      let echo: EchoServer;
      let driver: HostDriver;
      let session: HostSession;
      const probe = buildProbe();
      before(async () => {
        const tls = makeCertificate(['echo.openminiapp.test', 'other.openminiapp.test']);
        server = await ConformanceServer.start();
        echo = await EchoServer.start(tls);
        page = await startHarnessPage(probe.files, probe.appId, echoOrigin);
        driver = await launchHostDriver({
          hostUrl: page.url,
          ...(mode === 'appium' ? { appium: 'start' } : {}),
          chromium: defaultChromium,
          chromedriver: defaultChromedriver,
          network: {
            rules: ['echo', 'other']
              .map((n) => `MAP ${n}.openminiapp.test:8443 127.0.0.1:${echo.port}`)
              .join(', '),
            spki: tls.spki,
          },
        });
        const subject: HostSubject = {
          driver,
          server,
          echo,
          tls,
          samples: 1,
          measurements: [],
          environment: {},
          details: {},
          memo: new Map(),
        };
        session = new HostSession(subject, () => undefined, new AbortController().signal);
      });
      after(async () => {
        await driver?.close();
        await page?.close();
        await echo?.close();
        await server?.close();
      });

      it('calls the adapter in the top document and enters the marked frame', async () => {
        const launched = await driver.call('launch', { link: `miniapp://${probe.appId}/` });
        assert.equal((launched.answer.result as { kind: string }).kind, 'launched');
        assert.ok(launched.sentAt > 0);
        const frames = await driver.appFrames();
        assert.deepEqual(frames, [{ appId: probe.appId, inShadowRoot: false, tag: 'iframe' }]);
        const inits = await session.probe<{ origin: string; fromParent: boolean; ports: number }[]>(
          probe.appId,
          '(p) => p.connected(5000).then(() => p.inits)',
        );
        assert.equal(inits[0]?.ports, 1);
        assert.equal(inits[0]?.fromParent, true);
        assert.equal(inits[0]?.origin, new URL(page.url).origin);
      });

      it('sends calls on the port and reads their responses, waiting or not', async () => {
        const info = await session.call(probe.appId, 'host.getInfo', {});
        assert.equal(info.ok, true);
        const id = await session.startCall(probe.appId, 'storage.get', { key: 'k' });
        const response = await session.awaitResponse(probe.appId, id, 5_000);
        assert.equal(response.error?.code, 'UNKNOWN_METHOD');
      });

      it("reaches the suite's echo origin under its mapped name, and sees the policy stop another origin", async () => {
        const allowed = await session.probe<{ ok: boolean; body?: string }>(
          probe.appId,
          '(p, url) => p.attempt({ kind: "fetch", url })',
          `${echoOrigin}/echo`,
        );
        assert.equal(allowed.ok, true, JSON.stringify(allowed));
        assert.match(allowed.body ?? '', /echo\.openminiapp\.test/);
        const blocked = await session.probe<{ ok: boolean; violations: { directive: string }[] }>(
          probe.appId,
          '(p, url) => p.attempt({ kind: "fetch", url })',
          `${otherOrigin}/echo`,
        );
        assert.equal(blocked.ok, false);
        assert.ok(
          blocked.violations.some((v) => v.directive.includes('connect-src')),
          JSON.stringify(blocked),
        );
        assert.equal(echo.requestsFor('other.openminiapp.test').length, 0);
      });

      if (mode === 'webdriverio') {
        it('runs the host command of the CLI and writes reports valid against the report schema', async () => {
          const dir = mkdtempSync(path.join(tmpdir(), 'certify-plumbing-'));
          try {
            let output = '';
            const io = {
              stdout: { write: (c: string) => (output += c) },
              stderr: { write: (c: string) => (output += c) },
            };
            const code = await main(
              [
                'host',
                '--url',
                page.url,
                '--only',
                'host.adapter.web-binding',
                '--report-dir',
                dir,
                '--implementation-name',
                'webdriver harness page',
                '--implementation-version',
                '1',
              ],
              io,
            );
            assert.equal(code, 0, output);
            const report = JSON.parse(
              readFileSync(path.join(dir, 'certify-host.json'), 'utf8'),
            ) as ConformanceReport;
            const validate = validatorFor('conformance/report.schema.json');
            assert.ok(validate(report), JSON.stringify(validate.errors));
            assert.equal(report.verdict.status, 'incomplete');
            assert.equal(report.cases[0]?.status, 'pass');
            assert.equal(report.target.kind, 'web host');
            // Every host MUST has a case or a row in the not-certifiable table.
            const coverage =
              /host MUSTs: (\d+) in all, (\d+) not certifiable from outside, (\d+) with a case/.exec(
                output,
              );
            assert.ok(coverage, output);
            assert.equal(Number(coverage[3]), Number(coverage[1]) - Number(coverage[2]), output);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        });
      }

      if (mode === 'webdriverio') {
        it('passes the init-origin case when init goes to the frame origin, and fails it when init goes to "*"', async () => {
          const initCase = hostEnvelopeCases.filter(
            (c) => c.id === 'host.bridge.init-to-exact-origin',
          );
          const suite = defineSuite<HostSubject>({ ...hostSuite, cases: initCase });
          const subject = session.subject;
          const good = await runSuite({
            suite,
            subject,
            selection: { lanes: ['certify'], only: [] },
          });
          assert.equal(good.cases[0]?.status, 'pass', good.cases[0]?.reason);
          await driver.execute(
            `location.href = ${JSON.stringify(`${page.url}?target=star`)}; return true;`,
          );
          await new Promise((r) => setTimeout(r, 1_500));
          const bad = await runSuite({
            suite,
            subject,
            selection: { lanes: ['certify'], only: [] },
          });
          assert.equal(bad.cases[0]?.status, 'fail', bad.cases[0]?.reason);
          assert.match(bad.cases[0]?.reason ?? '', /another origin .* received the init message/);
          await driver.execute(`location.href = ${JSON.stringify(page.url)}; return true;`);
          await new Promise((r) => setTimeout(r, 1_500));
        });
      }

      it('reads the screens marked in the top document and restarts the page', async () => {
        assert.deepEqual(await driver.screens(), [{ name: 'sheet', text: 'A sheet with text' }]);
        await driver.restart();
        assert.deepEqual(await driver.appFrames(), []);
      });
    },
  );
}
