import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../../framework/index.ts';
import { reviewScript } from '../script-analysis.ts';
import type { ScriptUnit } from '../script-inventory.ts';

const context = {
  files: new Set(['app.js', 'lib/util.js']),
  bridgeNamespaces: new Set(['storage', 'media', 'ui', 'host']),
};

function review(source: string, goal: ScriptUnit['goal'] = 'either') {
  return reviewScript({ file: 'app.js', goal, source, line: 1, column: 1 }, context);
}
const ids = (source: string, goal?: ScriptUnit['goal']) =>
  review(source, goal).findings.map((f) => f.requirement);

describe('script analysis', () => {
  for (const [source, expected] of [
    ['eval("1")', ['REV-104']],
    ['(0, eval)("1")', ['REV-104']],
    ['globalThis["eval"]("1")', ['REV-104']],
    ['const g = self; g[`ev${""}al`]', ['REV-104']],
    ['const { eval: e } = window; e("1")', ['REV-104']],
    ['Reflect.get(window, "eval")', ['REV-104']],
    ['function f(eval2) { return eval2; }', []],
    ['new Function("return 1")', ['REV-105']],
    ['Function("return 1")()', ['REV-105']],
    ['const F = Function; F("x")', ['REV-105']],
    ['(function () {}).constructor("return 1")', ['REV-105']],
    ['Object.getPrototypeOf(async () => {}).constructor("x")', ['REV-105']],
    ['"".constructor.constructor("return this")()', ['REV-105']],
    ['Function.prototype.constructor("x")', ['REV-105']],
    ['x instanceof Function; typeof Function; Function.prototype.toString.call(f)', []],
    ['setTimeout("tick()", 10)', ['REV-106']],
    ['window.setInterval(`tick()`, 10)', ['REV-106']],
    ['setTimeout("ti" + "ck()", 10)', ['REV-106']],
    ['setTimeout(() => tick(), 10)', []],
    ['import("https://cdn.example.com/x.js")', ['REV-107']],
    ['import "lodash";', ['REV-107']],
    ['import "./missing.js";', ['REV-107']],
    ['import "./lib/util.js"; import("./lib/util.js");', []],
    ['const s = document.createElement("script"); s.src = "//cdn.example.com/x.js";', ['REV-107']],
    ['import(name)', ['REV-108']],
    ['import(`./${name}.js`)', ['REV-108']],
    ['importScripts(url)', ['REV-108']],
    ['window.parent.postMessage(1, "*")', ['REV-110']],
    ['top.location', ['REV-110']],
    ['document.defaultView.frameElement', ['REV-110']],
    ['const { opener } = window', ['REV-110']],
    ['function f(top) { return top.x; }', []],
    ['document.domain = "example.com"', ['REV-111']],
    ['window.document.domain = "example.com"', ['REV-111']],
  ] as const) {
    it(`${expected.length ? `finds ${expected.join(', ')} in` : 'accepts'} ${source}`, () => {
      assert.deepEqual(ids(source), [...expected]);
    });
  }

  it('treats a top-level declaration of top in a module as local, and in a classic script as the global', () => {
    assert.deepEqual(ids('const top = 1; top;', 'module'), []);
    assert.deepEqual(ids('var top = 1; top;', 'script'), ['REV-110', 'REV-110']);
  });

  it('reports a syntax error under REV-101 with its position in the file', () => {
    const r = reviewScript(
      { file: 'pages/a.html', goal: 'script', source: '\n\nlet = ;', line: 10, column: 5 },
      context,
    );
    assert.equal(r.findings[0]?.requirement, 'REV-101');
    assert.match(r.findings[0]?.message ?? '', /^pages\/a\.html:10:/);
  });

  it('finds literal bridge calls, typos with a known namespace, and raw envelopes', () => {
    const r = review(
      "MiniAppBridge.call('storage.get', {}); const bridge = await connect(); bridge.call('ui.showToast'); helper.call('storage.gte'); post({ bridge: 'openminiapp', kind: 'request', method: 'media.chooseImage' }); fn.call(thisArg);",
      'module',
    );
    assert.deepEqual(
      r.bridgeCalls.map((c) => c.method),
      ['storage.get', 'ui.showToast', 'storage.gte', 'media.chooseImage'],
    );
  });

  it('counts a computed method name as dynamic unless a wrapper forwards its own parameter', () => {
    assert.equal(review('MiniAppBridge.call(names[i])').dynamicBridgeCalls.length, 1);
    assert.equal(
      review('function call(m, p) { return bridge.call(m, p); }').dynamicBridgeCalls.length,
      0,
    );
  });

  for (const [source, guarded] of [
    [
      "if (await MiniAppBridge.canIUse('media.chooseImage')) MiniAppBridge.call('media.chooseImage')",
      true,
    ],
    [
      "if (!(await bridge.canIUse('media.chooseImage'))) return; bridge.call('media.chooseImage')",
      true,
    ],
    [
      "if ((await bridge.call('host.canIUse', { method: 'media.chooseImage' })).available) { bridge.call('media.chooseImage') }",
      true,
    ],
    ["canIUse('media.chooseImage') && bridge.call('media.chooseImage')", true],
    ["canIUse('media.chooseImage') ? bridge.call('media.chooseImage') : null", true],
    ["if (!canIUse('media.chooseImage')) {} else { bridge.call('media.chooseImage') }", true],
    ["if (canIUse('media.chooseImage')) {} else { bridge.call('media.chooseImage') }", false],
    ["if (canIUse('storage.list')) bridge.call('media.chooseImage')", false],
    ["bridge.call('media.chooseImage')", false],
  ] as const) {
    it(`${guarded ? 'sees' : 'does not see'} a capability guard in: ${source}`, () => {
      const wrapped = `async function attach() {\n${source}\n}`;
      const r = reviewScript(
        { file: 'app.js', goal: 'script', source: wrapped, line: 1, column: 1 },
        context,
      );
      const call = r.bridgeCalls.find((c) => c.method === 'media.chooseImage');
      assert.equal(call?.guarded, guarded);
    });
  }

  it('collects URL prefixes given to network APIs, with whether the authority is complete', () => {
    const r = review(
      "fetch('https://api.example.com/a'); fetch(`https://api.example.com/${p}`); new WebSocket('wss://live.example.com:8443'); fetch('https://' + host); fetch('/relative'); xhr.open('GET', 'http://x.example/'); navigator.sendBeacon('https://t.example/b');",
    );
    assert.deepEqual(
      r.networkUrls.map((u) => [u.api, u.prefix, u.complete]),
      [
        ['fetch', 'https://api.example.com/a', true],
        ['fetch', 'https://api.example.com/', false],
        ['WebSocket', 'wss://live.example.com:8443', true],
        ['fetch', 'https://', false],
        ['fetch', '/relative', true],
        ['XMLHttpRequest.open', 'http://x.example/', true],
        ['navigator.sendBeacon', 'https://t.example/b', true],
      ],
    );
  });

  it('finds nothing forbidden in the bridge client bundled with the examples', () => {
    const source = readFileSync(
      path.join(repositoryRoot, 'examples/shop/generated/miniapp-bridge.js'),
      'utf8',
    );
    const r = reviewScript(
      { file: 'generated/miniapp-bridge.js', goal: 'either', source, line: 1, column: 1 },
      context,
    );
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.dynamicBridgeCalls, []);
  });
});
