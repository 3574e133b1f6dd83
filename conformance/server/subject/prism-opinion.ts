import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { repositoryRoot, UsageError } from '../../framework/index.ts';
import type { ContractOperation } from '../contract/openapi-contract.ts';

/** One violation Prism reported in its sl-violations header, with the exchange it came from. */
export interface PrismViolation {
  operationId: string;
  target: string;
  status: number;
  location: string;
  message: string;
}

/**
 * `prism proxy` (Stoplight Prism, a draft-07 validator) in front of the server, as a second,
 * independent and non-certifying opinion on the JSON operations. Binary operations (bundles, uploads,
 * icons, screenshots) bypass it, since Prism re-encodes their bodies.
 */
export class PrismOpinion {
  readonly violations: PrismViolation[] = [];
  exchanges = 0;

  private constructor(
    readonly url: URL,
    private readonly child: ChildProcess,
  ) {}

  static async start(upstream: URL): Promise<PrismOpinion> {
    const binary =
      process.env.PRISM_BIN ?? path.join(repositoryRoot, 'node_modules', '.bin', 'prism');
    if (!existsSync(binary)) {
      throw new UsageError(
        `--prism needs @stoplight/prism-cli (${binary} not found; npm install, or set PRISM_BIN)`,
      );
    }
    const port = await freePort();
    const child = spawn(
      binary,
      [
        'proxy',
        path.join(repositoryRoot, 'schemas', 'distribution', 'openapi.yaml'),
        upstream.href.replace(/\/$/, ''),
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--errors',
        'false',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const url = new URL(`http://127.0.0.1:${port}/`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await fetch(new URL('healthz', url), { signal: AbortSignal.timeout(2000) });
        break;
      } catch {
        if (child.exitCode !== null || Date.now() > deadline) {
          child.kill();
          throw new UsageError(`prism proxy did not start: ${output.slice(-500)}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    return new PrismOpinion(url, child);
  }

  /** Whether an operation is JSON on both sides, so that Prism can see it without re-encoding bytes. */
  static handles(op: ContractOperation | undefined, method: string, body: unknown): boolean {
    if (!op || method === 'HEAD') return false;
    const json = (type: string) => type.includes('json');
    if (op.requestMediaTypes.some((t) => !json(t))) return false;
    const types = [...op.responses.values()].flatMap((r) => [...r.content.keys()]);
    if (types.length === 0 || !types.every(json)) return false;
    // Prism re-serialises JSON bodies: only bodies it would leave byte-identical go through it.
    if (body === undefined) return true;
    if (typeof body !== 'string') return false;
    try {
      return JSON.stringify(JSON.parse(body)) === body;
    } catch {
      return false;
    }
  }

  record(op: ContractOperation, target: string, status: number, header: string | null): void {
    this.exchanges += 1;
    if (!header) return;
    let list: { location?: string[]; message?: string }[] = [];
    try {
      list = JSON.parse(header) as typeof list;
    } catch {
      list = [
        {
          location: ['response'],
          message: `unreadable sl-violations header: ${header.slice(0, 200)}`,
        },
      ];
    }
    for (const v of list) {
      // The suite sends invalid requests on purpose; only Prism's view of responses is an opinion on the server.
      if (v.location?.[0] !== 'response') continue;
      this.violations.push({
        operationId: op.operationId,
        target,
        status,
        location: (v.location ?? []).join('.'),
        message: String(v.message),
      });
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
