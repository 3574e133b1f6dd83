import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../framework/index.ts';

/**
 * Test fixture: the reference server started as a separate process by its path, never imported, the
 * way a vendor would start theirs before a certification. Its credentials file is written for the suite.
 */
export interface ServerProcess {
  url: string;
  dataDir: string;
  credentialsFile: string;
  /** The interim development credentials (until the admin principal routes exist). */
  devCredentialsFile: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export const referenceServerEntry = path.join(repositoryRoot, 'reference-server', 'src', 'main.ts');

export async function startServerProcess(
  options: { entry?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<ServerProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'certify-server-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', options.entry ?? referenceServerEntry],
    {
      cwd: options.cwd ?? repositoryRoot,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the server did not start in 120 s:\n${output}`)),
        120_000,
      );
      const look = () => {
        const match = /listening on (http:\/\/[^\s]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', look);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with ${String(code)}:\n${output}`));
      });
    });
    const devCredentialsFile = path.join(dataDir, 'dev-credentials.json');
    const dev = JSON.parse(await readFile(devCredentialsFile, 'utf8')) as {
      credentials: { admin: string };
    };
    const credentialsFile = path.join(dataDir, 'certify-credentials.json');
    await writeFile(
      credentialsFile,
      JSON.stringify({ url, admin: { token: dev.credentials.admin } }),
    );
    return { url, dataDir, credentialsFile, devCredentialsFile, child, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
