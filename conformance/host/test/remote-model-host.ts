import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { CallRecord, HostDriver, ShownScreen } from '../driver/host-driver.ts';

/** A model host running in another process (from a patched tree), driven over HTTP. */
export class RemoteModelHost implements HostDriver {
  readonly binding = 'web' as const;
  readonly description = 'model host in a patched tree (tests only)';
  readonly device = { browser: 'none', browserVersion: 'none', platform: process.platform };

  private constructor(
    private readonly child: ChildProcess,
    private readonly url: string,
  ) {}

  static async start(treeDir: string): Promise<RemoteModelHost> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(treeDir, 'conformance/host/test/model-host-server.ts')],
      {
        cwd: treeDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let errors = '';
    child.stderr?.on('data', (d: Buffer) => (errors += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        const match = /listening (\d+)/.exec(d.toString());
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) =>
        reject(new Error(`the model host exited (${code}): ${errors.slice(-500)}`)),
      );
    });
    return new RemoteModelHost(child, `http://127.0.0.1:${port}`);
  }

  async call(command: string, args: unknown): Promise<CallRecord> {
    const response = await fetch(`${this.url}/call`, {
      method: 'POST',
      body: JSON.stringify({ command, args }),
    });
    return (await response.json()) as CallRecord;
  }
  async restart(): Promise<void> {}
  async screens(): Promise<ShownScreen[]> {
    return [];
  }
  async inApp<T>(): Promise<{ found: boolean; value?: T }> {
    return { found: false };
  }
  async execute<T>(): Promise<T> {
    throw new Error('the model host runs no scripts');
  }
  async executeAsync<T>(): Promise<T> {
    throw new Error('the model host runs no scripts');
  }
  async appFrames() {
    return [];
  }
  async topUrl(): Promise<string> {
    return 'model:';
  }
  async applyProfile(_on: boolean) {
    return {};
  }
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}
