import type { Diagnostic } from '../diagnostics/index.ts';
import type { ValidationReport } from '../validation/index.ts';

function where(d: Diagnostic, target: string): string {
  const loc = d.location;
  if (!loc?.file) return target;
  let text = loc.file;
  if (loc.line !== undefined)
    text += `:${loc.line}${loc.column !== undefined ? `:${loc.column}` : ''}`;
  if (loc.pointer !== undefined) text += ` ${loc.pointer === '' ? '/' : loc.pointer}`;
  return text;
}

/** The report for people: one block per finding (where, what, which requirement, how to fix) and a summary. */
export function formatHumanReport(report: ValidationReport): string {
  const lines: string[] = [];
  for (const d of report.diagnostics) {
    const at = where(d, report.target);
    // Messages name their place too (for JSON readers); here the place already leads the line.
    const message = d.message.startsWith(`${at}: `) ? d.message.slice(at.length + 2) : d.message;
    lines.push(`${at}  ${d.severity}  ${d.code}  ${message}  [${d.requirement}]`);
    if (d.fix) lines.push(`    fix: ${d.fix}`);
  }
  if (lines.length > 0) lines.push('');
  const app = report.app
    ? `${report.app.id} ${report.app.version} (versionCode ${report.app.versionCode})`
    : report.target;
  const counts = `${report.errorCount} error${report.errorCount === 1 ? '' : 's'}, ${report.warningCount} warning${report.warningCount === 1 ? '' : 's'}`;
  lines.push(
    `${report.valid ? 'valid' : 'invalid'}: ${app}: ${counts}; ${report.fileCount} files, ${report.totalBytes} bytes.`,
  );
  if (report.usedMethods.length > 0) {
    lines.push(
      `bridge methods used: ${report.usedMethods.join(', ')}${report.requiredHostVersion ? ` (need host API >= ${report.requiredHostVersion})` : ''}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
