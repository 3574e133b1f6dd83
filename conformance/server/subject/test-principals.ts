import { CaseFailure } from '../../framework/index.ts';
import { jsonOf } from './http-exchange.ts';
import type { CaseScope, HttpDriver } from './http-driver.ts';

/**
 * Test principals, created with the admin token through the routes of spec/distribution.md (Test
 * principals): partners with `POST /v1/admin/partners`, then credentials with `POST /v1/admin/principals`.
 */
export type PrincipalRole = 'partner' | 'reviewer' | 'hostDevice' | 'hostUser';

export interface Principal {
  principalId: string;
  role: PrincipalRole;
  partnerId?: string;
  test: boolean;
  credential: string;
  /** For a hostDevice principal, the device id the server bound to it, when it binds one. */
  deviceId?: string;
}

export interface PrincipalRequest {
  partnerId?: string;
  test?: boolean;
  expiresInSeconds?: number;
}

export interface PrincipalSource {
  createPartner(name: string, test: boolean, scope: CaseScope): Promise<string>;
  create(role: PrincipalRole, request: PrincipalRequest, scope: CaseScope): Promise<Principal>;
  revoke(principalId: string, scope: CaseScope): Promise<void>;
  /** Whether the source can make any number of principals (false only for the interim development source). */
  readonly complete: boolean;
}

/** The source a certification uses: the admin routes of the server under test. */
export function adminRoutePrincipals(driver: HttpDriver, adminToken: string): PrincipalSource {
  return {
    complete: true,
    async createPartner(name, test, scope) {
      const exchange = await driver.send(
        { method: 'POST', path: '/v1/admin/partners', token: adminToken, json: { name, test } },
        scope,
      );
      const body = jsonOf<{ partnerId?: string }>(exchange);
      if (exchange.status !== 201 || typeof body?.partnerId !== 'string') {
        throw new CaseFailure(
          `POST /v1/admin/partners answered ${exchange.status}; the suite cannot create its partners [CNF-011]`,
        );
      }
      return body.partnerId;
    },
    async create(role, request, scope) {
      const exchange = await driver.send(
        {
          method: 'POST',
          path: '/v1/admin/principals',
          token: adminToken,
          json: { role, ...request },
        },
        scope,
      );
      const body = jsonOf<Principal>(exchange);
      if (exchange.status !== 201 || typeof body?.credential !== 'string') {
        throw new CaseFailure(
          `POST /v1/admin/principals (${role}) answered ${exchange.status}; the suite cannot create its test principals [API-151]`,
        );
      }
      return { ...body, role };
    },
    async revoke(principalId, scope) {
      const exchange = await driver.send(
        {
          method: 'POST',
          path: `/v1/admin/principals/${encodeURIComponent(principalId)}/revoke`,
          token: adminToken,
        },
        scope,
      );
      if (exchange.status !== 200) {
        throw new CaseFailure(`revoking principal ${principalId} answered ${exchange.status}`);
      }
    },
  };
}
