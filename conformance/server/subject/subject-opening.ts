import { randomInt } from 'node:crypto';
import { UsageError } from '../../framework/index.ts';
import { loadContract } from '../contract/openapi-contract.ts';
import { TrafficLedger } from '../contract/traffic-ledger.ts';
import { readCredentials } from './credentials-file.ts';
import { DelegationSigner } from './delegation-signer.ts';
import { HttpDriver } from './http-driver.ts';
import type { ServerSubject } from './server-subject.ts';
import { adminRoutePrincipals } from './test-principals.ts';
import { TestWorld } from './test-world.ts';

/** Eight characters, a letter first, that make a run's ids unique on a shared server. */
export function runNonce(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const alphabet = `${letters}0123456789`;
  let id = letters[randomInt(26)] as string;
  for (let i = 0; i < 7; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}

export interface SubjectOptions {
  /** The credentials file of spec/conformance.md (Server adapter). */
  credentialsFile: string;
  /** Base URL of the server; the credentials file's url when absent. */
  url?: string;
  seed?: number;
  propertyRuns?: number;
}

/**
 * Opens a server under test from a URL and a credentials file only, as every certification does (the
 * server suite and the Gherkin features): the driver, the ledger that checks each exchange against the
 * contract, and the test world whose principals come from the server's admin routes.
 */
export async function openServerSubject(options: SubjectOptions): Promise<ServerSubject> {
  const credentials = await readCredentials(options.credentialsFile);
  const url = options.url ?? credentials.url;
  let baseUrl: URL;
  try {
    baseUrl = new URL(url.endsWith('/') ? url : `${url}/`);
  } catch {
    throw new UsageError(`--url ${url} is not a URL`);
  }
  const contract = loadContract();
  const ledger = new TrafficLedger(contract);
  const driver = new HttpDriver(baseUrl, contract, ledger);
  try {
    await fetch(new URL('healthz', baseUrl), { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new UsageError(`cannot reach ${baseUrl.href}: ${(error as Error).message}`);
  }
  const principals = adminRoutePrincipals(driver, credentials.admin.token);
  const runId = runNonce();
  const world = new TestWorld(driver, principals, runId);
  world.adminToken = credentials.admin.token;
  try {
    world.delegationSigner = await DelegationSigner.from(credentials.delegationKeys);
  } catch (error) {
    throw new UsageError(`the credentials file's delegationKeys: ${(error as Error).message}`);
  }
  return {
    baseUrl,
    issuer: credentials.url,
    adminToken: credentials.admin.token,
    contract,
    ledger,
    driver,
    world,
    runId,
    seed: options.seed ?? randomInt(2 ** 31 - 1),
    propertyRuns: options.propertyRuns ?? 25,
  };
}
