import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { certify } from '../../broken/server/broken-run.ts';
import { startServerProcess } from './server-process.ts';

/**
 * The reference server, started by path as a vendor would start theirs, passes the whole server suite
 * with no expected failures. TEST_DATABASE_URL (PostgreSQL) is handed to it as DATABASE_URL, so that CI
 * can run the same certification on both stores.
 */
test(
  'the reference server is certified by the full server suite',
  { timeout: 15 * 60_000 },
  async (t) => {
    const env: Record<string, string> = { REVIEW_SCREENSHOTS: 'off' };
    if (process.env.TEST_DATABASE_URL) env.DATABASE_URL = process.env.TEST_DATABASE_URL;
    const server = await startServerProcess({ env });
    try {
      const started = performance.now();
      const run = await certify(['--credentials', server.credentialsFile, '--lane', 'certify']);
      const seconds = (performance.now() - started) / 1000;
      t.diagnostic(`full certification in ${seconds.toFixed(1)} s`);
      assert.equal(run.exitCode, 0, run.output);
      assert.match(run.output, /^Certified: /m, run.output);
      assert.match(run.output, /^\d+ passed, 0 failed$/m);
    } finally {
      await server.stop();
    }
  },
);
