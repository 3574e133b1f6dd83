import { bundleClassicScript } from './browser-bundle.ts';
import type { GeneratedFile, Generator } from './generator.ts';

const consoles = ['portal', 'review'] as const;

/**
 * The developer portal and the review console as one classic script each, served by the reference
 * server from reference-server/web/generated/ (a strict CSP forbids inline scripts, so they are files).
 */
const generator: Generator = {
  name: 'web pages bundles',
  order: 70,
  async run(root) {
    const files: GeneratedFile[] = [];
    for (const name of consoles) {
      const entry = `reference-server/web/${name}.ts`;
      files.push({
        path: `reference-server/web/generated/${name}.js`,
        content: await bundleClassicScript(root, entry, { target: 'es2022' }),
      });
    }
    return files;
  },
};
export default generator;
