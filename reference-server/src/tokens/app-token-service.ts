import path from 'node:path';
import { loadSecretFile } from '../accounts/secret-file.ts';
import { ApiProblem } from '../http/problem.ts';
import type { Queryable } from '../store/database.ts';
import { appTokenLifetimeSeconds, issueAppToken } from './app-token.ts';
import { pairwiseSubject } from './pairwise-subject.ts';
import { jwksOf, loadTokenKeys, type TokenJwk, type TokenKeyRing } from './token-keys.ts';

/** The answer of POST /v1/tokens/app, as the contract's `AppToken` schema shows it. */
export interface AppTokenView {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  scopes: string[];
}

/**
 * The permissions an app's manifest declares: those of its newest approved version, since only a
 * reviewed manifest may widen what a token can carry [API-061].
 */
export async function declaredPermissions(db: Queryable, appId: string): Promise<string[] | null> {
  const { rows } = await db.query<{ permissions: string[] | null }>(
    `select (select coalesce(array_agg(k order by k), '{}') from jsonb_object_keys(
               case when jsonb_typeof(manifest->'permissions') = 'object' then manifest->'permissions'
                    else '{}'::jsonb end) as k) as permissions
       from versions where app_id = $1 and status = 'approved'
      order by version_code desc limit 1`,
    [appId],
  );
  const row = rows[0];
  return row ? (row.permissions ?? []) : null;
}

/**
 * Exchanges host user sessions for app tokens [API-059] [API-060] [API-061]. Keys and the pairwise
 * secret live under `<dataDir>/tokens/`, loaded on first use, so tokens verify across restarts.
 */
export class AppTokenService {
  private ring: Promise<TokenKeyRing> | null = null;
  private pairwise: Promise<Buffer> | null = null;

  constructor(
    private readonly db: Queryable,
    private readonly dir: string,
    private readonly issuer: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private keys(): Promise<TokenKeyRing> {
    this.ring ??= loadTokenKeys(path.join(this.dir, 'keys')).catch((error: unknown) => {
      this.ring = null;
      throw error;
    });
    return this.ring;
  }

  private secret(): Promise<Buffer> {
    this.pairwise ??= loadSecretFile(path.join(this.dir, 'pairwise.secret')).catch(
      (error: unknown) => {
        this.pairwise = null;
        throw error;
      },
    );
    return this.pairwise;
  }

  /** A token for the user in one app, carrying only scopes the app declares. */
  async issue(userId: string, appId: string, scopes: readonly string[]): Promise<AppTokenView> {
    const declared = await declaredPermissions(this.db, appId);
    if (declared === null) {
      throw new ApiProblem('API_FORBIDDEN', `${appId} has no approved version to issue tokens for`);
    }
    const undeclared = scopes.filter((s) => !declared.includes(s));
    if (undeclared.length > 0) {
      throw new ApiProblem(
        'API_SCOPE_NOT_ALLOWED',
        `${appId} does not declare ${undeclared.join(', ')} in its manifest`,
        {
          errors: undeclared.map((s) => ({
            code: 'API_SCOPE_NOT_ALLOWED' as const,
            message: `${s} is not declared`,
            location: { pointer: `/scopes/${scopes.indexOf(s)}` },
          })),
        },
      );
    }
    const ring = await this.keys();
    const { token } = await issueAppToken(ring.current, {
      issuer: this.issuer,
      subject: pairwiseSubject(await this.secret(), appId, userId),
      appId,
      scopes,
      now: this.clock(),
    });
    return {
      accessToken: token,
      tokenType: 'Bearer',
      expiresIn: appTokenLifetimeSeconds,
      scopes: [...scopes],
    };
  }

  /** The public keys for GET /.well-known/jwks.json [API-062]. */
  async jwks(): Promise<{ keys: TokenJwk[] }> {
    return jwksOf(await this.keys());
  }
}
