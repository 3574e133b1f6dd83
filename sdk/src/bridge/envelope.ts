import type { BridgeErrorObject } from './bridge-error.ts';

/** The protocol marker every envelope carries [BRG-001]. */
export const bridgeMarker = 'openminiapp';
export const protocolVersion = 1;
/** Largest accepted message: 2 MiB of UTF-8 JSON text [BRG-007]. */
export const maxMessageBytes = 2 * 1024 * 1024;
/** Request ids: 1 to 64 characters [BRG-003]. */
export const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

export interface BridgeRequest {
  bridge: typeof bridgeMarker;
  v: typeof protocolVersion;
  kind: 'request';
  id: string;
  method: string;
  params: Record<string, unknown>;
}

export type BridgeResponse =
  | { bridge: typeof bridgeMarker; v: 1; kind: 'response'; id: string; ok: true; result: unknown }
  | {
      bridge: typeof bridgeMarker;
      v: 1;
      kind: 'response';
      id: string;
      ok: false;
      error: BridgeErrorObject;
    };

export interface BridgeEvent {
  bridge: typeof bridgeMarker;
  v: 1;
  kind: 'event';
  name: string;
  data: Record<string, unknown>;
}

export interface BridgeInit {
  bridge: typeof bridgeMarker;
  v: 1;
  kind: 'init';
  hostApiVersion: string;
}

export type BridgeEnvelope = BridgeRequest | BridgeResponse | BridgeEvent | BridgeInit;

/** What a receiver makes of one incoming message. */
export type ParsedMessage =
  | { outcome: 'envelope'; envelope: BridgeEnvelope }
  /** Not addressed to this protocol: drop silently [BRG-001]. */
  | { outcome: 'foreign' }
  /** Ours but broken; `id` is set when a response can still be correlated [BRG-002]. */
  | { outcome: 'malformed'; reason: string; id?: string }
  | { outcome: 'too-large'; id?: string };

const utf8 = new TextEncoder();

export function utf8Length(text: string): number {
  return utf8.encode(text).byteLength;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function hasExactly(value: Record<string, unknown>, members: readonly string[]): boolean {
  const keys = Object.keys(value);
  return keys.length === members.length && members.every((m) => Object.hasOwn(value, m));
}

const errorMembers = new Set(['code', 'message', 'requirement', 'location', 'fix', 'details']);

function isErrorObject(value: unknown): value is BridgeErrorObject {
  if (!isPlainObject(value)) return false;
  if (typeof value.code !== 'string' || !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(value.code))
    return false;
  if (typeof value.message !== 'string' || value.message.length === 0) return false;
  return Object.keys(value).every((k) => errorMembers.has(k));
}

/** The id of a broken message, when it has a usable one, so that the sender can be answered. */
function usableId(value: Record<string, unknown>): string | undefined {
  return typeof value.id === 'string' && requestIdPattern.test(value.id) ? value.id : undefined;
}

function classify(value: Record<string, unknown>): ParsedMessage {
  const malformed = (reason: string): ParsedMessage => {
    const id = usableId(value);
    return id === undefined
      ? { outcome: 'malformed', reason }
      : { outcome: 'malformed', reason, id };
  };
  if (value.v !== protocolVersion) return malformed('v must be 1');
  switch (value.kind) {
    case 'request':
      if (!hasExactly(value, ['bridge', 'v', 'kind', 'id', 'method', 'params']))
        return malformed('a request has exactly bridge, v, kind, id, method and params');
      if (typeof value.id !== 'string' || !requestIdPattern.test(value.id))
        return malformed('id must be 1 to 64 characters of A-Z a-z 0-9 . _ : -');
      if (typeof value.method !== 'string' || value.method.length < 1 || value.method.length > 128)
        return malformed('method must be a string of 1 to 128 characters');
      if (!isPlainObject(value.params)) return malformed('params must be an object');
      return { outcome: 'envelope', envelope: value as unknown as BridgeRequest };
    case 'response': {
      const ok = value.ok;
      const members = ['bridge', 'v', 'kind', 'id', 'ok', ok === true ? 'result' : 'error'];
      if (typeof ok !== 'boolean' || !hasExactly(value, members))
        return malformed('a response has ok: true with result, or ok: false with error');
      if (typeof value.id !== 'string' || !requestIdPattern.test(value.id))
        return malformed('id must be 1 to 64 characters of A-Z a-z 0-9 . _ : -');
      if (!ok && !isErrorObject(value.error)) return malformed('error must be an error object');
      return { outcome: 'envelope', envelope: value as unknown as BridgeResponse };
    }
    case 'event':
      if (!hasExactly(value, ['bridge', 'v', 'kind', 'name', 'data']))
        return malformed('an event has exactly bridge, v, kind, name and data');
      if (typeof value.name !== 'string' || value.name.length < 1 || value.name.length > 128)
        return malformed('name must be a string of 1 to 128 characters');
      if (!isPlainObject(value.data)) return malformed('data must be an object');
      return { outcome: 'envelope', envelope: value as unknown as BridgeEvent };
    case 'init':
      if (!hasExactly(value, ['bridge', 'v', 'kind', 'hostApiVersion']))
        return malformed('an init message has exactly bridge, v, kind and hostApiVersion');
      if (
        typeof value.hostApiVersion !== 'string' ||
        !/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(value.hostApiVersion)
      )
        return malformed('hostApiVersion must be MAJOR.MINOR.PATCH');
      return { outcome: 'envelope', envelope: value as unknown as BridgeInit };
    default:
      return malformed('kind must be request, response, event or init');
  }
}

/**
 * Reads one incoming message, JSON text or an already structured-cloned object, without ever throwing.
 * Foreign messages are reported so that the caller can ignore them [BRG-001]; size is checked before
 * parsing [BRG-007]; the structure matches schemas/bridge/*.schema.json [BRG-002].
 */
export function parseMessage(message: unknown): ParsedMessage {
  let value: unknown = message;
  if (typeof message === 'string') {
    if (message.length > maxMessageBytes || utf8Length(message) > maxMessageBytes) {
      // Only a cheap look for an id: the text is not parsed [BRG-007].
      const id = /"id"\s*:\s*"([A-Za-z0-9._:-]{1,64})"/.exec(message.slice(0, 4096))?.[1];
      return id === undefined ? { outcome: 'too-large' } : { outcome: 'too-large', id };
    }
    try {
      value = JSON.parse(message) as unknown;
    } catch {
      return { outcome: 'foreign' };
    }
  }
  if (!isPlainObject(value) || value.bridge !== bridgeMarker) return { outcome: 'foreign' };
  return classify(value);
}

/** Serialises an envelope to the JSON text that travels on every transport. */
export function encodeEnvelope(envelope: BridgeEnvelope): string {
  return JSON.stringify(envelope);
}
