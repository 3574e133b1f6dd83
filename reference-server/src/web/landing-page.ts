import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatMiniAppLink, parseMiniAppLink, type MiniAppLink } from '#sdk/addressing/index.ts';
import { isMiniAppError } from '#sdk/diagnostics/index.ts';
import type { Catalog, LocalisedApp } from '../delivery/catalog.ts';
import { requestedLocales } from '../delivery/locale-lookup.ts';
import { problemDocument, sendProblem } from '../http/problem.ts';

/** Text for an HTML text node or a double-quoted attribute. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The landing page: what the app is, and a way to open it in (or get) a super app. */
function landingHtml(entry: LocalisedApp, openLink: string): string {
  const { app } = entry;
  const name = escapeHtml(app.name);
  const description = app.description
    ? `<p>${escapeHtml(app.description)}</p>`
    : '<p>A mini-app that runs inside a super app.</p>';
  return `<!doctype html>
<html lang="${escapeHtml(entry.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name}</title>
</head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; text-align: center">
<img src="${escapeHtml(app.iconUrl)}" alt="" width="96" height="96">
<h1>${name}</h1>
${description}
<p><a href="${escapeHtml(openLink)}">Open ${name} in your super app</a></p>
<p>${name} is a mini-app: it opens inside a super app that supports Open Mini-App links. If nothing
happens, install such a super app from your app store, then open this link again.</p>
</body>
</html>
`;
}

function hostForLinks(host: string): string {
  try {
    parseMiniAppLink(`https://${host}/m/a.b/`);
    return host;
  } catch {
    return 'localhost';
  }
}

/**
 * [ADR-015] The landing page of the https form of a link, at the link's own path
 * (/m/<id>[@<version>]/<page>): 200 with an HTML page naming the app for an id the catalog lists, and
 * 404 API_NOT_FOUND for an unknown id or a link that breaks ADR-001 to ADR-007. The link is checked
 * with the toolkit's parser, the same rules hosts apply, so the server never shows a page for a link
 * hosts refuse. Public, without a credential.
 */
export function registerLandingPages(
  app: FastifyInstance,
  catalog: Catalog,
  publicUrl: string,
): void {
  // Links are measured [ADR-007] with the host they are published under; a public URL no link can
  // carry (port 0 in tests, an IP literal) is replaced by a name, which only shifts that measure.
  const host = hostForLinks(new URL(publicUrl).host);
  const iconOrigin = new URL(publicUrl).origin;
  const headers = {
    // Nothing on the page runs: no script at all, images only from this server.
    'content-security-policy': `default-src 'none'; img-src ${iconOrigin}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
  const notFound = (request: FastifyRequest, reply: FastifyReply, detail: string) =>
    sendProblem(
      reply,
      problemDocument('API_NOT_FOUND', 404, detail, undefined, `urn:request:${request.id}`),
    );

  app.get('/m/*', async (request, reply) => {
    let link: MiniAppLink;
    try {
      // The raw URL, percent-encoding kept: a decoded path would hide %2F and dot segments [ADR-005].
      link = parseMiniAppLink(`https://${host}${request.url}`);
    } catch (error) {
      if (!isMiniAppError(error)) throw error;
      return notFound(
        request,
        reply,
        `not a valid mini-app link (${error.code}): ${error.message}`,
      );
    }
    const ranges = requestedLocales(undefined, request.headers['accept-language']);
    const entry = await catalog.entry(link.id, ranges);
    if (!entry) return notFound(request, reply, `the catalog lists no app ${link.id}`);
    const openLink = formatMiniAppLink({
      form: 'miniapp',
      id: link.id,
      ...(link.version === undefined ? {} : { version: link.version }),
      page: link.page,
      ...(link.query === undefined ? {} : { query: link.query }),
    });
    return reply
      .headers({
        ...headers,
        // Listing changes reach the page within a minute, like the catalog [API-017].
        'cache-control': 'public, max-age=60',
        'content-language': entry.locale,
        vary: 'Accept-Language',
      })
      .type('text/html; charset=utf-8')
      .send(landingHtml(entry, openLink));
  });
}
