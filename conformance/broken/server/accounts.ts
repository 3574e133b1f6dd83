import type { BrokenServer } from './broken-server.ts';

/** Broken servers that get accounts wrong: credentials that outlive their expiry, app ids that change owner. */
export const accountBreaks: BrokenServer[] = [
  {
    name: 'device-credentials-never-expire',
    violates: 'API-155',
    only: 'server.principals.expiry-and-revocation',
    needsPrincipals: true,
    story:
      'A host device credential is meant to live as long as the install, so the expiry check is skipped for host devices and applied to portal sessions and API keys only.',
    patches: [
      {
        file: 'reference-server/src/http/authentication.ts',
        find: '(credential.expiresAt !== null && credential.expiresAt <= Date.now())',
        replace:
          "(credential.kind !== 'host_device' && credential.expiresAt !== null && credential.expiresAt <= Date.now())",
      },
    ],
  },
  {
    name: 'unreleased-app-id-reclaimable',
    violates: 'API-068',
    only: 'server.portal.app-id-taken',
    needsPrincipals: true,
    story:
      'An app id that never reached a release is taken for an abandoned reservation, and another partner creating it takes it over.',
    patches: [
      {
        file: 'reference-server/src/accounts/apps.ts',
        find: 'on conflict (app_id) do nothing returning',
        replace:
          'on conflict (app_id) do update set partner_id = excluded.partner_id, name = excluded.name, category = excluded.category where apps.partner_id <> excluded.partner_id and not exists (select 1 from releases r where r.app_id = apps.app_id) returning',
      },
    ],
  },
];
