/** The modules the host build generates from schemas/ (see reference-host/build/web-build.ts). */
declare module 'omp:schema-validators' {
  import type { ErrorObject } from 'ajv/dist/2020.js';
  export interface StandaloneValidator {
    (data: unknown): boolean;
    errors?: ErrorObject[] | null;
  }
  export const schemaValidators: Record<string, StandaloneValidator>;
  /** Every schema file below schemas/, as a path. */
  export const schemaPaths: string[];
}

/** The signing schemas compiled with unknown members allowed (payloads of a later minor, SIG-077). */
declare module 'omp:open-schema-validators' {
  import type { StandaloneValidator } from 'omp:schema-validators';
  export const schemaValidators: Record<string, StandaloneValidator>;
  export const schemaPaths: string[];
}

/** Schema documents by `$id`, for the registry codes of schema failures (browser-schema-documents.ts). */
declare module 'omp:schema-documents' {
  export const schemaDocuments: Record<string, unknown>;
}
