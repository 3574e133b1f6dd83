import { stat } from 'node:fs/promises';
import { bridgeMethodRegistry } from '#schemas';
import { diagnostic, isMiniAppError, type Diagnostic } from '../diagnostics/index.ts';
import {
  checkPackageLimits,
  openArchiveSource,
  openDirectorySource,
  DEFAULT_LIMITS,
  type PackageLimits,
  type PackageSource,
} from '../package/index.ts';
import { checkManifestAgainstFiles, parseManifest } from '../manifest/index.ts';
import { analyzeSource } from '../review/index.ts';
import { requiredHostVersion } from '../versioning/index.ts';
import { compareDiagnostics, type ValidationReport } from './validation-report.ts';

export interface ValidateOptions {
  limits?: PackageLimits;
}

async function openSource(
  target: string,
  limits: PackageLimits,
): Promise<{ source?: PackageSource; diagnostics: Diagnostic[] }> {
  const info = await stat(target).catch(() => null);
  if (!info) {
    return {
      diagnostics: [
        diagnostic('USAGE', `${target} does not exist`, {
          fix: 'give the path of a mini-app directory or a .ma package',
        }),
      ],
    };
  }
  if (info.isDirectory()) return openDirectorySource(target, limits);
  try {
    return { source: await openArchiveSource(target, limits), diagnostics: [] };
  } catch (error) {
    if (isMiniAppError(error)) return { diagnostics: [error.toDiagnostic()] };
    throw error;
  }
}

/**
 * Runs every check of `miniapp validate` on a directory or a `.ma` package: package rules and limits,
 * the manifest, and the static review of the code (the same rules the server's automated review applies).
 */
export async function validateTarget(
  target: string,
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const opened = await openSource(target, limits);
  const diagnostics = [...opened.diagnostics];
  const source = opened.source;
  const report: ValidationReport = {
    target,
    kind: source?.kind ?? 'directory',
    valid: false,
    errorCount: 0,
    warningCount: 0,
    fileCount: source?.files.length ?? 0,
    totalBytes: source?.files.reduce((sum, f) => sum + f.size, 0) ?? 0,
    usedMethods: [],
    diagnostics,
  };
  if (source) await checkSource(source, limits, report);
  diagnostics.sort(compareDiagnostics);
  report.errorCount = diagnostics.filter((d) => d.severity === 'error').length;
  report.warningCount = diagnostics.length - report.errorCount;
  report.valid = report.errorCount === 0;
  return report;
}

async function checkSource(
  source: PackageSource,
  limits: PackageLimits,
  report: ValidationReport,
): Promise<void> {
  const { diagnostics } = report;
  if (!source.files.some((f) => f.path === 'manifest.json')) {
    // The source may already have said why manifest.json is absent (too large, a link...).
    const explained = diagnostics.some((d) => d.location?.file === 'manifest.json');
    if (!explained)
      diagnostics.push(
        diagnostic('MANIFEST_MISSING', 'the package has no manifest.json at its root', {
          location: { file: 'manifest.json' },
          fix: 'add a manifest.json at the root of the package (see spec/manifest.md)',
        }),
      );
    diagnostics.push(...checkPackageLimits(source, [], limits));
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = await source.read('manifest.json');
  } catch (error) {
    if (isMiniAppError(error)) {
      diagnostics.push(error.toDiagnostic());
      return;
    }
    throw error;
  }
  // The parser decodes the bytes itself so a BOM or UTF-16 text is reported, never silently stripped [MAN-002].
  const parsed = parseManifest(bytes, 'manifest.json');
  diagnostics.push(...parsed.diagnostics);
  const manifest = parsed.manifest;
  diagnostics.push(
    ...checkPackageLimits(source, manifest?.subpackages?.map((s) => s.root) ?? [], limits),
  );
  if (!manifest) return;
  report.app = {
    id: manifest.id,
    version: manifest.version,
    versionCode: manifest.versionCode,
    minHostVersion: manifest.minHostVersion,
  };
  diagnostics.push(...(await checkManifestAgainstFiles(manifest, source)));
  const registry = bridgeMethodRegistry().methods;
  const analysis = await analyzeSource(source, manifest, registry);
  diagnostics.push(...analysis.diagnostics);
  report.usedMethods = [...new Set(analysis.usedMethods.map((m) => m.name))].sort();
  const required = requiredHostVersion(report.usedMethods, registry);
  if (required) report.requiredHostVersion = required.version;
}
