import type { ErrorCode, ErrorObject } from '#schemas';
import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { escapePointer, locatePointer, type JsonText } from './json-text.ts';

interface MemberRule {
  code: ErrorCode;
  /** What a valid value looks like, completing "must be ...". */
  expected: string;
}

/** The code and expectation for a value that breaks the schema, by top-level member. */
const memberRules: Record<string, MemberRule> = {
  specVersion: { code: 'MANIFEST_UNSUPPORTED_SPEC_VERSION', expected: 'the string "1.0"' },
  id: {
    code: 'MANIFEST_INVALID_ID',
    expected:
      'a lowercase reverse-DNS name with at least two labels, each starting with a letter (e.g. "com.example.shop")',
  },
  name: { code: 'MANIFEST_INVALID_TEXT', expected: 'a non-blank string of at most 64 characters' },
  shortName: {
    code: 'MANIFEST_INVALID_TEXT',
    expected: 'a non-blank string of at most 16 characters',
  },
  description: { code: 'MANIFEST_INVALID_TEXT', expected: 'a string of at most 512 characters' },
  version: {
    code: 'MANIFEST_INVALID_VERSION',
    expected: 'a Semantic Versioning 2.0.0 version such as "1.4.0" or "2.0.0-rc.1"',
  },
  versionCode: {
    code: 'MANIFEST_INVALID_VERSION_CODE',
    expected: 'an integer from 1 to 2147483647',
  },
  minHostVersion: {
    code: 'MANIFEST_INVALID_HOST_VERSION',
    expected: 'a host API version MAJOR.MINOR.PATCH such as "1.0.0"',
  },
  entryPage: {
    code: 'MANIFEST_INVALID_PAGE',
    expected: 'a relative path to an .html file without "..", "." or empty segments',
  },
  pages: {
    code: 'MANIFEST_INVALID_PAGE',
    expected: 'a non-empty list of relative paths to .html files',
  },
  subpackages: {
    code: 'MANIFEST_INVALID_SUBPACKAGE',
    expected:
      'a list of { "root": "<folder>/", "name": "<a-z0-9_->", "pages": [...] } with roots ending in "/"',
  },
  permissions: {
    code: 'MANIFEST_INVALID_PERMISSION',
    expected:
      'an object keyed by permission name whose values are { "reason": "<text shown to the user>" }',
  },
  allowedDomains: {
    code: 'MANIFEST_INVALID_DOMAIN',
    expected:
      'a list of distinct origins like "https://api.example.com" or "wss://ws.example.com:8443" (lowercase DNS host, no IP, wildcard, path or port 443)',
  },
  icons: {
    code: 'MANIFEST_INVALID_ICON',
    expected:
      'a non-empty list of { "src": "<path>", "sizes": "<w>x<h>", "type"?: "image/png" | "image/webp" | "image/svg+xml" }',
  },
  category: {
    code: 'MANIFEST_INVALID_CATEGORY',
    expected: 'one of the categories of spec/manifest.md',
  },
  defaultLocale: {
    code: 'MANIFEST_INVALID_LOCALE',
    expected: 'a BCP 47 tag in canonical case such as "en", "pt-BR" or "zh-Hans-CN"',
  },
};

const pageRule: MemberRule = {
  code: 'MANIFEST_INVALID_PAGE',
  expected: 'a relative path to an .html file without "..", "." or empty segments',
};

function decodeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Maps one Ajv error to the registry code of the requirement it breaks. */
function classify(error: ErrorObject): { code: ErrorCode; pointer: string; message: string } {
  const pointer = error.instancePath;
  const segments = pointer.split('/').slice(1).map(decodeSegment);
  const member = segments[0];
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    const extra = String(params.additionalProperty);
    return {
      code: 'MANIFEST_UNKNOWN_MEMBER',
      pointer: `${pointer}/${escapePointer(extra)}`,
      message: `"${extra}" is not a member defined by the specification${pointer ? ` at ${pointer}` : ''}; vendor members are named x-<vendor>-<name>`,
    };
  }
  if (member === undefined) {
    if (error.keyword === 'required') {
      const missing = String(params.missingProperty);
      return {
        code: 'MANIFEST_MISSING_MEMBER',
        pointer: '',
        message: `the manifest has no "${missing}" member, which every manifest needs`,
      };
    }
    return {
      code: 'MANIFEST_INVALID_JSON',
      pointer: '',
      message: 'the manifest must be a JSON object',
    };
  }
  const propertyName = error.keyword === 'propertyNames' ? params.propertyName : error.propertyName;
  if (member === 'permissions' && segments.length === 1 && typeof propertyName === 'string') {
    const name = propertyName;
    return {
      code: 'MANIFEST_UNKNOWN_PERMISSION',
      pointer: `${pointer}/${escapePointer(name)}`,
      message: `"${name}" is not a registered permission name (spec/permissions.md)`,
    };
  }
  const isPageList =
    (member === 'pages' && segments.length === 1) ||
    (member === 'subpackages' && segments[2] === 'pages' && segments.length === 3);
  if (isPageList && error.keyword === 'uniqueItems') {
    return {
      code: 'MANIFEST_DUPLICATE_PAGE',
      pointer: `${pointer}/${String(params.i)}`,
      message: `${pointer} lists the same page twice (items ${String(params.j)} and ${String(params.i)})`,
    };
  }
  const rule =
    member === 'subpackages' && segments[2] === 'pages' && segments.length === 4
      ? pageRule
      : memberRules[member];
  if (error.keyword === 'required') {
    return {
      code: rule?.code ?? 'MANIFEST_INVALID_JSON',
      pointer,
      message: `${pointer} has no "${String(params.missingProperty)}" member; it must be ${rule?.expected ?? 'complete'}`,
    };
  }
  return {
    code: rule?.code ?? 'MANIFEST_INVALID_JSON',
    pointer,
    message: `${pointer} must be ${rule?.expected ?? 'valid'} (${error.message ?? error.keyword})`,
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
