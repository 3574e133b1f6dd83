import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { loadConfig, type ServerConfig } from '../../src/config.ts';
import type { Database } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrator.ts';
import { loadPlatformKeys, type PlatformKeys } from '../../src/trust/platform-keys.ts';

/** One `node reference-server/src/main.ts` started as an operator would, and its base URL. */
export interface ServerProcess {
  base: string;
  child: ChildProcess;
  output: { stdout: string; stderr: string };
}

const root = path.resolve(import.meta.dirname, '../../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Empties and migrates the PostgreSQL schema the processes will share, and loads one platform's keys
 * under dataDir (the trust directory every process reads): the keys and config for the in-test
 * services that fill the store before the processes start.
 */
export async function resetSharedPlatform(
  db: Database,
  dataDir: string,
): Promise<{ keys: PlatformKeys; config: ServerConfig }> {
  await db.query('drop schema public cascade');
  await db.query('create schema public');
  await migrate(db);
  const keys = await loadPlatformKeys(path.join(dataDir, 'trust'));
  const config = {
    ...loadConfig({ DATA_DIR: dataDir, PORT: '0' }),
    logLevel: 'silent' as const,
  };
  return { keys, config };
}

/**
 * Starts `count` server processes with the same environment (one store, one DATA_DIR with the
 * platform keys and the bundles), each on a free port, and waits until each says it listens.
 */
export async function startServerProcesses(
  count: number,
  env: Record<string, string>,
): Promise<ServerProcess[]> {
  const started: ServerProcess[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(root, 'reference-server/src/main.ts')],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            SEED: 'off',
            PORT: '0',
            LOG_LEVEL: 'silent',
            REVIEW_SCREENSHOTS: 'off',
            ...env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const output = { stdout: '', stderr: '' };
      child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
      child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
      started.push({ base: '', child, output });
    }
    const deadline = Date.now() + 120_000;
    for (const server of started) {
      while (!server.base) {
        const match = /listening on (http:\/\/\S+)/.exec(server.output.stdout);
        if (match?.[1]) server.base = match[1];
        else if (server.child.exitCode !== null || Date.now() > deadline)
          throw new Error(
            `a server process did not start:\n${server.output.stdout}\n${server.output.stderr}`,
          );
        else await sleep(50);
      }
    }
    return started;
  } catch (error) {
    await stopServerProcesses(started);
    throw error;
  }
}

/** SIGTERM, then SIGKILL after 10 s, for every process still running. */
export async function stopServerProcesses(started: readonly ServerProcess[]): Promise<void> {
  await Promise.all(
    started.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }),
  );
}
