/**
 * A canned answer for `network.request` in the preview: the preview never reaches the network, so a
 * mini-app that calls its API sees these instead.
 */
export interface NetworkFixture {
  /** Defaults to GET. */
  method?: string;
  /** An https URL; matches requests to the same URL, ignoring the query unless this one has one. */
  url: string;
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as it is; anything else as its JSON text. */
  body?: unknown;
}

/** The result shape of `network.request`. */
export interface FixtureResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}

/**
 * The first fixture that answers a request. A fixture URL with a query must match exactly (fragment
 * aside); one without a query matches any query, so that one fixture serves a search form.
 */
export function matchFixture(
  fixtures: readonly NetworkFixture[],
  method: string,
  url: string,
): FixtureResponse | undefined {
  const requested = url.split('#')[0] ?? url;
  const fixture = fixtures.find((f) => {
    if ((f.method ?? 'GET').toUpperCase() !== method.toUpperCase()) return false;
    const wanted = f.url.split('#')[0] ?? f.url;
    return wanted.includes('?') ? wanted === requested : wanted === withoutQuery(requested);
  });
  if (!fixture) return undefined;
  const body = fixture.body;
  const isText = typeof body === 'string';
  return {
    status: fixture.status ?? 200,
    headers: {
      'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
      ...fixture.headers,
    },
    body: body === undefined ? '' : isText ? body : JSON.stringify(body),
  };
}
