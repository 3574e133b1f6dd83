import { validatorFor } from '#schemas';
import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { escapePointer, locatePointer, readJsonText } from './json-text.ts';
import type { Manifest } from './manifest.ts';
import { schemaDiagnostics } from './schema-diagnostics.ts';

/** The JSON Pointer of the first string or member name holding U+0000, or null [MAN-170]. */
function firstNul(value: unknown, pointer = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? pointer : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = firstNul(item, `${pointer}/${index}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) {
      const at = `${pointer}/${escapePointer(name)}`;
      if (name.includes('\u0000')) return at;
      const found = firstNul(item, at);
      if (found !== null) return found;
    }
  }
  return null;
}

/** [MAN-026] the icon size below which stores and launchers look blurry. */
const RECOMMENDED_ICON_PIXELS = 192;

export interface ParsedManifest {
  /** Present when the manifest meets every rule of its schema (warnings may remain). */
  manifest?: Manifest;
  diagnostics: Diagnostic[];
}

/**
 * Reads a manifest from its text or raw bytes and checks it against manifest.schema.json.
 * Every finding carries a registry code, a JSON Pointer and a line and column; nothing throws on bad input.
 */
export function parseManifest(input: string | Uint8Array, file = 'manifest.json'): ParsedManifest {
  const read = readJsonText(input, file);
  const { json } = read;
  if (!json) return { diagnostics: read.diagnostics };
  const diagnostics = [...read.diagnostics];
  // [MAN-170] checked before the schema: a vendor member is not validated, yet the text must be storable.
  const nul = firstNul(json.value);
  if (nul !== null) {
    diagnostics.push(
      diagnostic('MANIFEST_NUL_CHARACTER', `${nul || '/'} holds the character U+0000`, {
        location: locatePointer(json, file, nul),
        fix: 'remove the \\u0000 escape from the text',
      }),
    );
    return { diagnostics };
  }
  const validate = validatorFor('manifest/manifest.schema.json');
  if (!validate(json.value)) {
    diagnostics.push(...schemaDiagnostics(validate.errors ?? [], json, file));
    return { diagnostics };
  }
  const manifest = json.value as Manifest;
  const largest = Math.max(
    ...manifest.icons.map((icon) => Math.min(...icon.sizes.split('x').map(Number))),
  );
  if (largest < RECOMMENDED_ICON_PIXELS) {
    diagnostics.push(
      diagnostic(
        'MANIFEST_ICON_TOO_SMALL',
        `the largest icon is ${largest} pixels; stores and launchers need at least 192x192`,
        {
          severity: 'warning',
          location: locatePointer(json, file, '/icons'),
          fix: 'add an icon of 192x192 pixels or more',
        },
      ),
    );
  }
  // Duplicate members make the parsed value ambiguous, so no manifest is handed on [MAN-002].
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { manifest, diagnostics };
}
