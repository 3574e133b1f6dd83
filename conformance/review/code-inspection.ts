import { bridgeMethodRegistry, type BridgeMethodEntry } from '#schemas';
import { memoised, type PackageSubject } from '../suites/package-subject.ts';
import { codeInventory, type CodeInventory, type PageResource } from './script-inventory.ts';
import {
  reviewScript,
  type BridgeCall,
  type CodeFinding,
  type NetworkUrl,
} from './script-analysis.ts';

export interface CodeInspection {
  inventory: CodeInventory;
  findings: CodeFinding[];
  bridgeCalls: BridgeCall[];
  dynamicBridgeCalls: { file: string; line: number; column: number }[];
  networkUrls: NetworkUrl[];
  documentWrites: { file: string; line: number; column: number }[];
}

/** The bridge method registry (schemas/bridge/method-registry.json), by name. */
export function registeredMethods(): Map<string, BridgeMethodEntry> {
  return new Map(bridgeMethodRegistry().methods.map((m) => [m.name, m]));
}

/** [REV-109] a URL that loads from outside the package: a scheme of its own, or another host. */
export function isExternal(url: string): boolean {
  const trimmed = url.trim();
  return (
    /^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith('//') || trimmed.startsWith('\\\\')
  );
}

export function resourceFault(r: PageResource): string {
  return `${r.file}:${r.line}: <${r.element} ${r.attribute}=${JSON.stringify(r.url.slice(0, 100))}> loads from outside the package`;
}

/** Reviews every script, inline script and handler of the package once. */
export function codeOf(subject: PackageSubject): CodeInspection {
  return memoised(subject, 'code', () => {
    const inventory = codeInventory(subject);
    const context = {
      files: new Set(subject.files.keys()),
      bridgeNamespaces: new Set([...registeredMethods().keys()].map((m) => m.split('.')[0] ?? '')),
    };
    const inspection: CodeInspection = {
      inventory,
      findings: [],
      bridgeCalls: [],
      dynamicBridgeCalls: [],
      networkUrls: [],
      documentWrites: [],
    };
    for (const unit of inventory.units) {
      const review = reviewScript(unit, context);
      inspection.findings.push(...review.findings);
      inspection.bridgeCalls.push(...review.bridgeCalls);
      inspection.dynamicBridgeCalls.push(...review.dynamicBridgeCalls);
      inspection.networkUrls.push(...review.networkUrls);
      inspection.documentWrites.push(...review.documentWrites);
    }
    return inspection;
  });
}

/** Compares MAJOR.MINOR.PATCH versions numerically. */
export function compareHostVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** An origin as hosts compare them (scheme, lowercase host, port without the default). */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return undefined;
  }
}
