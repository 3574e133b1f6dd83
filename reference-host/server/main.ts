/**
 * Starts the reference host: builds its web layer, serves it with the runtime origins, and points it
 * at a distribution server. `npm run start:host` runs this alone; the root `npm start` runs it beside
 * the reference server.
 *
 * Environment: HOST_PORT (8090), HOST_MODE (development | conformance | production),
 * DISTRIBUTION_URL (http://127.0.0.1:8080), DATA_DIR (./.data, where the server keeps its development
 * credentials).
 */
import path from 'node:path';
import { buildHostWeb, type BuildMode } from '../build/web-build.ts';
import { developmentConfig } from './host-configuration.ts';
import { startHostServer } from './host-server.ts';

function fail(message: string): never {
  console.error(`reference-host: ${message}`);
  process.exit(1);
}

const mode = (process.env.HOST_MODE ?? 'development') as BuildMode;
if (!['development', 'conformance', 'production'].includes(mode)) {
  fail(`HOST_MODE="${mode}" must be development, conformance or production`);
}
const portText = process.env.HOST_PORT ?? '8090';
if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
  fail(`HOST_PORT="${portText}" must be a port number`);
const distributionUrl = process.env.DISTRIBUTION_URL ?? 'http://127.0.0.1:8080';
const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');

const webDir = await buildHostWeb(mode).catch((error: unknown) =>
  fail(`cannot build the web layer: ${String(error)}`),
);
const config = await developmentConfig({ distributionUrl, dataDir }).catch((error: unknown) =>
  fail(
    `cannot configure the host for ${distributionUrl}: ${error instanceof Error ? error.message : String(error)}`,
  ),
);
const running = await startHostServer({ webDir, port: Number(portText), config }).catch(
  (error: unknown) =>
    fail(
      `cannot listen on 127.0.0.1:${portText}: ${error instanceof Error ? error.message : String(error)}`,
    ),
);

console.log(`reference-host: listening on ${running.hostOrigin} (${mode} build)`);
console.log(
  [
    `  host:        ${running.hostOrigin}/`,
    `  deep link:   ${running.hostOrigin}/?link=miniapp://dev.openminiapp.examples.shop/`,
    `  runtime:     ${running.runtimeOrigin('<app>')} (one origin per installed mini-app)`,
    `  distributes: ${distributionUrl}`,
    '',
    `  Open the super app: ${running.hostOrigin}/`,
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void running.close().then(() => process.exit(0));
  });
}
