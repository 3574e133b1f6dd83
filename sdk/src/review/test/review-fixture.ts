import type { PackageSource } from '#sdk/package/package-source.ts';
import type { Diagnostic } from '#sdk/diagnostics/index.ts';
import {
  analyzeSource,
  type CodeReview,
  type RegisteredMethod,
  type ReviewedManifest,
} from '../index.ts';
import type { ReviewLimits } from '../review-limits.ts';

/** A PackageSource over in-memory files, sorted by path like the real ones. */
export function memorySource(files: Record<string, string | Uint8Array>): PackageSource {
  const encoder = new TextEncoder();
  const bytes = new Map(
    Object.entries(files).map(([path, content]) => [
      path,
      typeof content === 'string' ? encoder.encode(content) : content,
    ]),
  );
  return {
    kind: 'directory',
    label: 'memory',
    files: [...bytes.entries()]
      .map(([path, content]) => ({ path, size: content.byteLength }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path))),
    async read(path) {
      const content = bytes.get(path);
      if (!content) throw new Error(`no file ${path}`);
      return content;
    },
  };
}

/** A small registry shaped like schemas/bridge/method-registry.json. */
export const fixtureRegistry: RegisteredMethod[] = [
  { name: 'host.canIUse', since: '1.0.0', permission: null },
  { name: 'payment.pay', since: '1.0.0', permission: 'payment' },
  { name: 'payment.checkEntitlement', since: '1.2.0', permission: null },
  { name: 'location.getCurrent', since: '1.0.0', permission: 'location' },
  { name: 'camera.scanCode', since: '1.1.0', permission: 'camera' },
  { name: 'network.request', since: '1.0.0', permission: null },
  { name: 'storage.get', since: '1.0.0', permission: null },
];

export const baseManifest: ReviewedManifest = {
  minHostVersion: '1.0.0',
  allowedDomains: ['https://api.example.com', 'wss://ws.example.com:8443'],
};

/** Reviews one file (default `app.js`) with the fixture registry. */
export function review(
  files: Record<string, string | Uint8Array>,
  manifest: ReviewedManifest = baseManifest,
  limits: Partial<ReviewLimits> = {},
): Promise<CodeReview> {
  return analyzeSource(memorySource(files), manifest, fixtureRegistry, limits);
}

export function reviewScript(code: string, manifest?: ReviewedManifest): Promise<CodeReview> {
  return review({ 'app.js': code }, manifest);
}

/** `CODE@line:column` for each finding, compact enough to compare whole results. */
export function positions(diagnostics: readonly Diagnostic[], code?: string): string[] {
  return diagnostics
    .filter((d) => code === undefined || d.code === code)
    .map((d) => `${d.code}@${d.location?.line}:${d.location?.column}`);
}

export function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => d.code);
}
