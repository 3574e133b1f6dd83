import path from 'node:path';
import { build } from 'esbuild';
import { doNotEditTs, type Generator } from './generator.ts';

const entry = 'sdk/src/preview/host-page-entry.ts';

/**
 * The host page script of `miniapp preview` (the mock bridge, its prompts, wallet sheet and toasts)
 * as one classic script, which the preview server serves at /host.js.
 */
const generator: Generator = {
  name: 'preview host bundle',
  order: 55,
  async run(root) {
    const result = await build({
      entryPoints: [path.join(root, entry)],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      platform: 'browser',
      charset: 'utf8',
      legalComments: 'none',
      minify: true,
      banner: { js: doNotEditTs(entry).trimEnd() },
      logLevel: 'silent',
    });
    return [
      { path: 'sdk/generated/miniapp-preview-host.js', content: result.outputFiles[0]?.text ?? '' },
    ];
  },
};
export default generator;
