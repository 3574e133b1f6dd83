/** The reference host in its conformance build, served on a free port for one test file. */
import { existsSync } from 'node:fs';
import { buildHostWeb, distDir, type BuildMode } from '../../build/web-build.ts';
import { startHostServer, type RunningHostServer } from '../../server/host-server.ts';

const built = new Set<BuildMode>();

export async function startHost(
  mode: BuildMode = 'conformance',
  config?: unknown,
): Promise<RunningHostServer> {
  if (!built.has(mode) && !(process.env.HOST_TEST_REUSE_BUILD && existsSync(distDir(mode)))) {
    await buildHostWeb(mode);
  }
  built.add(mode);
  return startHostServer({
    webDir: distDir(mode),
    port: 0,
    ...(config === undefined ? {} : { config }),
  });
}
