import type { ParseArgsConfig } from 'node:util';
import type { ConformanceCase } from './conformance-case.ts';
import type { ConformanceClass } from './requirement-index.ts';

/** Where the CLI writes; tests pass in-memory sinks. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** The command line after the common options were taken out. */
export interface SuiteArguments {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** What was certified, as the report names it. */
export interface TargetDescription {
  /** e.g. `archive`, `directory`, `server`, `web host`. */
  kind: string;
  /** A path or URL a person recognises. */
  label: string;
  details: Record<string, string | number | boolean>;
}

/** The implementation a report names [CNF-060]. */
export interface ImplementationName {
  name: string;
  version: string;
}

/** The device profile of spec/budgets.md a host was timed on, and what was actually used [CNF-061]. */
export interface DeviceProfile {
  profile: 'web' | 'android' | 'ios';
  /** The device actually used (model, or cores and memory of a computer). */
  device: string;
  /** Its CPU model. */
  cpu: string;
  /** Settings as applied (CPU throttling rate, viewport). */
  settings?: Record<string, string | number | boolean>;
}

/** The data set a server was loaded with (spec/conformance.md, "Server load") [CNF-061]. */
export interface ServerLoad {
  apps: number;
  versionsPerApp: number;
  deviceCredentials: number;
  appsPerCheck: number;
}

/** Where a host or server was measured; read after the run, so a suite may fill it as cases run. */
export interface TargetEnvironment {
  deviceProfile?: DeviceProfile;
  serverLoad?: ServerLoad;
}

/** The implementation under test, opened by a suite from the command line. */
export interface OpenedTarget<Subject> {
  subject: Subject;
  target: TargetDescription;
  /**
   * The implementation's name and version as the target states them (a package's manifest, a
   * toolkit's --version); --implementation-name/-version and the expectations file take precedence.
   */
  implementation?: ImplementationName;
  environment?: TargetEnvironment;
  /**
   * Why this run cannot certify even if every case passes (e.g. fewer budget samples than the
   * specification asks for); the verdict is then `incomplete`.
   */
  incomplete?: string;
  /** Releases what `open` acquired (servers, browsers, temporary files); always called. */
  close?(): Promise<void>;
}

/** How `miniapp-certify <class>` reaches the implementation. */
export interface SuiteCommand<Subject> {
  /** Usage after `miniapp-certify <class> `, e.g. `<file|dir> [options]`. */
  usage: string;
  summary: string;
  /** Options of this suite only; the common ones (--report-dir, --format, ...) are added by the CLI. */
  options: OptionSpec;
  optionHelp: Record<string, string>;
  positionals: { min: number; max: number; names: string };
  /**
   * Opens the implementation. Throw UsageError for a wrong argument or an unreachable target (exit 2);
   * anything about the implementation's conformance belongs in a case, not here.
   */
  open(args: SuiteArguments, io: CliIo): Promise<OpenedTarget<Subject>>;
}

/** A conformance suite: every case of one class, and the command that runs them. */
export interface Suite<Subject> {
  class: ConformanceClass;
  title: string;
  cases: readonly ConformanceCase<Subject>[];
  /** Per-case timeout unless the case or --timeout says otherwise. */
  defaultTimeoutMs: number;
  /** Cases run at once (default 1: one after the other, in the order listed). */
  concurrency?: number;
  command: SuiteCommand<Subject>;
}

/** Identity function that types a suite literal. */
export function defineSuite<Subject>(suite: Suite<Subject>): Suite<Subject> {
  return suite;
}
