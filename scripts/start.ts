/**
 * `npm start`: the reference server (seeded with the examples) and the reference host beside it, in
 * one command. Each runs as its own process with its own output; a signal stops both, and the exit
 * status is the server's (or the host's, when only it failed).
 *
 * The server reads its usual environment (PORT, DATA_DIR, SEED, ...); the host takes HOST_PORT
 * (8090, or a free port when PORT=0) and HOST_MODE, and finds the server by the URL it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function start(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(process.stdout, { end: false });
  child.stderr?.pipe(process.stderr, { end: false });
  return child;
}

let host: ChildProcess | undefined;
let stopping = false;
// Installed before anything starts, so that a signal arriving at any moment stops both cleanly.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopping = true;
    for (const child of [server, host]) if (child && child.exitCode === null) child.kill(signal);
  });
}
const server = start('reference-server/src/main.ts', process.env);

const serverUrl = new Promise<string | undefined>((resolve) => {
  let seen = '';
  server.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk.toString('utf8');
    const url = /listening on (http:\/\/\S+)/.exec(seen)?.[1];
    if (url) resolve(url);
  });
  server.once('exit', () => resolve(undefined));
});

const url = await serverUrl;
if (url && !stopping) {
  host = start('reference-host/server/main.ts', {
    ...process.env,
    DISTRIBUTION_URL: url,
    HOST_PORT: process.env.HOST_PORT ?? (process.env.PORT === '0' ? '0' : '8090'),
  });
  host.once('exit', (code) => {
    if (!stopping && code !== 0)
      console.error(
        'reference-host exited; the server keeps running (npm run start:host retries the host alone).',
      );
  });
}

const [serverCode] = (await once(server, 'exit')) as [number | null];
if (host && host.exitCode === null && host.signalCode === null) {
  host.kill('SIGTERM');
  await once(host, 'exit');
}
const code = serverCode ?? (stopping ? 0 : 1);
process.exit(code !== 0 ? code : stopping ? 0 : (host?.exitCode ?? 0));
