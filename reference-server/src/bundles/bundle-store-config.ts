import path from 'node:path';
import { BundleStore } from './bundle-store.ts';
import type { BundleStorage } from './bundle-storage.ts';
import { S3BundleStore } from './s3-bundle-store.ts';

/** Where bundles live: DATA_DIR on this machine (default), or an S3 bucket every process shares. */
export type BundleStoreConfig =
  | { kind: 'local' }
  | { kind: 's3'; bucket: string; endpoint?: string; region: string; prefix: string };

interface Problem {
  variable: string;
  message: string;
}

/** S3's bucket naming rules (3 to 63 lower-case letters, digits, dots and hyphens). */
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Reads BUNDLE_STORE (`local` or `s3`) and, for `s3`, S3_BUCKET, S3_ENDPOINT, S3_REGION and S3_PREFIX.
 * Credentials are the AWS SDK's own (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an
 * instance role), never echoed.
 */
export function readBundleStoreConfig(
  env: NodeJS.ProcessEnv,
  problems: Problem[],
): BundleStoreConfig {
  const kind = env.BUNDLE_STORE || 'local';
  if (kind === 'local') return { kind: 'local' };
  if (kind !== 's3') {
    problems.push({
      variable: 'BUNDLE_STORE',
      message: `BUNDLE_STORE="${kind}" must be local (bundles under DATA_DIR) or s3 (an S3-compatible bucket)`,
    });
    return { kind: 'local' };
  }
  const bucket = env.S3_BUCKET ?? '';
  if (!bucketPattern.test(bucket)) {
    problems.push({
      variable: 'S3_BUCKET',
      message: `S3_BUCKET="${bucket}" must name a bucket (3 to 63 lower-case letters, digits, dots and hyphens) when BUNDLE_STORE=s3`,
    });
  }
  const endpoint = env.S3_ENDPOINT || undefined;
  if (endpoint !== undefined) {
    const url = URL.canParse(endpoint) ? new URL(endpoint) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      problems.push({
        variable: 'S3_ENDPOINT',
        message: `S3_ENDPOINT="${endpoint}" must be an http(s) URL such as http://127.0.0.1:8333 (leave it unset for AWS)`,
      });
    } else if (url.username !== '' || url.password !== '') {
      problems.push({
        variable: 'S3_ENDPOINT',
        message:
          'S3_ENDPOINT must not carry a user name or password; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      });
    }
  }
  const prefix = env.S3_PREFIX ?? 'bundles/sha256/';
  if (!/^((?!\.{1,2}\/)[A-Za-z0-9._-]+\/)*$/.test(prefix)) {
    problems.push({
      variable: 'S3_PREFIX',
      message: `S3_PREFIX="${prefix}" must be empty or folder names each ending in /, e.g. bundles/sha256/`,
    });
  }
  return {
    kind: 's3',
    bucket,
    ...(endpoint ? { endpoint } : {}),
    region: env.S3_REGION || 'us-east-1',
    prefix,
  };
}

/** The bundle store of one server process, as configured. */
export function createBundleStorage(dataDir: string, config: BundleStoreConfig): BundleStorage {
  if (config.kind === 'local') return new BundleStore(dataDir);
  return new S3BundleStore({
    bucket: config.bucket,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    region: config.region,
    prefix: config.prefix,
    scratchDir: path.join(dataDir, 'scratch'),
  });
}
