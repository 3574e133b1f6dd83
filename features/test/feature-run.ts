import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../conformance/framework/index.ts';

/** The part of cucumber's JSON report the feature tests read. */
export interface JsonFeature {
  uri: string;
  elements: { name: string; steps: { result: { status: string } }[] }[];
}

/** What one `npm run features` run gave: exit code, output, JSON report, non-empty report files. */
export interface FeatureRun {
  code: number | null;
  output: string;
  report: JsonFeature[];
  written: string[];
}

/**
 * Runs `npm run features` as a user would (tsx features/run.ts) with its reports in a fresh folder,
 * reads the JSON report and which report files were written, and removes the folder.
 */
export async function runFeatures(args: string[]): Promise<FeatureRun> {
  const reports = await mkdtemp(path.join(tmpdir(), 'features-report-'));
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'features/run.ts', '--reports', reports, ...args],
      { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const report = JSON.parse(
      await readFile(path.join(reports, 'report.json'), 'utf8'),
    ) as JsonFeature[];
    const written: string[] = [];
    for (const name of await readdir(reports))
      if ((await stat(path.join(reports, name))).size > 0) written.push(name);
    return { code, output, report, written };
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
}
