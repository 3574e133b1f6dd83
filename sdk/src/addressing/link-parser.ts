import { MiniAppError } from '../diagnostics/index.ts';
import {
  assertAppId,
  assertHost,
  assertQuery,
  assertUriComponent,
  assertVersion,
  decodePage,
} from './link-syntax.ts';
import { HTTPS_LINK_PREFIX, MAX_LINK_BYTES, type MiniAppLink } from './mini-app-link.ts';

export interface ParseLinkOptions {
  /** Hosts whose https links are mini-app links; any host when absent. */
  httpsHosts?: readonly string[];
}

function malformed(message: string): MiniAppError {
  return new MiniAppError('LINK_MALFORMED', message, {
    fix: 'write the link as miniapp://<id>[@<version>]/<page> or https://<host>/m/<id>[@<version>]/<page>',
  });
}

/**
 * Parses a mini-app link of either form (spec/addressing.md). Throws a MiniAppError with a LINK_* code
 * on anything else; the result's page is decoded and checked, so it can be looked up directly.
 */
export function parseMiniAppLink(text: string, options: ParseLinkOptions = {}): MiniAppLink {
  // [ADR-007] measure first, so hostile input costs nothing more.
  if (Buffer.byteLength(text, 'utf8') > MAX_LINK_BYTES) {
    throw new MiniAppError('LINK_TOO_LONG', `the link is longer than ${MAX_LINK_BYTES} bytes`, {
      fix: 'shorten the query; pass an identifier instead of data',
    });
  }
  if (!/^[\x21-\x7e]*$/.test(text)) {
    throw malformed(
      'the link holds spaces, control or non-ASCII characters that must be percent-encoded',
    );
  }
  const hash = text.indexOf('#');
  const beforeHash = hash < 0 ? text : text.slice(0, hash);
  const fragment = hash < 0 ? '' : text.slice(hash + 1);
  const mark = beforeHash.indexOf('?');
  const base = mark < 0 ? beforeHash : beforeHash.slice(0, mark);
  const query = mark < 0 ? '' : beforeHash.slice(mark + 1);
  assertQuery(query);
  assertUriComponent(fragment, 'fragment');

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(base);
  const schemeName = scheme?.[1]?.toLowerCase();
  let rest = base.slice(scheme?.[0].length ?? 0);
  let host: string | undefined;
  if (schemeName === 'https') {
    const slash = rest.indexOf('/');
    host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
    assertHost(host);
    if (options.httpsHosts && !options.httpsHosts.includes(host)) {
      throw malformed(`${host} is not a distribution server of this host`);
    }
    rest = slash < 0 ? '' : rest.slice(slash);
    if (!rest.startsWith(HTTPS_LINK_PREFIX))
      throw malformed(`an https link's path starts with ${HTTPS_LINK_PREFIX}`);
    rest = rest.slice(HTTPS_LINK_PREFIX.length);
  } else if (schemeName !== 'miniapp') {
    throw malformed('the link does not start with miniapp:// or https://');
  }
  // [ADR-002] split the target ourselves: a generic URL parser reads "<id>@<version>" as user@host.
  const slash = rest.indexOf('/');
  const target = slash < 0 ? rest : rest.slice(0, slash);
  // [ADR-001] a link names no port: "<id>:8080" is not a link form, whatever its id looks like.
  if (target.includes(':')) throw malformed('a mini-app link names no port');
  const at = target.indexOf('@');
  const id = at < 0 ? target : target.slice(0, at);
  assertAppId(id);
  const version = at < 0 ? undefined : target.slice(at + 1);
  if (version !== undefined) assertVersion(version);
  const page = decodePage(slash < 0 ? '' : rest.slice(slash + 1));
  const common = {
    id,
    ...(version !== undefined ? { version } : {}),
    page,
    ...(query !== '' ? { query } : {}),
    ...(fragment !== '' ? { fragment } : {}),
  };
  return host === undefined ? { form: 'miniapp', ...common } : { form: 'https', host, ...common };
}
