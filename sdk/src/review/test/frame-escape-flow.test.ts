import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { positions, review, reviewScript } from './review-fixture.ts';

/** The frame-escape findings of a script reviewed as app.js (a module when it imports or exports). */
async function escapes(source: string, file = 'app.js'): Promise<string[]> {
  const { diagnostics } = await review({ [file]: source });
  return positions(diagnostics, 'CODE_FRAME_ESCAPE');
}

describe('the global object followed into function parameters [REV-110] (spec/review.md, static view item 5)', () => {
  it('reports g.parent inside a function that is called with window', async () => {
    assert.deepEqual(
      await escapes(
        ['function f(g) {', '  g.parent.postMessage("x", "*");', '}', 'f(window);'].join('\n'),
      ),
      ['CODE_FRAME_ESCAPE@2:3'],
    );
  });

  it('reports it when the call comes before the hoisted declaration', async () => {
    assert.deepEqual(await escapes('f(self);\nfunction f(w) { return w.top; }\n'), [
      'CODE_FRAME_ESCAPE@2:24',
    ]);
  });

  it('reports arrow functions bound to a constant and immediately invoked functions', async () => {
    assert.deepEqual(
      await escapes(
        [
          'const f = (g) => g.top;',
          'f(globalThis);',
          '(function (w) { w.opener.close(); })(window);',
          '((w) => w.frameElement)(self);',
        ].join('\n'),
      ),
      ['CODE_FRAME_ESCAPE@1:18', 'CODE_FRAME_ESCAPE@3:17', 'CODE_FRAME_ESCAPE@4:9'],
    );
  });

  it('reports the global passed through call, apply and bind', async () => {
    assert.deepEqual(
      await escapes(
        [
          'function a(x, w) { return w.parent; }',
          'a.call(null, 1, window);',
          'function b(w) { return w.top; }',
          'b.apply(null, [window]);',
          'function c(w) { return w.opener; }',
          'const bound = c.bind(null, self);',
        ].join('\n'),
      ),
      ['CODE_FRAME_ESCAPE@1:27', 'CODE_FRAME_ESCAPE@3:24', 'CODE_FRAME_ESCAPE@5:24'],
    );
  });

  it('reports a default parameter value that is the global object, even without a call', async () => {
    assert.deepEqual(await escapes('function f(g = window) { return g.top; }\n'), [
      'CODE_FRAME_ESCAPE@1:33',
    ]);
  });

  it('reports a parameter that destructures the global object', async () => {
    assert.deepEqual(
      await escapes(
        'function f({ parent: p, location }) { return p; }\nf(window);\nconst g = ({ top } = self) => top;\n',
      ),
      ['CODE_FRAME_ESCAPE@1:14', 'CODE_FRAME_ESCAPE@3:14'],
    );
  });

  it('reports arguments[k] and rest[k] with a constant index', async () => {
    assert.deepEqual(
      await escapes(
        [
          'function f() { return arguments[0].top; }',
          'f(window);',
          'function g(a, ...rest) { return rest["1"].parent; }',
          'g(1, 2, window);',
        ].join('\n'),
      ),
      ['CODE_FRAME_ESCAPE@1:23', 'CODE_FRAME_ESCAPE@3:33'],
    );
  });

  it('follows the global through a chain of functions', async () => {
    assert.deepEqual(
      await escapes(
        [
          'function outer(g) { middle(g); }',
          'function middle(m) { inner(m); }',
          'function inner(i) { i.parent.postMessage("x", "*"); }',
          'outer(window);',
        ].join('\n'),
      ),
      ['CODE_FRAME_ESCAPE@3:21'],
    );
  });

  it('reports this when call, apply or bind pass the global object', async () => {
    assert.deepEqual(
      await escapes(
        [
          'export function f() { return this.parent; }',
          'f.call(window);',
          'function g() { return this.top; }',
          'g.bind(self)();',
        ].join('\n'),
      ),
      ['CODE_FRAME_ESCAPE@1:30', 'CODE_FRAME_ESCAPE@3:23'],
    );
  });

  it('reports this of a sloppy classic script: at the top level and in a plain call', async () => {
    const source = [
      'this.parent.postMessage("x", "*");',
      'function f() { return this.top; }',
      'f();',
      'function g() { return this.opener; }',
      'g.call(null);',
    ].join('\n');
    assert.deepEqual(await escapes(source, 'legacy.cjs'), [
      'CODE_FRAME_ESCAPE@1:1',
      'CODE_FRAME_ESCAPE@2:23',
      'CODE_FRAME_ESCAPE@4:23',
    ]);
  });

  it('does not take this for the global object in modules, strict functions, methods or classes', async () => {
    assert.deepEqual(
      await escapes(
        [
          'export const x = 1;',
          'const top1 = this?.top;',
          'function f() { "use strict"; return this.top; }',
          'f();',
          'const box = { parent: null, up() { return this.parent; } };',
          'box.up();',
          'class Node { parent = null; static top = 1; read() { return this.parent ?? Node.top; } }',
        ].join('\n'),
      ),
      [],
    );
    assert.deepEqual(
      await escapes('"use strict";\nfunction f() { return this.top; }\nf();\n', 'strict.cjs'),
      [],
    );
  });

  it('does not report parameters that receive other values', async () => {
    assert.deepEqual(
      await escapes(
        [
          'function layout(rect) { return rect.top + rect.parent; }',
          'layout({ top: 1, parent: 2 });',
          'layout(document.body.getBoundingClientRect());',
          'function reassigned(g) { g = {}; return g.top; }',
          'reassigned(window);',
          'function spread(g) { return g.top; }',
          'spread(...[window]);',
        ].join('\n'),
      ),
      [],
    );
  });

  it('ends on recursion and mutual recursion instead of looping', async () => {
    assert.deepEqual(
      await escapes(
        [
          'function f(g, n) { if (n > 0) f(g, n - 1); return g.top; }',
          'f(window, 3);',
          'function a(x) { return b(x); }',
          'function b(y) { return a(y) || y.parent; }',
          'a(self);',
          'function loop() { return loop.call(this); }',
          'loop.call(this);',
        ].join('\n'),
        'recursive.cjs',
      ),
      ['CODE_FRAME_ESCAPE@1:51', 'CODE_FRAME_ESCAPE@4:32'],
    );
  });
});

describe('the identity comparison that [REV-110] allows', () => {
  it('does not report parent compared with === or !==, as a bridge client checks an init message', async () => {
    assert.deepEqual(
      await escapes(
        [
          'window.addEventListener("message", (event) => {',
          '  if (event.source !== window.parent) return;',
          '  if (parent === event.source) start(event.ports[0]);',
          '  if (event.source === window?.parent) start(event.ports[0]);',
          '});',
        ].join('\n'),
      ),
      [],
    );
  });

  it('does not report the toolkit bridge client, which compares global.parent after passing globalThis', async () => {
    const source = [
      'export function connect(options = {}) {',
      '  const global = options.global ?? globalThis;',
      '  return waitForInit(global);',
      '}',
      'function waitForInit(global) {',
      '  return new Promise((resolve) => {',
      '    function listener(event) {',
      '      if (event.source !== global.parent) return;',
      '      resolve(event.ports[0]);',
      '    }',
      '    global.addEventListener("message", listener);',
      '  });',
      '}',
    ].join('\n');
    assert.deepEqual(await escapes(source), []);
  });

  it('still reports every other use of parent, and any use of top, opener or frameElement', async () => {
    assert.deepEqual(
      await escapes(
        [
          'function f(g) {',
          '  if (g.parent == x) return;',
          '  g.parent.postMessage("x", "*");',
          '  const p = g.parent;',
          '  return g.top === x;',
          '}',
          'f(window);',
        ].join('\n'),
      ),
      [
        'CODE_FRAME_ESCAPE@2:7',
        'CODE_FRAME_ESCAPE@3:3',
        'CODE_FRAME_ESCAPE@4:13',
        'CODE_FRAME_ESCAPE@5:10',
      ],
    );
  });
});

describe('aliasing chains of the static view [REV-110]', () => {
  /**
   * One step of the static view: code that binds the value of `from` to the name `to` and runs
   * `rest` where `to` is in scope (spec/review.md, static view items 3 and 5).
   */
  const steps: ((from: string, to: string, rest: string) => string)[] = [
    (from, to, rest) => `{ const ${to} = ${from};\n${rest} }`,
    (from, to, rest) => `function f_${to}(${to}) {\n${rest} }\nf_${to}(${from});`,
    (from, to, rest) => `((${to}) => {\n${rest} })(${from});`,
    (from, to, rest) => `function c_${to}(_, ${to}) {\n${rest} }\nc_${to}.call(null, 0, ${from});`,
    (from, to, rest) => `function a_${to}(${to}) {\n${rest} }\na_${to}.apply(null, [${from}]);`,
    (from, to, rest) => `function b_${to}(${to}) {\n${rest} }\nb_${to}.bind(null, ${from})();`,
    (from, to, rest) => `function d_${to}(${to} = ${from}) {\n${rest} }\nd_${to}();`,
    (from, to, rest) =>
      `function t_${to}() { const ${to} = this;\n${rest} }\nt_${to}.call(${from});`,
  ];

  /** A module that passes `start` through the chosen steps and reads `.parent` of the last name. */
  function program(start: string, chain: readonly number[]): string {
    let body = `v${chain.length - 1}.parent;`;
    for (let n = chain.length - 1; n >= 0; n -= 1) {
      const from = n === 0 ? start : `v${n - 1}`;
      const step = steps[chain[n] ?? 0] ?? steps[0];
      if (step) body = step(from, `v${n}`, body);
    }
    return `export {};\n${body}\n`;
  }

  it('reports parent read at the end of any chain of up to 16 steps that starts at window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: steps.length - 1 }), { minLength: 1, maxLength: 16 }),
        async (chain) => {
          const code = program('window', chain);
          assert.equal((await escapes(code)).length, 1, `not reported once:\n${code}`);
          const quiet = program('({ parent: 1 })', chain);
          assert.deepEqual(await escapes(quiet), [], `reported without the global:\n${quiet}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('follows the longest chain the static view requires: 16 steps that each cost two levels', async () => {
    const chain = Array.from({ length: 16 }, () => steps.length - 1);
    assert.equal((await escapes(program('window', chain))).length, 1);
  });

  it('reviews a large generated bundle with many calls without hitting the analysis limit', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i += 1) {
      lines.push(`function f${i}(a, b) { return a.top + b.parent + f${(i + 1) % 2000}(b, a); }`);
    }
    for (let i = 0; i < 2000; i += 1) lines.push(`f${i}({}, {});`);
    const { diagnostics } = await reviewScript(lines.join('\n'));
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'CODE_ANALYSIS_LIMIT'),
      [],
    );
    assert.deepEqual(positions(diagnostics, 'CODE_FRAME_ESCAPE'), []);
  });
});
