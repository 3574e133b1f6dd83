import type { operations } from '#schemas/generated/distribution/openapi.ts';
import type { LoadApi } from './load-api.ts';

/** A host device of the data set: its device id and the bearer credential it checks updates with. */
export interface HostDevice {
  deviceId: string;
  token: string;
}

/**
 * Who the load suite acts as. A certification run gets them from the server's admin routes (admin
 * token of the credentials file, spec/conformance.md); the project's own tests may hand in principals
 * they made directly in the reference server's store.
 */
export interface LoadPrincipals {
  /** The admin's credential, for delegations the suite signs itself (servers that keep the key offline). */
  readonly adminToken: string;
  /** A new test partner and a portal session acting for it. */
  partner(name: string): Promise<{ partnerId: string; token: string }>;
  /** A reviewer who belongs to no partner, so it may decide on the suite's versions [API-085]. */
  reviewer(): Promise<string>;
  /** `count` host device credentials, one per device id. */
  hostDevices(deviceIds: readonly string[]): Promise<HostDevice[]>;
}

type CreatePrincipal = operations['createPrincipal'];
type PrincipalRequest = CreatePrincipal['requestBody']['content']['application/json'];
type PrincipalAnswer = CreatePrincipal['responses']['201']['content']['application/json'];
type PartnerAnswer = operations['createPartner']['responses']['201']['content']['application/json'];

/** A day: a soak of the load suite must not outlive its credentials. */
const credentialSeconds = 86_400;

/**
 * Principals made with the admin routes of spec/distribution.md: `POST /v1/admin/partners`, then
 * `POST /v1/admin/principals` for partner sessions, reviewers and host devices, all test principals.
 */
export function adminPrincipals(
  admin: LoadApi,
  options: { concurrency?: number } = {},
): LoadPrincipals {
  const concurrency = options.concurrency ?? 8;
  const principal = async (request: PrincipalRequest): Promise<PrincipalAnswer> =>
    (
      await admin.call<PrincipalAnswer>('POST', '/v1/admin/principals', {
        json: request,
        accept: [201],
      })
    ).body;
  return {
    adminToken: admin.token ?? '',
    async partner(name) {
      const partner = (
        await admin.call<PartnerAnswer>('POST', '/v1/admin/partners', {
          json: { name, test: true },
          accept: [201],
        })
      ).body;
      const session = await principal({
        role: 'partner',
        partnerId: partner.partnerId,
        expiresInSeconds: credentialSeconds,
      });
      return { partnerId: partner.partnerId, token: session.credential };
    },
    async reviewer() {
      return (await principal({ role: 'reviewer', expiresInSeconds: credentialSeconds }))
        .credential;
    },
    async hostDevices(deviceIds) {
      const devices: HostDevice[] = new Array<HostDevice>(deviceIds.length);
      let next = 0;
      const worker = async () => {
        while (next < deviceIds.length) {
          const index = next++;
          const made = await principal({
            role: 'hostDevice',
            test: true,
            expiresInSeconds: credentialSeconds,
          });
          devices[index] = { deviceId: deviceIds[index] as string, token: made.credential };
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return devices;
    },
  };
}
