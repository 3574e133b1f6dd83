/** The builds of the web layer, and `npm start` serving the host beside the server. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildHostWeb } from '../build/web-build.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('the host builds', () => {
  it('leaves the conformance adapter out of production and development builds, and puts it in the conformance build', async () => {
    for (const mode of ['production', 'development', 'conformance'] as const) {
      const out = await buildHostWeb(mode);
      const bundle = await readFile(path.join(out, 'host.js'), 'utf8');
      assert.equal(bundle.includes('openMiniAppConformance'), mode === 'conformance', mode);
    }
  });

  it('keeps the simulator out of the production build', async () => {
    const out = await buildHostWeb('production');
    const bundle = await readFile(path.join(out, 'host.js'), 'utf8');
    assert.equal(bundle.includes('Run a folder in the simulator'), false);
  });
});

describe('npm start', () => {
  it('serves the host beside the seeded server, configured for it, and stops both on SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'omp-npm-start-host-'));
    const child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        REVIEW_SCREENSHOTS: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', () => undefined);
    try {
      const deadline = Date.now() + 120_000;
      while (!/Open the super app: (http:\/\/\S+)/.test(stdout)) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`npm start did not serve the host:\n${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const hostUrl = /Open the super app: (http:\/\/\S+)/.exec(stdout)?.[1] ?? '';
      const serverUrl = /reference-server: listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      const shell = await fetch(hostUrl);
      assert.equal(shell.status, 200);
      assert.match(await shell.text(), /Open Mini-App/);
      const config = (await (await fetch(new URL('/__config.json', hostUrl))).json()) as {
        distributionUrl: string;
        credentials?: object;
      };
      assert.equal(config.distributionUrl, serverUrl);
      assert.ok(config.credentials, 'the development credentials of the server');
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
