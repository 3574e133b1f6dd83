import type { Diagnostic } from '../diagnostics/index.ts';

/** What `miniapp validate` found, in the shape `--format json` prints. */
export interface ValidationReport {
  /** The directory or archive as the user named it. */
  target: string;
  kind: 'directory' | 'archive';
  valid: boolean;
  errorCount: number;
  warningCount: number;
  app?: {
    id: string;
    version: string;
    versionCode: number;
    minHostVersion: string;
  };
  /** The lowest host API version that offers every bridge method the code calls. */
  requiredHostVersion?: string;
  fileCount: number;
  totalBytes: number;
  usedMethods: string[];
  diagnostics: Diagnostic[];
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.location?.file ?? '';
  const fb = b.location?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.location?.line ?? 0;
  const lb = b.location?.line ?? 0;
  if (la !== lb) return la - lb;
  return (a.location?.column ?? 0) - (b.location?.column ?? 0) || a.code.localeCompare(b.code);
}
