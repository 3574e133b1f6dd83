/** What configures a host: the distribution server, the trust root it ships with, its identity. */
import type { HostCredentials } from '../distribution/distribution-client.ts';

/** The bridge API this host implements (every method of specification 1.0). */
export const hostApiVersion = '1.2.0';

/** How long a launch may take from provisioning to its ready signal before it counts as failed. */
export const readyTimeoutMs = 10_000;

export interface HostConfig {
  distributionUrl: string;
  /** Base64 of the root envelope bytes the host ships with [SIG-050]. */
  trustRoot: string;
  channel: 'stable' | 'beta';
  /** A random pseudonym [ANL-006]; the same in update checks and analytics. */
  deviceId: string;
  credentials?: HostCredentials;
  /** The host API version to implement; defaults to hostApiVersion. */
  hostApiVersion?: string;
  /**
   * How updates are decided: `bins` (default) applies the update selection to the verified bins
   * [API-101]; `server` asks the server's batch update check [API-022] (needs a device credential).
   */
  updateCheck?: 'bins' | 'server';
  /** How often queued analytics are sent; at least (and by default) a minute [ANL-012]. */
  analyticsIntervalMs?: number;
}

export function randomDeviceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return `dev-${out}`;
}

/** A DNS label for a new installation's runtime origin: random, so a reinstall never finds old storage. */
export function randomRuntimeLabel(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  let out = 'a';
  for (const byte of bytes) out += alphabet[byte & 31];
  return out;
}
