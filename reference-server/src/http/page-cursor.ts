import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiProblem } from '../http/problem.ts';
import type { Queryable } from '../store/database.ts';

/** How long a cursor stays usable; older ones are refused as expired [API-049]. */
export const cursorLifetimeMs = 60 * 60 * 1000;

interface CursorBody {
  /** The position after which the next page starts. */
  p: unknown;
  /** The list and filters the cursor was issued for. */
  s: string;
  /** Expiry, in milliseconds since the epoch. */
  e: number;
}

const invalid = (detail: string): ApiProblem =>
  new ApiProblem('API_CURSOR_INVALID', `${detail}; start again without a cursor`);

/**
 * Opaque page cursors [API-048] [API-049]: a position, the list it belongs to and an expiry, sealed with
 * an HMAC whose key lives in the store, so every replica accepts the cursors of the others and nobody
 * else can forge one or move it to another query.
 */
export class PageCursors {
  private key: Promise<Buffer> | null = null;

  constructor(
    private readonly db: Queryable,
    private readonly clock: () => number = Date.now,
  ) {}

  private secret(): Promise<Buffer> {
    this.key ??= (async () => {
      await this.db.query(
        `insert into server_secrets (name, value) values ('page-cursor', $1) on conflict (name) do nothing`,
        [randomBytes(32).toString('base64url')],
      );
      const { rows } = await this.db.query<{ value: string }>(
        `select value from server_secrets where name = 'page-cursor'`,
      );
      const value = rows[0]?.value;
      if (!value) throw new Error('page-cursor secret missing');
      return Buffer.from(value, 'base64url');
    })().catch((error: unknown) => {
      this.key = null;
      throw error;
    });
    return this.key;
  }

  /** Seals a position of the list named by `scope` (the route and its filters). */
  async issue(scope: string, position: unknown): Promise<string> {
    const body: CursorBody = { p: position, s: scope, e: this.clock() + cursorLifetimeMs };
    const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
    const mac = createHmac('sha256', await this.secret())
      .update(encoded)
      .digest('base64url');
    return `${encoded}.${mac}`;
  }

  /** The position inside a cursor this server issued for the same scope, or API_CURSOR_INVALID. */
  async open(scope: string, cursor: string): Promise<unknown> {
    const [encoded = '', mac = '', ...rest] = cursor.split('.');
    if (rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(encoded) || !/^[A-Za-z0-9_-]{43}$/.test(mac)) {
      throw invalid('the cursor is malformed');
    }
    // Compared as text, not as decoded bytes: a lenient base64url decoder ignores the padding bits of
    // the last character, so four spellings of one MAC would pass, three of them never issued.
    const expected = createHmac('sha256', await this.secret())
      .update(encoded)
      .digest('base64url');
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(mac))) {
      throw invalid('the cursor was not issued by this server');
    }
    const body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as CursorBody;
    if (body.s !== scope) throw invalid('the cursor belongs to another list or other filters');
    if (body.e <= this.clock()) throw invalid('the cursor has expired');
    return body.p;
  }
}
