/**
 * In-page mock host for developing a mini-app in a plain browser tab. Load it before the bridge
 * script and call `MiniAppMockHost.install({ manifest })`: it opens a MessageChannel, serves the mock
 * on one port and hands the other to the page in an init message, exactly as a web host would.
 */
import { createMockBridge, type MockBridge, type MockBridgeOptions } from './mock-bridge.ts';

function install(options: MockBridgeOptions): MockBridge {
  const mock = createMockBridge(options);
  const channel = new MessageChannel();
  mock.connect(channel.port1);
  // [BRG-032] addressed to this page's own origin, never "*".
  window.postMessage(
    { bridge: 'openminiapp', v: 1, kind: 'init', hostApiVersion: mock.hostApiVersion },
    window.location.origin,
    [channel.port2],
  );
  return mock;
}

Object.defineProperty(globalThis, 'MiniAppMockHost', {
  value: Object.freeze({ install }),
  writable: false,
  configurable: false,
  enumerable: true,
});
