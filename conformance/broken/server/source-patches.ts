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
];
