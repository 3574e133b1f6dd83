import { readFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../cli/main.ts';
import type { ConformanceReport } from '../../framework/index.ts';
import { ConformanceServer } from '../../host/distribution/conformance-server.ts';
import { TrustWorld } from '../../host/distribution/trust-world.ts';
import type { HostRecipe } from './host-recipes.ts';
import { patchedTree } from './patched-tree.ts';
import { startHostProcess } from './host-process.ts';

export interface HostCertification {
  code: number;
  report: ConformanceReport;
  output: string;
}

/**
 * The distribution server a reference host starts against: the suite's own server with a published
 * trust world, so that the host has a root to start with (the adapter's init then points it at the
 * suite's server of the run). Close it after the run.
 */
export async function startStartupDistribution(): Promise<ConformanceServer> {
  const stub = await ConformanceServer.start();
  const world = await TrustWorld.create();
  world.publish();
  stub.reset(world);
  return stub;
}

/**
 * Certifies the reference host of a tree (patched by the recipe, or unbroken) through
 * `miniapp-certify host`, exactly as a vendor runs it, with a JSON report in reportDir/<name>.
 * The host and its copied tree are always removed afterwards.
 */
export async function certifyReferenceHost(
  recipe: HostRecipe | undefined,
  options: { distributionUrl: string; reportDir: string; args: string[] },
): Promise<HostCertification> {
  const tree = patchedTree(recipe);
  const host = await startHostProcess(tree.dir, options.distributionUrl);
  let output = '';
  const io = {
    stdout: { write: (c: string) => (output += c) },
    stderr: { write: (c: string) => (output += c) },
  };
  try {
    const dir = path.join(options.reportDir, recipe?.name ?? 'reference');
    const code = await main(
      [
        'host',
        '--url',
        host.url,
        '--implementation-name',
        recipe ? `reference-host (${recipe.name})` : 'reference-host',
        '--implementation-version',
        '0.1.0',
        '--report-dir',
        dir,
        '--format',
        'json',
        ...options.args,
      ],
      io,
    );
    const report = JSON.parse(
      readFileSync(path.join(dir, 'certify-host.json'), 'utf8'),
    ) as ConformanceReport;
    return { code, report, output };
  } finally {
    await host.stop();
    tree.remove();
  }
}
