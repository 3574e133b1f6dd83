import { visit } from 'jsonc-parser';
import {
  createSchemaValidator,
  schemaBaseUri,
  validatorFor,
  type ValidateFunction,
} from '#schemas';
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

/** The specification version this verifier implements [SIG-074]. */
export const verifierSpecVersion = { major: 1, minor: 0 } as const;

/** Schemas whose payloads a later minor version may extend; JWKs and the DSSE envelope stay closed [SIG-077]. */
function extensible(schemaPath: string): boolean {
  return (
    schemaPath.startsWith('signing/') &&
    schemaPath !== 'signing/jwk.schema.json' &&
    schemaPath !== 'signing/envelope.schema.json'
  );
}

let lenient: ReturnType<typeof createSchemaValidator> | undefined;

function lenientValidatorFor(schemaPath: string): ValidateFunction {
  lenient ??= createSchemaValidator({ openMembers: extensible });
  const validate = lenient.getSchema(schemaBaseUri + schemaPath);
  if (!validate) throw new Error(`no schema ${schemaPath}`);
  return validate;
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Resolves a JSON Pointer in a parsed payload; undefined when it names no member. */
function resolvePointer(value: unknown, pointer: string): unknown {
  let at: unknown = value;
  for (const raw of pointer.split('/').slice(1)) {
    const name = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, name)) return undefined;
    at = (at as Record<string, unknown>)[name];
  }
  return at;
}

function unsupported(message: string, pointer: string, requirement: string): MiniAppError {
  return new MiniAppError('SIG_UNSUPPORTED_VERSION', message, {
    requirement,
    location: { pointer },
    fix: 'Update the verifier to a version of the specification that defines this document.',
  });
}

/**
 * Strictly parses and validates signed payload bytes with the version rules of spec/signing.md
 * (Versions of signed payloads): another major version is refused [SIG-075]; the verifier's own minor
 * (or a lower one) is validated strictly [SIG-076]; a higher minor is validated with unknown members
 * allowed outside JWKs, which the caller never reads [SIG-077], unless `critical` names one [SIG-078].
 * The returned value keeps unknown members as they were signed.
 */
export function decodeSignedPayload<T>(bytes: Uint8Array, schemaPath: string, what: string): T {
  const value = parseStrictJson(bytes, what);
  const declared =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>).specVersion
      : undefined;
  const version =
    typeof declared === 'string' ? /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/.exec(declared) : null;
  if (version && Number(version[1]) !== verifierSpecVersion.major) {
    throw unsupported(
      `${what} is written for specification ${String(declared)}; this verifier implements ${verifierSpecVersion.major}.x.`,
      '/specVersion',
      'SIG-075',
    );
  }
  const later = version !== null && Number(version[2]) > verifierSpecVersion.minor;
  if (!later) {
    const payload = validatePayload<T>(value, schemaPath, what);
    checkCritical(value, new Set());
    return payload;
  }
  const open = lenientValidatorFor(schemaPath);
  if (!open(value)) {
    const first = open.errors?.[0];
    throw new MiniAppError(
      'SIG_MALFORMED',
      `${what} does not match ${schemaPath}: ${first?.instancePath || '/'} ${first?.message ?? ''}.`,
      { location: { pointer: first?.instancePath ?? '' }, details: { errors: open.errors ?? [] } },
    );
  }
  // The strict schema names exactly the members this verifier does not define.
  const strict = validatorFor(schemaPath);
  const unknown = new Set<string>();
  if (!strict(value)) {
    for (const error of strict.errors ?? []) {
      const name = (error.params as { additionalProperty?: unknown }).additionalProperty;
      if (error.keyword === 'additionalProperties' && typeof name === 'string')
        unknown.add(`${error.instancePath}/${escapePointer(name)}`);
    }
  }
  checkCritical(value, unknown);
  return value as T;
}

/** [SIG-078] every critical pointer names a member, and none of them one this verifier does not define. */
function checkCritical(value: unknown, unknown: ReadonlySet<string>): void {
  const critical = (value as { critical?: unknown }).critical;
  if (!Array.isArray(critical)) return;
  for (const pointer of critical as string[]) {
    if (resolvePointer(value, pointer) === undefined) {
      throw new MiniAppError('SIG_MALFORMED', `critical names ${pointer}, which is not a member.`, {
        requirement: 'SIG-078',
        location: { pointer: '/critical' },
      });
    }
    for (const member of unknown) {
      if (pointer === member || pointer.startsWith(`${member}/`)) {
        throw unsupported(
          `The payload marks ${pointer} as critical, and this verifier does not understand it.`,
          pointer,
          'SIG-078',
        );
      }
    }
  }
}
