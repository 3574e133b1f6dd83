import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiProblem } from '../http/problem.ts';

/** How long an issued cursor stays usable [API-049]. */
export const cursorLifetimeMs = 24 * 60 * 60 * 1000;

/**
 * Opaque pagination cursors [API-048]: the last key of a page, the list it belongs to and its issue
 * time, MACed with a server secret so that a client can neither forge nor replay one across lists.
 */
export class PageCursors {
  constructor(
    private readonly secret: Buffer,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** A cursor that continues `list` after the item whose sort key is `after`. */
  issue(list: string, after: string): string {
    const body = Buffer.from(
      JSON.stringify({ l: list, a: after, t: this.clock().getTime() }),
    ).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The sort key a cursor continues after; API_CURSOR_INVALID when it was not issued for `list` or has expired [API-049]. */
  read(list: string, cursor: string): string {
    const [body = '', mac = '', ...rest] = cursor.split('.');
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (rest.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw invalid('the cursor was not issued by this server');
    }
    const decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
      l?: unknown;
      a?: unknown;
      t?: unknown;
    };
    if (decoded.l !== list || typeof decoded.a !== 'string' || typeof decoded.t !== 'number') {
      throw invalid('the cursor belongs to another list');
    }
    if (this.clock().getTime() - decoded.t > cursorLifetimeMs) {
      throw invalid('the cursor has expired');
    }
    return decoded.a;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(`cursor:${body}`).digest('base64url');
  }
}

function invalid(detail: string): ApiProblem {
  return new ApiProblem('API_CURSOR_INVALID', `${detail}; restart from the first page`);
}
