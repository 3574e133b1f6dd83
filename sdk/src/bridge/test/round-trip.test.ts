import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeError } from '../bridge-error.ts';
import { MiniAppBridge } from '../client.ts';
import { connect, type BridgeGlobal } from '../connect.ts';
import { createMockBridge } from '../mock-bridge.ts';
import { portTransport, type BridgeTransport } from '../transport.ts';
import { connectedPair, delay, shopManifest } from './bridge-fixture.ts';

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(
    promise,
    (error: unknown) => error instanceof BridgeError && error.code === code,
  );
}

describe('bridge client and mock host over a MessageChannel', () => {
  it('answers a call with a result valid for the method', async () => {
    const pair = connectedPair({ hostApiVersion: '1.1.0' });
    const info = await pair.bridge.call('host.getInfo', {});
    assert.equal(info.hostApiVersion, '1.1.0');
    pair.close();
  });

  it('correlates concurrent calls answered out of order', async () => {
    const pair = connectedPair({
      handlers: {
        'ui.showModal': async (p) => {
          await delay(p.title === 'slow' ? 40 : 1);
          return { confirmed: p.title === 'slow' };
        },
      },
    });
    const order: string[] = [];
    const slow = pair.bridge.call('ui.showModal', { title: 'slow' }).then((r) => {
      order.push('slow');
      return r;
    });
    const fast = pair.bridge.call('ui.showModal', { title: 'fast' }).then((r) => {
      order.push('fast');
      return r;
    });
    assert.deepEqual(await Promise.all([slow, fast]), [{ confirmed: true }, { confirmed: false }]);
    assert.deepEqual(order, ['fast', 'slow']);
    pair.close();
  });

  it('fails a call with TIMEOUT and drops the late response', async () => {
    const pair = connectedPair({
      handlers: {
        'ui.showToast': async () => {
          await delay(60);
          return {};
        },
      },
    });
    await rejectsWithCode(
      pair.bridge.call('ui.showToast', { message: 'hi' }, { timeoutMs: 10 }),
      'TIMEOUT',
    );
    assert.equal(pair.bridge.pendingCalls, 0);
    await delay(80); // the late answer arrives and must be ignored without effect
    assert.equal(pair.bridge.pendingCalls, 0);
    assert.deepEqual(await pair.bridge.call('ui.showModal', { title: 'still works' }), {
      confirmed: true,
    });
    pair.close();
  });

  it('rejects with the error code the host sent', async () => {
    const pair = connectedPair({ hostApiVersion: '1.0.0' });
    await rejectsWithCode(pair.bridge.call('user.chooseAddress', {}), 'NOT_SUPPORTED');
    await rejectsWithCode(pair.bridge.call('user.getProfile', {}), 'PERMISSION_DENIED');
    pair.close();
  });

  it('answers canIUse by host API version', async () => {
    const old = connectedPair({ hostApiVersion: '1.0.0' });
    assert.equal(await old.bridge.canIUse('payment.pay'), true);
    assert.equal(await old.bridge.canIUse('storage.list'), false);
    assert.equal(await old.bridge.canIUse('__proto__'), false);
    old.close();
    const current = connectedPair({ hostApiVersion: '1.1.0' });
    assert.equal(await current.bridge.canIUse('storage.list'), true);
    current.close();
  });

  it('delivers subscribed events until unsubscribed and ignores unknown ones', async () => {
    const pair = connectedPair();
    const seen: string[] = [];
    const off = pair.bridge.on('page.show', (data) => seen.push(String(data.path)));
    await pair.bridge.call('host.getInfo', {}); // the port is live
    pair.mock.emit('page.show', { path: 'pages/index.html' });
    pair.mock.emit('app.hide');
    await delay(5);
    off();
    pair.mock.emit('page.show', { path: 'pages/cart.html' });
    await delay(5);
    assert.deepEqual(seen, ['pages/index.html']);
    pair.close();
  });

  it('fails pending calls with BRIDGE_UNAVAILABLE when closed', async () => {
    const pair = connectedPair({
      handlers: {
        'ui.showToast': async () => {
          await delay(50);
          return {};
        },
      },
    });
    const call = pair.bridge.call('ui.showToast', { message: 'x' });
    pair.close();
    await rejectsWithCode(call, 'BRIDGE_UNAVAILABLE');
    await rejectsWithCode(pair.bridge.call('host.getInfo', {}), 'BRIDGE_UNAVAILABLE');
  });

  it('never reuses the id of a pending call', async () => {
    const sent: string[] = [];
    const transport: BridgeTransport = {
      binding: 'port',
      send: (text) => sent.push((JSON.parse(text) as { id: string }).id),
      onMessage: () => undefined,
      close: () => undefined,
    };
    const bridge = new MiniAppBridge(transport, { defaultTimeoutMs: 20 });
    const calls = Array.from({ length: 50 }, () =>
      bridge.call('host.getInfo', {}).catch((e: unknown) => e),
    );
    assert.equal(new Set(sent).size, 50);
    await Promise.all(calls);
  });
});

describe('connect', () => {
  /** A window stand-in: Node's MessageEvent only accepts a MessagePort as source. */
  function fakeWindow(): BridgeGlobal & {
    deliver(event: MessageEvent): void;
    parentWindow: object;
  } {
    const listeners = new Set<(event: MessageEvent) => void>();
    const parentWindow = {};
    return {
      parentWindow,
      parent: parentWindow,
      addEventListener: (_type, listener) => listeners.add(listener),
      removeEventListener: (_type, listener) => listeners.delete(listener),
      deliver: (event) => listeners.forEach((listener) => listener(event)),
    };
  }

  function initEvent(source: unknown, port: MessagePort): MessageEvent {
    const data = { bridge: 'openminiapp', v: 1, kind: 'init', hostApiVersion: '1.2.0' };
    return { data, source, ports: [port] } as unknown as MessageEvent;
  }

  it('takes the port from the init message of the parent window', async () => {
    const win = fakeWindow();
    const mock = createMockBridge({ manifest: shopManifest });
    const channel = new MessageChannel();
    mock.connect(channel.port1);
    const connecting = connect({ global: win, initTimeoutMs: 500 });
    win.deliver(initEvent(win.parentWindow, channel.port2));
    const bridge = await connecting;
    assert.equal(bridge.hostApiVersion, '1.2.0');
    assert.equal((await bridge.call('host.getInfo', {})).hostApiVersion, '1.2.0');
    bridge.close();
    channel.port1.close();
  });

  it('ignores an init message from any window but the parent', async () => {
    const win = fakeWindow();
    const attacker = new MessageChannel();
    const connecting = connect({ global: win, initTimeoutMs: 30 });
    win.deliver(initEvent({}, attacker.port2));
    await rejectsWithCode(connecting, 'BRIDGE_UNAVAILABLE');
    attacker.port1.close();
    attacker.port2.close();
  });

  it('fails with BRIDGE_UNAVAILABLE outside any host', async () => {
    await rejectsWithCode(connect({ global: {} }), 'BRIDGE_UNAVAILABLE');
  });

  it('uses portTransport for web hosts', () => {
    const channel = new MessageChannel();
    assert.equal(portTransport(channel.port1).binding, 'port');
    channel.port1.close();
  });
});
