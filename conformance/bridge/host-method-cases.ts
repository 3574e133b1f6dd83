import { CaseFailure, pass, skip, type ConformanceCase } from '../framework/index.ts';
import { hostCase } from '../host/host-case.ts';
import type { HostSubject } from '../host/host-subject.ts';
import { buildProbe, echoOrigin } from '../host/probe/probe-package.ts';
import { specOf } from '../signing/host-trust-scenarios.ts';
import {
  atLeast,
  expectEchoed,
  expectError,
  launchProbe,
  reasonFor,
  registryMethods,
  responseFaults,
} from './host-bridge-support.ts';

/**
 * Every method of schemas/bridge/method-registry.json, one case each: params the schema rejects
 * are answered INVALID_PARAMS before any prompt [BRG-018], a valid call (after the prompts and
 * sheets it opens are granted) succeeds with a result valid against its result schema [BRG-020],
 * and the host implements it [BRG-023]. Methods that reach device hardware (position, camera,
 * photos, clipboard) may fail on a machine without it; they must then fail with a registry code
 * other than the dispatch codes, and the case says so.
 */

type Decision = 'grant' | 'deny' | 'dismiss';

interface MethodPlan {
  params: unknown;
  invalid: unknown;
  /** Screens the valid call opens, answered in order (the permission prompt comes first). */
  decisions?: Decision[];
  /** The method depends on hardware the test machine may lack. */
  device?: boolean;
}

export const plans: Record<string, MethodPlan> = {
  'host.getInfo': { params: {}, invalid: { verbose: true } },
  'host.canIUse': { params: { method: 'storage.get' }, invalid: {} },
  'app.close': { params: {}, invalid: { force: true } },
  'app.openMiniApp': {
    params: { appId: 'dev.openminiapp.conformance.second' },
    invalid: { appId: 'Not An Id' },
  },
  'ui.showToast': { params: { message: 'Conformance' }, invalid: { message: 7 } },
  'ui.showModal': {
    params: { title: 'Conformance', content: 'confirm' },
    invalid: { content: 'no title' },
    decisions: ['grant'],
  },
  'ui.setNavigationBar': { params: { title: 'Conformance' }, invalid: { textStyle: 'neon' } },
  'storage.get': { params: { key: 'k' }, invalid: { key: 1 } },
  'storage.set': { params: { key: 'k', value: { a: 1 } }, invalid: { key: 'k' } },
  'storage.remove': { params: { key: 'k' }, invalid: {} },
  'storage.clear': { params: {}, invalid: { all: true } },
  'storage.list': { params: {}, invalid: { prefix: 5 } },
  'auth.getToken': { params: {}, invalid: { scopes: 'userInfo' } },
  'user.getProfile': { params: {}, invalid: { fields: [] }, decisions: ['grant'] },
  'user.getPhoneNumber': { params: {}, invalid: { format: 'e164' }, decisions: ['grant', 'grant'] },
  'user.chooseAddress': { params: {}, invalid: { country: 'DE' }, decisions: ['grant', 'grant'] },
  'location.getCurrent': {
    params: { accuracy: 'coarse' },
    invalid: { accuracy: 'extreme' },
    decisions: ['grant'],
    device: true,
  },
  'camera.scanCode': {
    params: {},
    invalid: { formats: 'qr' },
    decisions: ['grant', 'grant'],
    device: true,
  },
  'media.chooseImage': {
    params: { count: 1 },
    invalid: { count: 0 },
    decisions: ['grant', 'grant'],
    device: true,
  },
  'clipboard.read': { params: {}, invalid: { format: 'text' }, decisions: ['grant'], device: true },
  'clipboard.write': {
    params: { text: 'conformance' },
    invalid: {},
    decisions: ['grant'],
    device: true,
  },
  'payment.pay': {
    params: { productId: 'order-1', orderId: 'order-1' },
    invalid: { productId: 'order-1', amount: '9.90', currency: 'EUR' },
    decisions: ['grant', 'grant'],
  },
  'payment.checkEntitlement': { params: { productId: 'order-1' }, invalid: { productId: '' } },
  'notifications.subscribe': {
    params: { topics: ['news'] },
    invalid: { topics: 'news' },
    decisions: ['grant'],
  },
  'network.request': {
    params: { url: `${echoOrigin}/echo` },
    invalid: { url: 'http://echo.openminiapp.test:8443/echo' },
  },
  'permissions.query': { params: { names: ['location'] }, invalid: { names: ['teleport'] } },
  'permissions.request': {
    params: { name: 'location' },
    invalid: { name: 'teleport' },
    decisions: ['grant'],
  },
  'device.vibrate': { params: { style: 'light' }, invalid: { style: 'earthquake' } },
  'share.open': { params: { title: 'Conformance' }, invalid: { title: '' }, decisions: ['grant'] },
};

const dispatchCodes = new Set([
  'UNKNOWN_METHOD',
  'NOT_SUPPORTED',
  'INVALID_PARAMS',
  'PERMISSION_DENIED',
  'BRIDGE_MALFORMED',
]);

function methodCase(method: {
  name: string;
  since: string;
  permission: string | null;
}): ConformanceCase<HostSubject> {
  const plan = plans[method.name];
  return hostCase({
    id: `host.bridge.method.${method.name.replace('.', '-').toLowerCase()}`,
    description: `A host implements ${method.name}: invalid params get INVALID_PARAMS before any prompt, a valid call succeeds with a result valid against its schema`,
    requirements: ['BRG-023', 'BRG-020', 'BRG-018', 'ERR-001'],
    why: `Every registered method up to the host API version is implemented; its params and result are what the registry's schema for ${method.name} says.`,
    async run(s) {
      if (!plan) throw new CaseFailure(`the suite has no plan for ${method.name}`);
      if (!atLeast(s.hostApiVersion, method.since)) {
        return skip(
          `${method.name} appeared in host API ${method.since}; this host implements ${s.hostApiVersion}`,
        );
      }
      const permissions: Record<string, string> = {};
      if (method.permission) permissions[method.permission] = reasonFor(method.permission);
      if (method.name === 'permissions.request' || method.name === 'permissions.query')
        permissions['location'] = reasonFor('location');
      if (method.name === 'app.openMiniApp') {
        const second = buildProbe({ appId: 'dev.openminiapp.conformance.second' });
        await s.world.addApp(second.appId);
        s.world.addRelease(second.appId, specOf(second));
      }
      if (method.name === 'payment.pay' || method.name === 'payment.checkEntitlement') {
        s.server.products.set('dev.openminiapp.conformance.probe', [
          { productId: 'order-1', minor: 990, currency: 'EUR', kind: 'nonConsumable' },
        ]);
      }
      const { appId } = await launchProbe(s, { permissions });
      // Invalid params first: answered INVALID_PARAMS, and nothing is prompted [BRG-018].
      const invalidId = await s.startCall(appId, method.name, plan.invalid);
      const prompted = await s.raw('answerPrompt', { decision: 'deny', timeoutMs: 1_000 });
      if (prompted.ok)
        throw new CaseFailure(`the host showed a screen for ${method.name} with invalid params`);
      expectError(
        await s.awaitResponse(appId, invalidId, 5_000),
        'INVALID_PARAMS',
        `${method.name}(${JSON.stringify(plan.invalid)})`,
      );
      // The valid call, answering what it opens.
      const { response, screens } = await s.callAnswering(
        appId,
        method.name,
        plan.params,
        plan.decisions ?? [],
        30_000,
      );
      if (response.timedOut)
        throw new CaseFailure(
          `${method.name} was not answered (screens answered: ${screens.map((x) => x.screen).join(', ') || 'none'})`,
        );
      const faults = responseFaults(method.name, response);
      if (faults.length > 0) throw new CaseFailure(faults[0] ?? '', faults);
      if (response.ok && method.name === 'network.request')
        expectEchoed(s, response.result, '/echo');
      if (response.ok) return pass(`result valid against ${method.name}'s schema`);
      const code = response.error?.code ?? '';
      if (plan.device && !dispatchCodes.has(code)) {
        return pass(
          `${method.name} failed with ${code}: this machine has no such device; the method is implemented and its error is a registry code`,
        );
      }
      throw new CaseFailure(
        `a valid ${method.name} call failed with ${code}: ${response.error?.message ?? ''}`,
      );
    },
  });
}

export const hostMethodCases = registryMethods().map(methodCase);
