import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { htmlReport } from './html-report.ts';
import { junitReport } from './junit-report.ts';
import type { ConformanceReport } from './report-builder.ts';

export type ReportFormat = 'json' | 'junit' | 'html';
export const reportFormats: readonly ReportFormat[] = ['json', 'junit', 'html'];

const extensions: Record<ReportFormat, string> = {
  json: 'json',
  junit: 'junit.xml',
  html: 'html',
};

/** The file a format is written to: `<dir>/certify-<class>.<ext>`. */
export function reportPath(dir: string, cls: string, format: ReportFormat): string {
  return path.join(dir, `certify-${cls}.${extensions[format]}`);
}

/** Writes the report in each format; returns the paths written. */
export async function writeReports(
  report: ConformanceReport,
  dir: string,
  formats: readonly ReportFormat[],
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const format of formats) {
    const file = reportPath(dir, report.class, format);
    const content =
      format === 'json'
        ? `${JSON.stringify(report, null, 2)}\n`
        : format === 'junit'
          ? junitReport(report)
          : htmlReport(report);
    await writeFile(file, content);
    written.push(file);
  }
  return written;
}
