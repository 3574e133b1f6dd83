import { createHmac } from 'node:crypto';

/**
 * The `sub` of an app token [API-060] [STO-014]: an HMAC of the user id under a server secret, keyed by
 * the app id, so two apps cannot join their users and nobody without the secret can reverse it.
 */
export function pairwiseSubject(secret: Buffer, appId: string, userId: string): string {
  return createHmac('sha256', secret)
    .update(`${appId.length}:${appId}:${userId}`, 'utf8')
    .digest('base64url');
}
