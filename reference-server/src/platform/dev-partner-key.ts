import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPair, loadPrivateKey, type PrivateKey } from '#sdk/signing/index.ts';

const keyFileName = 'signing-key.pem';
const notice = `DEVELOPMENT ONLY.
This Ed25519 key signs the statements of the example mini-apps that \`npm start\` seeds.
It was generated on this machine, is stored unencrypted and must never sign a real release.
Delete this folder together with the database to start over.
`;

/** Where the development partner's signing key lives under DATA_DIR. */
export function devPartnerDir(dataDir: string): string {
  return path.join(dataDir, 'dev-partner');
}

/**
 * The examples partner's signing key: read from DATA_DIR/dev-partner/ or, on the first start,
 * generated there as PKCS#8 PEM readable by the owner only, so every later start signs with the
 * same registered key.
 */
export async function loadDevPartnerKey(dataDir: string): Promise<PrivateKey> {
  const dir = devPartnerDir(dataDir);
  const file = path.join(dir, keyFileName);
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing !== null) return loadPrivateKey(existing);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKeyPem } = await generateKeyPair('Ed25519');
  // Written beside the target and renamed, so a crash never leaves half a key behind.
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, privateKeyPem, { mode: 0o600 });
  await rename(partial, file);
  await writeFile(path.join(dir, 'README.txt'), notice, { mode: 0o644 });
  return loadPrivateKey(privateKeyPem);
}
