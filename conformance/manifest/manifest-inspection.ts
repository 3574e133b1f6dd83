import { mustsOf, requirementIndex } from '../framework/index.ts';
import { memoised, type PackageEntry, type PackageSubject } from '../suites/package-subject.ts';
import { readJsonDocument, type JsonDocument } from './json-document.ts';
import { isObject } from './manifest-rules.ts';
import { attributeSchemaErrors, type AttributedSchemaError } from './schema-attribution.ts';

export interface ManifestInspection {
  /** missing: no regular file `manifest.json` at the root; unreadable: its bytes failed their checks. */
  status: 'missing' | 'unreadable' | 'read';
  entry?: PackageEntry;
  bytes?: Uint8Array;
  document?: JsonDocument;
  /** The manifest object, when the text is JSON whose top level is an object (last duplicate wins). */
  manifest?: Record<string, unknown>;
  schemaErrors: AttributedSchemaError[];
}

/** The manifest requirements that a case of this suite checks; schema errors are given to them. */
function manifestRequirementIds(): Set<string> {
  return new Set(
    mustsOf(requirementIndex(), 'package')
      .filter((r) => r.document === 'manifest.md')
      .map((r) => r.id),
  );
}

/** Reads and validates manifest.json once per subject. */
export function manifestOf(subject: PackageSubject): ManifestInspection {
  return memoised(subject, 'manifest', (): ManifestInspection => {
    const entry = subject.files.get('manifest.json');
    if (!entry) return { status: 'missing', schemaErrors: [] };
    const bytes = entry.read();
    if (!bytes) return { status: 'unreadable', entry, schemaErrors: [] };
    const document = readJsonDocument(bytes);
    const manifest = isObject(document.value) ? document.value : undefined;
    return {
      status: 'read',
      entry,
      bytes,
      document,
      ...(manifest ? { manifest } : {}),
      schemaErrors: manifest ? attributeSchemaErrors(manifest, manifestRequirementIds()) : [],
    };
  });
}

/** Why the manifest's members cannot be checked, if they cannot. */
export function manifestBlocked(
  subject: PackageSubject,
  inspection: ManifestInspection,
): string | undefined {
  if (subject.blocked) return `blocked: ${subject.blocked}`;
  if (inspection.status === 'missing')
    return 'blocked: the package has no manifest.json (see MAN-001)';
  if (inspection.status === 'unreadable')
    return 'blocked: manifest.json could not be read intact (see PKG-001)';
  if (!inspection.manifest) return 'blocked: manifest.json is not a JSON object (see MAN-002)';
  return undefined;
}
