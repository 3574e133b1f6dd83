/**
 * Strict decoding of the two base64 alphabets used by signed documents.
 * Node's decoder silently skips invalid characters and ignores non-zero trailing bits; these do not,
 * so one signature or payload has exactly one textual form.
 */

const standardPattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const urlPattern = /^[A-Za-z0-9_-]*$/;

/** [SIG-010] decodes standard padded base64, or returns undefined when it is not canonical. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!standardPattern.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
}

/** Standard padded base64 [SIG-010]. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Decodes unpadded base64url (JWK members), or returns undefined when it is not canonical. */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  if (!urlPattern.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? new Uint8Array(bytes) : undefined;
}

/** Unpadded base64url, as used by JWK members and keyids. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
