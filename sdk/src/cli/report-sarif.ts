import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { errorCodes } from '#schemas';
import type { ValidationReport } from '../validation/index.ts';

const specBase = 'https://github.com/openminiapp/spec/blob/main/spec/';

/**
 * The report as SARIF 2.1.0, so CI code-scanning (e.g. GitHub code scanning) shows findings inline.
 * Rule ids are the registry's error codes; each rule links to the requirement it enforces.
 */
export function formatSarifReport(report: ValidationReport, cwd: string): string {
  const used = [...new Set(report.diagnostics.map((d) => d.code))].sort();
  const rules: ReportingDescriptor[] = used.map((code) => ({
    id: code,
    shortDescription: { text: errorCodes[code].summary },
    helpUri: `${specBase}${errorCodes[code].area}.md`,
    properties: { requirement: errorCodes[code].requirement },
  }));
  // Findings are reported relative to the validated directory, so SARIF consumers resolve them against it.
  const baseUri =
    report.kind === 'directory'
      ? `${pathToFileURL(path.resolve(cwd, report.target)).href}/`
      : pathToFileURL(path.resolve(cwd, path.dirname(report.target))).href + '/';
  const results: Result[] = report.diagnostics.map((d) => ({
    ruleId: d.code,
    ruleIndex: used.indexOf(d.code),
    level: d.severity === 'error' ? 'error' : 'warning',
    message: { text: d.fix ? `${d.message} Fix: ${d.fix}` : d.message },
    properties: {
      requirement: d.requirement,
      ...(d.location?.pointer !== undefined ? { jsonPointer: d.location.pointer } : {}),
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: {
            uri:
              report.kind === 'directory'
                ? (d.location?.file ?? '.')
                : path.basename(report.target),
            uriBaseId: 'PACKAGE_ROOT',
          },
          ...(d.location?.line !== undefined
            ? {
                region: {
                  startLine: d.location.line,
                  ...(d.location.column !== undefined ? { startColumn: d.location.column } : {}),
                },
              }
            : {}),
        },
      },
    ],
  }));
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'miniapp',
            semanticVersion: '0.1.0',
            informationUri: `${specBase}README.md`,
            rules,
          },
        },
        originalUriBaseIds: { PACKAGE_ROOT: { uri: baseUri } },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
