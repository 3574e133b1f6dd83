import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { payloadTypes, signDocument, type SignedDocument } from './envelope.ts';
import { importPublicJwk, type PublicJwk } from './jwk.ts';
import type { PrivateKey } from './key-pair.ts';
import { formatTimestamp } from './timestamp.ts';

export type RoleName = 'root' | 'delegation' | 'release' | 'index';

/** The keys and threshold of one role. */
export interface Role {
  keyids: string[];
  threshold: number;
}

/** The trust root (spec/signing.md, "Trust root and rotation"). */
export interface Root {
  _type: 'root';
  /** [SIG-074] `1.MINOR`; this toolkit writes 1.0. */
  specVersion: string;
  version: number;
  expires: string;
  keys: Record<string, PublicJwk>;
  roles: Record<RoleName, Role>;
  critical?: string[];
}

export interface RootInput {
  version: number;
  expires: Date;
  roles: Record<RoleName, { keys: readonly PublicJwk[]; threshold: number }>;
}

/** [SIG-070] the four roles of a root. */
export const roleNames: readonly RoleName[] = ['root', 'delegation', 'release', 'index'];

/**
 * Checks what the schema cannot [SIG-051] [SIG-006] [SIG-071]: role keyids exist, thresholds are
 * reachable, every key is listed under its own thumbprint, and no key serves two roles.
 */
export function checkRoot(root: Root): void {
  for (const [keyid, jwk] of Object.entries(root.keys)) {
    if (importPublicJwk(jwk).keyid !== keyid) {
      throw new MiniAppError(
        'SIG_KEY_INVALID',
        `Root key ${keyid} is not listed under its thumbprint.`,
        {
          requirement: 'SIG-006',
          location: { pointer: `/keys/${keyid}` },
        },
      );
    }
  }
  for (const name of roleNames) {
    const role = root.roles[name];
    const missing = role.keyids.filter((keyid) => !Object.hasOwn(root.keys, keyid));
    if (missing.length > 0) {
      throw new MiniAppError(
        'SIG_MALFORMED',
        `Role ${name} lists keys the root does not define: ${missing.join(', ')}.`,
        {
          requirement: 'SIG-051',
          location: { pointer: `/roles/${name}/keyids` },
        },
      );
    }
    for (const other of roleNames) {
      if (other === name) break;
      const shared = role.keyids.find((keyid) => root.roles[other].keyids.includes(keyid));
      if (shared !== undefined) {
        throw new MiniAppError(
          'SIG_KEY_REUSED',
          `Key ${shared} serves both the ${other} and the ${name} role.`,
          {
            requirement: 'SIG-071',
            location: { pointer: `/roles/${name}/keyids` },
            fix: 'Generate a separate key for each role.',
          },
        );
      }
    }
    if (role.threshold > role.keyids.length) {
      throw new MiniAppError(
        'SIG_MALFORMED',
        `Role ${name} has threshold ${role.threshold} but only ${role.keyids.length} key(s).`,
        { requirement: 'SIG-051', location: { pointer: `/roles/${name}/threshold` } },
      );
    }
  }
}

/** The trusted keys of one role, by keyid. */
export function roleKeys(root: Root, name: RoleName): Record<string, PublicJwk> {
  const keys: Record<string, PublicJwk> = {};
  for (const keyid of root.roles[name].keyids) {
    const jwk = root.keys[keyid];
    if (jwk) keys[keyid] = jwk;
  }
  return keys;
}

/**
 * Creates and signs a root. For a rotation [SIG-052], `signers` must include a threshold of the
 * previous root's root keys and a threshold of the new one's.
 */
export function createRoot(input: RootInput, signers: readonly PrivateKey[]): SignedDocument<Root> {
  const keys: Record<string, PublicJwk> = {};
  const roles = {} as Record<RoleName, Role>;
  for (const name of roleNames) {
    const { keys: roleJwks, threshold } = input.roles[name];
    const keyids = roleJwks.map((jwk) => {
      const { keyid, jwk: checked } = importPublicJwk(jwk);
      keys[keyid] = checked;
      return keyid;
    });
    roles[name] = { keyids: [...new Set(keyids)], threshold };
  }
  const root: Root = {
    _type: 'root',
    specVersion: '1.0',
    version: input.version,
    expires: formatTimestamp(input.expires),
    keys,
    roles,
  };
  checkRoot(root);
  return signDocument(payloadTypes.root, root, signers);
}
