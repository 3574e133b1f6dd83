import type { BrokenServer } from './broken-server.ts';

/** Broken servers made by patching a temporary copy of the reference server at test time. */
export const patchedBreaks: BrokenServer[] = [
  {
    name: 'rollout-bucket-inclusive',
    violates: 'API-081',
    only: 'server.updates.rollout-boundary',
    story:
      'The cohort test is written bucket <= threshold, so the device on the boundary gets the release.',
    patches: [
      {
        file: 'reference-server/src/delivery/rollout.ts',
        find: 'return rolloutBucket(deviceId, appId, versionCode) < rolloutThreshold(percent);',
        replace: 'return rolloutBucket(deviceId, appId, versionCode) <= rolloutThreshold(percent);',
      },
    ],
    alternatives: [
      [
        {
          file: 'sdk/src/distribution/rollout-cohort.ts',
          find: 'return rolloutBucket(deviceId, appId, versionCode) < rolloutThreshold(percent);',
          replace:
            'return rolloutBucket(deviceId, appId, versionCode) <= rolloutThreshold(percent);',
        },
      ],
    ],
  },
  {
    name: 'rollout-bucket-little-endian',
    violates: 'API-081',
    only: 'server.updates.rollout-boundary,server.updates.property-sticky-cohorts',
    story: "The first four digest bytes are read little-endian, as the platform's native order.",
    patches: [
      {
        file: 'reference-server/src/delivery/rollout.ts',
        find: 'digest.readUInt32BE(0)',
        replace: 'digest.readUInt32LE(0)',
      },
    ],
    alternatives: [
      [
        {
          file: 'sdk/src/distribution/rollout-cohort.ts',
          find: 'digest.readUInt32BE(0)',
          replace: 'digest.readUInt32LE(0)',
        },
      ],
    ],
  },
  {
    name: 'min-host-version-as-string',
    violates: 'API-023',
    only: 'server.updates.host-api-version',
    story: 'Versions are compared as strings, so 1.10.0 sorts below 1.2.0.',
    patches: [
      {
        file: 'reference-server/src/delivery/update-selection.ts',
        find: 'semver.lte(r.minHostVersion, hostApiVersion)',
        replace: 'r.minHostVersion <= hostApiVersion',
      },
    ],
    alternatives: [
      [
        {
          file: 'sdk/src/distribution/update-selection.ts',
          find: 'const compatible = (r: BinRelease): boolean => hostRuns(hostApiVersion, r.minHostVersion);',
          replace:
            'const compatible = (r: BinRelease): boolean => r.minHostVersion <= hostApiVersion;',
        },
      ],
    ],
  },
  {
    name: 'paused-release-still-offered',
    violates: 'API-078',
    only: 'server.updates.paused-and-rolled-back',
    story: 'Pausing stops widening the rollout but the release stays in the offer set.',
    patches: [
      {
        file: 'reference-server/src/delivery/update-selection.ts',
        find: "    release.state === 'rollingOut' &&\n    inCohort(deviceId, appId, release.versionCode, release.rolloutPercent)\n  );\n}",
        replace:
          "    (release.state === 'rollingOut' || release.state === 'paused') &&\n    inCohort(deviceId, appId, release.versionCode, release.rolloutPercent)\n  );\n}",
      },
    ],
    alternatives: [
      [
        {
          file: 'sdk/src/distribution/update-selection.ts',
          find: 'const offered = (r: BinRelease): boolean => !r.paused && reached(r);',
          replace: 'const offered = (r: BinRelease): boolean => reached(r);',
        },
      ],
    ],
  },
  {
    name: 'revoked-partner-key-accepted',
    violates: 'API-067',
    only: 'server.upload.revoked-key',
    story: "The upload path looks keys up among all of the partner's keys, revoked ones included.",
    patches: [
      {
        file: 'reference-server/src/publish/statement-check.ts',
        find: "where k.partner_id = $1 and k.revoked_at is null\n        and not exists (select 1 from revocations r where r.kind = 'key' and r.value = k.keyid)`,",
        replace: 'where k.partner_id = $1`,',
      },
    ],
  },
  {
    name: 'token-subject-not-pairwise',
    violates: 'API-060',
    only: 'server.tokens.pairwise-subject',
    story:
      'The sub is an HMAC of the user id alone, the same in every app, so apps can join their users.',
    patches: [
      {
        file: 'reference-server/src/tokens/pairwise-subject.ts',
        find: ".update(`${appId.length}:${appId}:${userId}`, 'utf8')",
        replace: ".update(userId, 'utf8')",
      },
    ],
  },
  {
    name: 'token-lives-an-hour',
    violates: 'API-059',
    only: 'server.tokens.claims-and-signature',
    story:
      'The token lifetime was copied from the portal session settings: an hour instead of 15 minutes.',
    patches: [
      {
        file: 'reference-server/src/tokens/app-token.ts',
        find: 'exp: iat + appTokenLifetimeSeconds,',
        replace: 'exp: iat + 3600,',
      },
    ],
  },
  {
    name: 'token-scopes-sorted',
    violates: 'API-059',
    only: 'server.tokens.claims-and-signature',
    story:
      'Scopes are normalised into sorted order, so the scope claim no longer follows the request.',
    patches: [
      {
        file: 'reference-server/src/tokens/app-token-service.ts',
        find: '      scopes,\n      now: this.clock(),',
        replace: '      scopes: [...scopes].sort(),\n      now: this.clock(),',
      },
    ],
  },
  {
    name: 'rejected-version-codes-not-counted',
    violates: 'VER-001',
    only: 'server.upload.version-code-must-increase',
    story:
      "The app's highest versionCode is raised only by versions that pass the automated checks, so a versionCode below a rejected upload's is taken as new.",
    patches: [
      {
        file: 'reference-server/src/publish/version-upload.ts',
        find: "      await tx.query('update apps set latest_version_code = $2 where app_id = $1', [",
        replace:
          "      if (status !== 'rejected')\n        await tx.query('update apps set latest_version_code = $2 where app_id = $1', [",
      },
    ],
  },
  {
    name: 'version-code-jump-inclusive',
    violates: 'VER-020',
    only: 'server.upload.version-code-jump',
    story:
      'The bound is written as a jump of at least 10,000,000 instead of more than 10,000,000, so the largest allowed jump is refused.',
    patches: [
      {
        file: 'reference-server/src/publish/version-upload.ts',
        find: 'versionCode - latest > maxVersionCodeJump',
        replace: 'versionCode - latest >= maxVersionCodeJump',
      },
    ],
  },
  {
    name: 'permission-vouched-by-any-version',
    violates: 'REV-014',
    only: 'server.review.new-permission-queued',
    story:
      'A permission counts as known once any earlier version declared it, so a permission a reviewer rejected slips through on the next upload.',
    patches: [
      {
        file: 'reference-server/src/publish/version-upload.ts',
        find: "`select manifest from versions where app_id = $1 and status = 'approved'`",
        replace: '`select manifest from versions where app_id = $1`',
      },
    ],
  },
  {
    name: 'new-permission-approved-unseen',
    violates: 'REV-014',
    only: 'server.review.new-permission-queued',
    story:
      'The queue was wired for first versions and warnings only; a later version that asks for a new permission is approved automatically.',
    patches: [
      {
        file: 'reference-server/src/publish/review-report.ts',
        find: "  else if (permissions.some((p) => !approvedPermissions.has(p))) reasons.push('newPermission');\n",
        replace: '',
      },
    ],
  },
  {
    name: 'warnings-approved-unseen',
    violates: 'REV-014',
    only: 'server.review.warning-queued',
    story:
      'Only first versions and new permissions were wired to the queue; a warning is shown to the partner but the version is approved.',
    patches: [
      {
        file: 'reference-server/src/publish/review-report.ts',
        find: "  if (findings.some((f) => f.severity === 'warning')) reasons.push('warning');\n",
        replace: '',
      },
    ],
  },
  {
    name: 'incompatible-min-host-sorted-as-text',
    violates: 'API-024',
    only: 'server.updates.host-api-version',
    story:
      'The minHostVersions of the newer releases are sorted with a plain sort(), as text, so 1.10.0 is named before 1.2.0.',
    patches: [
      {
        file: 'sdk/src/distribution/update-selection.ts',
        find: 'const lowest = newer.map((r) => r.minHostVersion).sort(semver.compare)[0];',
        replace: 'const lowest = newer.map((r) => r.minHostVersion).sort()[0];',
      },
    ],
  },
  {
    name: 'resent-events-counted-again',
    violates: 'ANL-016',
    only: 'server.analytics.aggregates',
    story:
      'The unique index on (device, eventId) was left out of the migration, so a batch a host resends after a timeout is counted twice.',
    patches: [
      {
        file: 'reference-server/src/store/migrations/004_accounts.sql',
        find: 'create unique index if not exists analytics_event_once on analytics_events (device_id, event_id);',
        replace:
          'create index if not exists analytics_event_once on analytics_events (device_id, event_id);',
      },
      {
        file: 'reference-server/src/analytics/event-ingestion.ts',
        find: 'on conflict (device_id, event_id) do nothing',
        replace: 'on conflict do nothing',
      },
    ],
  },
  {
    name: 'cold-start-percentiles-interpolated',
    violates: 'ANL-022',
    only: 'server.analytics.aggregates',
    story:
      'Percentiles use percentile_cont, which interpolates between neighbours like most statistics libraries, instead of nearest rank.',
    patches: ['0.5', '0.9', '0.99'].map((p) => ({
      file: 'reference-server/src/analytics/analytics-summary.ts',
      find: `percentile_disc(${p})`,
      replace: `percentile_cont(${p})`,
    })),
  },
  {
    name: 'device-floor-counts-events',
    violates: 'ANL-011',
    only: 'server.analytics.minimum-devices',
    story:
      'The privacy floor is applied to the number of launches of a day instead of the number of distinct devices behind them.',
    patches: [
      {
        file: 'reference-server/src/analytics/analytics-summary.ts',
        find: '.filter((d) => d.devices >= minimumDevices)',
        replace: '.filter((d) => d.count >= minimumDevices)',
      },
    ],
  },
  {
    name: 'entitlements-of-every-app',
    violates: 'API-053',
    only: 'server.payments.capture-and-entitlement',
    needsPrincipals: true,
    story:
      "The entitlement list filters by user only; the path's app id is checked to exist but never applied, so every app sees what the user bought in others.",
    patches: [
      {
        file: 'reference-server/src/payments/payment-service.ts',
        find: 'where app_id = $1 and user_id = $2 and (expires_at is null or expires_at > now())',
        replace:
          'where $1::text is not null and user_id = $2 and (expires_at is null or expires_at > now())',
      },
    ],
  },
  {
    name: 'restricted-grants-platform-wide',
    violates: 'PRM-020',
    only: 'server.review.restricted-permission',
    story:
      "Restricted permissions started as one platform allowlist; the per-partner lists were added but the review reads their union, so one partner's grant allows every partner.",
    needsPrincipals: true,
    patches: [
      {
        file: 'reference-server/src/accounts/restricted-permissions.ts',
        find: "'select restricted_permissions from partners where id = $1',",
        replace:
          "'select array(select distinct unnest(restricted_permissions) from partners) as restricted_permissions from partners where id = $1',",
      },
    ],
  },
  {
    name: 'rollout-change-not-audited',
    violates: 'API-080',
    only: 'server.releases.audit-log',
    story:
      'Widening a rollout is a PATCH handled apart from the state actions, and only the state actions write audit entries.',
    patches: [
      {
        file: 'reference-server/src/releases/release-store.ts',
        find: "      await audit(tx, row, 'rollout', current.state, input.principal);\n",
        replace: '',
      },
    ],
  },
  {
    name: 'revocation-not-audited',
    violates: 'API-080',
    only: 'server.releases.audit-log',
    story:
      'Revocation lives on the admin routes and updates releases in bulk, bypassing the partner-side code that writes audit entries.',
    patches: [
      {
        file: 'reference-server/src/releases/release-store.ts',
        find: "      for (const row of rows) await audit(tx, row, 'revoke', row.from_state, input.principal);\n",
        replace: '',
      },
    ],
  },
  {
    name: 'audit-cursor-by-time',
    violates: 'API-158',
    only: 'server.releases.audit-log',
    story:
      'Audit entries are stamped with the time of their transaction and the log is read oldest first, so its page cursor resumes after the time of the last entry listed; the entries one change writes share that time (a revocation of a version released on two channels), and the one that falls past a page boundary is never listed.',
    patches: [
      {
        file: 'reference-server/src/releases/release-store.ts',
        find: '$8, clock_timestamp())',
        replace: '$8, now())',
      },
      {
        file: 'reference-server/src/releases/release-audit.ts',
        find: '($2::bigint is null or e.id > $2::bigint)',
        replace:
          '($2::bigint is null or e.at > (select p.at from release_events p where p.id = $2::bigint))',
      },
    ],
  },
  {
    name: 'paused-rollout-may-be-lowered',
    violates: 'API-077',
    only: 'server.releases.rollout-percent',
    story:
      'The rule that a rollout never goes down was written for live rollouts; a paused release is not rolling out, so its percentage may be reset before it resumes, and devices of the dropped cohort lose an update they were offered.',
    patches: [
      {
        file: 'reference-server/src/releases/release-store.ts',
        find: 'if (input.rolloutPercent < Number(current.rollout_percent)) {',
        replace:
          "if (current.state === 'rollingOut' && input.rolloutPercent < Number(current.rollout_percent)) {",
      },
    ],
  },
  {
    name: 'insider-may-reject',
    violates: 'API-085',
    only: 'server.review.own-partner-reviewer',
    needsPrincipals: true,
    story:
      "The conflict-of-interest check guards the approve path only, where it protects users, so a partner's own reviewer can still reject its versions.",
    patches: [
      {
        file: 'reference-server/src/publish/review-decision.ts',
        find: 'if (reviewer.partnerId !== null && reviewer.partnerId === row.partner_id) {',
        replace:
          "if (request.decision === 'approve' && reviewer.partnerId !== null && reviewer.partnerId === row.partner_id) {",
      },
    ],
  },
  {
    name: 'api-key-skips-app-ownership',
    violates: 'API-003',
    only: 'server.auth.other-partner-not-found',
    needsPrincipals: true,
    story:
      "Release management compares the app's partner with the partner of the portal account; CI API keys came later, carry no account, and the check was made conditional on a session, so any partner's key manages every app's releases.",
    patches: [
      {
        file: 'reference-server/src/routes/delivery-routes.ts',
        find: '    await releases.assertOwned(appId, principal.partnerId);\n',
        replace:
          "    if (principal.kind !== 'api_key') await releases.assertOwned(appId, principal.partnerId);\n",
      },
    ],
  },
  {
    name: 'release-id-resolved-platform-wide',
    violates: 'API-003',
    only: 'server.auth.other-partner-not-found',
    needsPrincipals: true,
    story:
      'Release ids are unique across the platform, so the action route checks that the caller owns the app in the path and then acts on the release its id names, whichever app that release belongs to.',
    patches: [
      {
        file: 'reference-server/src/routes/delivery-routes.ts',
        find: '      const release = await releases.act({\n        appId,\n',
        replace:
          "      const release = await releases.act({\n        appId:\n          (\n            await db.query<{ app_id: string }>('select app_id from releases where id = $1', [\n              params(request).releaseId ?? '',\n            ])\n          ).rows[0]?.app_id ?? appId,\n",
      },
    ],
  },
  {
    name: 'device-credentials-outlive-revocation',
    violates: 'API-007',
    only: 'server.principals.expiry-and-revocation',
    needsPrincipals: true,
    story:
      'Host device credentials are the hot path of every update check, so a revocation empties the credential cache of portal sessions and API keys only and lets device entries age out.',
    patches: [
      {
        file: 'reference-server/src/http/credential-cache.ts',
        find: '    this.#entries.clear();\n',
        replace:
          "    for (const [digest, entry] of this.#entries)\n      if (entry.record.kind !== 'host_device') this.#entries.delete(digest);\n",
      },
    ],
  },
  {
    name: 'token-scopes-from-newest-upload',
    violates: 'API-061',
    only: 'server.tokens.undeclared-scope',
    story:
      "The token service reads the permissions of the app's newest version, not of its newest approved one, so a version still waiting in review (or rejected) already widens the scopes its tokens may carry.",
    patches: [
      {
        file: 'reference-server/src/tokens/app-token-service.ts',
        find: "       from versions where app_id = $1 and status = 'approved'\n",
        replace: '       from versions where app_id = $1\n',
      },
    ],
  },
  {
    name: 'single-update-route-forgets-pause',
    violates: 'API-078',
    only: 'server.updates.paused-and-rolled-back',
    story:
      "GET /v1/apps/{appId}/update reads the app's bin entry through its own helper, written before pausing existed, which copies each release's channel, rollout and minimum host version but not its paused flag; the batch route withholds a paused release and the single route still offers it.",
    patches: [
      {
        file: 'reference-server/src/routes/delivery-routes.ts',
        find: '      const [result] = await checkUpdates(releaseSnapshot, config.publicUrl, {\n',
        replace:
          '      const unpaused = {\n        current: async () => {\n          const set = await releaseSnapshot.current();\n          return {\n            ...set,\n            entry: (id: string) => {\n              const entry = set.entry(id);\n              return entry && { ...entry, releases: entry.releases.map((r) => ({ ...r, paused: false })) };\n            },\n          };\n        },\n      } as unknown as typeof releaseSnapshot;\n      const [result] = await checkUpdates(unpaused, config.publicUrl, {\n',
      },
    ],
  },
  {
    name: 'ratio-measured-while-inflating',
    violates: 'PKG-048',
    only: 'server.packages.compression-ratio,server.packages.declared-ratio-short-data',
    story:
      'Declared sizes can lie, so the bomb guard measures the ratio on the bytes inflation actually produces; an entry whose headers declare a bomb over data that inflates short is refused as a size mismatch, never for its ratio, and only after it was inflated.',
    patches: [
      {
        file: 'sdk/src/package/zip-reader.ts',
        find: '    if (uncompressedSize > compressedSize * limits.maxCompressionRatio) {\n',
        replace: '    if (limits.maxCompressionRatio < 0) {\n',
      },
      {
        file: 'sdk/src/package/zip-reader.ts',
        find: '  if (data.length !== entry.uncompressedSize) {\n',
        replace:
          '  if (data.length > entry.compressedSize * 100)\n    throw refuse(\'PKG_COMPRESSION_RATIO\', `Entry "${entry.path}" inflates more than 100 times.`, where);\n  if (data.length !== entry.uncompressedSize) {\n',
      },
    ],
  },
  {
    name: 'crc-checked-for-stored-entries-only',
    violates: 'PKG-050',
    only: 'server.packages.crc-mismatch,server.packages.unread-entry-crc,server.packages.deflated-crc-mismatch',
    story:
      'Deflate was taken to carry its own integrity check, as zlib and gzip streams do, so the CRC-32 is compared for stored entries only; the raw deflate of a ZIP entry carries none.',
    patches: [
      {
        file: 'sdk/src/package/zip-reader.ts',
        find: '  if (crc32(data) !== entry.crc) {\n',
        replace: '  if (entry.method === 0 && crc32(data) !== entry.crc) {\n',
      },
    ],
  },
  {
    name: 'gap-before-central-directory-unchecked',
    violates: 'PKG-170',
    only: 'server.packages.polyglot-prefix,server.packages.bytes-between-entries,server.packages.bytes-after-end-record,server.packages.bytes-before-central-directory',
    story:
      'The cover check makes the first entry start at offset 0 and each entry start where the one before it ends, but never compares the end of the last entry with the start of the central directory, so an archive hidden there passes.',
    patches: [
      {
        file: 'sdk/src/package/zip-reader.ts',
        find: '  if (covered < end.centralOffset) {\n',
        replace: '  if (covered < 0) {\n',
      },
    ],
  },
  {
    name: 'entry-path-from-local-header',
    violates: 'PKG-008',
    only: 'server.packages.central-name-wins,server.packages.path-traversal,server.packages.local-name-differs',
    story:
      'The reader takes each path from the local header, where it finds the data, as a streaming extractor does, and reads the central directory for the sizes and offsets only.',
    patches: [
      {
        file: 'sdk/src/package/zip-reader.ts',
        find: '      !rawName.equals(entry.rawName) ||\n',
        replace: '',
      },
      {
        file: 'sdk/src/package/zip-reader.ts',
        find: '    checkExtraFields(extra, rawName, where);\n    entry.dataStart = ',
        replace:
          "    checkExtraFields(extra, rawName, where);\n    entry.path = rawName.toString('utf8').replace(/\\/$/, '');\n    entry.dataStart = ",
      },
    ],
  },
  {
    name: 'bundle-head-typed-application-zip',
    violates: 'PKG-011',
    only: 'server.bundles.digest-and-type',
    story:
      'HEAD was written apart from GET, for download managers that probe the size first, and labels the bundle application/zip as its .ma ZIP content suggests.',
    patches: [
      {
        file: 'reference-server/src/routes/delivery-routes.ts',
        find: "      return reply\n        .type('application/miniapp-pkg+zip')\n        .header('content-length', String(stored.length))\n",
        replace:
          "      return reply\n        .type('application/zip')\n        .header('content-length', String(stored.length))\n",
      },
    ],
  },
  {
    name: 'bundle-range-typed-octet-stream',
    violates: 'PKG-011',
    only: 'server.bundles.digest-and-type,server.bundles.single-range',
    story:
      'Partial answers go through a generic byte-range helper that labels every slice application/octet-stream, since a slice of a package is not a package.',
    patches: [
      {
        file: 'reference-server/src/routes/delivery-routes.ts',
        find: '        .code(206)\n        .headers({\n',
        replace:
          "        .code(206)\n        .type('application/octet-stream')\n        .headers({\n",
      },
    ],
  },
  {
    name: 'review-queue-grouped-by-app',
    violates: 'REV-016',
    only: 'server.review.queue-order',
    story:
      "The queue is grouped by app, so that a reviewer sees one app's versions together, each app's oldest first; an app whose id sorts late waits behind every version of the apps before it.",
    patches: [
      {
        file: 'reference-server/src/publish/review-queue.ts',
        find: '      order by v.queue_seq\n',
        replace: '      order by v.app_id, v.queue_seq\n',
      },
    ],
  },
  {
    name: 'review-queue-by-version-code',
    violates: 'REV-016',
    only: 'server.review.queue-order',
    story:
      'The queue is sorted by versionCode, then by arrival, so that first versions (versionCode 1) come first; a first version uploaded with a greater versionCode waits behind every later one.',
    patches: [
      {
        file: 'reference-server/src/publish/review-queue.ts',
        find: '      order by v.queue_seq\n',
        replace: '      order by v.version_code, v.queue_seq\n',
      },
    ],
  },
  {
    name: 'findings-stored-without-location',
    violates: 'REV-011',
    only: 'server.review.code-rules-reject',
    story:
      "Report findings are written from the columns of a findings table (code, severity, message, requirement, fix); the diagnostic's location had no column and is dropped, so the partner learns that eval is called but not where.",
    patches: [
      {
        file: 'reference-server/src/publish/review-report.ts',
        find: '    ...(d.location ? { location: { ...d.location } } : {}),\n',
        replace: '',
      },
    ],
  },
  {
    name: 'first-upload-counts-as-first-version',
    violates: 'REV-014',
    only: 'server.review.first-version-queued',
    story:
      "A version counts as the app's first when the app has no upload yet (its highest versionCode is still 0), so after a first upload that the automated checks rejected, the next one is approved without a reviewer ever seeing the app.",
    patches: [
      {
        file: 'reference-server/src/publish/version-upload.ts',
        find: '      await approvedPermissions(db, appId),\n',
        replace:
          '      latestCode === 0 ? null : ((await approvedPermissions(db, appId)) ?? new Set<string>()),\n',
      },
    ],
  },
  {
    name: 'only-reviewed-entries-inflated',
    violates: 'PKG-172',
    only: 'server.packages.unread-entry-crc,server.packages.unread-entry-size-lie',
    story:
      'The upload inflates only the files the review rules read (manifest, pages, scripts, icons), to save work on large assets; an asset nobody reads is signed and stored with a wrong CRC-32 or a lying size.',
    patches: [
      {
        file: 'reference-server/src/publish/version-upload.ts',
        find: '    await checkEveryEntry(source);\n',
        replace: '',
      },
    ],
  },
  {
    name: 'decision-records-role-not-reviewer',
    violates: 'REV-018',
    only: 'server.review.decisions-recorded',
    needsPrincipals: true,
    story:
      "A decision records the role that made it, as the portal's activity feed shows it, so the report says a reviewer rejected the version but not which one.",
    patches: [
      {
        file: 'reference-server/src/publish/review-decision.ts',
        find: '          reviewer: reviewer.accountId ?? reviewer.credentialId,\n',
        replace: "          reviewer: reviewer.role ?? 'reviewer',\n",
      },
    ],
  },
  {
    name: 'unanalysable-script-skipped',
    violates: 'REV-103',
    only: 'server.review.analysis-limit-fails',
    story:
      "A script that overflows the parser's stack is taken for generated or minified code and skipped, as linters skip files they cannot parse, so whatever hides in it passes the code rules.",
    patches: [
      {
        file: 'sdk/src/review/code-review.ts',
        find: '      if (!(error instanceof RangeError)) throw error;\n',
        replace: '      if (!(error instanceof RangeError)) throw error;\n      continue;\n',
      },
    ],
  },
];
