import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineSuite, runSuite, type ConformanceCase } from '../../framework/index.ts';
import { ConformanceServer } from '../../host/distribution/conformance-server.ts';
import { EchoServer } from '../../host/distribution/echo-server.ts';
import { makeCertificate } from '../../host/driver/tls-certificate.ts';
import type { HostSubject } from '../../host/host-subject.ts';
import { ModelHost, type ModelFault } from '../../host/test/model-host.ts';
import { hostTrustCases } from '../host-trust-cases.ts';

// The trust scenarios against the sdk's TrustStore (through a model host): every crafted world must
// be refused or accepted exactly as the reference verifier does, and switching off one check must
// make the case that names it fail. Slow-retrieval cases take 30 s each and run in the host tests.
const slow = new Set([
  'host.signing.slow-metadata',
  'host.signing.slow-bundle',
  'host.signing.rsa-pss-chain',
  'host.signing.rsa-pkcs1-signature',
]);

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

async function run(cases: ConformanceCase<HostSubject>[], faults: ModelFault[] = []) {
  const subject: HostSubject = {
    driver: new ModelHost(new Set(faults)),
    server,
    echo,
    tls,
    samples: 1,
    measurements: [],
    environment: {},
    details: {},
    memo: new Map(),
  };
  const suite = defineSuite<HostSubject>({
    class: 'host',
    title: 'trust scenarios',
    defaultTimeoutMs: 60_000,
    cases,
    command: {
      usage: '',
      summary: '',
      options: {},
      optionHelp: {},
      positionals: { min: 0, max: 0, names: '' },
      open: () => Promise.reject(new Error('unused')),
    },
  });
  return runSuite({ suite, subject, selection: { lanes: ['certify'], only: [] } });
}

describe('host trust scenarios against the sdk verifier', () => {
  it('a conforming verifier passes every scenario', async () => {
    const result = await run(hostTrustCases.filter((c) => !slow.has(c.id)));
    const failed = result.cases.filter((c) => c.status !== 'pass');
    assert.deepEqual(
      failed.map((c) => `${c.metadata.id}: ${c.reason ?? ''}`),
      [],
    );
  });

  it('a verifier that ignores expiry fails the expiry scenario', async () => {
    const result = await run(
      hostTrustCases.filter((c) => c.id === 'host.signing.index-expired'),
      ['expiry'],
    );
    assert.equal(result.cases[0]?.status, 'fail');
  });
});
