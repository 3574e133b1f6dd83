const encoder = new TextEncoder();

/**
 * DSSE pre-authentication encoding [SIG-011]:
 * "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths in bytes as ASCII decimal.
 * Binding the type into the signed bytes is what makes type confusion fail [SIG-012].
 */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = encoder.encode(payloadType);
  const head = encoder.encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}
