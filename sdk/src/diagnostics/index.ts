export { diagnostic, MiniAppError, isMiniAppError } from './diagnostic.ts';
export type { Diagnostic, DiagnosticOptions, Location, Severity } from './diagnostic.ts';
