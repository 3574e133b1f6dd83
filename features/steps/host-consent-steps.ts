import { Given, Then, When, type World } from '@cucumber/cucumber';
import {
  expectError,
  expectSuccess,
  launchProbe,
} from '../../conformance/bridge/host-bridge-support.ts';
import { CaseFailure } from '../../conformance/framework/index.ts';
import type { BridgeResponse } from '../../conformance/host/host-session.ts';
import { buildProbe } from '../../conformance/host/probe/probe-package.ts';
import { specOf } from '../../conformance/signing/host-trust-scenarios.ts';
import { hostOf, type HostScenario } from '../support/host-world.ts';

/** Consent (spec/permissions.md) through the host's prompt, answered by the adapter's answerPrompt. */

// Markup and quotes: the prompt must show the reason verbatim as plain text [PRM-007].
const reason = 'Shows your name on the <b>receipt</b> & in "greetings" (features).';
const method = 'user.getProfile';

function probeId(h: HostScenario): string {
  return h.app('the probe').appId;
}

/** Starts a guarded call without waiting, so that its prompt can be answered. */
async function startCall(h: HostScenario): Promise<void> {
  h.noted.set('call', await h.session.startCall(probeId(h), method, {}));
}

async function response(h: HostScenario, timeoutMs = 15_000): Promise<BridgeResponse> {
  const id = h.noted.get('call') as string | undefined;
  if (!id) throw new Error('no call was started: "When the probe calls user.getProfile" first');
  const answer = await h.session.awaitResponse(probeId(h), id, timeoutMs);
  h.log(`response to ${method}: ${JSON.stringify(answer).slice(0, 300)}`);
  return answer;
}

/** Answers the prompt a call opened; fails unless it was the permission prompt for userInfo. */
async function answer(h: HostScenario, decision: 'grant' | 'deny' | 'dismiss'): Promise<void> {
  const shown = await h.session.command<{ screen: string; permission?: string }>('answerPrompt', {
    decision,
    timeoutMs: 8_000,
  });
  if (shown.screen !== 'permissionPrompt' || shown.permission !== 'userInfo') {
    throw new CaseFailure(
      `answerPrompt found the ${shown.screen} screen for ${shown.permission ?? 'no permission'}, not the userInfo prompt`,
    );
  }
}

/** No prompt within 1.5 s: answerPrompt must find no screen (ADAPTER_NO_SCREEN). */
async function expectNoPrompt(h: HostScenario, what: string): Promise<void> {
  const answered = await h.session.raw('answerPrompt', { decision: 'deny', timeoutMs: 1_500 });
  if (answered.ok) throw new CaseFailure(`${what}: the host prompted`);
  if (answered.error?.code !== 'ADAPTER_NO_SCREEN')
    throw new CaseFailure(
      `answerPrompt was answered ${answered.error?.code}, not ADAPTER_NO_SCREEN`,
    );
}

/** The call prompts: the next answerPrompt finds the userInfo prompt (refused, to end the call). */
async function expectPrompt(h: HostScenario, what: string): Promise<void> {
  const answered = await h.session.raw('answerPrompt', { decision: 'deny', timeoutMs: 8_000 });
  const result = answered.result as { screen?: string; permission?: string } | undefined;
  if (!answered.ok || result?.screen !== 'permissionPrompt' || result.permission !== 'userInfo')
    throw new CaseFailure(`${what}: the host did not prompt for userInfo`);
  expectError(await response(h), 'PERMISSION_DENIED', `${what}, refused`);
}

Given(
  'a host running the probe mini-app, which declares the userInfo permission with a reason',
  { timeout: 120_000 },
  async function (this: World) {
    const h = hostOf(this);
    const { pkg } = await launchProbe(h.session, { permissions: { userInfo: reason } });
    h.apps.set('the probe', pkg);
  },
);

When(/^the probe calls user\.getProfile(?: again)?$/, async function (this: World) {
  await startCall(hostOf(this));
});

When(
  /^the user (grants|denies|dismisses) the prompt$/,
  async function (this: World, verb: 'grants' | 'denies' | 'dismisses') {
    const decision = ({ grants: 'grant', denies: 'deny', dismisses: 'dismiss' } as const)[verb];
    await answer(hostOf(this), decision);
  },
);

Then(
  "the host shows its permission prompt naming the probe and showing the manifest's reason",
  async function (this: World) {
    const h = hostOf(this);
    const screen = await h.session.waitForScreen('permissionPrompt', 8_000);
    if (!screen)
      throw new CaseFailure(
        'no element marked data-openminiapp-screen="permissionPrompt" appeared',
      );
    h.log(`permissionPrompt: ${screen.text.slice(0, 400)}`);
    if (!screen.text.includes(reason))
      throw new CaseFailure(
        "the prompt does not show the manifest's reason verbatim as plain text",
      );
    const name = String(h.app('the probe').manifest['name'] ?? 'Conformance probe');
    if (!screen.text.includes(name))
      throw new CaseFailure(`the prompt does not name the probe ("${name}")`);
    if (screen.text.replace(reason, '').replace(name, '').trim().length < 8)
      throw new CaseFailure(
        "the prompt says nothing in the host's words about what userInfo guards",
      );
  },
);

Then('the call succeeds', async function (this: World) {
  const h = hostOf(this);
  expectSuccess(method, await response(h), 'the granted call');
});

Then('the call is answered with PERMISSION_DENIED', async function (this: World) {
  const h = hostOf(this);
  expectError(await response(h), 'PERMISSION_DENIED', 'the call');
});

Then('the call is answered with PERMISSION_DENIED without a prompt', async function (this: World) {
  const h = hostOf(this);
  await expectNoPrompt(h, 'after a remembered refusal');
  expectError(await response(h, 5_000), 'PERMISSION_DENIED', 'a call after a remembered refusal');
});

Then('the host prompts again', async function (this: World) {
  await expectPrompt(hostOf(this), 'the call after a dismissal');
});

When('the probe is updated to a new version', { timeout: 120_000 }, async function (this: World) {
  const h = hostOf(this);
  const appId = probeId(h);
  h.session.world.addRelease(
    appId,
    specOf(buildProbe({ versionCode: 2, permissions: { userInfo: reason } })),
  );
  h.session.world.publish();
  const updated = await h.session.install(appId);
  if (updated.kind !== 'installed' || updated.versionCode !== 2)
    throw new CaseFailure(`the update to version 2 was not installed: ${updated.kind}`);
  // An update applies at the next cold start of the super app (spec/conformance.md, restart).
  await h.session.driver.restart();
  const launched = await h.session.launchProbe(appId);
  if (launched.versionCode !== 2)
    throw new CaseFailure(
      `after a restart the probe launched as versionCode ${launched.versionCode}`,
    );
});

Then('user.getProfile is answered without a prompt', async function (this: World) {
  const h = hostOf(this);
  await startCall(h);
  await expectNoPrompt(h, 'a call of a permission granted in version 1');
  expectSuccess(method, await response(h), 'the remembered grant');
});

When(
  'the probe is uninstalled and installed again',
  { timeout: 120_000 },
  async function (this: World) {
    const h = hostOf(this);
    const removed = await h.session.command<{ uninstalled: boolean }>('uninstall', {
      appId: probeId(h),
    });
    if (!removed.uninstalled)
      throw new CaseFailure('uninstall answered that the probe was not installed');
    h.noted.set('decisions after uninstall', (await h.session.state()).permissions);
    await h.session.launchProbe(probeId(h));
  },
);

Then(
  'the host keeps no decision of the probe, and user.getProfile prompts again',
  async function (this: World) {
    const h = hostOf(this);
    const kept = (h.noted.get('decisions after uninstall') as { appId: string }[]).filter(
      (d) => d.appId === probeId(h),
    );
    if (kept.length > 0)
      throw new CaseFailure(`state lists ${kept.length} decision(s) of the uninstalled probe`);
    await startCall(h);
    await expectPrompt(h, 'the first call after reinstalling');
  },
);
