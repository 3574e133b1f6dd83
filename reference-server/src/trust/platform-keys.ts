import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createRoot,
  generateKeyPair,
  loadPrivateKey,
  parseEnvelope,
  type PrivateKey,
  type Root,
} from '#sdk/signing/index.ts';

/** The platform's online keys and its published roots, as loaded from the trust directory. */
export interface PlatformKeys {
  /**
   * Keys of the offline `delegation` role [SIG-080]: present only in development, where the server
   * signs delegations itself; a production server holds none [SIG-072] and imports signed ones.
   */
  delegation: PrivateKey[];
  /** Keys of the `release` role (countersignatures) [SIG-030]. */
  release: PrivateKey[];
  /** Keys of the `index` role (the short-lived index) [SIG-060]. */
  index: PrivateKey[];
  /** Every published root envelope, by version, oldest first [SIG-052]. */
  roots: { version: number; bytes: Uint8Array }[];
  /** True for a trust root made on this machine for development; never for production. */
  development: boolean;
}

const developmentNotice = `DEVELOPMENT TRUST ROOT — NOT FOR PRODUCTION

This directory was created by the reference server because it found no trust material.
Its root key sits beside the online keys, which a production platform must never do:
keep root and delegation keys offline, sign each N.root.json and each delegation
elsewhere (miniapp trust sign-delegation), and give the server only release.key.pem,
index.key.pem and the N.root.json files (spec/signing.md, SIG-072).
`;

async function readKeys(
  dir: string,
  role: 'delegation' | 'release' | 'index',
): Promise<PrivateKey[]> {
  const files = (await readdir(dir))
    .filter((f) => f === `${role}.key.pem` || new RegExp(`^${role}-\\d+\\.key\\.pem$`).test(f))
    .sort();
  return Promise.all(
    files.map(async (f) => loadPrivateKey(await readFile(path.join(dir, f), 'utf8'))),
  );
}

/**
 * Loads the trust directory, or creates a development root there when it is empty: one Ed25519 key
 * per role [SIG-070] [SIG-071], threshold 1, root valid for a year. Production directories are
 * provisioned offline and hold no root or delegation key.
 */
export async function loadPlatformKeys(dir: string): Promise<PlatformKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let files = await readdir(dir);
  if (!files.some((f) => /^\d+\.root\.json$/.test(f))) {
    const [root, delegation, release, index] = await Promise.all([
      generateKeyPair('Ed25519'),
      generateKeyPair('Ed25519'),
      generateKeyPair('Ed25519'),
      generateKeyPair('Ed25519'),
    ]);
    const rootKey = loadPrivateKey(root.privateKeyPem);
    const signed = createRoot(
      {
        version: 1,
        expires: new Date(Date.now() + 365 * 24 * 60 * 60 * 1000),
        roles: {
          root: { keys: [root.publicJwk], threshold: 1 },
          delegation: { keys: [delegation.publicJwk], threshold: 1 },
          release: { keys: [release.publicJwk], threshold: 1 },
          index: { keys: [index.publicJwk], threshold: 1 },
        },
      },
      [rootKey],
    );
    await writeFile(path.join(dir, 'DEVELOPMENT-ROOT.txt'), developmentNotice, { flag: 'wx' });
    await writeFile(path.join(dir, 'root.key.pem'), root.privateKeyPem, {
      flag: 'wx',
      mode: 0o600,
    });
    await writeFile(path.join(dir, 'delegation.key.pem'), delegation.privateKeyPem, {
      flag: 'wx',
      mode: 0o600,
    });
    await writeFile(path.join(dir, 'release.key.pem'), release.privateKeyPem, {
      flag: 'wx',
      mode: 0o600,
    });
    await writeFile(path.join(dir, 'index.key.pem'), index.privateKeyPem, {
      flag: 'wx',
      mode: 0o600,
    });
    await writeFile(path.join(dir, '1.root.json'), signed.bytes, { flag: 'wx' });
    files = await readdir(dir);
  }
  const roots = await Promise.all(
    files
      .filter((f) => /^\d+\.root\.json$/.test(f))
      .map(async (f) => {
        const bytes = new Uint8Array(await readFile(path.join(dir, f)));
        parseEnvelope(bytes);
        return { version: Number(f.split('.')[0]), bytes };
      }),
  );
  roots.sort((a, b) => a.version - b.version);
  const latest = roots.at(-1);
  if (latest && !rootPayloadOf(latest.bytes).roles?.delegation) {
    // [SIG-070] a root of spec 1.0.0-draft has no delegation role; hosts of draft.2 refuse it.
    throw new Error(
      `${dir} holds a trust root from before spec 1.0.0-draft.2, without a delegation role; ` +
        'a development data directory can be deleted to start again, a production root needs a rotation that adds the role',
    );
  }
  const keys = {
    delegation: await readKeys(dir, 'delegation'),
    release: await readKeys(dir, 'release'),
    index: await readKeys(dir, 'index'),
  };
  if (keys.release.length === 0 || keys.index.length === 0) {
    throw new Error(`${dir} has roots but no release.key.pem or index.key.pem`);
  }
  return { ...keys, roots, development: files.includes('DEVELOPMENT-ROOT.txt') };
}

/** The payload of a root envelope read from the trust directory (the operator's own files). */
function rootPayloadOf(bytes: Uint8Array): Partial<Root> {
  const envelope = parseEnvelope(bytes);
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Partial<Root>;
}
