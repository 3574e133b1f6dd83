import type { BrokenServer } from './broken-server.ts';

/** Broken servers that let a principal's credential outlive what spec/distribution.md gives it. */
export const principalCredentialBreaks: BrokenServer[] = [
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
];
