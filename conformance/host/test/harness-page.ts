import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Files } from '../probe/probe-package.ts';

/**
 * A page for testing the suite's own WebDriver plumbing: a top document with an adapter object that
 * answers a few commands with canned results, one iframe marked data-openminiapp-app on another
 * origin serving the probe's files under a connect-src policy, an init message with a port posted to
 * the frame's exact origin (or to "*" with ?target=star, a fault for the suite to catch), and a dispatcher that answers host.getInfo and echoes everything else.
 * It is not a host and certifies nothing; it shows that the driver, the probe, the frame switch, the
 * network mapping and the screen reader work in a real Chromium.
 */
export interface HarnessPage {
  url: string;
  close(): Promise<void>;
}

const topHtml = (frameOrigin: string, appId: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>harness</title></head><body>
<div id="screen" data-openminiapp-screen="sheet">A sheet with text</div>
<script>
let port;
let frame;
const initTarget = new URLSearchParams(location.search).get('target') === 'star' ? '*' : ${JSON.stringify('FRAME_ORIGIN')};
function launch() {
  for (const old of document.querySelectorAll('iframe')) old.remove();
  frame = document.createElement('iframe');
  frame.setAttribute('data-openminiapp-app', ${JSON.stringify(appId)});
  frame.src = ${JSON.stringify(frameOrigin)} + '/pages/index.html';
  frame.onload = () => {
    const channel = new MessageChannel();
    port = channel.port1;
    port.onmessage = (e) => {
      let m = e.data;
      try { if (typeof m === 'string') m = JSON.parse(m); } catch { return; }
      if (!m || m.bridge !== 'openminiapp' || m.kind !== 'request') return;
      const reply = (r) => port.postMessage(JSON.stringify(Object.assign({ bridge: 'openminiapp', v: 1, kind: 'response', id: m.id }, r)));
      if (m.method === 'host.getInfo') reply({ ok: true, result: { name: 'harness', version: '0.0.0', hostApiVersion: '1.2.0', platform: 'web', language: 'en', theme: 'light' } });
      else setTimeout(() => reply({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'harness' } }), 200);
    };
    frame.contentWindow.postMessage({ bridge: 'openminiapp', v: 1, kind: 'init', hostApiVersion: '1.2.0' }, initTarget === 'FRAME_ORIGIN' ? ${JSON.stringify(frameOrigin)} : initTarget, [channel.port2]);
  };
  document.body.appendChild(frame);
}
window.openMiniAppConformance = {
  call(command, args) {
    if (command === 'launch') { launch(); return new Promise((r) => setTimeout(() => r({ kind: 'launched', appId: ${JSON.stringify(appId)}, versionCode: 1, page: 'pages/index.html', receivedAt: Date.now() }), 800)); }
    if (command === 'state') return Promise.resolve({ initialized: false });
    if (command === 'reset') return Promise.resolve({});
    if (command === 'init') return Promise.resolve({ adapterVersion: '1.0', platform: 'web', hostApiVersion: '1.2.0', deviceId: args.deviceId });
    return Promise.reject(Object.assign(new Error('harness'), { code: 'ADAPTER_UNKNOWN_COMMAND' }));
  },
};
</script></body></html>`;

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port)),
  );
}

export async function startHarnessPage(
  files: Files,
  appId: string,
  connectSrc: string,
): Promise<HarnessPage> {
  const frameServer = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const body = files.get(path);
    if (!body) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, {
      'content-type': path.endsWith('.html')
        ? 'text/html; charset=utf-8'
        : 'text/javascript; charset=utf-8',
      'content-security-policy': `default-src 'self'; connect-src ${connectSrc}`,
    });
    res.end(body);
  });
  const framePort = await listen(frameServer, '127.0.0.1');
  const frameOrigin = `http://localhost:${framePort}`;
  const topServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(topHtml(frameOrigin, appId));
  });
  const topPort = await listen(topServer, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${topPort}/`,
    async close() {
      for (const s of [frameServer, topServer]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}
