import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Starts the reference host of a (patched) tree in its conformance build: `reference-host/server/main.ts`
 * with HOST_MODE=conformance on a free port, pointed at a distribution server that serves a root at
 * start (the adapter's init points it at the suite's server afterwards). Always stop it.
 */
export interface RunningReferenceHost {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startHostProcess(
  treeDir: string,
  distributionUrl: string,
): Promise<RunningReferenceHost> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'reference-host-data-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(treeDir, 'reference-host/server/main.ts')],
    {
      cwd: treeDir,
      env: {
        ...process.env,
        HOST_MODE: 'conformance',
        HOST_PORT: String(port),
        DISTRIBUTION_URL: distributionUrl,
        DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (match?.[1]) return { url: `${match[1]}/`, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the reference host did not start: ${output.slice(-800)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
