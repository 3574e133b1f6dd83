import type { Contract } from '../contract/openapi-contract.ts';
import type { TrafficLedger } from '../contract/traffic-ledger.ts';
import type { HttpDriver } from './http-driver.ts';
import type { TestWorld } from './test-world.ts';

/** The server under test as the suite opened it: HTTP only, through the adapter of spec/conformance.md. */
export interface ServerSubject {
  baseUrl: URL;
  adminToken: string;
  /** The server's public base URL from the credentials file: the issuer of its tokens. */
  issuer: string;
  contract: Contract;
  ledger: TrafficLedger;
  driver: HttpDriver;
  world: TestWorld;
  /** Lowercase letters and digits that make this run's ids unique. */
  runId: string;
  /** Seed of every fast-check property of the run, printed so a failure can be replayed. */
  seed: number;
  /** Runs per property (bounded, so a certification stays within its time). */
  propertyRuns: number;
}
