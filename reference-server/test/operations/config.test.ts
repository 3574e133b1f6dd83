import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { ConfigError, loadConfig } from '../../src/config.ts';

/** The variables a ConfigError names, in order. */
function failingVariables(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, 'loadConfig throws only ConfigError');
    return error.problems.map((p) => p.variable);
  }
  return [];
}

describe('server configuration', () => {
  it('starts from safe defaults when the environment is empty', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.publicUrl, 'http://127.0.0.1:8080');
    assert.equal(config.dataDir, path.resolve('.data'));
    assert.equal(config.shutdownDelayMs, 0);
  });

  it('reads every variable it documents', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      DATA_DIR: 'var/miniapp',
      DATABASE_URL: 'postgresql://app:secret@db.internal:5432/miniapp',
      PUBLIC_URL: 'https://apps.example.com/',
      LOG_LEVEL: 'warn',
      MAX_UPLOAD_BYTES: '2048',
      SHUTDOWN_DELAY_MS: '5000',
      REQUEST_TIMEOUT_MS: '60000',
      UPLOAD_IDLE_TIMEOUT_MS: '10000',
      BUNDLE_STORE: 's3',
      S3_BUCKET: 'miniapp-bundles',
      S3_ENDPOINT: 'http://127.0.0.1:8333',
      S3_REGION: 'eu-west-1',
      S3_PREFIX: 'prod/bundles/',
    });
    assert.deepEqual(config, {
      host: '0.0.0.0',
      port: 0,
      dataDir: path.resolve('var/miniapp'),
      databaseUrl: 'postgresql://app:secret@db.internal:5432/miniapp',
      publicUrl: 'https://apps.example.com',
      logLevel: 'warn',
      maxUploadBytes: 2048,
      shutdownDelayMs: 5000,
      requestTimeoutMs: 60000,
      uploadIdleTimeoutMs: 10000,
      bundleStore: {
        kind: 's3',
        bucket: 'miniapp-bundles',
        endpoint: 'http://127.0.0.1:8333',
        region: 'eu-west-1',
        prefix: 'prod/bundles/',
      },
    });
  });

  it('keeps bundles under DATA_DIR unless BUNDLE_STORE=s3 names a bucket', () => {
    assert.deepEqual(loadConfig({}).bundleStore, { kind: 'local' });
    assert.deepEqual(failingVariables({ BUNDLE_STORE: 'ftp' }), ['BUNDLE_STORE']);
    assert.deepEqual(failingVariables({ BUNDLE_STORE: 's3' }), ['S3_BUCKET']);
    for (const bucket of ['ab', 'Upper', 'under_score', '-lead', `${'a'.repeat(64)}`]) {
      assert.deepEqual(failingVariables({ BUNDLE_STORE: 's3', S3_BUCKET: bucket }), ['S3_BUCKET']);
    }
    for (const endpoint of ['localhost:8333', 'ftp://s3.example', 'http://key:secret@s3.example']) {
      assert.deepEqual(
        failingVariables({ BUNDLE_STORE: 's3', S3_BUCKET: 'bundles', S3_ENDPOINT: endpoint }),
        ['S3_ENDPOINT'],
        endpoint,
      );
    }
    for (const prefix of ['/abs/', 'no-slash', '../up/', 'a//b/']) {
      assert.deepEqual(
        failingVariables({ BUNDLE_STORE: 's3', S3_BUCKET: 'bundles', S3_PREFIX: prefix }),
        ['S3_PREFIX'],
        prefix,
      );
    }
    assert.deepEqual(loadConfig({ BUNDLE_STORE: 's3', S3_BUCKET: 'bundles' }).bundleStore, {
      kind: 's3',
      bucket: 'bundles',
      region: 'us-east-1',
      prefix: 'bundles/sha256/',
    });
  });

  it('lists every problem at once, not only the first', () => {
    assert.deepEqual(
      failingVariables({
        PORT: '70000',
        DATABASE_URL: 'mysql://db/miniapp',
        PUBLIC_URL: 'ftp://apps.example.com',
        LOG_LEVEL: 'loud',
        MAX_UPLOAD_BYTES: '12',
        SHUTDOWN_DELAY_MS: '-1',
      }),
      ['PORT', 'DATABASE_URL', 'PUBLIC_URL', 'LOG_LEVEL', 'MAX_UPLOAD_BYTES', 'SHUTDOWN_DELAY_MS'],
    );
  });

  it('accepts only plain decimal ports from 0 to 65535', () => {
    for (const port of ['-1', '65536', '80abc', '0x50', '1e3', ' 80', '8.5', 'http']) {
      assert.deepEqual(failingVariables({ PORT: port }), ['PORT'], `PORT=${port}`);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), (port) => {
        assert.equal(loadConfig({ PORT: String(port) }).port, port);
      }),
    );
  });

  it('refuses database URLs that are not PostgreSQL URLs with a host', () => {
    for (const url of ['not a url', 'mysql://db/x', 'postgres://', 'file:///var/db', 'db:5432']) {
      assert.deepEqual(failingVariables({ DATABASE_URL: url }), ['DATABASE_URL'], url);
    }
    assert.equal(
      loadConfig({ DATABASE_URL: 'postgres://u@localhost/db' }).databaseUrl,
      'postgres://u@localhost/db',
    );
  });

  it('never repeats a database password in its messages', () => {
    for (const url of ['mysql://user:hunter2-secret@db/x', 'postgresql://user:hunter2-secret@']) {
      try {
        loadConfig({ DATABASE_URL: url });
        assert.fail(`${url} was accepted`);
      } catch (error) {
        assert.ok(error instanceof ConfigError, 'the error is a ConfigError');
        assert.ok(!error.message.includes('hunter2-secret'), 'the password leaked');
      }
    }
  });

  it('refuses public URLs that are not plain absolute http(s) base URLs', () => {
    for (const url of [
      'apps.example.com',
      'ftp://apps.example.com',
      'https://user:pw@apps.example.com',
      'https://apps.example.com/?x=1',
      'https://apps.example.com/#top',
    ]) {
      assert.deepEqual(failingVariables({ PUBLIC_URL: url }), ['PUBLIC_URL'], url);
    }
  });

  it('derives the public URL from HOST and PORT when PUBLIC_URL is unset', () => {
    assert.equal(loadConfig({ HOST: '0.0.0.0', PORT: '9000' }).publicUrl, 'http://127.0.0.1:9000');
    assert.equal(
      loadConfig({ HOST: 'apps.internal', PORT: '81' }).publicUrl,
      'http://apps.internal:81',
    );
  });
});
