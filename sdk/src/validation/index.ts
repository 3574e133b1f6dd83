export { validateTarget, type ValidateOptions } from './validator.ts';
export { compareDiagnostics, type ValidationReport } from './validation-report.ts';
