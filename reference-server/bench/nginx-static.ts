import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../src/platform/listen-port.ts';

const nginxPaths = ['/usr/sbin/nginx', '/usr/bin/nginx'];

/** nginx serving fixed files on 127.0.0.1, the baseline the server is measured against. */
export interface StaticServer {
  port: number;
  stop(): Promise<void>;
}

function findNginx(): string | undefined {
  return nginxPaths.find((p) => existsSync(p));
}

/**
 * Debian's nginx binary, installed with apt-get when missing. RUNLEVEL=1 keeps the package's
 * post-install script from starting a system-wide nginx on port 80.
 */
export function ensureNginx(): string {
  const found = findNginx();
  if (found) return found;
  console.log("bench: nginx is missing, installing Debian's nginx with apt-get");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' };
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'nginx'], {
    stdio: 'inherit',
    env,
  });
  const installed = findNginx();
  if (!installed) throw new Error('apt-get did not install an nginx binary');
  return installed;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${String(child.exitCode)}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('nginx did not open its port');
}

/**
 * Starts nginx with a throwaway configuration in a temp dir: one worker process (the server is one
 * Node.js process), keep-alive without a request cap, no access log, sendfile on, listening on a free
 * port of 127.0.0.1. `files` maps URL paths to the exact bytes to serve. POST to a static file is
 * answered with the file (error_page 405 =200), so an update-check request can be replayed unchanged.
 */
export async function startStaticServer(
  files: Record<string, { bytes: Uint8Array; type: string }>,
): Promise<StaticServer> {
  const binary = ensureNginx();
  const dir = await mkdtemp(path.join(tmpdir(), 'miniapp-bench-nginx-'));
  const www = path.join(dir, 'www');
  const locations: string[] = [];
  for (const [urlPath, file] of Object.entries(files)) {
    const target = path.join(www, ...urlPath.split('/').filter(Boolean));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.bytes, { mode: 0o644 });
    locations.push(
      `    location = ${urlPath} { default_type ${file.type}; error_page 405 =200 $uri; }`,
    );
  }
  // nginx workers may run as an unprivileged user: the tree must be world-readable.
  await chmod(dir, 0o755);
  await chmodTree(www);
  const port = await freePort('127.0.0.1');
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
  const conf = `worker_processes 1;
daemon off;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  ${temp('client_body')}
  ${temp('proxy')}
  ${temp('fastcgi')}
  ${temp('uwsgi')}
  ${temp('scgi')}
  server {
    listen 127.0.0.1:${String(port)};
    root ${www};
${locations.join('\n')}
    location / { return 404; }
  }
}
`;
  const confFile = path.join(dir, 'nginx.conf');
  await writeFile(confFile, conf);
  const child = spawn(binary, ['-p', dir, '-c', confFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForPort(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function chmodTree(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await chmodTree(path.join(dir, entry.name));
  }
}
