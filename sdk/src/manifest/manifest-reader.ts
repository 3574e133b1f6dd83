import { diagnostic } from '../diagnostics/index.ts';
import type { PackageSource } from '../package/package-source.ts';
import { locatePointer, readJsonText } from './json-text.ts';
import { MANIFEST_PATH } from './manifest.ts';
import { parseManifest, type ParsedManifest } from './manifest-parser.ts';
import { checkManifestAgainstFiles } from './package-consistency.ts';

/**
 * Reads, parses and checks the manifest of a package: [MAN-001] it exists, it meets its schema,
 * and it agrees with the package's files. Findings about manifest.json carry line and column.
 */
export async function readManifest(source: PackageSource): Promise<ParsedManifest> {
  if (!source.files.some((f) => f.path === MANIFEST_PATH)) {
    return {
      diagnostics: [
        diagnostic('MANIFEST_MISSING', `${source.label} has no manifest.json at its root`, {
          location: { file: MANIFEST_PATH },
          fix: 'add a manifest.json at the root of the package (see spec/manifest.md)',
        }),
      ],
    };
  }
  const bytes = await source.read(MANIFEST_PATH);
  const parsed = parseManifest(bytes, MANIFEST_PATH);
  if (!parsed.manifest) return parsed;
  const json = readJsonText(bytes, MANIFEST_PATH).json;
  const found = await checkManifestAgainstFiles(parsed.manifest, source);
  const located = found.map((d) =>
    json && d.location?.file === MANIFEST_PATH && d.location.pointer !== undefined
      ? { ...d, location: locatePointer(json, MANIFEST_PATH, d.location.pointer) }
      : d,
  );
  return { manifest: parsed.manifest, diagnostics: [...parsed.diagnostics, ...located] };
}
