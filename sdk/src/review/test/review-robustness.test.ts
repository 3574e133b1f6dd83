import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { codes, fixtureRegistry, memorySource, positions, review } from './review-fixture.ts';
import { analyzeSource } from '../index.ts';

describe('hostile and broken input [REV-101..REV-103]', () => {
  it('reports a syntax error with its position instead of throwing [REV-101]', async () => {
    const { diagnostics } = await review({ 'app.js': 'const a = 1;\nfunction (\n' });
    assert.deepEqual(positions(diagnostics), ['CODE_SYNTAX_ERROR@2:10']);
  });

  it('falls back to a classic script when a .js file is not a module (with statements)', async () => {
    const { diagnostics } = await review({ 'legacy.js': 'with (obj) { parent.x = 1; }\n' });
    assert.deepEqual(codes(diagnostics), ['CODE_FRAME_ESCAPE']);
  });

  it('parses .mjs as a module only, so module-only rules apply', async () => {
    const { diagnostics } = await review({ 'a.mjs': 'with (obj) {}\n' });
    assert.deepEqual(codes(diagnostics), ['CODE_SYNTAX_ERROR']);
  });

  it('keeps reviewing other files after a syntax error', async () => {
    const { diagnostics } = await review({ 'a.js': '}{', 'b.js': 'eval(1);' });
    assert.deepEqual(codes(diagnostics), ['CODE_SYNTAX_ERROR', 'CODE_EVAL']);
  });

  it('reports files that are not UTF-8 [REV-102]', async () => {
    const { diagnostics } = await review({ 'a.js': new Uint8Array([0x65, 0x76, 0xff, 0xfe]) });
    assert.deepEqual(codes(diagnostics), ['CODE_NOT_UTF8']);
  });

  it('does not parse files above the size limit, judged by the bytes actually read [REV-103]', async () => {
    const big = `eval(1);${' '.repeat(200)}`;
    const { diagnostics } = await review({ 'big.js': big, 'small.js': 'eval(1);' }, undefined, {
      maxFileBytes: 100,
    });
    assert.deepEqual(codes(diagnostics), ['CODE_ANALYSIS_LIMIT', 'CODE_EVAL']);

    const lying = memorySource({ 'big.js': big });
    const liar = { ...lying, files: [{ path: 'big.js', size: 10 }], read: lying.read };
    const result = await analyzeSource(liar, { minHostVersion: '1.0.0' }, fixtureRegistry, {
      maxFileBytes: 100,
    });
    assert.deepEqual(codes(result.diagnostics), ['CODE_ANALYSIS_LIMIT']);
  });

  it('stops when the time budget runs out and says so [REV-103]', async () => {
    let clock = 0;
    const now = () => (clock += 10);
    const files = { 'a.js': 'eval(1);', 'b.js': 'eval(2);', 'c.js': 'eval(3);' };
    const { diagnostics } = await review(files, undefined, { timeBudgetMs: 25, now });
    assert.ok(
      diagnostics.some((d) => d.code === 'CODE_ANALYSIS_LIMIT'),
      'the review says it hit CODE_ANALYSIS_LIMIT',
    );
    assert.ok(
      codes(diagnostics).filter((c) => c === 'CODE_EVAL').length < 3,
      'the time budget stopped the review before every eval was reported',
    );
  });

  it('reports absurdly nested code as an analysis limit, not a crash [REV-103]', async () => {
    const depth = 100_000;
    const { diagnostics } = await review({
      'deep.js': `${'('.repeat(depth)}1${')'.repeat(depth)}`,
    });
    assert.deepEqual(codes(diagnostics), ['CODE_ANALYSIS_LIMIT']);
  });

  it('never throws on arbitrary file content, for scripts and pages alike', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (content) => {
        const result = await review({ 'a.js': content, 'b.mjs': content, 'c.html': content });
        for (const d of result.diagnostics)
          assert.ok(d.code.startsWith('CODE_'), `${d.code} is a CODE_ code`);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on JavaScript-looking noise built from risky tokens', async () => {
    const token = fc.constantFrom(
      'eval',
      'window',
      '.',
      '[',
      ']',
      '(',
      ')',
      '{',
      '}',
      "'top'",
      '`',
      '${',
      'import',
      'new',
      'Function',
      'MiniAppBridge',
      'call',
      "'payment.pay'",
      ',',
      ';',
      '=',
      'const',
      'x',
      '=>',
      'async',
      'await',
      'if',
      '!',
      '&&',
      'canIUse',
      'fetch',
      "'https://a.example/'",
      '+',
      '\n',
      '<script>',
      '</script>',
      'onclick="',
      '"',
      'with',
      'class',
      'super',
      '#p',
      '?.',
      '...',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 60 }), async (tokens) => {
        const content = tokens.join(' ');
        await review({ 'a.js': content, 'c.html': `<script>${content}</script><p ${content}>` });
      }),
      { numRuns: 500 },
    );
  });
});
