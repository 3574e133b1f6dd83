import { hex, plainBytes } from './byte-encoding.ts';

/** SHA-256 on WebCrypto, as 64 lowercase hexadecimal digits. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', plainBytes(bytes))));
}

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', plainBytes(bytes)));
}

export const lowercaseSha256 = /^[0-9a-f]{64}$/;
