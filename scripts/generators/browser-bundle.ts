import path from 'node:path';
import { build } from 'esbuild';
import { doNotEditTs } from './generator.ts';

/**
 * Bundles a browser entry point into one classic script (IIFE) with the do-not-edit header, for pages
 * whose CSP forbids inline code and for partners who load the bridge with a plain <script>.
 */
export async function bundleClassicScript(
  root: string,
  entry: string,
  options: { target: 'es2020' | 'es2022'; minify?: boolean },
): Promise<string> {
  const result = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    write: false,
    format: 'iife',
    target: options.target,
    platform: 'browser',
    charset: 'utf8',
    legalComments: 'none',
    ...(options.minify ? { minify: true } : {}),
    banner: { js: doNotEditTs(entry).trimEnd() },
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  return output.text;
}
