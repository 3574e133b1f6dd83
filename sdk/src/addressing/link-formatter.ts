import { MiniAppError } from '../diagnostics/index.ts';
import {
  assertAppId,
  assertHost,
  assertQuery,
  assertUriComponent,
  assertVersion,
  encodePage,
} from './link-syntax.ts';
import { HTTPS_LINK_PREFIX, MAX_LINK_BYTES, type MiniAppLink } from './mini-app-link.ts';

/**
 * Writes a mini-app link; the inverse of parseMiniAppLink. Applies the same rules and throws the same
 * LINK_* codes, so a link this function returns is one every conforming host accepts.
 */
export function formatMiniAppLink(link: MiniAppLink): string {
  assertAppId(link.id);
  if (link.version !== undefined) assertVersion(link.version);
  if (link.query !== undefined) assertQuery(link.query);
  if (link.fragment !== undefined) assertUriComponent(link.fragment, 'fragment');
  let prefix = 'miniapp://';
  if (link.form === 'https') {
    assertHost(link.host);
    prefix = `https://${link.host}${HTTPS_LINK_PREFIX}`;
  }
  const text =
    prefix +
    link.id +
    (link.version !== undefined ? `@${link.version}` : '') +
    `/${encodePage(link.page)}` +
    (link.query ? `?${link.query}` : '') +
    (link.fragment ? `#${link.fragment}` : '');
  if (Buffer.byteLength(text, 'utf8') > MAX_LINK_BYTES) {
    throw new MiniAppError(
      'LINK_TOO_LONG',
      `the link would be longer than ${MAX_LINK_BYTES} bytes`,
      {
        fix: 'shorten the query; pass an identifier instead of data',
      },
    );
  }
  return text;
}
