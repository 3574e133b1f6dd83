/**
 * The registry as the host's dispatcher reads it: method names matched exactly, never through
 * inherited properties [BRG-014] [BRG-015], with `since`, the permission [PRM-002] and the parameter
 * names that capability queries may name [VER-017].
 */
import {
  bridgeEventList,
  bridgeMethodList,
  type BridgeMethodName,
  type PermissionName,
} from '#schemas/generated/bridge/methods.ts';
import {
  bridgeMethodSchemaIds,
  bridgeSchemaDocuments,
} from '#schemas/generated/bridge/method-schemas.ts';
import { canIUse, type CapabilityEntry } from '#sdk/versioning/capability.ts';
import { compareHostApiVersions } from '#sdk/versioning/host-api-version.ts';

export interface MethodEntry {
  name: BridgeMethodName;
  since: string;
  permission: PermissionName | null;
  /** Path below schemas/ of the method's schema document. */
  schemaPath: string;
}

const schemaBase = 'https://openminiapp.dev/schemas/v1/';

export const methodCatalog: ReadonlyMap<string, MethodEntry> = new Map(
  bridgeMethodList.map((m) => {
    const id = bridgeMethodSchemaIds[m.name] ?? '';
    return [
      m.name,
      {
        name: m.name,
        since: m.since,
        permission: m.permission as PermissionName | null,
        schemaPath: id.startsWith(schemaBase) ? id.slice(schemaBase.length) : id,
      },
    ];
  }),
);

export const eventCatalog: ReadonlyMap<string, string> = new Map(
  bridgeEventList.map((e) => [e.name, e.since]),
);

/** Parameters share their method's `since` unless the registry gives them one [VER-016]. */
function parameterNames(name: string): string[] {
  const id = bridgeMethodSchemaIds[name];
  const doc = id
    ? (bridgeSchemaDocuments[id] as { $defs?: { params?: { properties?: object } } })
    : undefined;
  return Object.keys(doc?.$defs?.params?.properties ?? {});
}

const capabilities: CapabilityEntry[] = bridgeMethodList.map((m) => ({
  name: m.name,
  since: m.since,
  params: Object.fromEntries(parameterNames(m.name).map((p) => [p, m.since])),
}));

/** [VER-017] [VER-018] [BRG-026] */
export function canIUseQuery(
  hostApiVersion: string,
  query: string,
  implemented: ReadonlySet<string>,
): boolean {
  return canIUse(
    hostApiVersion,
    query,
    capabilities.filter((c) => implemented.has(c.name)),
  );
}

/** The registered methods a host of this API version must implement [BRG-023]. */
export function methodsUpTo(hostApiVersion: string): MethodEntry[] {
  return [...methodCatalog.values()].filter(
    (m) =>
      m.since.split('.')[0] === hostApiVersion.split('.')[0] &&
      compareHostApiVersions(m.since, hostApiVersion) <= 0,
  );
}

export function eventAvailable(name: string, hostApiVersion: string): boolean {
  const since = eventCatalog.get(name);
  return since !== undefined && compareHostApiVersions(since, hostApiVersion) <= 0;
}
