import { MiniAppBridge, type MiniAppBridgeOptions } from '../client.ts';
import { createMockBridge, type MockBridge, type MockBridgeOptions } from '../mock-bridge.ts';
import { portTransport } from '../transport.ts';

export const shopManifest = {
  id: 'com.example.shop',
  permissions: {
    payment: { reason: 'To pay for your order.' },
    location: { reason: 'To find the nearest store.' },
    address: { reason: 'To deliver your order.' },
  },
  allowedDomains: ['https://api.example.com', 'https://cdn.example.com:8443'],
};

/** A client and a mock host joined by a real MessageChannel, as in a web host. */
export function connectedPair(
  mockOptions: Partial<MockBridgeOptions> = {},
  clientOptions: MiniAppBridgeOptions = {},
): { bridge: MiniAppBridge; mock: MockBridge; close(): void } {
  const mock = createMockBridge({ manifest: shopManifest, ...mockOptions });
  const channel = new MessageChannel();
  mock.connect(channel.port1);
  const bridge = new MiniAppBridge(portTransport(channel.port2), clientOptions);
  channel.port2.start();
  return {
    bridge,
    mock,
    close() {
      bridge.close();
      channel.port1.close();
    },
  };
}

export function request(id: string, method: string, params: unknown = {}): string {
  return JSON.stringify({ bridge: 'openminiapp', v: 1, kind: 'request', id, method, params });
}

/** Parses a mock's reply and returns its error code, or 'ok'. */
export function outcome(reply: string | null): string {
  if (reply === null) return 'none';
  const response = JSON.parse(reply) as { ok: boolean; error?: { code: string } };
  return response.ok ? 'ok' : (response.error?.code ?? 'missing-code');
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
