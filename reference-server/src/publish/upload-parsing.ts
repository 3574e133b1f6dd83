import type { Readable } from 'node:stream';
import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiProblem } from '../http/problem.ts';

/**
 * Lets multipart/form-data reach the upload handler unread: the handler streams the parts itself, so
 * nothing is buffered before the size checks run [API-070]. Call once, before the server is ready.
 */
export function registerUploadParsing(app: FastifyInstance): void {
  if (app.hasContentTypeParser('multipart/form-data')) return;
  app.addContentTypeParser('multipart/form-data', (_request, _payload, done) => {
    done(null, undefined);
  });
}

/** One part of a multipart body, its bytes still to be read. */
export interface UploadPart {
  name: string;
  mediaType: string;
  stream: Readable;
}

const malformed = (detail: string): ApiProblem => new ApiProblem('API_VALIDATION_FAILED', detail);

/**
 * Reads the parts of a multipart request one at a time, in the order they arrive, so a handler can act
 * on the first part (the statement) before the second (the package) is read [API-069].
 */
export class MultipartReader {
  readonly #request: FastifyRequest;
  readonly #parser: BusboyInstance;
  readonly #ready: UploadPart[] = [];
  #failure: Error | null = null;
  #finished = false;
  #wake: (() => void) | null = null;
  #current: Readable | null = null;
  #idle: NodeJS.Timeout | undefined;
  readonly #onData = (): void => void this.#idle?.refresh();

  /**
   * `idleTimeoutMs`: how long the body may stall without a byte before the upload is refused with
   * 408 and the part being read is aborted, so a slow sender cannot hold the connection [API-177].
   */
  constructor(request: FastifyRequest, maxParts: number, idleTimeoutMs = 30_000) {
    this.#request = request;
    try {
      this.#parser = new Busboy({
        headers: request.headers as BusboyHeaders,
        // Every part is a stream, so the statement keeps its exact bytes (its digest is signed over) [SIG-031].
        isPartAFile: () => true,
        limits: { parts: maxParts, files: maxParts, headerPairs: 16, fieldNameSize: 64 },
      });
    } catch {
      throw malformed('the body is not multipart/form-data with a boundary');
    }
    const fail = (error: Error): void => {
      this.#failure ??= error;
      this.#notify();
    };
    this.#parser.on('file', (name, stream, _fileName, _encoding, mediaType) => {
      this.#current = stream;
      this.#ready.push({ name, mediaType, stream });
      this.#notify();
    });
    this.#parser.on('partsLimit', () =>
      fail(malformed(`the upload has more than ${maxParts} parts`)),
    );
    this.#parser.on('filesLimit', () =>
      fail(malformed(`the upload has more than ${maxParts} parts`)),
    );
    this.#parser.on('error', () => fail(malformed('the multipart body is malformed or truncated')));
    this.#parser.on('finish', () => {
      this.#finished = true;
      clearTimeout(this.#idle);
      this.#notify();
    });
    request.raw.on('error', () => fail(malformed('the request body was cut off')));
    const stalled = (): void => {
      const problem = new ApiProblem(
        'API_REQUEST_TIMEOUT',
        `no byte of the upload arrived for ${idleTimeoutMs} ms; send the body without pauses`,
        { headers: { connection: 'close' } },
      );
      fail(problem);
      this.#current?.destroy(problem);
    };
    this.#idle = setTimeout(stalled, idleTimeoutMs);
    request.raw.on('data', this.#onData);
    request.raw.on('end', () => clearTimeout(this.#idle));
    request.raw.pipe(this.#parser);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** The next part, or null once the body has ended. */
  async next(): Promise<UploadPart | null> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      const part = this.#ready.shift();
      if (part) return part;
      if (this.#finished) return null;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Stops feeding the parser: the rest of the body is not read, so an oversize upload costs no more. */
  abandon(): void {
    clearTimeout(this.#idle);
    // Without a listener the rest of the body is not read.
    this.#request.raw.off('data', this.#onData);
    this.#request.raw.unpipe(this.#parser);
    for (const part of this.#ready) part.stream.resume();
  }
}
