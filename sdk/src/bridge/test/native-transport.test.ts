import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeError } from '../bridge-error.ts';
import { connect, type BridgeGlobal } from '../connect.ts';
import { createMockBridge } from '../mock-bridge.ts';
import { nativeDispatchName } from '../transport.ts';
import { shopManifest } from './bridge-fixture.ts';

type Dispatch = (text: string) => void;

describe('native bindings', () => {
  it('talks to an Android host through OpenMiniAppNative and the dispatch function [BRG-038] [BRG-036]', async () => {
    const mock = createMockBridge({ manifest: shopManifest, hostApiVersion: '1.0.0' });
    const global: BridgeGlobal & Record<string, unknown> = {};
    global.OpenMiniAppNative = {
      postMessage(json: string) {
        // The host answers asynchronously by evaluating the dispatch function with a string.
        void mock.handle(json).then((reply) => {
          if (reply !== null) (global[nativeDispatchName] as Dispatch)(reply);
        });
      },
    };
    const bridge = await connect({ global });
    assert.equal((await bridge.call('host.getInfo', {})).hostApiVersion, '1.0.0');
    await assert.rejects(
      bridge.call('storage.list', {}),
      (e: unknown) => e instanceof BridgeError && e.code === 'NOT_SUPPORTED',
    );
    bridge.close();
    assert.equal(global[nativeDispatchName], undefined);
  });

  it('accepts the reply of WKScriptMessageHandlerWithReply on iOS [BRG-035] [BRG-037]', async () => {
    const mock = createMockBridge({ manifest: shopManifest });
    const global: BridgeGlobal = {
      webkit: {
        messageHandlers: { openminiapp: { postMessage: (text: string) => mock.handle(text) } },
      },
    };
    const bridge = await connect({ global });
    assert.deepEqual(await bridge.call('ui.showModal', { title: 'Hi' }), { confirmed: true });
    bridge.close();
  });

  it('keeps the dispatch function from being replaced by page scripts', async () => {
    const global: BridgeGlobal & Record<string, unknown> = {
      OpenMiniAppNative: { postMessage: () => undefined },
    };
    const bridge = await connect({ global });
    const original = global[nativeDispatchName];
    assert.throws(() => {
      global[nativeDispatchName] = () => undefined;
    }, TypeError);
    assert.equal(global[nativeDispatchName], original);
    bridge.close();
  });

  it('ignores garbage handed to the dispatch function', async () => {
    const global: BridgeGlobal & Record<string, unknown> = {
      OpenMiniAppNative: { postMessage: () => undefined },
    };
    const bridge = await connect({ global, defaultTimeoutMs: 20 });
    const call = bridge.call('host.getInfo', {});
    for (const junk of [
      '',
      '{',
      'null',
      '{"bridge":"openminiapp","v":1,"kind":"response","id":"c-1"}',
    ]) {
      (global[nativeDispatchName] as Dispatch)(junk);
    }
    await assert.rejects(call, (e: unknown) => e instanceof BridgeError && e.code === 'TIMEOUT');
    bridge.close();
  });
});
