import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMockBridge, type MockBridgeOptions } from '../mock-bridge.ts';
import { outcome, request, shopManifest } from './bridge-fixture.ts';

function spiedMock(options: Partial<MockBridgeOptions> = {}) {
  const calls: string[] = [];
  let prompts = 0;
  const mock = createMockBridge({
    manifest: shopManifest,
    prompt: () => {
      prompts++;
      return 'granted';
    },
    handlers: {
      'payment.pay': (p) => {
        calls.push('payment.pay');
        return { status: 'paid', transactionId: `t-${p.orderId ?? p.productId}` };
      },
      'user.getProfile': () => {
        calls.push('user.getProfile');
        return { displayName: 'x' };
      },
      'network.request': () => {
        calls.push('network.request');
        return { status: 200, headers: {}, body: '' };
      },
    },
    ...options,
  });
  return { mock, calls, prompts: () => prompts };
}

const pay = { productId: 'croissant', orderId: 'A-1' };

describe('mock host dispatch (attacks on the bridge)', () => {
  it('denies an undeclared permission without prompting or executing [BRG-017]', async () => {
    const { mock, calls, prompts } = spiedMock();
    assert.equal(
      outcome(await mock.handle(request('c-1', 'user.getProfile'))),
      'PERMISSION_DENIED',
    );
    assert.deepEqual(calls, []);
    assert.equal(prompts(), 0);
  });

  for (const name of [
    'payment.pay ',
    ' payment.pay',
    'Payment.pay',
    'payment.pay\u0000',
    'payment/pay',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'payment.__proto__',
  ]) {
    it(`answers UNKNOWN_METHOD for the disguised name ${JSON.stringify(name)} [BRG-014] [BRG-015]`, async () => {
      const { mock, calls } = spiedMock();
      assert.equal(outcome(await mock.handle(request('c-1', name, pay))), 'UNKNOWN_METHOD');
      assert.deepEqual(calls, []);
    });
  }

  it('rejects params with extra members before prompting [BRG-018]', async () => {
    const { mock, calls, prompts } = spiedMock();
    const reply = await mock.handle(
      request('c-1', 'payment.pay', { ...pay, merchantId: 'attacker' }),
    );
    assert.equal(outcome(reply), 'INVALID_PARAMS');
    assert.deepEqual(calls, []);
    assert.equal(prompts(), 0);
  });

  it('rejects params carrying __proto__ as an own member', async () => {
    const { mock, calls } = spiedMock();
    const text = request('c-1', 'payment.pay', pay).replace(
      '"params":{',
      '"params":{"__proto__":{"admin":true},',
    );
    assert.equal(outcome(await mock.handle(text)), 'INVALID_PARAMS');
    assert.deepEqual(calls, []);
  });

  it('answers NOT_SUPPORTED for a method newer than the host, even when declared [BRG-016]', async () => {
    const { mock } = spiedMock({ hostApiVersion: '1.1.0' });
    assert.equal(outcome(await mock.handle(request('c-1', 'user.chooseAddress'))), 'NOT_SUPPORTED');
    assert.equal(outcome(await mock.handle(request('c-2', 'storage.list'))), 'ok');
  });

  it('refuses a duplicate pending id without running it, and still answers the first [BRG-005]', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const mock = createMockBridge({
      manifest: shopManifest,
      handlers: {
        'ui.showToast': async () => {
          runs++;
          await gate;
          return {};
        },
      },
    });
    const first = mock.handle(request('c-1', 'ui.showToast', { message: 'a' }));
    const second = await mock.handle(request('c-1', 'ui.showToast', { message: 'b' }));
    assert.equal(outcome(second), 'BRIDGE_DUPLICATE_ID');
    release();
    assert.equal(outcome(await first), 'ok');
    assert.equal(runs, 1);
    assert.equal(
      outcome(await mock.handle(request('c-1', 'ui.showToast', { message: 'c' }))),
      'ok',
    );
  });

  it('answers malformed envelopes with BRIDGE_MALFORMED and ignores foreign messages [BRG-001] [BRG-002]', async () => {
    const { mock } = spiedMock();
    const base = {
      bridge: 'openminiapp',
      v: 1,
      kind: 'request',
      id: 'c-1',
      method: 'host.getInfo',
      params: {},
    };
    assert.equal(outcome(await mock.handle(JSON.stringify({ ...base, v: 2 }))), 'BRIDGE_MALFORMED');
    assert.equal(
      outcome(await mock.handle(JSON.stringify({ ...base, extra: 1 }))),
      'BRIDGE_MALFORMED',
    );
    assert.equal(
      outcome(await mock.handle(JSON.stringify({ ...base, params: [] }))),
      'BRIDGE_MALFORMED',
    );
    assert.equal(outcome(await mock.handle(JSON.stringify({ ...base, id: 'bad id' }))), 'none');
    assert.equal(outcome(await mock.handle(JSON.stringify({ ...base, bridge: 'other' }))), 'none');
    assert.equal(outcome(await mock.handle('{not json')), 'none');
    assert.equal(outcome(await mock.handle(42)), 'none');
  });

  it('refuses a message over 2 MiB without parsing it [BRG-007]', async () => {
    const { mock, calls } = spiedMock();
    const huge = request('c-9', 'payment.pay', {
      ...pay,
      orderId: 'x'.repeat(2 * 1024 * 1024),
    });
    assert.equal(outcome(await mock.handle(huge)), 'BRIDGE_TOO_LARGE');
    assert.deepEqual(calls, []);
  });

  it('answers PERMISSION_DENIED after a refusal and does not prompt again [PRM-008] [PRM-011]', async () => {
    let prompts = 0;
    const mock = createMockBridge({
      manifest: shopManifest,
      prompt: () => {
        prompts++;
        return 'denied';
      },
    });
    assert.equal(
      outcome(await mock.handle(request('c-1', 'payment.pay', pay))),
      'PERMISSION_DENIED',
    );
    assert.equal(
      outcome(await mock.handle(request('c-2', 'payment.pay', pay))),
      'PERMISSION_DENIED',
    );
    assert.equal(prompts, 1);
    assert.equal(mock.permissionState('payment'), 'denied');
  });

  it('does not remember a dismissed prompt [PRM-013]', async () => {
    const answers = ['dismissed', 'granted'] as const;
    let prompts = 0;
    const mock = createMockBridge({
      manifest: shopManifest,
      prompt: () => answers[prompts++] ?? 'denied',
    });
    assert.equal(
      outcome(await mock.handle(request('c-1', 'payment.pay', pay))),
      'PERMISSION_DENIED',
    );
    assert.equal(mock.permissionState('payment'), 'prompt');
    assert.equal(outcome(await mock.handle(request('c-2', 'payment.pay', pay))), 'ok');
    assert.equal(prompts, 2);
  });

  it('shows one prompt for concurrent calls needing the same permission [PRM-010]', async () => {
    const mock = createMockBridge({ manifest: shopManifest });
    const replies = await Promise.all(
      Array.from({ length: 5 }, (_v, i) => mock.handle(request(`c-${i}`, 'location.getCurrent'))),
    );
    assert.deepEqual(replies.map(outcome), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.equal(mock.promptCount, 1);
  });

  it('reports permission states without prompting, denied when undeclared [PRM-016]', async () => {
    const mock = createMockBridge({ manifest: shopManifest, grants: { location: 'granted' } });
    const reply = await mock.handle(
      request('c-1', 'permissions.query', { names: ['location', 'payment', 'camera'] }),
    );
    assert.deepEqual((JSON.parse(reply ?? '') as { result: unknown }).result, {
      states: { location: 'granted', payment: 'prompt', camera: 'denied' },
    });
    assert.equal(mock.promptCount, 0);
  });

  it('refuses network.request outside allowedDomains before any handler runs [BRG-028]', async () => {
    const { mock, calls } = spiedMock();
    for (const url of [
      'https://api.example.com.evil.com/x',
      'https://evil.com/?u=https://api.example.com',
      'https://api.example.com:444/x',
      'https://cdn.example.com/x',
      'https://api.example.com@evil.com/x',
    ]) {
      assert.equal(
        outcome(await mock.handle(request('c-1', 'network.request', { url }))),
        'DOMAIN_NOT_ALLOWED',
        url,
      );
    }
    assert.equal(
      outcome(
        await mock.handle(request('c-2', 'network.request', { url: 'http://api.example.com/x' })),
      ),
      'INVALID_PARAMS',
    );
    assert.deepEqual(calls, []);
    assert.equal(
      outcome(
        await mock.handle(
          request('c-3', 'network.request', { url: 'https://API.example.com:443/v1' }),
        ),
      ),
      'ok',
    );
    assert.equal(
      outcome(
        await mock.handle(
          request('c-4', 'network.request', { url: 'https://cdn.example.com:8443/a' }),
        ),
      ),
      'ok',
    );
  });

  it('reports a crashing handler as HOST_ERROR without its internals [BRG-021]', async () => {
    const mock = createMockBridge({
      manifest: shopManifest,
      handlers: {
        'ui.showToast': () => {
          throw new Error('secret /internal/path');
        },
      },
    });
    const reply = await mock.handle(request('c-1', 'ui.showToast', { message: 'x' }));
    assert.equal(outcome(reply), 'HOST_ERROR');
    assert.ok(
      !(reply ?? '').includes('/internal/path'),
      'the reply does not reveal an internal path',
    );
  });

  it('reports a handler result that breaks the result schema as HOST_ERROR [BRG-020]', async () => {
    const mock = createMockBridge({
      manifest: shopManifest,
      handlers: { 'ui.showModal': () => ({ confirmed: 'yes' }) as never },
    });
    assert.equal(
      outcome(await mock.handle(request('c-1', 'ui.showModal', { title: 't' }))),
      'HOST_ERROR',
    );
  });
});
