import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { main } from '../main.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../../../..');
export const examplesRoot = path.join(repoRoot, 'examples');
export const exampleNames = ['shop', 'places', 'notes'] as const;
export type ExampleName = (typeof exampleNames)[number];

/** What one CLI invocation produced. */
export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `miniapp <argv>` in-process with in-memory sinks. */
export async function runCli(argv: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await main(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { exitCode, stdout, stderr };
}

/** Runs the installed bin in a child process, as a partner's shell would. */
export function runBin(argv: readonly string[], cwd: string): CliRun {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'sdk/bin/miniapp.js'), ...argv], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, MINIAPP_DEBUG: '' },
  });
  return { exitCode: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A fresh folder for one test; `dispose` removes it. */
export interface Sandbox {
  dir: string;
  at(...parts: string[]): string;
  dispose(): Promise<void>;
}

export async function sandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'miniapp-cli-'));
  return {
    dir,
    at: (...parts) => path.join(dir, ...parts),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Copies an example app into the sandbox so a test can break it without touching the repository. */
export async function copyExample(
  box: Sandbox,
  name: ExampleName,
  as: string = name,
): Promise<string> {
  const target = box.at(as);
  await cp(path.join(examplesRoot, name), target, { recursive: true });
  return target;
}

/** The JSON report printed by `validate --format json`. */
export interface JsonReport {
  valid: boolean;
  kind: string;
  errorCount: number;
  usedMethods: string[];
  requiredHostVersion?: string;
  diagnostics: {
    code: string;
    severity: string;
    requirement: string;
    location?: { file?: string; line?: number; column?: number };
  }[];
}

export function parseReport(run: CliRun): JsonReport {
  return JSON.parse(run.stdout) as JsonReport;
}

export function codesOf(report: JsonReport): string[] {
  return report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
}

/** The `[CODE, REQ-NNN]` or `[CODE]` tag the CLI prints after a refusal on stderr. */
export function stderrCode(run: CliRun): string | undefined {
  return /\[([A-Z][A-Z0-9_]*)(?:, [A-Z]{3}-\d{3})?\]/.exec(run.stderr)?.[1];
}

/** Bad input is refused, never a crash: exit 1 or 2 and no stack trace. */
export function assertRefusedCleanly(run: CliRun): void {
  assert.ok(run.exitCode === 1 || run.exitCode === 2, `exit ${run.exitCode}: ${run.stderr}`);
  assert.doesNotMatch(run.stderr, /\n\s+at .+[:(]\d+/, 'stderr holds a stack trace');
  assert.doesNotMatch(run.stderr, /internal error/);
}

/** Names directly inside a folder, to prove a command wrote nothing beside its sandbox. */
export async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}
