/**
 * The browser build's stand-in for schemas/src/schema-registry.ts where schema-trail.ts reads schema
 * documents to find the registry code of a failure [ERR-002]: the build embeds the documents that
 * the host's manifest checks walk (manifest/ and what they reference), so the host reports the same
 * codes as `miniapp validate` without reading files or compiling schemas at run time.
 */
import { schemaDocuments } from 'omp:schema-documents';

export type { ErrorObject } from 'ajv/dist/2020.js';

export function schemaValidator(): { getSchema(id: string): { schema: unknown } | undefined } {
  return {
    getSchema(id) {
      const document = Object.hasOwn(schemaDocuments, id) ? schemaDocuments[id] : undefined;
      return document === undefined ? undefined : { schema: document };
    },
  };
}
