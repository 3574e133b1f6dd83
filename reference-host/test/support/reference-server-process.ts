/**
 * The real reference server, started as a process exactly as `npm start` starts it (seeded with the
 * examples through its own pipeline), on a free port and a throwaway data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface ReferenceServer {
  url: string;
  dataDir: string;
  credentials: {
    admin: string;
    partner: string;
    hostDevice: { token: string; deviceId: string };
    hostUser: { token: string; userId: string };
  };
  stop(): Promise<void>;
}

export async function startReferenceServer(
  options: { seed?: boolean; timeoutMs?: number } = {},
): Promise<ReferenceServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'omp-host-test-server-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'reference-server/src/main.ts'],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
        REVIEW_SCREENSHOTS: 'off',
        ...(options.seed === false ? { SEED: 'off' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit').catch(() => undefined);
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  try {
    for (;;) {
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url && /WARNING: .*DEVELOPMENT/.test(stdout)) {
        const file = JSON.parse(
          await readFile(path.join(dataDir, 'dev-credentials.json'), 'utf8'),
        ) as { credentials: ReferenceServer['credentials'] };
        return { url, dataDir, credentials: file.credentials, stop };
      }
      if (child.exitCode !== null)
        throw new Error(`the reference server exited:\n${stdout}\n${stderr}`);
      if (Date.now() > deadline)
        throw new Error(`the reference server did not come up:\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
