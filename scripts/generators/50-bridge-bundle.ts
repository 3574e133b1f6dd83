import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { bundleClassicScript } from './browser-bundle.ts';
import type { GeneratedFile, Generator } from './generator.ts';

const entry = 'sdk/src/bridge/browser-entry.ts';

/**
 * The bridge client as one classic script (`<script src=".../miniapp-bridge.js">` defines `MiniAppBridge`),
 * for partners who do not bundle, and copied into each example so the examples pack as they are.
 */
const generator: Generator = {
  name: 'bridge browser bundle',
  order: 50,
  async run(root) {
    const content = await bundleClassicScript(root, entry, { target: 'es2020' });
    const files: GeneratedFile[] = [{ path: 'sdk/generated/miniapp-bridge.js', content }];
    const examples = await readdir(path.join(root, 'examples'), { withFileTypes: true }).catch(
      () => [],
    );
    for (const example of examples
      .filter((e) => e.isDirectory())
      .sort((a, b) => a.name.localeCompare(b.name))) {
      files.push({ path: `examples/${example.name}/generated/miniapp-bridge.js`, content });
    }
    return files;
  },
};
export default generator;
