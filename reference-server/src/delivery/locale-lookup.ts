/**
 * The language ranges a request asks for, best first: the `locale` parameter, else the tags of
 * `Accept-Language` ordered by their q weights (ties keep header order, `*` and q=0 dropped) [API-051].
 */
export function requestedLocales(
  locale: string | undefined,
  acceptLanguage: string | undefined,
): string[] {
  if (locale) return [locale];
  if (!acceptLanguage) return [];
  return acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params
        .map((p) => /^\s*q=([01](\.\d{0,3})?)\s*$/.exec(p)?.[1])
        .find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0 && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(r.tag))
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((r) => r.tag);
}

/**
 * RFC 4647 lookup: for each range in order, try it and then ever shorter prefixes (dropping a trailing
 * single-letter subtag with the one it introduces) against the available tags, case-insensitively;
 * the first hit wins, and with none the fallback (the app's defaultLocale) does [API-051] [MAN-031].
 */
export function lookupLocale(
  ranges: readonly string[],
  available: readonly string[],
  fallback: string,
): string {
  const byLower = new Map(available.map((tag) => [tag.toLowerCase(), tag]));
  for (const range of ranges) {
    const subtags = range.toLowerCase().split('-');
    while (subtags.length > 0) {
      const hit = byLower.get(subtags.join('-'));
      if (hit !== undefined) return hit;
      subtags.pop();
      if (subtags.length >= 2 && subtags.at(-1)?.length === 1) subtags.pop();
    }
  }
  return fallback;
}
