import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A throwaway certificate for the suite's network origins (spec/conformance.md): the web browser
 * trusts it by its SPKI digest (`--ignore-certificate-errors-spki-list`), a native host by
 * `init.network.caCertificates`. Made with the system's openssl; nothing is downloaded.
 */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo, as Chromium's SPKI list wants it. */
  spki: string;
}

export function makeCertificate(names: readonly string[]): TlsMaterial {
  const dir = mkdtempSync(path.join(tmpdir(), 'miniapp-certify-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        `/CN=${names[0] ?? 'openminiapp.test'}`,
        '-addext',
        `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    const der = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
    return { cert, key, spki: createHash('sha256').update(der).digest('base64') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
