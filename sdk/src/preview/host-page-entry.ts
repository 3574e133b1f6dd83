/**
 * Script of the preview's host page (bundled into sdk/generated/miniapp-preview-host.js): serves the
 * mock bridge to the mini-app frame over a MessageChannel, as a web host does (spec/bridge.md, "Web
 * hosts"), and draws the host's own surfaces: permission prompts, wallet sheet, modals and toasts.
 */
import { BridgeError, createMockBridge, type MockBridge } from '../bridge/index.ts';
import { createHostUi, type HostUi } from './host-ui.ts';
import { matchFixture } from './network-fixture.ts';
import type { PreviewConfig } from './preview-config.ts';

const defaultToastMs = 1500;

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the host page has no #${id}`);
  return found as T;
}

function createHost(config: PreviewConfig, ui: HostUi): MockBridge {
  const frame = byId<HTMLIFrameElement>('app-frame');
  const closedPanel = byId<HTMLElement>('closed');
  const bar = byId<HTMLElement>('host-bar');
  const title = byId<HTMLElement>('host-title');

  const close = (): void => {
    if (closedPanel.hidden === false) return;
    try {
      mock.emit('app.hide');
    } catch {
      // The emulated host API version may not have the event; closing goes on.
    }
    closedPanel.hidden = false;
    frame.removeAttribute('src');
  };

  const mock = createMockBridge({
    manifest: config.manifest,
    hostApiVersion: config.hostApiVersion,
    prompt: (permission, reason) => ui.askPermission(config.appName, permission, reason),
    handlers: {
      'ui.showToast': (p) => {
        ui.showToast(p.message, p.durationMs ?? defaultToastMs);
        return {};
      },
      'ui.showModal': async (p) => ({ confirmed: await ui.showModal(p) }),
      'ui.setNavigationBar': (p) => {
        if (p.title !== undefined) title.textContent = p.title;
        if (p.backgroundColor !== undefined) bar.style.background = p.backgroundColor;
        if (p.textStyle !== undefined) bar.classList.toggle('dark', p.textStyle === 'light');
        return {};
      },
      'payment.pay': async (p) => {
        if (!(await ui.showWallet(config.appName, p))) {
          throw new BridgeError('USER_CANCELLED', 'The user closed the wallet without paying.');
        }
        return { status: 'paid', transactionId: `mock-${p.orderId ?? p.productId}` };
      },
      'network.request': (p) => {
        const method = p.method ?? 'GET';
        // The mock has already refused origins outside allowedDomains [BRG-028]; the rest come from fixtures.
        const answer = matchFixture(config.fixtures, method, p.url);
        if (!answer) {
          throw new BridgeError(
            'NOT_SUPPORTED',
            `The preview does not reach the network and has no fixture for ${method} ${p.url}; pass one with --fixtures.`,
            { url: p.url, method },
          );
        }
        return answer;
      },
      'app.close': () => {
        // Answer first, then tear the frame down, as a host closes after acknowledging.
        setTimeout(close, 0);
        return {};
      },
    },
  });

  frame.addEventListener('load', () => {
    const target = frame.contentWindow;
    if (!frame.getAttribute('src') || !target) return;
    // A new channel per document: each page of the mini-app connects once [BRG-034].
    const channel = new MessageChannel();
    mock.connect(channel.port1);
    // [BRG-032] addressed to the frame's exact origin, so a frame that navigated away gets nothing.
    target.postMessage(
      { bridge: 'openminiapp', v: 1, kind: 'init', hostApiVersion: mock.hostApiVersion },
      config.appOrigin,
      [channel.port2],
    );
  });
  // [BRG-033] the host page has no window "message" listener: bridge traffic only flows on the port.

  byId<HTMLButtonElement>('host-close').addEventListener('click', close);
  byId<HTMLButtonElement>('reopen').addEventListener('click', () => {
    closedPanel.hidden = true;
    frame.src = config.entryUrl;
  });
  byId<HTMLButtonElement>('host-menu').addEventListener('click', () => {
    void ui.showModal({
      title: 'miniapp preview',
      content: `${config.manifest.id} on a mock host implementing host API ${mock.hostApiVersion}. Bridge calls are answered locally; nothing leaves this computer.`,
      showCancel: false,
    });
  });
  frame.src = config.entryUrl;
  return mock;
}

async function start(): Promise<void> {
  const response = await fetch('/preview-config.json', { cache: 'no-store' });
  const config = (await response.json()) as PreviewConfig;
  createHost(config, createHostUi(byId('layer')));
}

start().catch((error: unknown) => {
  const panel = document.getElementById('closed');
  if (panel) {
    panel.hidden = false;
    panel.textContent = `The preview could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
});
