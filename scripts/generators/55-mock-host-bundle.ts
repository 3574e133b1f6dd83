import { bundleClassicScript } from './browser-bundle.ts';
import type { Generator } from './generator.ts';

const entry = 'sdk/src/preview/host-page-entry.ts';

/**
 * The host page script of `miniapp preview` (the mock bridge, its prompts, wallet sheet and toasts)
 * as one classic script, which the preview server serves at /host.js.
 */
const generator: Generator = {
  name: 'preview host bundle',
  order: 55,
  async run(root) {
    const content = await bundleClassicScript(root, entry, { target: 'es2020', minify: true });
    return [{ path: 'sdk/generated/miniapp-preview-host.js', content }];
  },
};
export default generator;
