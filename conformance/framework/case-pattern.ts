/**
 * Case-id patterns of --only and of expectations files: `*` stands for any run of characters
 * (dots included), `?` for one character; everything else matches itself.
 */
export function casePattern(pattern: string): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** True when `id` matches any of the patterns. */
export function matchesAny(id: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((p) => p.test(id));
}
