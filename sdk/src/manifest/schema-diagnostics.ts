import { errorCodeOf, schemaBaseUri, type ErrorCode, type ErrorObject } from '#schemas';
import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { escapePointer, locatePointer, type JsonText } from './json-text.ts';

/**
 * What a valid value looks like, completing "must be ...", by the code the schema's x-error-code gives
 * it. Codes come from the schema alone (errorCodeOf); this table only words the messages.
 */
const expectations: Partial<Record<ErrorCode, string>> = {
  MANIFEST_UNSUPPORTED_SPEC_VERSION: 'the string "1.0"',
  MANIFEST_INVALID_ID:
    'a lowercase reverse-DNS name with at least two labels, each starting with a letter (e.g. "com.example.shop")',
  MANIFEST_INVALID_TEXT:
    'a non-blank string (name: 64 characters at most, shortName: 16, description: 512)',
  MANIFEST_INVALID_VERSION: 'a Semantic Versioning 2.0.0 version such as "1.4.0" or "2.0.0-rc.1"',
  MANIFEST_INVALID_VERSION_CODE: 'an integer from 1 to 2147483647',
  MANIFEST_INVALID_HOST_VERSION: 'a host API version MAJOR.MINOR.PATCH such as "1.0.0"',
  MANIFEST_INVALID_PAGE: 'a relative path to an .html file without "..", "." or empty segments',
  MANIFEST_INVALID_SUBPACKAGE:
    'a list of { "root": "<folder>/", "name": "<a-z0-9_->", "pages": [...] } with roots ending in "/"',
  MANIFEST_INVALID_PERMISSION:
    'an object keyed by permission name whose values are { "reason": "<text shown to the user>" }',
  MANIFEST_INVALID_DOMAIN:
    'a list of distinct origins like "https://api.example.com" or "wss://ws.example.com:8443" (lowercase DNS host, no IP, wildcard, path or port 443)',
  MANIFEST_INVALID_ICON:
    'a non-empty list of { "src": "<path>", "sizes": "<w>x<h>", "type"?: "image/png" | "image/webp" | "image/svg+xml" }',
  MANIFEST_INVALID_CATEGORY: 'one of the categories of spec/manifest.md',
  MANIFEST_INVALID_LOCALE: 'a BCP 47 tag in canonical case such as "en", "pt-BR" or "zh-Hans-CN"',
};

const manifestSchemaUri = `${schemaBaseUri}manifest/manifest.schema.json`;

/** Maps one Ajv error to its registry code (the schema's x-error-code) and a located message. */
function classify(error: ErrorObject): { code: ErrorCode; pointer: string; message: string } {
  const code = errorCodeOf(manifestSchemaUri, error, 'MANIFEST_INVALID_JSON');
  const pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (code) {
    case 'MANIFEST_UNKNOWN_MEMBER': {
      const extra = String(params.additionalProperty);
      return {
        code,
        pointer: `${pointer}/${escapePointer(extra)}`,
        message: `"${extra}" is not a member defined by the specification${pointer ? ` at ${pointer}` : ''}; vendor members are named x-<vendor>-<name>`,
      };
    }
    case 'MANIFEST_MISSING_MEMBER':
      return {
        code,
        pointer,
        message: `the manifest has no "${String(params.missingProperty)}" member, which every manifest needs`,
      };
    case 'MANIFEST_UNKNOWN_PERMISSION': {
      const name = String(params.propertyName ?? error.propertyName);
      return {
        code,
        pointer: `${pointer}/${escapePointer(name)}`,
        message: `"${name}" is not a registered permission name (spec/permissions.md)`,
      };
    }
    case 'MANIFEST_DUPLICATE_PAGE':
      return {
        code,
        pointer: `${pointer}/${String(params.i)}`,
        message: `${pointer} lists the same page twice (items ${String(params.j)} and ${String(params.i)})`,
      };
    default:
      break;
  }
  if (pointer === '') {
    return { code, pointer, message: 'the manifest must be a JSON object' };
  }
  const expected = expectations[code];
  if (error.keyword === 'required') {
    return {
      code,
      pointer,
      message: `${pointer} has no "${String(params.missingProperty)}" member; it must be ${expected ?? 'complete'}`,
    };
  }
  return {
    code,
    pointer,
    message: `${pointer} must be ${expected ?? 'valid'} (${error.message ?? error.keyword})`,
  };
}

/** One diagnostic per code and place, however many schema keywords a bad value breaks. */
export function schemaDiagnostics(
  errors: readonly ErrorObject[],
  json: JsonText,
  file: string,
): Diagnostic[] {
  const found = new Map<string, Diagnostic>();
  for (const error of errors) {
    const { code, pointer, message } = classify(error);
    const key = `${code} ${pointer} ${code === 'MANIFEST_MISSING_MEMBER' ? message : ''}`;
    if (found.has(key)) continue;
    found.set(
      key,
      diagnostic(code, message, {
        location: locatePointer(json, file, pointer),
        fix: fixFor(code),
      }),
    );
  }
  return [...found.values()];
}

function fixFor(code: ErrorCode): string {
  switch (code) {
    case 'MANIFEST_MISSING_MEMBER':
      return 'add the member (see the example in spec/manifest.md)';
    case 'MANIFEST_UNKNOWN_MEMBER':
      return 'check the spelling, or rename a vendor member to x-<vendor>-<name>';
    case 'MANIFEST_UNKNOWN_PERMISSION':
      return 'use a permission name from spec/permissions.md';
    case 'MANIFEST_DUPLICATE_PAGE':
      return 'list each page once';
    default:
      return 'correct the value as described in spec/manifest.md';
  }
}
