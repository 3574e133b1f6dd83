import { visit } from 'jsonc-parser';
import { validatorFor } from '#schemas';
import { MiniAppError } from '#sdk/diagnostics/index.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Paths (JSON Pointers) of objects in which some member name occurs twice. */
function duplicateMembers(text: string): string[] {
  const found: string[] = [];
  const open: Set<string>[] = [];
  visit(text, {
    onObjectBegin: () => {
      open.push(new Set());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (name, _offset, _length, _line, _column, pathSupplier) => {
      const members = open[open.length - 1];
      if (!members) return;
      if (members.has(name)) found.push('/' + [...pathSupplier(), name].join('/'));
      members.add(name);
    },
  });
  return found;
}

/**
 * Parses signed JSON bytes strictly [SIG-014]: UTF-8 without BOM, standard JSON, no duplicate
 * member names (two parsers could otherwise read different values from the same signed bytes).
 */
export function parseStrictJson(bytes: Uint8Array, what: string): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new MiniAppError('SIG_MALFORMED', `${what} is not valid UTF-8.`, { cause });
  }
  let value: unknown;
  try {
    // JSON.parse rejects a leading BOM (kept by ignoreBOM), comments and trailing commas.
    value = JSON.parse(text);
  } catch (cause) {
    throw new MiniAppError('SIG_MALFORMED', `${what} is not valid JSON.`, {
      cause,
      fix: 'Send the signed bytes unchanged, as UTF-8 JSON without a byte-order mark.',
    });
  }
  const duplicates = duplicateMembers(text);
  if (duplicates.length > 0) {
    throw new MiniAppError(
      'SIG_MALFORMED',
      `${what} repeats a member name at ${duplicates.join(', ')}.`,
      { location: { pointer: duplicates[0] ?? '' }, details: { duplicates } },
    );
  }
  return value;
}

/** Validates a decoded value against a signing schema before any field is trusted [SIG-014]. */
export function validatePayload<T>(value: unknown, schemaPath: string, what: string): T {
  const validate = validatorFor(schemaPath);
  if (!validate(value)) {
    const first = validate.errors?.[0];
    throw new MiniAppError(
      'SIG_MALFORMED',
      `${what} does not match ${schemaPath}: ${first?.instancePath || '/'} ${first?.message ?? ''}.`,
      {
        location: { pointer: first?.instancePath ?? '' },
        details: { errors: validate.errors ?? [] },
      },
    );
  }
  return value as T;
}

/** Strictly parses and validates signed payload bytes [SIG-014]. */
export function decodePayload<T>(bytes: Uint8Array, schemaPath: string, what: string): T {
  return validatePayload<T>(parseStrictJson(bytes, what), schemaPath, what);
}
