import { diagnostic } from '#sdk/diagnostics/index.ts';
import type { PackageSource } from '#sdk/package/index.ts';
import { validateTarget } from '#sdk/validation/index.ts';
import { captureEntryPage } from './screenshot-capture.ts';
import { findingOf, type Finding, type Screenshot } from './review-report.ts';

/** What the automated checks found, before any reviewer looks. */
export interface AutomatedReview {
  findings: Finding[];
  screenshots: Screenshot[];
}

/** The name findings use for the package itself, instead of the server's scratch path [API-014]. */
const packageLabel = 'package.ma';

/** A short cause without server paths or browser internals [API-014]. */
function failureKind(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/executable doesn't exist|ENOENT|spawn/i.test(message)) return 'no browser is installed';
  if (/timeout/i.test(message)) return 'the page did not finish loading in time';
  if (/PKG_|extract/i.test(message)) return 'the package could not be extracted';
  return 'the browser failed';
}

/** Keeps the server's file system out of findings partners read: the staged path becomes package.ma. */
function withoutServerPath(finding: Finding, stagedPath: string): Finding {
  const message = finding.message.split(stagedPath).join(packageLabel);
  const file = finding.location?.file;
  if (file === undefined || !file.startsWith(stagedPath)) return { ...finding, message };
  return { ...finding, message, location: { ...finding.location, file: packageLabel } };
}

/**
 * Runs every rule of `miniapp validate` on the staged package, with the same codes [REV-001]
 * (package limits and budgets measurable on the package [REV-009], the manifest, the code rules), then
 * renders the entry page for the reviewer [REV-007]; a screenshot that fails is a warning [REV-008].
 */
export async function runAutomatedReview(input: {
  stagedPath: string;
  source: PackageSource;
  entryPage: string | undefined;
  screenshots: { enabled: boolean; dir: string; chromiumPath: string; scratchDir: string };
  urlOf: (sha256: string) => string;
}): Promise<AutomatedReview> {
  const report = await validateTarget(input.stagedPath);
  const findings = report.diagnostics.map((d) => withoutServerPath(findingOf(d), input.stagedPath));
  const screenshots: Screenshot[] = [];
  if (input.screenshots.enabled && input.entryPage !== undefined) {
    try {
      const shot = await captureEntryPage({
        source: input.source,
        entryPage: input.entryPage,
        scratchDir: input.screenshots.scratchDir,
        screenshotsDir: input.screenshots.dir,
        chromiumPath: input.screenshots.chromiumPath,
      });
      screenshots.push({
        page: shot.page,
        url: input.urlOf(shot.sha256),
        width: shot.width,
        height: shot.height,
        sha256: shot.sha256,
      });
    } catch (error) {
      // [REV-008] never a rejection: the reviewer sees the warning and reviews without the image.
      findings.push(
        findingOf(
          diagnostic(
            'REVIEW_SCREENSHOT_FAILED',
            `The entry page could not be rendered in headless Chromium: ${failureKind(error)}.`,
            {
              severity: 'warning',
              location: { file: input.entryPage },
              fix: 'Check that the entry page loads offline from the package files alone.',
            },
          ),
        ),
      );
    }
  }
  return { findings, screenshots };
}
