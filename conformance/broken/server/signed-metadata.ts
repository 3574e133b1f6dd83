import type { BrokenServer } from './broken-server.ts';

/**
 * Broken servers that sign what spec/signing.md forbids them to sign: index lifetime and versions,
 * bin entries, release metadata. Each patches a temporary copy of the reference server (and the sdk
 * signing code it runs on, where the sdk would refuse to sign the broken document).
 */
export const signedMetadataBreaks: BrokenServer[] = [
  {
    name: 'index-lives-a-day-and-an-hour',
    violates: 'SIG-061',
    only: 'server.trust.index-signed-and-fresh',
    story:
      'The index lifetime is a day plus an hour of grace for clock skew, and the signing helper does not check the window.',
    patches: [
      {
        file: 'reference-server/src/trust/trust-service.ts',
        find: 'export const indexLifetimeMs = 6 * 60 * 60 * 1000;',
        replace: 'export const indexLifetimeMs = 25 * 60 * 60 * 1000;',
      },
      {
        file: 'reference-server/src/trust/trust-service.ts',
        find: "  if (maxIndexLifetimeMs < indexLifetimeMs)\n    throw new Error('index lifetime exceeds the spec maximum');\n",
        replace: '',
      },
      {
        file: 'sdk/src/signing/release-index.ts',
        find: "  checkValidityWindow(index.issuedAt, index.expires, 'SIG-061', maxIndexLifetimeMs);\n  checkBinCover(index);",
        replace: '  checkBinCover(index);',
      },
    ],
  },
  {
    name: 'release-signed-with-index-key',
    violates: 'SIG-030',
    only: 'server.trust.release-envelope',
    story:
      'One online key signs everything the server publishes, so release metadata carries the index key.',
    patches: [
      {
        file: 'reference-server/src/trust/trust-service.ts',
        find: '        keys.release,\n      );',
        replace: '        keys.index,\n      );',
      },
    ],
  },
  {
    name: 'bin-entry-never-paused',
    violates: 'SIG-104',
    only: 'server.trust.entry-lists-installable-releases',
    story:
      'Bin entries are built from the rows of the update answer, which has no pause flag, so a paused release is written paused: false.',
    patches: [
      {
        file: 'reference-server/src/trust/app-entries.ts',
        find: "      paused: row.state === 'paused',",
        replace: '      paused: false,',
      },
    ],
  },
  {
    name: 'revoked-key-releases-still-listed',
    violates: 'SIG-104',
    only: 'server.trust.entry-revoked-key',
    story:
      'Releases are listed by their state alone; the implementer expected hosts to drop those whose statement key is in revokedKeys.',
    patches: [
      {
        file: 'reference-server/src/trust/app-entries.ts',
        find: '    if (revoked.has(row.statement_keyid)) continue;\n    if (!verdict(row, delegation, revoked)) continue;\n',
        replace: '',
      },
    ],
  },
  {
    name: 'revoked-keys-of-current-delegation',
    violates: 'SIG-105',
    only: 'server.trust.entry-revoked-key',
    story:
      "revokedKeys lists the revoked keys of the app's current delegation, which no longer lists a key once it is revoked, so the list stays empty.",
    patches: [
      {
        file: 'reference-server/src/trust/app-entries.ts',
        find: '(select app_id, unnest(keyids) as keyid from delegations)',
        replace:
          '(select app_id, unnest(keyids) as keyid from (select distinct on (app_id) app_id, keyids from delegations order by app_id, version desc) current)',
      },
    ],
  },
  {
    name: 'index-version-unix-seconds',
    violates: 'SIG-060',
    only: 'server.trust.index-version-increases',
    story:
      'The index version is the signing time in Unix seconds, so it rises across restarts without a counter; two indexes signed within one second share a version, the later overwriting the earlier.',
    patches: [
      {
        file: 'reference-server/src/trust/trust-service.ts',
        find: '      const version = (state.row?.version ?? 0) + 1;',
        replace: '      const version = Math.floor(now.getTime() / 1000);',
      },
      {
        file: 'reference-server/src/trust/trust-service.ts',
        find: '         values ($1, $2, $3, $4, $5)`,\n        [version, Buffer.from(index.bytes), expires, state.generation, binPrefixLength],',
        replace:
          '         values ($1, $2, $3, $4, $5)\n         on conflict (version) do update set envelope = excluded.envelope, expires_at = excluded.expires_at,\n           generation = excluded.generation, bin_prefix_length = excluded.bin_prefix_length`,\n        [version, Buffer.from(index.bytes), expires, state.generation, binPrefixLength],',
      },
    ],
  },
  {
    name: 'entry-pins-first-delegation',
    violates: 'SIG-106',
    only: 'server.trust.delegation,server.trust.delegation-versions',
    story:
      "The entries read each app's delegation with distinct on (app_id) ordered by version ascending, so a bin keeps pinning the app's first delegation after a new one is signed.",
    patches: [
      {
        file: 'reference-server/src/trust/delegation-store.ts',
        find: '`select distinct on (app_id) ${latestColumns} from delegations order by app_id, version desc`,',
        replace:
          '`select distinct on (app_id) ${latestColumns} from delegations order by app_id, version`,',
      },
    ],
  },
  {
    name: 'bins-keyed-by-last-digits',
    violates: 'SIG-101',
    only: 'server.trust.bins',
    story:
      "Apps are sharded into bins by the last hex digits of their id's SHA-256, as a hash table picks a bucket, instead of the first.",
    patches: [
      {
        file: 'sdk/src/signing/bin.ts',
        find: '  return sha256Hex(new TextEncoder().encode(appId)).slice(0, length);',
        replace: '  return sha256Hex(new TextEncoder().encode(appId)).slice(64 - length);',
      },
    ],
  },
];
