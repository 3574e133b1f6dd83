import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemDocument, sendProblem } from '../http/problem.ts';
import {
  consoles,
  contentSecurityPolicy,
  webRoot,
  type Console,
  type PageAsset,
} from './page-assets.ts';

interface LoadedAsset {
  bytes: Buffer;
  etag: string;
}

/** Headers of every console response, problems included. */
const securityHeaders: Record<string, string> = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Options of registerWebPages; tests point `root` at another folder. */
export interface WebPagesOptions {
  root?: string;
}

/**
 * Serves the developer portal under /portal/ and the review console under /review/: static pages that
 * call this server's own API with the signed-in account's bearer token. Only the files of each
 * console's closed table are served, under a strict Content-Security-Policy.
 */
export function registerWebPages(app: FastifyInstance, options: WebPagesOptions = {}): void {
  const root = options.root ?? webRoot;
  const cache = new Map<string, Promise<LoadedAsset | null>>();
  const load = (asset: PageAsset): Promise<LoadedAsset | null> => {
    let loaded = cache.get(asset.source);
    if (!loaded) {
      loaded = readFile(path.join(root, asset.source)).then(
        (bytes) => ({
          bytes,
          etag: `"${createHash('sha256').update(bytes).digest('base64url')}"`,
        }),
        () => null,
      );
      cache.set(asset.source, loaded);
    }
    return loaded;
  };

  const notFound = (request: FastifyRequest, reply: FastifyReply, detail: string) =>
    sendProblem(
      reply,
      problemDocument('API_NOT_FOUND', 404, detail, undefined, `urn:request:${request.id}`),
      securityHeaders,
    );

  const serve = async (
    site: Console,
    name: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const asset = site.assets.get(name);
    if (!asset)
      return notFound(
        request,
        reply,
        `the ${site.prefix} pages have no file ${JSON.stringify(name)}`,
      );
    const loaded = await load(asset);
    if (!loaded) {
      // The bundles are build output; a checkout without them answers a clear 404, not a crash.
      return notFound(request, reply, `${asset.source} is not built; run npm run generate`);
    }
    reply.headers({ ...securityHeaders, 'cache-control': 'no-cache', etag: loaded.etag });
    if (request.headers['if-none-match'] === loaded.etag) return reply.code(304).send();
    return reply.type(asset.mediaType).send(loaded.bytes);
  };

  for (const site of consoles) {
    const bare = site.prefix.slice(0, -1);
    app.get(bare, (_request, reply) => reply.headers(securityHeaders).redirect(site.prefix, 308));
    app.get(site.prefix, (request, reply) => serve(site, '', request, reply));
    app.get(`${site.prefix}:file`, (request, reply) => {
      const { file } = request.params as { file: string };
      return serve(site, file, request, reply);
    });
  }
}
