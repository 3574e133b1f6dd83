/** One part of a multipart/form-data body: a named file with its media type. */
export interface FormPart {
  name: string;
  type: string;
  bytes: Uint8Array;
}

/**
 * Encodes parts as multipart/form-data with Node's own FormData, in the order given (an upload sends
 * the statement before the package [API-069]), for callers of the upload route inside the project
 * (seeding, tests). Returns the body and its Content-Type with the boundary.
 */
export async function encodeForm(
  parts: readonly FormPart[],
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const part of parts) {
    // A copy into a plain ArrayBuffer, which Blob takes whatever backs the caller's array.
    form.append(part.name, new Blob([new Uint8Array(part.bytes)], { type: part.type }), part.name);
  }
  const request = new Request('http://localhost/', { method: 'PUT', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type') ?? 'multipart/form-data' },
  };
}
