import path from 'node:path';

/** Where the page sources (HTML, CSS) and the bundled scripts live. */
export const webRoot = path.resolve(import.meta.dirname, '../../web');

/**
 * The policy every page response carries: only this origin's scripts, styles, images and API, no
 * inline code, and no framing (clickjacking of approve or revoke buttons).
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** One file a console serves: its source below webRoot and its media type. */
export interface PageAsset {
  source: string;
  mediaType: string;
}

/** A console (the developer portal or the review console) and the only files it serves. */
export interface Console {
  /** The URL prefix, with leading and trailing slash. */
  prefix: string;
  /** URL name below the prefix (the empty name is the page itself) to file. */
  assets: ReadonlyMap<string, PageAsset>;
}

const html = 'text/html; charset=utf-8';
const css = 'text/css; charset=utf-8';
const js = 'text/javascript; charset=utf-8';

const consoleOf = (name: string): Console => ({
  prefix: `/${name}/`,
  // A closed table, not a directory listing: no request path is ever joined onto the file system.
  assets: new Map<string, PageAsset>([
    ['', { source: `${name}.html`, mediaType: html }],
    ['console.css', { source: 'console.css', mediaType: css }],
    [`${name}.js`, { source: `generated/${name}.js`, mediaType: js }],
  ]),
});

/** The developer portal for partners and the review console for reviewers and admins. */
export const consoles: readonly Console[] = [consoleOf('portal'), consoleOf('review')];
