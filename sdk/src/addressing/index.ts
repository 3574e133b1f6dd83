/** Public surface of the addressing area (spec/addressing.md). */
export { parseMiniAppLink, type ParseLinkOptions } from './link-parser.ts';
export { formatMiniAppLink } from './link-formatter.ts';
export {
  HTTPS_LINK_PREFIX,
  MAX_LINK_BYTES,
  MAX_QUERY_BYTES,
  type MiniAppLink,
} from './mini-app-link.ts';
