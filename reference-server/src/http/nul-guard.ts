import type { FastifyRequest } from 'fastify';
import { ApiProblem } from './problem.ts';

/** The JSON Pointer of the first string (or member name) in `value` that holds U+0000, or null. */
export function firstNul(value: unknown, pointer = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? pointer || '/' : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = firstNul(item, `${pointer}/${index}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) {
      const escaped = `${pointer}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (name.includes('\u0000')) return escaped;
      const found = firstNul(item, escaped);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * [API-174] U+0000 is refused in every string of a request (body, query and path), with 400 and a
 * pointer to it, before any handler stores it: PostgreSQL text cannot hold it, and a server must
 * answer schema-valid input with a 4xx, never a 500.
 */
export function refuseNul(request: FastifyRequest): void {
  for (const [part, value] of [
    ['', request.body],
    ['query', request.query],
    ['path', request.params],
  ] as const) {
    const found = firstNul(value);
    if (found === null) continue;
    const where = part === '' ? found : `${part} parameter ${found.slice(1)}`;
    throw new ApiProblem(
      'API_VALIDATION_FAILED',
      `${where} contains U+0000, which no text may hold`,
      {
        errors: [
          {
            code: 'API_VALIDATION_FAILED',
            message: `${where} contains U+0000`,
            location: { pointer: found },
          },
        ],
      },
    );
  }
}
