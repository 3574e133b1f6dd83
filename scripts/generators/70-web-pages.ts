import path from 'node:path';
import { build } from 'esbuild';
import { doNotEditTs, type GeneratedFile, type Generator } from './generator.ts';

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
      const result = await build({
        entryPoints: [path.join(root, entry)],
        bundle: true,
        write: false,
        format: 'iife',
        target: 'es2022',
        platform: 'browser',
        charset: 'utf8',
        legalComments: 'none',
        banner: { js: doNotEditTs(entry).trimEnd() },
        logLevel: 'silent',
      });
      files.push({
        path: `reference-server/web/generated/${name}.js`,
        content: result.outputFiles[0]?.text ?? '',
      });
    }
    return files;
  },
};
export default generator;
