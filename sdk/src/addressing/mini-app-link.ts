/** [ADR-006] longest query a link may carry, in bytes. */
export const MAX_QUERY_BYTES = 2048;
/** [ADR-007] longest link, in bytes. */
export const MAX_LINK_BYTES = 4096;
/** Path prefix of the https form: `https://<host>/m/<id>...`. */
export const HTTPS_LINK_PREFIX = '/m/';

interface LinkTarget {
  /** Manifest id of the app [ADR-003]. */
  id: string;
  /** Pinned release, honoured only on preview and testing channels [ADR-010]. */
  version?: string;
  /** Decoded page path relative to the package root; '' opens the entry page [ADR-009]. */
  page: string;
  /** Raw query without '?', percent-encoding kept, handed to the page unchanged [ADR-012]. */
  query?: string;
  /** Raw fragment without '#'. */
  fragment?: string;
}

/** A parsed mini-app link, in the custom-scheme form or the https form [ADR-001]. */
export type MiniAppLink =
  | (LinkTarget & { form: 'miniapp' })
  | (LinkTarget & {
      form: 'https';
      /** Lowercase host name, with port when not 443. */ host: string;
    });
