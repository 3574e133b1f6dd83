import { concatBytes, utf8 } from '../crypto/byte-encoding.ts';

export interface FormPart {
  name: string;
  contentType: string;
  bytes: Uint8Array;
  filename?: string;
}

/** A multipart/form-data body (RFC 7578) with the parts in the order given. */
export function multipartBody(parts: readonly FormPart[]): {
  contentType: string;
  body: Uint8Array;
} {
  const boundary = `certify-${crypto.randomUUID()}`;
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const filename = part.filename ? `; filename="${part.filename}"` : '';
    chunks.push(
      utf8(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\nContent-Type: ${part.contentType}\r\n\r\n`,
      ),
      part.bytes,
      utf8('\r\n'),
    );
  }
  chunks.push(utf8(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: concatBytes(chunks) };
}
