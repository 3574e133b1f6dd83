import { ApiProblem } from '../http/problem.ts';

/** Page cursors are opaque to clients: base64url of a small JSON position [API-048]. */
export function encodeCursor(position: Record<string, number | string>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by encodeCursor with the given members; anything else is answered 400
 * API_CURSOR_INVALID [API-049].
 */
export function decodeCursor<K extends string>(
  cursor: string | undefined,
  members: Record<K, 'integer' | 'string'>,
): Record<K, number | string> | null {
  if (cursor === undefined) return null;
  const invalid = new ApiProblem(
    'API_CURSOR_INVALID',
    'the cursor is not one this server issued; start again without a cursor',
  );
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(members) as K[];
  if (Object.keys(record).length !== keys.length) throw invalid;
  for (const key of keys) {
    const member = record[key];
    const ok =
      members[key] === 'integer'
        ? Number.isSafeInteger(member) && (member as number) >= 0
        : typeof member === 'string' && member.length <= 256;
    if (!ok) throw invalid;
  }
  return record as Record<K, number | string>;
}
