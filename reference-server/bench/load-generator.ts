import { Agent, request } from 'node:http';

/** One request the generator sends again and again (the workers take them round-robin). */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A closed-loop run: `concurrency` workers, each sending its next request when the last one ends. */
export interface LoadPlan {
  host: '127.0.0.1';
  port: number;
  requests: LoadRequest[];
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

/** What one run measured (the warm-up excluded). */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  bytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)] ?? Number.NaN;
}

/** One request on a keep-alive socket: resolves with the body length, or -1 on a non-2xx answer. */
function send(agent: Agent, plan: LoadPlan, spec: LoadRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: plan.host,
        port: plan.port,
        method: spec.method,
        path: spec.path,
        headers: spec.headers,
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () =>
          resolve(res.statusCode !== undefined && res.statusCode < 300 ? bytes : -1),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(spec.body);
  });
}

/**
 * Runs a closed-loop load test against 127.0.0.1 only: every worker owns one keep-alive connection and
 * sends back-to-back; latencies of the warm-up are discarded. Bounded by durationMs, so it always stops.
 */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  if (plan.host !== '127.0.0.1') throw new Error('the load generator only targets 127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const latencies: number[] = [];
  let bytes = 0;
  let errors = 0;
  const started = performance.now();
  const measureFrom = started + plan.warmupMs;
  const stopAt = measureFrom + plan.durationMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      const spec = plan.requests[next++ % plan.requests.length];
      if (!spec) return;
      const t0 = performance.now();
      let length: number;
      try {
        length = await send(agent, plan, spec);
      } catch {
        length = -1;
      }
      const t1 = performance.now();
      if (t0 < measureFrom || t1 > stopAt) continue;
      if (length < 0) errors++;
      else {
        bytes += length;
        latencies.push(t1 - t0);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  agent.destroy();
  const seconds = plan.durationMs / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    bytesPerSecond: bytes / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

// Forked by the benchmark: one plan in over IPC, one result out, then exit. The generator runs in its
// own process so it never shares an event loop with the server it measures.
if (process.send && process.argv.includes('--child')) {
  process.once('message', (plan: LoadPlan) => {
    runLoad(plan).then(
      (result) => process.send?.(result, () => process.exit(0)),
      (error: unknown) => {
        console.error(`load generator: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  });
}
