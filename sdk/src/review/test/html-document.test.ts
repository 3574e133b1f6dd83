import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { positions, review } from './review-fixture.ts';

describe('HTML pages [REV-109] [REV-113]', () => {
  it('maps findings in inline scripts back to the line and column of the page', async () => {
    const html = [
      '<!doctype html>',
      '<html><head><title>Shop</title></head>',
      '<body>',
      '<script>',
      '  const a = 1;',
      '  eval("a");',
      '</script>',
      '<script>top.location = "x";</script>',
      '</body></html>',
    ].join('\n');
    const { diagnostics } = await review({ 'pages/index.html': html });
    assert.deepEqual(positions(diagnostics), ['CODE_EVAL@6:3', 'CODE_FRAME_ESCAPE@8:9']);
    assert.ok(
      diagnostics.every((d) => d.location?.file === 'pages/index.html'),
      'every diagnostic points at pages/index.html',
    );
  });

  it('keeps line numbers right with CRLF line ends', async () => {
    const html =
      '<html>\r\n<body>\r\n<script>\r\nconst x = 1;\r\n  eval(x);\r\n</script></body></html>';
    const { diagnostics } = await review({ 'index.html': html });
    assert.deepEqual(positions(diagnostics), ['CODE_EVAL@5:3']);
  });

  it('parses type=module scripts as modules and skips data blocks', async () => {
    const html = [
      '<script type="module">import x from "https://cdn.example.com/x.js";</script>',
      '<script type="application/json">{ "eval": "top" }</script>',
      '<script type="text/template"><div onclick="eval(1)"></div></script>',
    ].join('\n');
    const { diagnostics } = await review({ 'index.html': html });
    assert.deepEqual(positions(diagnostics), ['CODE_REMOTE_IMPORT@1:37']);
  });

  it('reports scripts, stylesheets, frames, objects and base URLs loaded from outside the package', async () => {
    const html = [
      '<script src="https://cdn.example.com/lib.js"></script>',
      '<link rel="stylesheet" href="//fonts.example.com/f.css">',
      '<iframe src="http://evil.example/"></iframe>',
      '<script src="data:text/javascript,alert(1)"></script>',
      '<object data="https://x.example/p.swf"></object>',
      '<base href="https://cdn.example.com/">',
      '<link rel="modulepreload" href="https://cdn.example.com/m.js">',
    ].join('\n');
    const { diagnostics } = await review({ 'index.html': html });
    assert.deepEqual(positions(diagnostics), [
      'CODE_REMOTE_RESOURCE@1:9',
      'CODE_REMOTE_RESOURCE@2:24',
      'CODE_REMOTE_RESOURCE@3:9',
      'CODE_REMOTE_RESOURCE@4:9',
      'CODE_REMOTE_RESOURCE@5:9',
      'CODE_REMOTE_RESOURCE@6:7',
      'CODE_REMOTE_RESOURCE@7:27',
    ]);
    assert.ok(
      diagnostics.every((d) => d.severity === 'error'),
      'every diagnostic is an error',
    );
  });

  it('accepts package-relative resources and remote links that load no code', async () => {
    const html = [
      '<script src="./app.js"></script>',
      '<script src="/pages/cart.js" type="module"></script>',
      '<link rel="stylesheet" href="styles/app.css">',
      '<link rel="canonical" href="https://example.com/">',
      '<a href="https://example.com/help">Help</a>',
      '<img src="images/logo.png">',
    ].join('\n');
    const { diagnostics } = await review({ 'index.html': html });
    assert.deepEqual(diagnostics, []);
  });

  it('warns on inline handlers and javascript: URLs, and still reviews the handler code', async () => {
    const html = [
      '<button id="b"',
      '  onclick="if (ok) { return eval(x); }">Go</button>',
      '<a href="javascript:void 0">x</a>',
    ].join('\n');
    const { diagnostics } = await review({ 'index.html': html });
    assert.deepEqual(positions(diagnostics), [
      'CODE_INLINE_SCRIPT_ATTRIBUTE@2:3',
      'CODE_EVAL@2:29',
      'CODE_INLINE_SCRIPT_ATTRIBUTE@3:4',
    ]);
    assert.deepEqual(
      diagnostics.map((d) => d.severity),
      ['warning', 'error', 'warning'],
    );
  });

  it('reviews scripts inside <template> content', async () => {
    const { diagnostics } = await review({
      'index.html': '<template>\n<script>window.parent.x = 1;</script>\n</template>',
    });
    assert.deepEqual(positions(diagnostics), ['CODE_FRAME_ESCAPE@2:9']);
  });

  it('reports a syntax error of an inline script at its page position', async () => {
    const { diagnostics } = await review({ 'index.html': '<p>\n<script>\nlet = = 1;\n</script>' });
    assert.deepEqual(positions(diagnostics), ['CODE_SYNTAX_ERROR@3:7']);
  });
});
