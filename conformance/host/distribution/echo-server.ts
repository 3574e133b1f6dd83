import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsMaterial } from '../driver/tls-certificate.ts';

/**
 * The suite's mini-app network origins (spec/conformance.md): `echo.openminiapp.test` (listed in the
 * probes' allowedDomains) and `other.openminiapp.test` (not listed), one HTTPS server for both. It
 * records every request by host name, so a case can show that the host never reached an origin it
 * must not (BRG-028), and answers `/redirect?to=` with a 302 (BRG-029).
 */
export interface EchoRequest {
  at: number;
  host: string;
  method: string;
  path: string;
}

export class EchoServer {
  readonly requests: EchoRequest[] = [];
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(tls: TlsMaterial, port = 0, address = '127.0.0.1'): Promise<EchoServer> {
    const holder: { instance?: EchoServer } = {};
    const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://echo.invalid');
      const host = (req.headers.host ?? '').toLowerCase();
      holder.instance?.requests.push({
        at: Date.now(),
        host,
        method: req.method ?? 'GET',
        path: url.pathname,
      });
      const cors = {
        'access-control-allow-origin': '*',
        'access-control-allow-headers': '*',
        'access-control-allow-methods': 'GET, POST, PUT, DELETE',
      };
      if (url.pathname === '/listener.html') {
        // A document of another origin: it writes every message it receives where WebDriver reads it.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<!doctype html><title>listener</title><pre id="heard"></pre><script>' +
            'addEventListener("message", function (e) { var d = e.data; try { d = JSON.stringify(d); } catch (x) { d = String(d); }' +
            ' document.getElementById("heard").textContent += d + "\\n"; });</script>',
        );
        return;
      }
      if (url.pathname === '/redirect') {
        res.writeHead(302, { ...cors, location: url.searchParams.get('to') ?? '/' });
        res.end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { ...cors, 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            echo: true,
            host,
            method: req.method,
            path: url.pathname,
            query: url.search,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 1000),
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(port, address, resolve));
    holder.instance = new EchoServer(server, (server.address() as AddressInfo).port);
    return holder.instance;
  }

  requestsFor(hostName: string): EchoRequest[] {
    return this.requests.filter((r) => r.host.split(':')[0] === hostName);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
