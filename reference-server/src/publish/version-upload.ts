import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { parseManifest, type Manifest } from '#sdk/manifest/index.ts';
import { checkEveryEntry, DEFAULT_LIMITS, openArchiveSource } from '#sdk/package/index.ts';
import { formatTimestamp, verifyStatement, type VerifiedStatement } from '#sdk/signing/index.ts';
import { ApiProblem } from '../http/problem.ts';
import type { Services } from '../services.ts';
import type { Queryable } from '../store/database.ts';
import { runAutomatedReview } from './automated-review.ts';
import {
  discardStaged,
  promoteToStore,
  stagePackage,
  StagingLimitExceeded,
  type StagedPackage,
} from './package-staging.ts';
import { publishSettings } from './publish-settings.ts';
import {
  initialStatus,
  queueReasons,
  reportSpecVersion,
  ruleSetVersion,
  type ReviewReport,
} from './review-report.ts';
import {
  announcedLength,
  checkStatementAgainstManifest,
  maxStatementBytes,
  uploadKeys,
} from './statement-check.ts';
import { MultipartReader } from './upload-parsing.ts';
import {
  requireOwnApp,
  versionColumns,
  versionView,
  type VersionRow,
  type VersionView,
} from './version-records.ts';

/** The answer to an upload: a new version (201) or the existing one with the same digest (200) [API-072]. */
export interface UploadOutcome {
  created: boolean;
  version: VersionView;
}

const tooLarge = (detail: string): ApiProblem => new ApiProblem('API_PAYLOAD_TOO_LARGE', detail);

async function readStatementPart(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxStatementBytes) {
      stream.resume();
      throw tooLarge(`the statement part passed ${maxStatementBytes} bytes; a statement is small`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function versionByDigest(
  db: Queryable,
  appId: string,
  sha256: string,
): Promise<VersionRow | null> {
  const { rows } = await db.query<VersionRow>(
    `select ${versionColumns} from versions v where v.app_id = $1 and v.package_sha256 = $2`,
    [appId, sha256],
  );
  return rows[0] ?? null;
}

function notIncreasing(versionCode: number, latest: number): ApiProblem {
  return new ApiProblem(
    'VERSION_CODE_NOT_INCREASING',
    `versionCode ${versionCode} is not greater than ${latest}, the highest versionCode already uploaded; raise versionCode in manifest.json and sign again.`,
  );
}

/** [VER-020] the most one upload may raise an app's highest versionCode. */
export const maxVersionCodeJump = 10_000_000;

/** [SIG-022] [API-074] [VER-001] [VER-020] a new version's versionCode against the app's highest so far. */
function checkVersionCode(versionCode: number, latest: number): void {
  if (versionCode <= latest) throw notIncreasing(versionCode, latest);
  if (latest > 0 && versionCode - latest > maxVersionCodeJump) {
    throw new ApiProblem(
      'VERSION_CODE_JUMP_TOO_LARGE',
      `versionCode ${versionCode} is more than ${maxVersionCodeJump} above ${latest}, the highest versionCode already uploaded; raise it by a smaller step.`,
    );
  }
}

/** Permissions declared by any approved version of the app, or null when none is approved yet. */
async function approvedPermissions(db: Queryable, appId: string): Promise<Set<string> | null> {
  const { rows } = await db.query<{ manifest: Partial<Manifest> }>(
    `select manifest from versions where app_id = $1 and status = 'approved'`,
    [appId],
  );
  if (rows.length === 0) return null;
  return new Set(rows.flatMap((r) => Object.keys(r.manifest.permissions ?? {})));
}

/** Reads the two parts in their required order and stages the package in the scratch area. */
async function receiveParts(
  services: Services,
  reader: MultipartReader,
  partnerId: string,
): Promise<{ statementBytes: Uint8Array; staged: StagedPackage }> {
  const first = await reader.next();
  // [API-069] the statement comes first, so the package can be checked against it while it streams.
  if (first?.name !== 'statement') {
    first?.stream.resume();
    throw new ApiProblem(
      'API_VALIDATION_FAILED',
      'the first part must be "statement" (the author statement envelope), followed by "package"',
    );
  }
  const statementBytes = await readStatementPart(first.stream);
  // [SIG-020] an upload not signed by a key of this partner is refused before its package is read.
  const announced = announcedLength(statementBytes, await uploadKeys(services.db, partnerId));
  const second = await reader.next();
  if (second?.name !== 'package') {
    second?.stream.resume();
    throw new ApiProblem(
      'API_VALIDATION_FAILED',
      'the second part must be "package" (the .ma bytes)',
    );
  }
  const archiveLimit = Math.min(DEFAULT_LIMITS.maxArchiveBytes, services.config.maxUploadBytes);
  const limit = announced === null ? archiveLimit : Math.min(archiveLimit, announced);
  let staged: StagedPackage;
  try {
    staged = await stagePackage(second.stream, services.bundles, limit);
  } catch (error) {
    if (!(error instanceof StagingLimitExceeded)) throw error;
    // [API-071] past what the statement announced is a length mismatch; [API-070] past the limit is 413.
    if (limit < archiveLimit) {
      throw new ApiProblem(
        'SIG_LENGTH_MISMATCH',
        `the package passed the ${limit} bytes its statement announces; sign a statement over the package you upload (miniapp sign)`,
      );
    }
    throw tooLarge(
      `the upload passed ${archiveLimit} bytes, the limit for a package; keep packages within the budgets of spec/budgets.md`,
    );
  }
  try {
    if ((await reader.next()) !== null) {
      throw new ApiProblem('API_VALIDATION_FAILED', 'the upload has parts after "package"');
    }
  } catch (error) {
    await discardStaged(staged);
    throw error;
  }
  return { statementBytes, staged };
}

/**
 * Handles PUT /v1/partner/apps/{appId}/versions: everything that can refuse the upload runs on the
 * staged bytes in the scratch area; the package reaches the store whole (one rename) and only then is
 * the version inserted, in one transaction, so a crash at any point leaves no half-visible version
 * and no row pointing at a missing file.
 */
export async function uploadVersion(
  services: Services,
  request: FastifyRequest,
  appId: string,
): Promise<UploadOutcome> {
  const { db, bundles, config } = services;
  const settings = publishSettings(services);
  const partnerId = request.principal?.partnerId ?? null;
  // [API-003] another partner's app is not found.
  await requireOwnApp(db, appId, partnerId);
  const mediaType = String(request.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim();
  if (mediaType !== 'multipart/form-data') {
    throw new ApiProblem(
      'API_UNSUPPORTED_MEDIA_TYPE',
      'an upload is multipart/form-data with a "statement" part and a "package" part',
    );
  }
  const reader = new MultipartReader(request, 2, config.uploadIdleTimeoutMs);
  let staged: StagedPackage | null = null;
  try {
    const received = await receiveParts(services, reader, partnerId ?? '');
    staged = received.staged;
    await settings.fault('upload:staged');
    const digest = { sha256: staged.sha256, length: staged.length };
    // [SIG-020] [SIG-021] [SIG-023] signed by this partner, over these bytes, recently.
    const verified: VerifiedStatement = verifyStatement(
      received.statementBytes,
      await uploadKeys(db, partnerId ?? ''),
      { appId, package: digest, now: new Date() },
    );
    // [API-072] the same bytes again are the same version; nothing changes.
    const existing = await versionByDigest(db, appId, digest.sha256);
    if (existing) return { created: false, version: versionView(existing) };
    const { statement } = verified;
    const latest = await db.query<{ latest_version_code: number }>(
      'select latest_version_code from apps where app_id = $1',
      [appId],
    );
    const latestCode = latest.rows[0]?.latest_version_code ?? 0;
    // [SIG-022] [API-074] [VER-020] checked early to spare the review; checked again under the lock below.
    checkVersionCode(statement.versionCode, latestCode);

    // [PKG-100] hostile archives (zip slip, bombs, links, oversize) stop here with their PKG_ codes,
    // read from a private copy of the staged bytes, before anything leaves the scratch area.
    const source = await openArchiveSource(await readFile(staged.path));
    // [PKG-172] every entry inflates to its declared size with its CRC-32, read or not by review,
    // before anything is reviewed, countersigned or stored.
    await checkEveryEntry(source);
    const manifestBytes = source.files.some((f) => f.path === 'manifest.json')
      ? await source.read('manifest.json')
      : null;
    const manifest = manifestBytes ? parseManifest(manifestBytes).manifest : undefined;
    checkStatementAgainstManifest(statement, manifestBytes, manifest, appId);

    const review = await runAutomatedReview({
      stagedPath: staged.path,
      source,
      entryPage: manifest?.entryPage,
      screenshots: {
        enabled: settings.screenshots,
        dir: path.join(config.dataDir, 'screenshots'),
        chromiumPath: settings.chromiumPath,
        scratchDir: await bundles.scratchPath('-render'),
      },
      urlOf: (sha256) => `/v1/review/${appId}/${statement.versionCode}/screenshots/${sha256}`,
    });
    const permissions = Object.keys(manifest?.permissions ?? {}).sort();
    const reasons = queueReasons(
      review.findings,
      permissions,
      await approvedPermissions(db, appId),
    );
    const status = initialStatus(review.findings, reasons);
    const createdAt = new Date();
    const report: ReviewReport = {
      appId,
      versionCode: statement.versionCode,
      version: statement.version,
      package: digest,
      specVersion: reportSpecVersion,
      ruleSetVersion,
      status,
      createdAt: formatTimestamp(createdAt),
      findings: review.findings,
      screenshots: review.screenshots,
      decisions: [],
    };
    // [API-084] an approval is countersigned before any row says approved.
    const release =
      status === 'approved' && manifest
        ? await services.trust.countersign({
            statement: verified,
            minHostVersion: manifest.minHostVersion,
            permissions,
            url: `${config.publicUrl}/v1/bundles/sha256/${digest.sha256}.ma`,
          })
        : null;

    await promoteToStore(bundles, staged);
    staged = null;
    await settings.fault('upload:promoted');
    const outcome = await db.transaction(async (tx): Promise<UploadOutcome> => {
      // The app row lock orders concurrent uploads of one app, so no versionCode check goes stale.
      const locked = await tx.query<{ latest_version_code: number }>(
        'select latest_version_code from apps where app_id = $1 for update',
        [appId],
      );
      const repeat = await versionByDigest(tx, appId, digest.sha256);
      if (repeat) return { created: false, version: versionView(repeat) };
      checkVersionCode(statement.versionCode, locked.rows[0]?.latest_version_code ?? 0);
      const inserted = await tx.query<VersionRow>(
        `insert into versions (app_id, version_code, version, package_sha256, package_length, manifest,
                               statement, statement_sha256, statement_keyid, status, review_report,
                               release_envelope, release_sha256, queue_reasons, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         returning app_id, version_code, version, package_sha256, package_length::integer as package_length,
                   statement_keyid, status, review_report, created_at`,
        [
          appId,
          statement.versionCode,
          statement.version,
          digest.sha256,
          digest.length,
          JSON.stringify(manifest ?? {}),
          Buffer.from(received.statementBytes),
          verified.sha256,
          verified.keyid,
          status,
          JSON.stringify(report),
          release ? Buffer.from(release.bytes) : null,
          release?.sha256 ?? null,
          status === 'queued' ? reasons : [],
          createdAt,
        ],
      );
      await tx.query('update apps set latest_version_code = $2 where app_id = $1', [
        appId,
        statement.versionCode,
      ]);
      await settings.fault('upload:inserted');
      const row = inserted.rows[0];
      if (!row) throw new Error('insert returned no row');
      return { created: true, version: versionView(row) };
    });
    return outcome;
  } finally {
    reader.abandon();
    if (staged) await discardStaged(staged);
  }
}
