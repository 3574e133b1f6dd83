import { randomInt } from 'node:crypto';
import { defineSuite, UsageError } from '../framework/index.ts';
import { serverCases } from './cases/index.ts';
import { loadContract } from './contract/openapi-contract.ts';
import { TrafficLedger } from './contract/traffic-ledger.ts';
import { readCredentials } from './subject/credentials-file.ts';
import { HttpDriver } from './subject/http-driver.ts';
import { PrismOpinion } from './subject/prism-opinion.ts';
import { DelegationSigner } from './subject/delegation-signer.ts';
import type { ServerSubject } from './subject/server-subject.ts';
import { adminRoutePrincipals } from './subject/test-principals.ts';
import { TestWorld } from './subject/test-world.ts';

function runNonce(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const alphabet = `${letters}0123456789`;
  let id = letters[randomInt(26)] as string;
  for (let i = 0; i < 7; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}

function integerOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

/** The `server` suite: a distribution server over its HTTP contract (spec/distribution.md). */
export const serverSuite = defineSuite<ServerSubject>({
  class: 'server',
  title: 'Distribution server',
  defaultTimeoutMs: 30_000,
  concurrency: 1,
  cases: serverCases,
  command: {
    usage: '--url URL --credentials FILE [options]',
    summary: 'certify a distribution server over its HTTP contract',
    options: {
      url: { type: 'string' },
      credentials: { type: 'string' },
      seed: { type: 'string' },
      runs: { type: 'string' },
      prism: { type: 'boolean' },
    },
    optionHelp: {
      url: 'base URL of the server (default: the url of the credentials file)',
      credentials: 'credentials file with the server url and an admin token (spec/conformance.md)',
      seed: 'seed of the property cases, to replay a failure (default: random, printed)',
      runs: 'runs per property case (default 25)',
      prism:
        'also send every request through `prism proxy` and report its violations (not certifying)',
    },
    positionals: { min: 0, max: 0, names: 'no argument' },
    async open(args, io) {
      const file = args.values.credentials;
      if (typeof file !== 'string') throw new UsageError('--credentials FILE is required');
      const credentials = await readCredentials(file);
      const url = typeof args.values.url === 'string' ? args.values.url : credentials.url;
      let baseUrl: URL;
      try {
        baseUrl = new URL(url.endsWith('/') ? url : `${url}/`);
      } catch {
        throw new UsageError(`--url ${url} is not a URL`);
      }
      const seed =
        integerOption(args.values.seed, 'seed', 0, 2 ** 31 - 1) ?? randomInt(2 ** 31 - 1);
      const propertyRuns = integerOption(args.values.runs, 'runs', 1, 10_000) ?? 25;
      const contract = loadContract();
      const ledger = new TrafficLedger(contract);
      const driver = new HttpDriver(baseUrl, contract, ledger);
      try {
        await fetch(new URL('healthz', baseUrl), { signal: AbortSignal.timeout(10_000) });
      } catch (error) {
        throw new UsageError(`cannot reach ${baseUrl.href}: ${(error as Error).message}`);
      }
      const principals = adminRoutePrincipals(driver, credentials.admin.token);
      if (args.values.prism === true) {
        driver.prism = await PrismOpinion.start(baseUrl);
        io.stdout.write(
          `prism proxy at ${driver.prism.url.href} gives a second, non-certifying opinion on JSON operations\n`,
        );
      }
      const runId = runNonce();
      const world = new TestWorld(driver, principals, runId);
      world.adminToken = credentials.admin.token;
      try {
        world.delegationSigner = await DelegationSigner.from(credentials.delegationKeys);
      } catch (error) {
        throw new UsageError(`the credentials file's delegationKeys: ${(error as Error).message}`);
      }
      io.stdout.write(
        `run ${runId}, property seed ${seed} (replay with --seed ${seed}), ${propertyRuns} runs per property\n`,
      );
      return {
        subject: {
          baseUrl,
          issuer: credentials.url,
          adminToken: credentials.admin.token,
          contract,
          ledger,
          driver,
          world,
          runId,
          seed,
          propertyRuns,
        },
        target: {
          kind: 'server',
          label: baseUrl.href,
          details: { runId, seed, propertyRuns, prism: Boolean(driver.prism) },
        },
        close: async () => {
          await driver.prism?.close();
        },
      };
    },
  },
});
