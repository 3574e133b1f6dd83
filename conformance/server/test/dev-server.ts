import { startServerProcess } from './server-process.ts';

/** Developer aid: starts the reference server and prints how to certify it; Ctrl-C stops it. */
const server = await startServerProcess({
  env: process.env.SCREENSHOTS === 'on' ? {} : { REVIEW_SCREENSHOTS: 'off' },
});
console.log(`url ${server.url}`);
console.log(`credentials ${server.credentialsFile}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void server.stop().then(() => process.exit(0)));
