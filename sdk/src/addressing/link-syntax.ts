import { validatorFor } from '#schemas';
import { MiniAppError } from '../diagnostics/index.ts';
import { MAX_QUERY_BYTES } from './mini-app-link.ts';

const rawSegment = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$/;
const rawQuery = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;
const dnsHost =
  /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::(?:[1-9][0-9]{0,4}))?$/;
const unsafeInSegment = /[/\\]/;

/** Control characters (C0 and DEL) would let a page name hide or rewrite what a log or prompt shows. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** [ADR-003] the same rule as the manifest's id, read from its schema so the two cannot drift. */
export function assertAppId(id: string): void {
  if (!validatorFor('manifest/manifest.schema.json#/$defs/appId')(id)) {
    throw new MiniAppError('LINK_INVALID_ID', `"${id}" is not a mini-app id`, {
      fix: 'use the id from the app manifest, e.g. com.example.shop',
    });
  }
}

/** [ADR-004] a pinned version is a SemVer 2.0.0 version. */
export function assertVersion(version: string): void {
  if (!validatorFor('manifest/manifest.schema.json#/$defs/semanticVersion')(version)) {
    throw new MiniAppError('LINK_INVALID_VERSION', `"${version}" is not a SemVer 2.0.0 version`, {
      fix: 'pin a version like 2.4.0 or 2.4.0-rc.1, or leave the version out',
    });
  }
}

function invalidPage(message: string): MiniAppError {
  return new MiniAppError('LINK_INVALID_PAGE', message, {
    fix: 'link to a page path relative to the package root, e.g. pages/home/index.html',
  });
}

/** [ADR-005] a decoded page segment: not empty, not a dot segment, no separator or control character. */
export function assertPageSegment(segment: string): void {
  if (
    segment === '' ||
    segment === '.' ||
    segment === '..' ||
    unsafeInSegment.test(segment) ||
    hasControlCharacter(segment)
  ) {
    throw invalidPage(
      `page segment "${segment}" is empty, a dot segment or contains /, \\ or a control character`,
    );
  }
}

/** Decodes the raw path of a link into a page path; '' stays '' (the entry page). */
export function decodePage(rawPath: string): string {
  if (rawPath === '') return '';
  return rawPath
    .split('/')
    .map((raw) => {
      if (!rawSegment.test(raw)) {
        throw new MiniAppError(
          'LINK_MALFORMED',
          `"${raw}" holds characters that must be percent-encoded`,
          {
            fix: 'percent-encode the page path',
          },
        );
      }
      let segment: string;
      try {
        segment = decodeURIComponent(raw);
      } catch {
        throw invalidPage(`page segment "${raw}" does not decode to UTF-8`);
      }
      assertPageSegment(segment);
      return segment;
    })
    .join('/');
}

/** Encodes a page path one segment at a time, so "/" inside a segment can never appear. */
export function encodePage(page: string): string {
  if (page === '') return '';
  return page
    .split('/')
    .map((segment) => {
      assertPageSegment(segment);
      try {
        return encodeURIComponent(segment);
      } catch {
        throw invalidPage('the page path holds an unpaired surrogate');
      }
    })
    .join('/');
}

/** [ADR-006] a query: RFC 3986 query characters, at most 2048 bytes. */
export function assertQuery(query: string): void {
  if (Buffer.byteLength(query, 'utf8') > MAX_QUERY_BYTES) {
    throw new MiniAppError(
      'LINK_QUERY_TOO_LONG',
      `the query is longer than ${MAX_QUERY_BYTES} bytes`,
      {
        fix: 'pass an identifier in the query and fetch the data from your server',
      },
    );
  }
  assertUriComponent(query, 'query');
}

/** [ADR-001] query and fragment carry only characters that RFC 3986 allows there. */
export function assertUriComponent(value: string, what: 'query' | 'fragment'): void {
  if (!rawQuery.test(value)) {
    throw new MiniAppError(
      'LINK_MALFORMED',
      `the ${what} holds characters that must be percent-encoded`,
      {
        fix: `percent-encode the ${what} (encodeURIComponent for each value)`,
      },
    );
  }
}

/** The host of the https form: a lowercase DNS name with an optional port, nothing else. */
export function assertHost(host: string): void {
  if (!dnsHost.test(host)) {
    throw new MiniAppError('LINK_MALFORMED', `"${host}" is not a host name`, {
      fix: 'use the host of the distribution server, e.g. apps.example.net',
    });
  }
}
