import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelHost } from './model-host.ts';

/**
 * Serves the model host's adapter over HTTP (POST /call with { command, args }), so that a test can
 * run it from a patched copy of the sdk in another process. Prints `listening <port>` when ready.
 */
const host = new ModelHost();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { command, args } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      command: string;
      args: unknown;
    };
    void host.call(command, args).then((record) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(record));
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
