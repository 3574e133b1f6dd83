import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The load engine: vegeta (MIT), built from the Go module proxy by scripts/go-tools.sh into the
 * project's tools folder, pinned to one version. Every throughput and latency figure of the project
 * comes from it: open-model constant-rate attacks (requests leave on schedule whatever the server
 * does, so a slow answer cannot hide the requests that should have followed it), results that merge
 * across machines by concatenating files, JSON reports and HTML plots.
 */

export const vegetaVersion = 'v12.13.0';
const repositoryRoot = path.resolve(import.meta.dirname, '../..');

/** One request of a target stream, in vegeta's JSON target format (the body in base64). */
export interface VegetaTarget {
  method: 'GET' | 'POST' | 'PUT' | 'HEAD';
  url: string;
  header?: Record<string, string[]>;
  /** Base64 of the body bytes. */
  body?: string;
}

/** One result of an attack as `vegeta encode -to json` writes it (latency in nanoseconds). */
export interface VegetaResult {
  attack: string;
  seq: number;
  code: number;
  timestamp: string;
  latency: number;
  bytes_out: number;
  bytes_in: number;
  error: string;
  method?: string;
  url?: string;
}

/** `vegeta report -type json`: latencies in nanoseconds; t-digest estimates of the percentiles. */
export interface VegetaReport {
  latencies: {
    total: number;
    mean: number;
    '50th': number;
    '90th': number;
    '95th': number;
    '99th': number;
    max: number;
    min: number;
  };
  bytes_in: { total: number; mean: number };
  bytes_out: { total: number; mean: number };
  earliest: string;
  latest: string;
  end: string;
  duration: number;
  wait: number;
  requests: number;
  rate: number;
  throughput: number;
  success: number;
  status_codes: Record<string, number>;
  errors: string[];
}

/** A constant-rate attack: `rate` requests per second for `durationSeconds`, open model. */
export interface AttackPlan {
  /** Names the attack in results and plots (`-name`); one name per attack of a plot. */
  name: string;
  targetsFile: string;
  /** Requests per second; 0 means as fast as `maxWorkers` allow (a closed model, for throughput). */
  rate: number;
  durationSeconds: number;
  resultsFile: string;
  /** Per-request timeout; a request that takes longer is an error. */
  timeoutSeconds?: number;
  /** Required with rate 0: the number of requests in flight. */
  maxWorkers?: number;
}

/** Text a person can act on when the engine itself fails (not the server under test). */
export class VegetaError extends Error {
  override name = 'VegetaError';
}

/**
 * The vegeta binary: VEGETA_BIN when set, otherwise the pinned version from scripts/go-tools.sh,
 * which installs it with `go install` the first time (about 1.5 minutes, Go needed).
 */
export async function vegetaBinary(): Promise<string> {
  if (process.env.VEGETA_BIN) return process.env.VEGETA_BIN;
  const { stdout } = await run(
    'bash',
    [path.join(repositoryRoot, 'scripts/go-tools.sh'), 'vegeta'],
    {
      inheritStderr: true,
    },
  );
  const bin = stdout.trim();
  if (!bin) throw new VegetaError('scripts/go-tools.sh vegeta printed no path');
  return bin;
}

interface RunOutput {
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  options: { inheritStderr?: boolean; signal?: AbortSignal } = {},
): Promise<RunOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', options.inheritStderr ? 'inherit' : 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', (error) => reject(new VegetaError(`${command}: ${error.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new VegetaError(
            `${path.basename(command)} ${args[0] ?? ''} exited with ${String(code)}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`,
          ),
        );
    });
  });
}

/** The JSON line of one target. */
export function targetLine(target: VegetaTarget): string {
  return JSON.stringify(target);
}

/** The arguments of `vegeta attack` for a plan (exported for tests of the command line). */
export function attackArguments(plan: AttackPlan): string[] {
  if (!Number.isFinite(plan.rate) || plan.rate < 0) throw new VegetaError('the rate must be >= 0');
  if (plan.rate === 0 && !plan.maxWorkers)
    throw new VegetaError('an attack at rate 0 (as fast as possible) needs maxWorkers');
  if (!(plan.durationSeconds > 0)) throw new VegetaError('the duration must be positive');
  return [
    'attack',
    '-format=json',
    `-targets=${plan.targetsFile}`,
    `-name=${plan.name}`,
    // Whole requests per second as a rate per 1 s, fractional rates as requests per minute.
    Number.isInteger(plan.rate)
      ? `-rate=${String(plan.rate)}/1s`
      : `-rate=${String(Math.round(plan.rate * 60))}/1m`,
    `-duration=${String(Math.round(plan.durationSeconds * 1000))}ms`,
    `-timeout=${String(plan.timeoutSeconds ?? 30)}s`,
    // Bodies are read to the end (vegeta discards what it does not keep), so latency is time to the
    // last byte; keeping none of them keeps 2 MiB bundles out of the result files.
    '-max-body=0',
    ...(plan.maxWorkers ? [`-max-workers=${String(plan.maxWorkers)}`] : []),
    `-output=${plan.resultsFile}`,
  ];
}

/**
 * Runs one attack to its end. `onTick` is called about every second with the seconds elapsed, so a
 * long attack shows progress. The attack stops by itself after its duration (plus the timeout of the
 * last requests); `signal` stops it early.
 */
export async function attack(
  bin: string,
  plan: AttackPlan,
  options: { onTick?: (elapsedSeconds: number) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const started = Date.now();
  const timer = options.onTick
    ? setInterval(() => options.onTick?.(Math.round((Date.now() - started) / 1000)), 1000)
    : undefined;
  try {
    await run(bin, attackArguments(plan), options.signal ? { signal: options.signal } : {});
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** Every result of the given result files, decoded with `vegeta encode -to json`. */
export async function readResults(bin: string, files: readonly string[]): Promise<VegetaResult[]> {
  const child = spawn(bin, ['encode', '-to=json', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const results: VegetaResult[] = [];
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim()) results.push(JSON.parse(line) as VegetaResult);
  }
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0)
    throw new VegetaError(`vegeta encode exited with ${String(code)}: ${stderr.trim()}`);
  return results;
}

/** Writes results as JSON lines, the format `vegeta report` and `vegeta plot` read back. */
export async function writeResults(file: string, results: readonly VegetaResult[]): Promise<void> {
  const out = createWriteStream(file);
  for (const result of results) {
    if (!out.write(`${JSON.stringify({ ...result, body: null })}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** `vegeta report -type json` of result files. */
export async function report(bin: string, files: readonly string[]): Promise<VegetaReport> {
  const { stdout } = await run(bin, ['report', '-type=json', ...files]);
  return JSON.parse(stdout) as VegetaReport;
}

/** `vegeta report -type hdrplot`: the latency distribution by percentile, as HDR histogram text. */
export async function hdrHistogram(bin: string, files: readonly string[]): Promise<string> {
  return (await run(bin, ['report', '-type=hdrplot', ...files])).stdout;
}

/** `vegeta plot` of result files into one self-contained HTML chart (one series per attack name). */
export async function plot(
  bin: string,
  files: readonly string[],
  title: string,
  output: string,
): Promise<void> {
  await run(bin, ['plot', `-title=${title}`, `-output=${output}`, ...files]);
}
