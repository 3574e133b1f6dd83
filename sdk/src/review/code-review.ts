import semver from 'semver';
import { diagnostic, type Diagnostic, type Location } from '#sdk/diagnostics/index.ts';
import type { PackageSource } from '#sdk/package/package-source.ts';
import { inspectHtml } from './html-document.ts';
import { OriginAllowlist } from './origin-allowlist.ts';
import {
  defaultReviewLimits,
  ReviewBudgetExceeded,
  ReviewDeadline,
  type ReviewLimits,
} from './review-limits.ts';
import {
  inspectScript,
  type BridgeCall,
  type InspectionContext,
  type RegisteredMethod,
} from './script-inspector.ts';
import { parseScript } from './script-parser.ts';
import { describeLocation, type ScriptUnit } from './script-unit.ts';

/** The parts of `manifest.json` that code review checks code against. */
export interface ReviewedManifest {
  minHostVersion: string;
  permissions?: Record<string, { reason: string }>;
  allowedDomains?: string[];
}

/** A registered bridge method called from code, with where it is called. */
export interface UsedMethod {
  name: string;
  location: Location;
}

export interface CodeReview {
  /** Findings, ordered by file and position; errors block a release, warnings are for reviewers. */
  diagnostics: Diagnostic[];
  /** Every literal call of a registered bridge method, in file and source order. */
  usedMethods: UsedMethod[];
}

const scriptFile = /\.(js|mjs|cjs)$/i;
const htmlFile = /\.html?$/i;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Statically reviews every script and HTML page of a package, for `miniapp validate` and the
 * server's automated review. Hostile input never makes it throw: each problem is a diagnostic with
 * a registry code, a file position and a one-line fix. Only failures of `source.read` propagate.
 */
export async function analyzeSource(
  source: PackageSource,
  manifest: ReviewedManifest,
  registry: readonly RegisteredMethod[],
  limits: Partial<ReviewLimits> = {},
): Promise<CodeReview> {
  const { maxFileBytes, timeBudgetMs, now } = { ...defaultReviewLimits, ...limits };
  const deadline = new ReviewDeadline(now() + timeBudgetMs, now);
  const context: InspectionContext = {
    methods: new Map(registry.map((method) => [method.name, method])),
    allowlist: new OriginAllowlist(manifest.allowedDomains),
    tick: () => deadline.tick(),
  };
  const diagnostics: Diagnostic[] = [];
  const bridgeCalls: BridgeCall[] = [];
  const reviewed = source.files.filter((f) => scriptFile.test(f.path) || htmlFile.test(f.path));

  for (const [index, file] of reviewed.entries()) {
    if (deadline.expired()) {
      diagnostics.push(budgetExceeded(file.path, reviewed.length - index));
      break;
    }
    const text = await readText(source, file.path, file.size, maxFileBytes, diagnostics);
    if (text === null) continue;
    try {
      const units: ScriptUnit[] = [];
      if (htmlFile.test(file.path)) {
        const page = inspectHtml(file.path, text);
        diagnostics.push(...page.diagnostics);
        units.push(...page.scripts);
      } else {
        units.push({
          file: file.path,
          text,
          goal: goalOf(file.path),
          origin: { line: 1, column: 1 },
        });
      }
      for (const unit of units) {
        const parsed = parseScript(unit);
        if ('code' in parsed) {
          diagnostics.push(parsed);
          continue;
        }
        const inspection = inspectScript(unit, parsed, context);
        diagnostics.push(...inspection.diagnostics);
        bridgeCalls.push(...inspection.bridgeCalls);
      }
    } catch (error) {
      if (error instanceof ReviewBudgetExceeded) {
        diagnostics.push(budgetExceeded(file.path, reviewed.length - index));
        break;
      }
      // Parser and scope analysis recurse; absurd nesting exhausts the stack [REV-103].
      if (!(error instanceof RangeError)) throw error;
      diagnostics.push(
        diagnostic('CODE_ANALYSIS_LIMIT', `${file.path}: nested too deeply to analyse.`, {
          location: { file: file.path },
          fix: 'Reduce the nesting depth of the code (or of generated code).',
        }),
      );
    }
  }

  diagnostics.push(...bridgeRules(bridgeCalls, manifest, context.methods));
  return {
    diagnostics: sortByPosition(
      diagnostics,
      reviewed.map((f) => f.path),
    ),
    usedMethods: bridgeCalls.map(({ name, location }) => ({ name, location })),
  };
}

/** Classic `.cjs` never parses as a module; `.mjs` always does; `.js` may be either. */
function goalOf(path: string): ScriptUnit['goal'] {
  if (/\.mjs$/i.test(path)) return 'module';
  if (/\.cjs$/i.test(path)) return 'script';
  return 'either';
}

async function readText(
  source: PackageSource,
  path: string,
  declaredSize: number,
  maxFileBytes: number,
  diagnostics: Diagnostic[],
): Promise<string | null> {
  const tooLarge = (size: number) =>
    diagnostic(
      'CODE_ANALYSIS_LIMIT',
      `${path}: ${size} bytes is more than the ${maxFileBytes} bytes the review analyses.`,
      {
        location: { file: path },
        fix: 'Split the file or remove unused code; large files also slow start-up.',
      },
    );
  if (declaredSize > maxFileBytes) {
    diagnostics.push(tooLarge(declaredSize));
    return null;
  }
  const bytes = await source.read(path);
  // The declared size may lie (archives); the bytes read are what counts.
  if (bytes.byteLength > maxFileBytes) {
    diagnostics.push(tooLarge(bytes.byteLength));
    return null;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    diagnostics.push(
      diagnostic('CODE_NOT_UTF8', `${path}: not valid UTF-8.`, {
        location: { file: path },
        fix: 'Save the file as UTF-8.',
      }),
    );
    return null;
  }
}

function budgetExceeded(path: string, remaining: number): Diagnostic {
  return diagnostic(
    'CODE_ANALYSIS_LIMIT',
    `${path}: the review's time budget ran out here; ${remaining} file(s) were not analysed.`,
    {
      location: { file: path },
      fix: 'Remove unused or generated code so the package can be analysed in time.',
    },
  );
}

/**
 * Package-wide bridge rules: permissions needed by the methods called [REV-116], permissions
 * declared but not needed [REV-117], and methods newer than minHostVersion [REV-118].
 */
function bridgeRules(
  calls: readonly BridgeCall[],
  manifest: ReviewedManifest,
  methods: ReadonlyMap<string, RegisteredMethod>,
): Diagnostic[] {
  const found: Diagnostic[] = [];
  const declared = new Set(Object.keys(manifest.permissions ?? {}));
  const needed = new Set<string>();
  const minHost = semver.valid(manifest.minHostVersion);
  for (const call of calls) {
    const method = methods.get(call.name);
    if (!method) continue;
    const where = describeLocation(call.location);
    if (method.permission !== null) {
      needed.add(method.permission);
      if (!declared.has(method.permission)) {
        found.push(
          diagnostic(
            'CODE_PERMISSION_NOT_DECLARED',
            `${where}: ${method.name} needs the permission "${method.permission}", which manifest.json does not declare.`,
            {
              location: call.location,
              fix: `Add "permissions": { "${method.permission}": { "reason": "<why the app needs it>" } } to manifest.json.`,
            },
          ),
        );
      }
    }
    // An invalid minHostVersion is the manifest validator's finding, not ours.
    const since = semver.valid(method.since);
    if (minHost !== null && since !== null && semver.gt(since, minHost)) {
      const guarded = call.guardedBy.has(method.name);
      found.push(
        diagnostic(
          'CODE_METHOD_NEWER_THAN_MIN_HOST',
          guarded
            ? `${where}: ${method.name} needs host API ${since} but minHostVersion is ${minHost}; the call is guarded by canIUse, so older hosts skip it.`
            : `${where}: ${method.name} needs host API ${since} but minHostVersion is ${minHost}.`,
          {
            severity: guarded ? 'warning' : 'error',
            location: call.location,
            fix: guarded
              ? `Keep the fallback path for hosts below ${since} tested.`
              : `Raise minHostVersion to ${since} or guard the call with MiniAppBridge.canIUse('${method.name}').`,
          },
        ),
      );
    }
  }
  for (const permission of declared) {
    if (needed.has(permission)) continue;
    found.push(
      diagnostic(
        'CODE_PERMISSION_UNUSED',
        `manifest.json: the permission "${permission}" is declared but no bridge call in the code needs it.`,
        {
          severity: 'warning',
          location: {
            file: 'manifest.json',
            pointer: `/permissions/${permission.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          },
          fix: `Remove "${permission}" from "permissions", or call the method that needs it with a literal name.`,
        },
      ),
    );
  }
  return found;
}

/** Orders findings by file (package order, manifest last), then line and column; stable otherwise. */
function sortByPosition(diagnostics: Diagnostic[], files: readonly string[]): Diagnostic[] {
  const rank = new Map(files.map((file, index) => [file, index]));
  const fileRank = (d: Diagnostic) => rank.get(d.location?.file ?? '') ?? files.length;
  return diagnostics
    .map((d, index) => ({ d, index }))
    .sort(
      (a, b) =>
        fileRank(a.d) - fileRank(b.d) ||
        (a.d.location?.line ?? 0) - (b.d.location?.line ?? 0) ||
        (a.d.location?.column ?? 0) - (b.d.location?.column ?? 0) ||
        a.index - b.index,
    )
    .map(({ d }) => d);
}
