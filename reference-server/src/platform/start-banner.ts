import type { SeedOutcome } from './platform-seeding.ts';

/** The lines `npm start` prints once the platform listens: where everything is and how to sign in. */
export function startBanner(input: {
  base: string;
  developmentTrust: boolean;
  seed: SeedOutcome | 'off';
  credentialsFile: string;
}): string[] {
  const { base, seed } = input;
  const lines = [
    `  health:   ${base}/healthz`,
    `  trust:    ${base}/v1/trust/root.json`,
    `  catalog:  ${base}/v1/catalog/apps`,
    `  portal:   ${base}/portal/`,
    `  review:   ${base}/review/`,
  ];
  if (seed === 'off') {
    lines.push('  seeding:  off (SEED=off)');
  } else if (seed.state === 'skipped') {
    lines.push(`  seeding:  skipped, ${seed.reason}`);
  } else {
    lines.push(
      '',
      '  Example apps (stable, 100%):',
      ...seed.apps.map(
        (a) =>
          `    ${a.appId.padEnd(34)} versionCode ${String(a.versionCode).padEnd(4)} ${a.name}${a.uploaded ? ' (published now)' : ''}`,
      ),
      '',
      '  DEVELOPMENT credentials (bearer tokens; also in ' +
        input.credentialsFile +
        ', mode 0600):',
      `    admin        ${seed.credentials.admin}`,
      `    reviewer     ${seed.credentials.reviewer}`,
      `    partner      ${seed.credentials.partner}   (partner ${seed.partnerId})`,
      `    host device  ${seed.credentials.hostDevice.token}   (deviceId ${seed.credentials.hostDevice.deviceId})`,
      `    host user    ${seed.credentials.hostUser.token}   (userId ${seed.credentials.hostUser.userId})`,
      '',
      `  Try: curl -s -X POST ${base}/v1/updates/check -H 'authorization: Bearer ${seed.credentials.hostDevice.token}' \\`,
      `         -H 'content-type: application/json' -d '${JSON.stringify({
        hostApiVersion: '1.2.0',
        channel: 'stable',
        deviceId: seed.credentials.hostDevice.deviceId,
        apps: seed.apps.map((a) => ({ appId: a.appId, versionCode: 0 })),
      })}'`,
    );
  }
  if (input.developmentTrust || seed !== 'off') {
    lines.push(
      '',
      '  WARNING: the trust root, the partner key and these credentials are for DEVELOPMENT only.',
    );
  }
  return lines;
}
