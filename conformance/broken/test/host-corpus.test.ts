import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  defineSuite,
  repositoryRoot,
  runSuite,
  type ConformanceCase,
} from '../../framework/index.ts';
import { ConformanceServer } from '../../host/distribution/conformance-server.ts';
import { EchoServer } from '../../host/distribution/echo-server.ts';
import { makeCertificate } from '../../host/driver/tls-certificate.ts';
import type { HostSubject } from '../../host/host-subject.ts';
import { RemoteModelHost } from '../../host/test/remote-model-host.ts';
import { hostSuite } from '../../suites/host-suite.ts';
import { hostRecipes, type HostRecipe } from '../host/host-recipes.ts';
import { patchedTree } from '../host/patched-tree.ts';
import { certifyReferenceHost, startStartupDistribution } from '../host/host-certification.ts';

// Broken hosts: the suite must fail each one and name the requirement it breaks, and pass the
// unbroken control. The sdk recipes run today on the model host (the sdk's TrustStore in another
// process, from a patched copy); every recipe runs on the reference host when this tree has it.

// BROKEN_HOST_RECIPES=name,name runs only those recipes and skips the unbroken controls, so that a
// recipe can be checked in minutes instead of the whole corpus.
const selected = process.env['BROKEN_HOST_RECIPES']?.split(',').map((name) => name.trim());
const unknown = selected?.filter((name) => !hostRecipes.some((r) => r.name === name)) ?? [];
if (unknown.length > 0)
  throw new Error(`BROKEN_HOST_RECIPES names no recipe: ${unknown.join(', ')}`);
const chosen = hostRecipes.filter((r) => !selected || selected.includes(r.name));
const controls = selected ? 'BROKEN_HOST_RECIPES selects recipes only' : false;

const sdkRecipes = chosen.filter((r) => r.target === 'sdk');

function casesOf(recipe: HostRecipe) {
  return hostSuite.cases.filter((c) => recipe.only.some((pattern) => c.id === pattern));
}

describe('broken hosts on the model host (sdk recipes)', () => {
  let server: ConformanceServer;
  let echo: EchoServer;
  const tls = makeCertificate(['echo.openminiapp.test']);
  before(async () => {
    server = await ConformanceServer.start();
    echo = await EchoServer.start(tls);
  });
  after(async () => {
    await server.close();
    await echo.close();
  });

  async function certify(recipe: HostRecipe | undefined, cases: ConformanceCase<HostSubject>[]) {
    const tree = patchedTree(recipe);
    const driver = await RemoteModelHost.start(tree.dir);
    try {
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
      const suite = defineSuite<HostSubject>({ ...hostSuite, cases });
      return await runSuite({ suite, subject, selection: { lanes: ['certify'], only: [] } });
    } finally {
      await driver.close();
      tree.remove();
    }
  }

  it(
    'the unpatched model host passes every case the sdk recipes run',
    { skip: controls },
    async () => {
      const cases = [...new Set(sdkRecipes.flatMap(casesOf))];
      const run = await certify(undefined, cases);
      assert.deepEqual(
        run.cases
          .filter((c) => c.status !== 'pass')
          .map((c) => `${c.metadata.id}: ${c.reason ?? ''}`),
        [],
      );
    },
  );

  for (const recipe of sdkRecipes) {
    it(`${recipe.name} fails ${recipe.catches.join(', ')} naming ${recipe.violates}`, async () => {
      const run = await certify(recipe, casesOf(recipe));
      for (const id of recipe.catches) {
        const result = run.cases.find((c) => c.metadata.id === id);
        assert.equal(result?.status, 'fail', `${id} did not fail: ${result?.reason ?? 'not run'}`);
        assert.ok(
          result.metadata.requirements.includes(recipe.violates),
          `${id} does not cite ${recipe.violates}`,
        );
      }
    });
  }
});

// The reference host, unbroken (WebdriverIO and Appium) and broken, when this tree has it.
const referenceHost = existsSync(path.join(repositoryRoot, 'reference-host', 'server', 'main.ts'));

describe(
  'the reference host and its broken variants',
  {
    skip: referenceHost
      ? false
      : 'reference-host/ is not in this tree (it is merged from the host branch)',
  },
  () => {
    let stub: ConformanceServer;
    const reportDir = mkdtempSync(path.join(tmpdir(), 'certify-host-'));
    before(async () => {
      stub = await startStartupDistribution();
    });
    after(async () => {
      await stub.close();
      rmSync(reportDir, { recursive: true, force: true });
    });

    const certify = (recipe: HostRecipe | undefined, args: string[]) =>
      certifyReferenceHost(recipe, { distributionUrl: stub.url, reportDir, args });

    // Every case but the time budgets, which measure: they run alone, after every other test file
    // (reference-host-budgets.serial.test.ts), so that a concurrent test file cannot fail them.
    it(
      'passes every case of the suite but the budgets on the reference host through WebdriverIO, with no expected failures',
      { timeout: 900_000, skip: controls },
      async () => {
        const started = Date.now();
        const areas = [
          ...new Set(hostSuite.cases.map((c) => c.id.split('.').slice(0, 2).join('.'))),
        ].filter((area) => area !== 'host.budgets');
        const { code, report, output } = await certify(undefined, [
          '--only',
          areas.map((area) => `${area}.*`).join(','),
        ]);
        const failed = report.cases
          .filter((c) => c.status === 'fail' || c.status === 'error')
          .map((c) => `${c.id}: ${c.reason ?? ''}`);
        assert.deepEqual(failed, [], output.slice(-2000));
        assert.equal(report.expectations, null);
        assert.equal(
          report.cases.filter((c) => c.id.startsWith('host.budgets.')).length,
          0,
          'the budgets run alone, in reference-host-budgets.serial.test.ts',
        );
        assert.equal(code, 0);
        process.stdout.write(
          `# WebdriverIO full run but the budgets: ${Math.round((Date.now() - started) / 1000)} s\n`,
        );
      },
    );

    // A subset through Appium 3 and appium-chromium-driver (nothing downloads): the adapter, one
    // signing chain, payments and probation, which exercise every transport the Appium path adds
    // (WEBVIEW-free Chromium context, frames, screens, restart) without repeating the whole suite.
    it(
      'passes the adapter, signing, payment and probation cases on the reference host through Appium',
      { timeout: 900_000, skip: controls },
      async () => {
        const started = Date.now();
        const { code, report, output } = await certify(undefined, [
          '--appium',
          'start',
          '--only',
          'host.adapter.*,host.signing.ed25519-chain,host.payments.*,host.lifecycle.probation-rollback',
          '--samples',
          '5',
        ]);
        assert.deepEqual(
          report.cases.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id),
          [],
          output.slice(-2000),
        );
        assert.equal(code, 0);
        process.stdout.write(`# Appium subset: ${Math.round((Date.now() - started) / 1000)} s\n`);
      },
    );

    // With BROKEN_HOST_RECIPES, the control is the unbroken host on the cases those recipes run.
    const selectedHostRecipes = chosen.filter((r) => r.target === 'host');
    it(
      'passes the cases of the selected recipes on the unbroken reference host',
      {
        timeout: 900_000,
        skip: selected && selectedHostRecipes.length > 0 ? false : 'no selection',
      },
      async () => {
        const only = [...new Set(selectedHostRecipes.flatMap((r) => r.only))];
        const { code, report, output } = await certify(undefined, [
          '--only',
          only.join(','),
          '--samples',
          '1',
        ]);
        assert.deepEqual(
          report.cases.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.reason ?? ''}`),
          [],
          output.slice(-2000),
        );
        assert.equal(code, 0);
        for (const c of report.cases) process.stdout.write(`# ${c.id}: ${c.reason ?? 'pass'}\n`);
      },
    );

    // The sdk recipes run on the model host above; here the recipes that patch reference-host/.
    for (const recipe of chosen.filter((r) => r.target === 'host')) {
      it(
        `${recipe.name} is not certified: ${recipe.catches.join(', ')} fail naming ${recipe.violates}`,
        { timeout: 300_000 },
        async () => {
          const { code, report } = await certify(recipe, [
            '--only',
            recipe.only.join(','),
            '--samples',
            '1',
          ]);
          assert.equal(code, 1);
          for (const id of recipe.catches) {
            const result = report.cases.find((c) => c.id === id);
            assert.equal(result?.status, 'fail', `${id}: ${result?.reason ?? 'not run'}`);
            assert.ok(result.requirements.includes(recipe.violates));
            process.stdout.write(`# ${recipe.name} caught by ${id}: ${result.reason ?? ''}\n`);
          }
          for (const c of report.cases.filter((c) => !recipe.catches.includes(c.id)))
            process.stdout.write(`# ${recipe.name}, also run: ${c.id} ${c.status}\n`);
          assert.ok(report.requirements.find((r) => r.id === recipe.violates)?.status === 'fail');
        },
      );
    }
  },
);
