/** The module the host build generates from schemas/ (see reference-host/build/web-build.ts). */
declare module 'omp:schema-validators' {
  import type { ErrorObject } from 'ajv/dist/2020.js';
  export interface StandaloneValidator {
    (data: unknown): boolean;
    errors?: ErrorObject[] | null;
  }
  export const schemaValidators: Record<string, StandaloneValidator>;
}
