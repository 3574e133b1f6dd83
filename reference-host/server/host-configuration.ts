/**
 * The configuration a development host starts with: the distribution server's URL, the trust root
 * the host "ships" with (fetched once, when the host is built and started, then only rotated through
 * signed successors), and the development credentials that the reference server's `npm start` wrote.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HostConfig } from '../src/host/host-config.ts';

interface DevCredentialsFile {
  credentials?: {
    hostDevice?: { token: string; deviceId: string };
    hostUser?: { token: string; userId: string };
  };
}

export async function developmentConfig(options: {
  distributionUrl: string;
  dataDir?: string;
  channel?: 'stable' | 'beta';
}): Promise<HostConfig> {
  const base = options.distributionUrl.replace(/\/+$/, '');
  const root = await fetch(`${base}/v1/trust/root.json`);
  if (!root.ok) throw new Error(`cannot read the trust root of ${base} (HTTP ${root.status})`);
  const trustRoot = Buffer.from(await root.arrayBuffer()).toString('base64');
  let credentials: DevCredentialsFile['credentials'];
  if (options.dataDir) {
    try {
      const file = JSON.parse(
        await readFile(path.join(options.dataDir, 'dev-credentials.json'), 'utf8'),
      ) as DevCredentialsFile;
      credentials = file.credentials;
    } catch {
      credentials = undefined;
    }
  }
  const device = credentials?.hostDevice;
  const user = credentials?.hostUser;
  return {
    distributionUrl: base,
    trustRoot,
    channel: options.channel ?? 'stable',
    deviceId: device?.deviceId ?? `dev-${crypto.randomUUID().replace(/-/g, '')}`,
    ...(device || user
      ? {
          credentials: {
            ...(device ? { device: { token: device.token } } : {}),
            ...(user ? { user: { token: user.token, userId: user.userId } } : {}),
          },
        }
      : {}),
  };
}
