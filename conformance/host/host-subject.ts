import type { ConformanceServer } from './distribution/conformance-server.ts';
import type { EchoServer } from './distribution/echo-server.ts';
import type { HostDriver } from './driver/host-driver.ts';
import type { TlsMaterial } from './driver/tls-certificate.ts';
import type { TargetEnvironment } from '../framework/suite.ts';

/** A time budget as measured by a budget case, kept for the report (CNF-061). */
export interface BudgetMeasurement {
  caseId: string;
  budget: string;
  samples: number;
  required: number;
  percentile: number;
  limitMs: number;
  valueMs: number;
  medianMs: number;
  p90Ms: number;
  p95Ms: number;
  bundleBytes: number;
}

/** The host under certification, as the host suite opened it. */
export interface HostSubject {
  driver: HostDriver;
  server: ConformanceServer;
  echo: EchoServer;
  /** The address native hosts reach the suite's servers at (init.network, CNF-030). */
  address?: string;
  tls: TlsMaterial;
  /** Samples per time budget (50 for certification; fewer marks the run incomplete). */
  samples: number;
  /** Device profile as applied (CNF-061), filled once. */
  profile?: Record<string, string | number | boolean>;
  /** What `init` answered in the first session (hostApiVersion, platform). */
  info?: { hostApiVersion: string; platform: string; adapterVersion: string };
  measurements: BudgetMeasurement[];
  /** The report's environment: the device profile is filled when the first budget case applies it (CNF-061). */
  environment: TargetEnvironment;
  /** The report's target details (device profile and budget figures are added as they are measured). */
  details: Record<string, string | number | boolean>;
  /** Keys generated once per run and reused by cases that only need some key. */
  memo: Map<string, unknown>;
}
