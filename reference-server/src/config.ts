import path from 'node:path';
import { readBundleStoreConfig, type BundleStoreConfig } from './bundles/bundle-store-config.ts';

/** Server configuration, read once from the environment and validated before anything starts. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Embedded store (PGlite) and bundle files live here unless DATABASE_URL names a PostgreSQL server. */
  dataDir: string;
  databaseUrl: string | undefined;
  /** The public base URL written into release metadata and update-check answers. */
  publicUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted upload (.ma plus statement), in bytes. */
  maxUploadBytes: number;
  /**
   * How long a graceful shutdown keeps serving with /readyz at 503 before the listener closes, so a
   * load balancer stops routing here first [API-088].
   */
  shutdownDelayMs: number;
  /** A request's headers and body must have arrived within this time, or the connection closes [API-177]. */
  requestTimeoutMs: number;
  /** An upload body that stalls this long without a byte is refused with 408 [API-177]. */
  uploadIdleTimeoutMs: number;
  /** Where bundles live: under DATA_DIR (default) or in an S3-compatible bucket (BUNDLE_STORE=s3). */
  bundleStore: BundleStoreConfig;
}

/** One invalid environment variable and what a valid value looks like. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Every problem found in the environment, each naming the variable and how to fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
  }
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function isLogLevel(value: string): value is ServerConfig['logLevel'] {
  return (logLevels as readonly string[]).includes(value);
}

/** Decimal digits only: Number() would also accept "0x50", "1e3" and surrounding blanks. */
function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: ConfigProblem[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push({
      variable: name,
      message: `${name}="${raw}" must be a decimal integer from ${min} to ${max}`,
    });
    return fallback;
  }
  return value;
}

/** The value is never echoed: a database URL usually carries a password. */
function checkDatabaseUrl(raw: string, problems: ConfigProblem[]): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push({
      variable: 'DATABASE_URL',
      message:
        'DATABASE_URL is not a URL; write postgresql://user:password@host:port/database (leave it unset for the embedded store)',
    });
    return;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    problems.push({
      variable: 'DATABASE_URL',
      message: `DATABASE_URL must use the postgres:// or postgresql:// scheme, not ${url.protocol}// (leave it unset for the embedded store)`,
    });
  } else if (url.hostname === '' && !url.searchParams.has('host')) {
    problems.push({
      variable: 'DATABASE_URL',
      message: 'DATABASE_URL must name a host, e.g. postgresql://user@127.0.0.1:5432/miniapp',
    });
  }
}

function checkPublicUrl(publicUrl: string, problems: ConfigProblem[]): void {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    problems.push({
      variable: 'PUBLIC_URL',
      message: `PUBLIC_URL="${publicUrl}" must be an absolute http(s) URL`,
    });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push({
      variable: 'PUBLIC_URL',
      message: `PUBLIC_URL="${publicUrl}" must use http or https`,
    });
  } else if (url.username !== '' || url.password !== '') {
    // Release metadata and update answers are public: a base URL must not carry credentials.
    problems.push({
      variable: 'PUBLIC_URL',
      message: 'PUBLIC_URL must not contain a user name or password',
    });
  } else if (url.search !== '' || url.hash !== '') {
    problems.push({
      variable: 'PUBLIC_URL',
      message: `PUBLIC_URL="${publicUrl}" must not have a query or fragment`,
    });
  }
}

/**
 * Reads PORT, HOST, DATA_DIR, DATABASE_URL, PUBLIC_URL, LOG_LEVEL, MAX_UPLOAD_BYTES,
 * SHUTDOWN_DELAY_MS, REQUEST_TIMEOUT_MS, UPLOAD_IDLE_TIMEOUT_MS and the bundle store's variables
 * (bundles/bundle-store-config.ts); throws one ConfigError that lists every problem at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const problems: ConfigProblem[] = [];
  const port = integer(env, 'PORT', 8080, 0, 65535, problems);
  const host = env.HOST || '127.0.0.1';
  if (/\s|\//.test(host))
    problems.push({
      variable: 'HOST',
      message: `HOST="${host}" must be a host name or IP address to listen on`,
    });
  const dataDir = path.resolve(env.DATA_DIR || path.join(process.cwd(), '.data'));
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) checkDatabaseUrl(databaseUrl, problems);
  const publicUrl = (
    env.PUBLIC_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`
  ).replace(/\/+$/, '');
  checkPublicUrl(publicUrl, problems);
  const rawLogLevel = env.LOG_LEVEL || 'info';
  const logLevel = isLogLevel(rawLogLevel) ? rawLogLevel : 'info';
  if (!isLogLevel(rawLogLevel))
    problems.push({
      variable: 'LOG_LEVEL',
      message: `LOG_LEVEL="${rawLogLevel}" must be one of ${logLevels.join(', ')}`,
    });
  const maxUploadBytes = integer(
    env,
    'MAX_UPLOAD_BYTES',
    26 * 1024 * 1024,
    1024,
    1024 * 1024 * 1024,
    problems,
  );
  const shutdownDelayMs = integer(env, 'SHUTDOWN_DELAY_MS', 0, 0, 120_000, problems);
  const requestTimeoutMs = integer(env, 'REQUEST_TIMEOUT_MS', 300_000, 1000, 3_600_000, problems);
  const uploadIdleTimeoutMs = integer(
    env,
    'UPLOAD_IDLE_TIMEOUT_MS',
    30_000,
    100,
    300_000,
    problems,
  );
  const bundleStore = readBundleStoreConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    host,
    port,
    dataDir,
    databaseUrl,
    publicUrl,
    logLevel,
    maxUploadBytes,
    shutdownDelayMs,
    requestTimeoutMs,
    uploadIdleTimeoutMs,
    bundleStore,
  };
}
