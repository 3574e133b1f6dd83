import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PermissionName } from '../generated/bridge/methods.ts';
import { schemasRoot, validatorFor } from './schema-registry.ts';

/** One method of schemas/bridge/method-registry.json [BRG-023]. */
export interface BridgeMethodEntry {
  /** `namespace.verb` [BRG-014]. */
  name: string;
  /** The host API version that introduced the method [BRG-016]. */
  since: string;
  /** The permission the method requires, or null [PRM-002]. */
  permission: PermissionName | null;
  summary: string;
  /** Path below schemas/bridge/ of the file whose $defs.params and $defs.result describe it. */
  schema: string;
}

/** One event of the registry [BRG-008]. */
export interface BridgeEventEntry {
  name: string;
  since: string;
  summary: string;
}

export interface BridgeMethodRegistry {
  hostApiVersions: string[];
  methods: BridgeMethodEntry[];
  events: BridgeEventEntry[];
}

let cached: BridgeMethodRegistry | undefined;

/**
 * The bridge method registry, validated against its schema on first use. Node-only (it reads the
 * file); browser code uses the generated `bridgeMethodList` of schemas/generated/bridge/methods.ts.
 */
export function bridgeMethodRegistry(): BridgeMethodRegistry {
  if (cached) return cached;
  const file = path.join(schemasRoot, 'bridge/method-registry.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const validate = validatorFor('bridge/method-registry.schema.json');
  if (!validate(data)) {
    throw new Error(`${file} is invalid: ${JSON.stringify(validate.errors)}`);
  }
  const { hostApiVersions, methods, events } = data as BridgeMethodRegistry;
  cached = Object.freeze({ hostApiVersions, methods, events });
  return cached;
}

/** The registry entry of a method, by exact name; inherited property names never match [BRG-015]. */
export function bridgeMethod(name: string): BridgeMethodEntry | undefined {
  return bridgeMethodRegistry().methods.find((m) => m.name === name);
}
