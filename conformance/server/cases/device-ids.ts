import { CaseFailure } from '../../framework/index.ts';
import { bodyOf, serverCase } from '../server-case.ts';

/** A launch event of the shared release, a minute old, as a host reports it. */
function launchEvent(appId: string) {
  return {
    type: 'app.launch',
    eventId: crypto.randomUUID(),
    time: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    appId,
    versionCode: 1,
    hostApiVersion: '1.2.0',
    mode: 'cold',
    durationMs: 250,
  };
}

export const deviceIdCases = [
  serverCase({
    id: 'server.devices.any-device-id',
    description:
      'One host device credential may send any well-formed device id, its own, another credential’s or a fresh one, in update checks, recommendations and analytics batches alike',
    requirements: ['API-173'],
    why: 'A device id is a pseudonym that selects a rollout cohort; a server that binds it to the credential in one route and not another treats a risk control as an access control and breaks hosts that compute their cohort themselves.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const shared = await t.world.sharedRelease(t.scope);
      const appId = shared.version.app.appId;
      const ids = [`certify-${t.subject.runId}-foreign-device-01`];
      // The device id the server gave another credential, when it gives one.
      if (t.world.principals.complete) {
        const other = await t.world.device(t.scope, 'foreign');
        if (other.deviceId !== device.deviceId) ids.push(other.deviceId);
      }
      for (const deviceId of ids) {
        const check = bodyOf<{ results?: { kind?: string }[] }>(
          await t.send({
            method: 'POST',
            path: '/v1/updates/check',
            token: device.token,
            json: {
              hostApiVersion: '1.2.0',
              channel: 'stable',
              deviceId,
              apps: [{ appId, versionCode: 0 }],
            },
          }),
        );
        if (check.results?.length !== 1)
          throw new CaseFailure(`the batch check for ${deviceId} answered no result for the app`);
        bodyOf(
          await t.send({
            path: `/v1/apps/${appId}/update`,
            token: device.token,
            query: { hostApiVersion: '1.2.0', channel: 'stable', deviceId, versionCode: 0 },
          }),
        );
        bodyOf(
          await t.send({
            path: '/v1/catalog/recommendations',
            token: device.token,
            query: { deviceId, locale: 'en', limit: 10 },
          }),
        );
        const batch = bodyOf<{ accepted?: number; dropped?: { code?: string }[] }>(
          await t.send({
            method: 'POST',
            path: '/v1/analytics/events',
            token: device.token,
            json: {
              deviceId,
              sentAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
              events: [launchEvent(appId)],
            },
          }),
          202,
        );
        if (batch.accepted !== 1)
          throw new CaseFailure(
            `the analytics batch for device ${deviceId} accepted ${String(batch.accepted)} of 1 valid event`,
            [JSON.stringify(batch.dropped ?? [])],
          );
      }
    },
  }),
];
