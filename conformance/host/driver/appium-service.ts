import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { repositoryRoot } from '../../framework/index.ts';

/**
 * The suite's own Appium: Appium 3 and appium-chromium-driver are devDependencies of the project,
 * the driver is installed from them into an APPIUM_HOME inside the project's cache folder (no
 * network, nothing downloaded), and the server listens on a free loopback port until stopped.
 */

export const appiumHome = path.join(
  repositoryRoot,
  'node_modules',
  '.cache',
  'miniapp-certify',
  'appium',
);
const appiumMain = path.join(repositoryRoot, 'node_modules', 'appium', 'index.js');
const chromiumDriver = path.join(repositoryRoot, 'node_modules', 'appium-chromium-driver');

export interface RunningAppium {
  url: string;
  version: string;
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

/** Installs the Chromium driver into APPIUM_HOME from node_modules when it is not there yet. */
export function ensureChromiumDriver(): void {
  if (!existsSync(appiumMain) || !existsSync(chromiumDriver)) {
    throw new Error(
      'appium and appium-chromium-driver are not installed; run npm install (they are devDependencies)',
    );
  }
  if (existsSync(path.join(appiumHome, 'node_modules', 'appium-chromium-driver'))) return;
  mkdirSync(appiumHome, { recursive: true });
  const result = spawnSync(
    process.execPath,
    [appiumMain, 'driver', 'install', '--source=local', chromiumDriver],
    { env: { ...process.env, APPIUM_HOME: appiumHome }, encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0) {
    throw new Error(
      `appium driver install failed: ${(result.stderr || result.stdout).slice(-500)}`,
    );
  }
}

/** Starts Appium on a free loopback port; `stop` ends it (always call it, in finally). */
export async function startAppium(): Promise<RunningAppium> {
  ensureChromiumDriver();
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      appiumMain,
      'server',
      '--address',
      '127.0.0.1',
      '--port',
      String(port),
      '--log-level',
      'error',
    ],
    { env: { ...process.env, APPIUM_HOME: appiumHome }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Appium exited: ${output.slice(-500)}`);
    try {
      const response = await fetch(`${url}/status`);
      if (response.ok) {
        const status = (await response.json()) as { value?: { build?: { version?: string } } };
        return { url, version: status.value?.build?.version ?? 'unknown', stop };
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Appium did not answer /status within 60 s: ${output.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
