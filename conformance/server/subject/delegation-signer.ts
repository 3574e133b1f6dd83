import { CaseFailure } from '../../framework/index.ts';
import { decodeStandardBase64, encodeStandardBase64, plainBytes } from '../crypto/byte-encoding.ts';
import { pae, payloadTypes } from '../crypto/dsse-envelope.ts';
import { jwkThumbprint, type PublicJwk } from '../crypto/jwk-key.ts';
import { describeExchange, jsonOf } from './http-exchange.ts';
import type { CaseScope, HttpDriver } from './http-driver.ts';

interface DelegationKey {
  keyid: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Imports a PKCS#8 PEM private key of the delegation role (Ed25519 or P-256) for signing. */
async function importPem(pem: string): Promise<DelegationKey> {
  const der = decodeStandardBase64(
    pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, ''),
  );
  if (!der) throw new Error('a delegation key is not PEM');
  for (const [algorithm, signing] of [
    [{ name: 'Ed25519' }, { name: 'Ed25519' }],
    [
      { name: 'ECDSA', namedCurve: 'P-256' },
      { name: 'ECDSA', hash: 'SHA-256' },
    ],
  ] as const) {
    try {
      const key = await crypto.subtle.importKey('pkcs8', plainBytes(der), algorithm, true, [
        'sign',
      ]);
      const jwk = await crypto.subtle.exportKey('jwk', key);
      const publicJwk: PublicJwk =
        jwk.kty === 'OKP'
          ? { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) }
          : { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) };
      return {
        keyid: await jwkThumbprint(publicJwk),
        sign: async (message) =>
          new Uint8Array(await crypto.subtle.sign(signing, key, plainBytes(message))),
      };
    } catch {
      // Not this algorithm; try the next.
    }
  }
  throw new Error('a delegation key is neither Ed25519 nor P-256 PKCS#8');
}

/**
 * Signs the server's pending delegations with the delegation keys of the credentials file, as an operator
 * would with `miniapp trust sign-delegation`, for a server that keeps that role offline (spec/conformance.md).
 */
export class DelegationSigner {
  private constructor(private readonly keys: DelegationKey[]) {}

  static async from(pems: readonly string[] | undefined): Promise<DelegationSigner | undefined> {
    if (!pems || pems.length === 0) return undefined;
    return new DelegationSigner(await Promise.all(pems.map(importPem)));
  }

  /** Signs and imports every pending delegation; answers how many it imported. */
  async settle(driver: HttpDriver, adminToken: string, scope: CaseScope): Promise<number> {
    const pending = await driver.send(
      { path: '/v1/admin/delegations/pending', token: adminToken, quiet: true },
      scope,
    );
    if (pending.status !== 200)
      throw new CaseFailure(`listing pending delegations failed: ${describeExchange(pending)}`);
    const items =
      jsonOf<{ items: { appId: string; payloadType: string; payload: string }[] }>(pending)
        ?.items ?? [];
    for (const item of items) {
      const payload = decodeStandardBase64(item.payload);
      if (!payload || item.payloadType !== payloadTypes.delegation)
        throw new CaseFailure(`pending delegation of ${item.appId} is not a delegation payload`);
      const message = pae(item.payloadType, payload);
      const signatures = [];
      for (const key of this.keys)
        signatures.push({ keyid: key.keyid, sig: encodeStandardBase64(await key.sign(message)) });
      const imported = await driver.send(
        {
          method: 'PUT',
          path: `/v1/admin/delegations/${item.appId}`,
          token: adminToken,
          json: { payloadType: item.payloadType, payload: item.payload, signatures },
          quiet: true,
        },
        scope,
      );
      if (imported.status !== 201 && imported.status !== 200)
        throw new CaseFailure(
          `importing the delegation of ${item.appId} failed: ${describeExchange(imported)}`,
        );
    }
    return items.length;
  }
}
