import { compareHostApiVersions, hostSatisfies, parseHostApiVersion } from './host-api-version.ts';

/** A bridge method as the registry describes it; `params` gives a `since` for parameters added later [VER-016]. */
export interface CapabilityEntry {
  name: string;
  since: string;
  params?: Readonly<Record<string, string>>;
}

/** The method a query names: the longest registered name equal to it or followed by a dot. */
function resolveQuery(
  query: string,
  registry: readonly CapabilityEntry[],
): { method: CapabilityEntry; param: string | null } | null {
  let best: CapabilityEntry | null = null;
  for (const entry of registry) {
    const matches = query === entry.name || query.startsWith(`${entry.name}.`);
    if (matches && (best === null || entry.name.length > best.name.length)) best = entry;
  }
  if (best === null) return null;
  return { method: best, param: query === best.name ? null : query.slice(best.name.length + 1) };
}

/**
 * The answer of `host.canIUse` for a host at `hostApiVersion` [VER-017] [VER-018]: true exactly when the
 * query names a registered method, or `<method>.<parameter>`, available at that version; false otherwise.
 */
export function canIUse(
  hostApiVersion: string,
  query: string,
  registry: readonly CapabilityEntry[],
): boolean {
  parseHostApiVersion(hostApiVersion);
  const resolved = resolveQuery(query, registry);
  if (resolved === null || !hostSatisfies(hostApiVersion, resolved.method.since)) return false;
  if (resolved.param === null) return true;
  const params = resolved.method.params ?? {};
  // Own keys only: "toString" or "__proto__" must not reach inherited members [VER-018].
  if (!Object.hasOwn(params, resolved.param)) return false;
  const since = params[resolved.param];
  return since !== undefined && hostSatisfies(hostApiVersion, since);
}

/** The lowest minHostVersion that covers some calls, and the method that forces it. */
export interface RequiredHostVersion {
  version: string;
  because: string;
}

/**
 * The lowest host API version that implements every listed method [VER-010] [VER-011], naming the
 * first method that needs it. Methods absent from the registry are ignored (the code review reports them);
 * null when no listed method is registered.
 */
export function requiredHostVersion(
  methods: readonly string[],
  registry: readonly Pick<CapabilityEntry, 'name' | 'since'>[],
): RequiredHostVersion | null {
  const since = new Map(registry.map((entry) => [entry.name, entry.since]));
  let required: RequiredHostVersion | null = null;
  for (const method of methods) {
    const version = since.get(method);
    if (version === undefined) continue;
    if (required === null || compareHostApiVersions(version, required.version) > 0) {
      required = { version, because: method };
    }
  }
  return required;
}
