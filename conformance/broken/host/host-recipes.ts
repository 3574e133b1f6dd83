/**
 * The broken-host corpus: each recipe is the reference host (with the sdk code it bundles) with one
 * check removed the way an implementer might remove it, the cases that must catch it, and the
 * requirement they must name. Recipes are textual patches: `find` must occur exactly once in the
 * file, so a recipe that no longer fits the code it patches fails loudly instead of testing nothing.
 *
 * `sdk` recipes patch the trust code every host of this repository bundles (sdk/src/signing); the
 * suite's model host (conformance/host/test) runs them today. `host` recipes patch reference-host/.
 */

export interface Patch {
  /** Path from the repository root. */
  file: string;
  find: string;
  replace: string;
}

export interface HostRecipe {
  name: string;
  /** The requirement the broken host violates; the failing cases must cite it. */
  violates: string;
  /** How a real implementation gets this wrong. */
  note: string;
  /** Case-id patterns to run (keeps the run short). */
  only: string[];
  /** Cases that must fail. */
  catches: string[];
  target: 'sdk' | 'host';
  patches: Patch[];
}

const trustStore = 'sdk/src/signing/trust-store.ts';
const dispatcher = 'reference-host/src/bridge/dispatcher.ts';
const superApp = 'reference-host/src/host/super-app.ts';
const updateSelection = 'sdk/src/distribution/update-selection.ts';
const permissionManager = 'reference-host/src/permissions/permission-manager.ts';
const bridgeStorage = 'reference-host/src/state/bridge-storage.ts';
const packagePath = 'sdk/src/package/package-path.ts';
const envelope = 'sdk/src/bridge/envelope.ts';
const linkParser = 'sdk/src/addressing/link-parser.ts';

export const hostRecipes: HostRecipe[] = [
  {
    name: 'bundle-read-to-size-limit',
    violates: 'SIG-040',
    note: 'Reads a bundle up to the largest package it accepts (25 MiB) and compares the length afterwards, instead of stopping at the signed length.',
    only: ['host.signing.bundle-endless', 'host.signing.bundle-longer-than-signed'],
    catches: ['host.signing.bundle-endless'],
    target: 'host',
    patches: [
      {
        file: 'reference-host/src/distribution/transfer.ts',
        find: '    { length: signedLength },',
        replace: '    { length: Math.max(signedLength, 25 * 1024 * 1024) },',
      },
    ],
  },
  {
    name: 'skips-signature-threshold',
    violates: 'SIG-033',
    note: 'Returns the payload whatever the signatures say: "we fetched it over TLS from our own server".',
    only: ['host.signing.release-signed-by-index-key', 'host.signing.ed25519-chain'],
    catches: ['host.signing.release-signed-by-index-key'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/envelope.ts',
        find: 'if (validKeyids.length >= threshold) return { payload, validKeyids };',
        replace: 'if (validKeyids.length >= 0) return { payload, validKeyids };',
      },
    ],
  },
  {
    name: 'ignores-expiry',
    violates: 'SIG-063',
    note: 'Treats expiry as advisory so that devices with a wrong clock still update.',
    only: ['host.signing.index-expired', 'host.signing.delegation-expired'],
    catches: ['host.signing.index-expired'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/timestamp.ts',
        find: 'return !(Date.parse(expires) > now.getTime());',
        replace: 'return Number.isNaN(Date.parse(expires)) && now.getTime() < 0;',
      },
    ],
  },
  {
    name: 'skips-index-rollback',
    violates: 'SIG-062',
    note: 'Accepts any validly signed index, forgetting that an older one hides revocations.',
    only: ['host.signing.index-rollback'],
    catches: ['host.signing.index-rollback'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: 'if (index.version < this.#indexVersion) {',
        replace: 'if (index.version < 0) {',
      },
    ],
  },
  {
    name: 'trusts-index-without-bin-pin',
    violates: 'SIG-102',
    note: 'Verifies the bin signature but not that its digest is the one the index pins.',
    only: ['host.signing.bin-digest-not-pinned'],
    catches: ['host.signing.bin-digest-not-pinned'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: 'if (sha256Hex(bytes) !== pin.sha256) throw digestMismatch(`The bin "${prefix}"`, \'SIG-102\');',
        replace: '',
      },
    ],
  },
  {
    name: 'ignores-delegation-pin',
    violates: 'SIG-085',
    note: 'Takes whatever delegation the server serves for the app instead of the pinned one.',
    only: ['host.signing.delegation-digest-not-pinned'],
    catches: ['host.signing.delegation-digest-not-pinned'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: "    if (sha256 !== entry.delegation.sha256)\n      throw digestMismatch(`The delegation of ${appId}`, 'SIG-085');\n",
        replace: '',
      },
    ],
  },
  {
    name: 'unbound-statement',
    violates: 'SIG-090',
    note: 'Checks the statement signature but not that it is the statement the release names.',
    only: ['host.signing.statement-digest-mismatch'],
    catches: ['host.signing.statement-digest-mismatch'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: "if (sha256 !== release.statement.sha256) throw digestMismatch('The statement', 'SIG-090');",
        replace: '',
      },
    ],
  },
  {
    name: 'ignores-revocation',
    violates: 'SIG-066',
    note: 'Never reads revokedReleases: a revoked release keeps installing until the server stops listing it.',
    only: ['host.signing.revoked-release'],
    catches: ['host.signing.revoked-release'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: 'if (entry.revokedReleases.includes(sha256)) {',
        replace: 'if (entry.revokedReleases.includes(sha256) && false) {',
      },
    ],
  },
  {
    name: 'rotation-old-keys-only',
    violates: 'SIG-052',
    note: 'Checks that the old root signed its successor, not that the successor signs itself.',
    only: ['host.signing.rotation-signed-by-old-keys-only', 'host.signing.rotation-walked'],
    catches: ['host.signing.rotation-signed-by-old-keys-only'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: '    try {\n      decodeRoot(envelope, next);\n    } catch (cause) {',
        replace: '    try {\n      void next;\n    } catch (cause) {',
      },
    ],
  },
  {
    name: 'skips-delegation-rollback',
    violates: 'SIG-086',
    note: 'Accepts any pinned delegation, so an old one re-enables a key the partner removed.',
    only: ['host.signing.delegation-rollback'],
    catches: ['host.signing.delegation-rollback'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: '      (delegation.version < trusted.version ||',
        replace: '      (delegation.version < 0 ||',
      },
    ],
  },
  // Checks of the reference host itself.
  {
    name: 'ignores-min-host-version',
    violates: 'VER-007',
    note: 'Installs and launches whatever the bin offers; the runtime will cope with missing methods.',
    only: ['host.versioning.update-required', 'host.versioning.other-major-update-required'],
    catches: ['host.versioning.update-required'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '    if (!hostSatisfies(this.hostApiVersion, release.minHostVersion))\n      return { minHostVersion: release.minHostVersion };',
        replace: '',
      },
      {
        file: superApp,
        find: '    if (!hostSatisfies(this.hostApiVersion, extracted.manifest.minHostVersion)) {',
        replace: '    if (extracted.manifest.minHostVersion === "never") {',
      },
      {
        // The host decides updates on the bin with the sdk's selection [API-101], which checks too.
        file: updateSelection,
        find: '  const compatible = (r: BinRelease): boolean => hostRuns(hostApiVersion, r.minHostVersion);',
        replace:
          '  const compatible = (r: BinRelease): boolean => r.minHostVersion !== hostApiVersion + "!";',
      },
    ],
  },
  {
    name: 'no-update-screen',
    violates: 'VER-008',
    note: 'Declines the launch but shows its generic error screen.',
    only: ['host.versioning.update-required'],
    catches: ['host.versioning.update-required'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '        this.deps.screens.updateRequired(display, decision.minHostVersion);',
        replace: '',
      },
    ],
  },
  {
    name: 'permission-enforced-in-ui-only',
    violates: 'BRG-017',
    note: 'Greys out the button for undeclared permissions in the UI kit, but the bridge asks the user anyway.',
    only: ['host.bridge.undeclared-permission'],
    catches: ['host.bridge.undeclared-permission'],
    target: 'host',
    patches: [
      {
        file: dispatcher,
        find: 'if (permission !== null && !Object.hasOwn(declared, permission)) {',
        replace: 'if (permission === "none" && !Object.hasOwn(declared, permission)) {',
      },
    ],
  },
  {
    name: 'params-validated-after-prompt',
    violates: 'BRG-018',
    note: 'Asks for consent first, then lets the plugin validate its params.',
    only: ['host.bridge.params-before-prompt'],
    catches: ['host.bridge.params-before-prompt'],
    target: 'host',
    patches: [
      {
        file: dispatcher,
        find: '    // [BRG-018]\n    const validateParams',
        replace:
          "    if (permission !== null && (await consent.request(app, permission)) !== 'granted')\n      return failure(id, 'PERMISSION_DENIED', 'denied', method, { permission });\n    // [BRG-018]\n    const validateParams",
      },
    ],
  },
  {
    name: 'inherited-method-lookup',
    violates: 'BRG-015',
    note: 'Looks methods up in a plain object, so __proto__ and constructor resolve to built-ins.',
    only: ['host.bridge.inherited-names-unknown'],
    catches: ['host.bridge.inherited-names-unknown'],
    target: 'host',
    patches: [
      {
        file: dispatcher,
        find: '    const entry = methodCatalog.get(method);',
        replace:
          '    const entry = (Object.fromEntries(methodCatalog) as Record<string, ReturnType<typeof methodCatalog.get>>)[method];',
      },
    ],
  },
  {
    name: 'shared-storage-namespace',
    violates: 'STO-001',
    note: 'Keys storage by user only: one namespace for every mini-app of the user.',
    only: ['host.storage.namespaces'],
    catches: ['host.storage.namespaces'],
    target: 'host',
    patches: [
      {
        file: bridgeStorage,
        find: 'return `sto/${encodeURIComponent(userId)}/${encodeURIComponent(appId)}/`;',
        replace: 'return `sto/${encodeURIComponent(userId)}/${appId.length > 0 ? "" : "x"}`;',
      },
    ],
  },
  {
    name: 'wildcard-connect-src',
    violates: 'BRG-030',
    note: 'Ships connect-src * because the bridge already checks network.request.',
    only: ['host.bridge.content-security-policy'],
    catches: ['host.bridge.content-security-policy'],
    target: 'host',
    patches: [
      {
        file: 'reference-host/src/runtime/content-security-policy.ts',
        find: "`connect-src ${origins.length > 0 ? origins.join(' ') : \"'none'\"}`,",
        replace: '`connect-src *`,',
      },
    ],
  },
  // No recipe for BRG-032 (init to the exact origin) against the reference host: it sends the init
  // only after a hello on a MessagePort that it handed to the frame's origin alone, so posting the
  // init itself to "*" reaches no other document and no run can observe it. The case is shown to
  // catch the fault on a harness page instead (conformance/host/test/webdriver-plumbing.test.ts).
  {
    name: 'network-outside-allow-list',
    violates: 'BRG-028',
    note: 'Checks allowedDomains only for fetch (through the policy), not for network.request.',
    only: ['host.bridge.network-outside-allowed-domains'],
    catches: ['host.bridge.network-outside-allowed-domains'],
    target: 'host',
    patches: [
      {
        file: 'reference-host/src/bridge/plugins/network-plugin.ts',
        find: '      if (!isAllowedOrigin(p.url, app.manifest.allowedDomains ?? [])) {',
        replace:
          '      if (!isAllowedOrigin(p.url, app.manifest.allowedDomains ?? []) && p.url.length < 0) {',
      },
    ],
  },
  {
    name: 'network-follows-redirects',
    violates: 'BRG-029',
    note: "Its forwarding server follows redirects, as fetch and most HTTP clients do by default, so the bridge's check of the answer's status never sees the 302 and the request lands on an origin outside allowedDomains.",
    only: ['host.bridge.network-redirect'],
    catches: ['host.bridge.network-redirect'],
    target: 'host',
    patches: [
      {
        file: 'reference-host/server/host-server.ts',
        find: "    const out: Record<string, string> = { 'cache-control': 'no-store' };",
        replace: [
          '    const redirectTo = upstream.headers.location;',
          "    if ((upstream.statusCode ?? 0) >= 300 && (upstream.statusCode ?? 0) < 400 && typeof redirectTo === 'string') {",
          '      upstream.resume();',
          '      const next = new URL(redirectTo, target).href;',
          '      return forward(req, res, new URL(`http://forward.invalid/__forward?url=${encodeURIComponent(next)}`));',
          '    }',
          "    const out: Record<string, string> = { 'cache-control': 'no-store' };",
        ].join('\n'),
      },
    ],
  },
  {
    name: 'ready-from-any-version',
    violates: 'LIF-200',
    note: "Trusts every ready report that arrives on the launch's runtime port, without checking which version's page sent it.",
    only: ['host.lifecycle.probation-ready-replayed', 'host.lifecycle.probation-rollback'],
    catches: ['host.lifecycle.probation-ready-replayed'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: "    if ('versionKey' in report && report.versionKey !== instance.versionKey) return;\n",
        replace: '',
      },
    ],
  },
  {
    name: 'never-rolls-back',
    violates: 'LIF-201',
    note: 'Has the 10-second watchdog of LIF-203 for every cold start, but no rollback: the update that never gets ready stays and every launch ends on the error screen.',
    only: ['host.lifecycle.probation-rollback'],
    catches: ['host.lifecycle.probation-rollback'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '      record?.probation &&\n      record.previous &&\n',
        replace:
          '      record?.probation &&\n      record.previous &&\n      record.rejected.length < 0 &&\n',
      },
    ],
  },
  {
    name: 'retries-failed-update',
    violates: 'LIF-201',
    note: 'Rolls back to the kept version but forgets the failed versionCode, so the next update session downloads it and the next cold start tries it again.',
    only: ['host.lifecycle.probation-rollback'],
    catches: ['host.lifecycle.probation-rollback'],
    target: 'host',
    patches: [
      {
        file: 'reference-host/src/updates/app-record.ts',
        find: '    rejected: [...record.rejected, failed],',
        replace: '    rejected: record.rejected.filter((code) => code !== failed),',
      },
    ],
  },
  {
    name: 'rejections-forgotten-at-restart',
    violates: 'LIF-201',
    note: 'Rolls back and skips the failed versionCode for the rest of the session, but keeps that list with the session state, so after the super app restarts the failed update downloads and is tried again.',
    only: ['host.lifecycle.probation-rollback'],
    catches: ['host.lifecycle.probation-rollback'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '    if (!config) return false;\n    await this.configure(config);\n    return true;',
        replace:
          '    if (!config) return false;\n    await this.configure(config);\n    for (const r of await this.records()) await this.#save({ ...r, rejected: [] });\n    return true;',
      },
    ],
  },
  {
    name: 'impatient-probation',
    violates: 'LIF-200',
    note: 'Gives an update 5 seconds to get ready, the launch budget it aims at, and rolls back updates that are only slow.',
    only: ['host.lifecycle.probation-rollback'],
    catches: ['host.lifecycle.probation-rollback'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '    const readyBy = started + readyTimeoutMs;',
        replace: '    const readyBy = started + readyTimeoutMs / 2;',
      },
    ],
  },
  {
    name: 'probation-failure-as-host-error',
    violates: 'LIF-202',
    note: "Rolls back, but reports the failed update with the watchdog's generic HOST_ERROR, so the partner cannot tell it from a host fault.",
    only: ['host.lifecycle.probation-failure-event'],
    catches: ['host.lifecycle.probation-failure-event'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: "        toVersionCode: failed,\n        code: 'APP_NOT_READY',",
        replace: "        toVersionCode: failed,\n        code: 'HOST_ERROR',",
      },
    ],
  },
  {
    name: 'one-origin-for-all-apps',
    violates: 'STO-002',
    note: 'Serves every mini-app from one origin, as a single shared WebView would: cookies, local storage and IndexedDB are shared by all of them.',
    only: ['host.storage.web-storage-per-app'],
    catches: ['host.storage.web-storage-per-app'],
    target: 'host',
    patches: [
      {
        file: 'reference-host/src/host/host-config.ts',
        find: '  for (const byte of bytes) out += alphabet[byte & 31];\n  return out;',
        replace: "  void bytes;\n  void alphabet;\n  return out + 'pps';",
      },
    ],
  },
  {
    name: 'mandatory-update-in-background',
    violates: 'API-035',
    note: 'Checks for updates at start-up and at every launch, but downloads a mandatory update in the background like any other while the installed version starts.',
    only: ['host.distribution.mandatory-update-before-start'],
    catches: ['host.distribution.mandatory-update-before-start'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '        if (cached && !decision.mandatory) {',
        replace: '        if (cached) {',
      },
    ],
  },
  {
    name: 'mandatory-flag-of-offered-release-only',
    violates: 'API-035',
    note: 'Decides updates from the bin itself (API-101) but takes `mandatory` from the offered release alone, so a mandatory release that the device skipped for a newer one no longer latches.',
    only: ['host.distribution.mandatory-update-latched'],
    catches: ['host.distribution.mandatory-update-latched'],
    target: 'host',
    patches: [
      {
        file: updateSelection,
        find: '    const mandatory = releases.some(\n      (r) => r.mandatory && r.versionCode > v && r.versionCode <= best.versionCode && reached(r),\n    );',
        replace: '    const mandatory = best.mandatory;',
      },
    ],
  },
  {
    name: 'revoked-version-runs-while-replaced',
    violates: 'API-035',
    note: 'Treats a revoked installed version with a replacement as an ordinary update: the revoked version starts, and the replacement downloads in the background for the next cold start.',
    only: ['host.distribution.revoked-installed-replaced-before-start'],
    catches: ['host.distribution.revoked-installed-replaced-before-start'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '        return this.#installAndRun(\n          session,\n          appId,\n          decision.replacement,\n',
        replace:
          "        if (cached) {\n          this.#step(appId, { type: 'upToDate' });\n          void this.#stageUpdate(session, appId, decision.replacement, false);\n          return this.#run(appId, record as AppRecord, cached, page, query, fragment, launchId, requestedAt);\n        }\n        return this.#installAndRun(\n          session,\n          appId,\n          decision.replacement,\n",
      },
    ],
  },
  {
    name: 'quota-counts-every-write',
    violates: 'STO-008',
    note: 'Adds the size of every write to the namespace total and never subtracts the entry it replaces, so a full namespace refuses even a same-size overwrite.',
    only: ['host.storage.quotas'],
    catches: ['host.storage.quotas'],
    target: 'host',
    patches: [
      {
        file: bridgeStorage,
        find: '      const after = meta.bytes - (previous?.bytes ?? 0) + entry.bytes;',
        replace: '      const after = meta.bytes + entry.bytes;',
      },
    ],
  },
  {
    name: 'quota-counted-in-memory',
    violates: 'STO-007',
    note: "Keeps each namespace's size in memory, counted from the writes since the super app started, to save a read per write; after a restart the full namespace takes another 10 MiB.",
    only: ['host.storage.quotas'],
    catches: ['host.storage.quotas'],
    target: 'host',
    patches: [
      {
        file: bridgeStorage,
        find: '  readonly #queues = new Map<string, Promise<unknown>>();\n',
        replace:
          '  readonly #queues = new Map<string, Promise<unknown>>();\n  readonly #sizes = new Map<string, NamespaceMeta>();\n',
      },
      {
        file: bridgeStorage,
        find: '      const meta = (await this.store.get<NamespaceMeta>(`${prefix}meta`)) ?? { bytes: 0 };',
        replace: '      const meta = this.#sizes.get(prefix) ?? { bytes: 0 };',
      },
      {
        file: bridgeStorage,
        find: '        { put: `${prefix}meta`, value: { bytes: after } satisfies NamespaceMeta },\n      ]);\n',
        replace:
          '        { put: `${prefix}meta`, value: { bytes: after } satisfies NamespaceMeta },\n      ]);\n      this.#sizes.set(prefix, { bytes: after });\n',
      },
      {
        file: bridgeStorage,
        find: '      const meta = (await this.store.get<NamespaceMeta>(`${prefix}meta`)) ?? {\n        bytes: previous.bytes,\n      };',
        replace:
          '      const meta = this.#sizes.get(prefix) ?? { bytes: previous.bytes };\n      this.#sizes.set(prefix, { bytes: Math.max(0, meta.bytes - previous.bytes) });',
      },
    ],
  },
  {
    name: 'uninstall-keeps-bridge-storage',
    violates: 'STO-005',
    note: "Uninstalling removes the package, the record and the origin's web storage, but keeps the app's bridge storage for a reinstall.",
    only: ['host.storage.uninstall-deletes'],
    catches: ['host.storage.uninstall-deletes'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '    await this.storage.deleteApp(appId);\n',
        replace: '',
      },
    ],
  },
  {
    name: 'uninstall-keeps-permissions',
    violates: 'PRM-017',
    note: "Keeps the user's permission decisions when an app is uninstalled, so that a reinstall does not ask again.",
    only: ['host.permissions.uninstall-forgets'],
    catches: ['host.permissions.uninstall-forgets'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '    await this.permissions.forgetApp(this.userId, appId);\n',
        replace: '',
      },
    ],
  },
  {
    name: 'dismissal-remembered-as-refusal',
    violates: 'PRM-013',
    note: 'Treats closing the prompt as "Don\'t allow" and remembers it, so the app is refused silently from then on.',
    only: ['host.permissions.dismissal-not-remembered'],
    catches: ['host.permissions.dismissal-not-remembered'],
    target: 'host',
    patches: [
      {
        file: permissionManager,
        find: "          if (answer === 'dismissed') return 'denied' as const;\n",
        replace: "          if (answer === 'dismissed') answer = 'denied';\n",
      },
    ],
  },
  {
    name: 'revocation-kept-in-memory',
    violates: 'PRM-014',
    note: 'Revokes a grant by adding it to an in-memory deny-list that the settings screen and the bridge consult, without deleting the stored decision, so the grant is back after the super app restarts.',
    only: ['host.permissions.settings-revoke'],
    catches: ['host.permissions.settings-revoke'],
    target: 'host',
    patches: [
      {
        file: permissionManager,
        find: '  promptCount = 0;\n',
        replace: '  promptCount = 0;\n  readonly #revoked = new Set<string>();\n',
      },
      {
        file: permissionManager,
        find: '    const decision = await this.store.get<Decision>(key(app.userId, app.appId, permission));',
        replace:
          '    const stored = key(app.userId, app.appId, permission);\n    const decision = this.#revoked.has(stored) ? undefined : await this.store.get<Decision>(stored);',
      },
      {
        file: permissionManager,
        find: '          await this.store.put(promptKey, decision);',
        replace:
          '          this.#revoked.delete(promptKey);\n          await this.store.put(promptKey, decision);',
      },
      {
        file: permissionManager,
        find: '    return (await this.store.entries<Decision>(prefix)).map(([, decision]) => decision);',
        replace:
          '    return (await this.store.entries<Decision>(prefix))\n      .filter(([k]) => !this.#revoked.has(k))\n      .map(([, decision]) => decision);',
      },
      {
        file: permissionManager,
        find: '    await this.store.delete(key(userId, appId, permission));',
        replace: '    this.#revoked.add(key(userId, appId, permission));',
      },
    ],
  },
  {
    name: 'bridge-over-window-messages',
    violates: 'BRG-033',
    note: "Still answers bridge requests posted to the host's window by the app's frame, for mini-apps built against an older client.",
    only: ['host.bridge.ignores-window-post-message'],
    catches: ['host.bridge.ignores-window-post-message'],
    target: 'host',
    patches: [
      {
        file: 'reference-host/src/runtime/runtime-frame.ts',
        find: '      if (!isRuntimeMessage(event.data)) return; // [BRG-033] bridge messages only through the port.',
        replace:
          '      if (!isRuntimeMessage(event.data)) {\n        void this.handlers.bridge(event.data).then((reply) => {\n          if (reply !== null) this.postBridge(reply);\n        });\n        return;\n      }',
      },
    ],
  },
  {
    name: 'analytics-ignores-opt-out',
    violates: 'ANL-008',
    note: 'Records and sends events whatever the setting says; the setting only hides the dashboard.',
    only: ['host.analytics.opt-out'],
    catches: ['host.analytics.opt-out'],
    target: 'host',
    patches: [
      {
        file: 'reference-host/src/analytics/analytics-queue.ts',
        find: '      if (await this.#isOptedOut()) return undefined;',
        replace: '',
      },
    ],
  },
  {
    name: 'reader-checks-dot-segments-only',
    violates: 'PKG-029',
    note: 'Guards against zip slip by refusing ".." segments, the check every tutorial shows, and never thinks of a leading "/" or of a backslash, which Windows reads as a separator.',
    only: [
      'host.package.zip-slip-entry',
      'host.package.absolute-entry-path',
      'host.package.backslash-entry-path',
    ],
    catches: ['host.package.absolute-entry-path', 'host.package.backslash-entry-path'],
    target: 'host',
    patches: [
      {
        file: packagePath,
        find: "  if (path.startsWith('/')) return { code: 'PKG_UNSAFE_PATH', reason: 'the path is absolute' };",
        replace: '',
      },
      {
        file: packagePath,
        find: "    if (segment === '' || segment === '.' || segment === '..') {",
        replace: "    if (segment === '..') {",
      },
      {
        file: packagePath,
        find: "  if (path.includes('\\\\'))\n    return { code: 'PKG_UNSAFE_PATH', reason: 'the path contains a backslash' };",
        replace: '',
      },
    ],
  },
  {
    name: 'case-sensitive-duplicate-check',
    violates: 'PKG-029',
    note: 'Refuses two entries with the same name, comparing names byte for byte as its Linux build server does, so pages/second.html and pages/Second.html both pass and one overwrites the other on a phone with a case-insensitive file system.',
    only: ['host.package.case-colliding-entries'],
    catches: ['host.package.case-colliding-entries'],
    target: 'host',
    patches: [
      {
        file: packagePath,
        find: "  return path.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');",
        replace: '  return path;',
      },
    ],
  },
  {
    name: 'reader-trusts-dos-attributes',
    violates: 'PKG-029',
    note: 'Tells files from directories by the MS-DOS attribute bits only, as many ZIP readers do, and never reads the Unix file type of an archive made on Unix, so a symbolic link passes as a file.',
    only: ['host.package.symlink-entry'],
    catches: ['host.package.symlink-entry'],
    target: 'host',
    patches: [
      {
        file: 'sdk/src/package/zip-reader.ts',
        find: '  if (versionMadeBy >>> 8 === HOST_UNIX) {',
        replace: '  if (versionMadeBy >>> 8 === -1) {',
      },
    ],
  },
  {
    name: 'envelope-version-compared-loosely',
    violates: 'BRG-002',
    note: 'Compares the protocol version with != as the JavaScript it was ported from did, so a request with v: "1" (a string) is executed instead of answered BRIDGE_MALFORMED.',
    only: ['host.bridge.malformed-request'],
    catches: ['host.bridge.malformed-request'],
    target: 'host',
    patches: [
      {
        file: envelope,
        find: "  if (value.v !== protocolVersion) return malformed('v must be 1');",
        replace: "  if (value.v != protocolVersion) return malformed('v must be 1');",
      },
    ],
  },
  {
    name: 'params-checked-with-typeof',
    violates: 'BRG-002',
    note: "Checks params with typeof === 'object', which holds for null and arrays, so a request whose params are not an object reaches the method's schema and is answered INVALID_PARAMS instead of BRIDGE_MALFORMED.",
    only: ['host.bridge.malformed-request'],
    catches: ['host.bridge.malformed-request'],
    target: 'host',
    patches: [
      {
        file: envelope,
        find: "      if (!isPlainObject(value.params)) return malformed('params must be an object');",
        replace:
          "      if (typeof value.params !== 'object') return malformed('params must be an object');",
      },
    ],
  },
  {
    name: 'order-key-includes-product',
    violates: 'BRG-203',
    note: 'Derives the idempotency key from the order and the product, "so that a retry for the same thing is free", so the same order for another product is charged again instead of answered INVALID_PARAMS.',
    only: ['host.payments.order-charged-once'],
    catches: ['host.payments.order-charged-once'],
    target: 'host',
    patches: [
      {
        file: 'reference-host/src/bridge/plugins/commerce-plugin.ts',
        find: '          : await idempotencyKey(app.appId, p.orderId, app.userId);',
        replace:
          '          : await idempotencyKey(app.appId, `${p.orderId}/${product.productId}`, app.userId);',
      },
    ],
  },
  // Links (spec/addressing.md).
  {
    name: 'link-scheme-case-sensitive',
    violates: 'ADR-001',
    note: 'Compares the scheme as written, so MiniApp:// from a QR generator that capitalises it is refused as malformed.',
    only: ['host.addressing.link-forms'],
    catches: ['host.addressing.link-forms'],
    target: 'host',
    patches: [
      {
        file: linkParser,
        find: '  const schemeName = scheme?.[1]?.toLowerCase();',
        replace: '  const schemeName = scheme?.[1];',
      },
    ],
  },
  {
    name: 'link-port-stripped',
    violates: 'ADR-001',
    note: 'Strips a port from the target the way a URL parser would ("miniapp://<id>:8080/" opens <id>) instead of refusing a link form the specification does not have.',
    only: ['host.addressing.malformed-links'],
    catches: ['host.addressing.malformed-links'],
    target: 'host',
    patches: [
      {
        file: linkParser,
        find: "  const target = slash < 0 ? rest : rest.slice(0, slash);\n  // [ADR-001] a link names no port: \"<id>:8080\" is not a link form, whatever its id looks like.\n  if (target.includes(':')) throw malformed('a mini-app link names no port');",
        replace:
          "  const target = (slash < 0 ? rest : rest.slice(0, slash)).replace(/:[0-9]*$/, '');",
      },
    ],
  },
  {
    name: 'query-dropped-on-entry-page-fallback',
    violates: 'ADR-012',
    note: 'Hands the query and fragment only to the page the link named: a link with an empty or stale page opens the entry page without them, so the QR code miniapp://<id>/?ref=poster loses its ref.',
    only: ['host.addressing.query-and-fragment'],
    catches: ['host.addressing.query-and-fragment'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '          page: target,\n          ...(query ? { query } : {}),\n          ...(fragment ? { fragment } : {}),',
        replace:
          '          page: target,\n          ...(query && target === page ? { query } : {}),\n          ...(fragment && target === page ? { fragment } : {}),',
      },
    ],
  },
  // Lifecycle events (spec/lifecycle.md).
  {
    name: 'app-show-on-return-only',
    violates: 'LIF-002',
    note: 'Sends app.show only when the user returns to a running app, reading a cold start as "the app\'s own start-up code is its show": a freshly launched app never learns it is in the foreground.',
    only: ['host.lifecycle.show-hide-order', 'host.lifecycle.cold-start-events'],
    catches: ['host.lifecycle.cold-start-events'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: "      this.#emit(instance, 'app.show', {});",
        replace: "      if (requestedAt !== undefined) this.#emit(instance, 'app.show', {});",
      },
    ],
  },
  {
    name: 'covered-app-stays-foreground',
    violates: 'LIF-002',
    note: 'Opens a second mini-app on top of the first, like a browser tab, without moving the covered one out of the foreground: it never receives page.hide or app.hide and keeps playing media and polling.',
    only: ['host.lifecycle.show-hide-order', 'host.lifecycle.covered-app-leaves-foreground'],
    catches: ['host.lifecycle.covered-app-leaves-foreground'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '    if (other) this.#toBackground(other);\n',
        replace: '    void other;\n',
      },
    ],
  },
  {
    name: 'app-show-on-every-launch',
    violates: 'LIF-006',
    note: 'Brings the app to the front and sends app.show (and page.show) for every launch request, also when the app is already in the foreground, so a second tap on a link or a notification shows it twice.',
    only: ['host.lifecycle.cold-start-events', 'host.lifecycle.show-hide-order'],
    catches: ['host.lifecycle.cold-start-events'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: "    if (instance.lifecycle !== 'foreground') {\n      instance.lifecycle = 'foreground';",
        replace: "    {\n      instance.lifecycle = 'foreground';",
      },
    ],
  },
  // Trust (spec/signing.md), in the sdk code every host of this repository bundles.
  {
    name: 'threshold-counts-signatures',
    violates: 'SIG-013',
    note: 'Counts the signatures that verify instead of the distinct keys that made them, so one key that signs twice meets a threshold of 2.',
    only: ['host.signing.threshold-one-key-twice', 'host.signing.ed25519-chain'],
    catches: ['host.signing.threshold-one-key-twice'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/envelope.ts',
        find: '  const valid = new Set<string>();',
        replace: '  const valid: string[] = [];',
      },
      {
        file: 'sdk/src/signing/envelope.ts',
        find: '    if (!jwk || valid.has(keyid)) continue;',
        replace: '    if (!jwk) continue;',
      },
      {
        file: 'sdk/src/signing/envelope.ts',
        find: 'valid.add(keyid);',
        replace: 'valid.push(keyid);',
      },
    ],
  },
  {
    name: 'keyids-taken-as-labels',
    violates: 'SIG-006',
    note: 'Treats a keyid as a label the signer chose, never comparing it with the thumbprint of the key filed under it, neither when reading a delegation nor when verifying.',
    only: ['host.signing.keyid-not-thumbprint', 'host.signing.ed25519-chain'],
    catches: ['host.signing.keyid-not-thumbprint'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/delegation.ts',
        find: '    if (importPublicJwk(jwk).keyid !== keyid) {',
        replace: '    if (importPublicJwk(jwk).keyid === null) {',
      },
      {
        file: 'sdk/src/signing/envelope.ts',
        find: '  if (imported.keyid !== keyid) {',
        replace: '  if (imported.keyid === null) {',
      },
    ],
  },
  {
    name: 'request-ids-in-flight-host-wide',
    violates: 'BRG-005',
    note: "One router for every web view keeps the request ids in flight in one set; clients count ids from c-1 in every app, so app B's c-1 is refused as a duplicate while app A's c-1 waits for the network.",
    only: ['host.bridge.request-ids-per-app', 'host.bridge.duplicate-pending-id'],
    catches: ['host.bridge.request-ids-per-app'],
    target: 'host',
    patches: [
      {
        file: dispatcher,
        find: 'export class Dispatcher<S> {\n  readonly #pending = new Set<string>();',
        replace:
          'const inFlight = new Set<string>();\n\nexport class Dispatcher<S> {\n  readonly #pending = inFlight;',
      },
    ],
  },
  {
    name: 'app-close-without-page-hide',
    violates: 'LIF-011',
    note: 'Implements app.close as its own short path, "the app asked to leave, so hide its frame and tell it": app.hide is sent, but the shown page never receives page.hide.',
    only: ['host.lifecycle.app-close'],
    catches: ['host.lifecycle.app-close'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '        close: async (appId) => {\n          await this.background(appId);\n        },',
        replace:
          "        close: async (appId) => {\n          const instance = this.#instances.get(appId);\n          if (!instance || instance.lifecycle !== 'foreground') return;\n          this.#emit(instance, 'app.hide', {});\n          instance.lifecycle = 'background';\n          instance.frame.setVisible(false);\n          this.#foreground = undefined;\n          this.deps.screens.home();\n        },",
      },
    ],
  },
  {
    name: 'link-opens-any-html-file',
    violates: 'ADR-009',
    note: "Opens whatever HTML file of the package a link names, checking the extension instead of the manifest's pages, so a link to a file that is no page runs it and a stale page opens nothing.",
    only: ['host.addressing.entry-page-fallback'],
    catches: ['host.addressing.entry-page-fallback'],
    target: 'host',
    patches: [
      {
        file: superApp,
        find: '    const target = page && pages.includes(page) ? page : version.manifest.entryPage;',
        replace:
          "    const target =\n      page && (pages.includes(page) || page.endsWith('.html')) ? page : version.manifest.entryPage;",
      },
    ],
  },
  // Trust chain, round 4 (spec/signing.md host MUSTs that had no broken host).
  {
    name: 'delegation-expiry-at-wall-clock',
    violates: 'SIG-087',
    note: "Judges a delegation's expiry with new Date() where it checks it, instead of the time fixed for the update session, so a host whose session time is past the expiry still trusts it.",
    only: ['host.signing.delegation-expired', 'host.signing.delegation-expired-at-session-time'],
    catches: ['host.signing.delegation-expired-at-session-time'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: 'if (isExpired(delegation.expires, now))',
        replace: 'if (isExpired(delegation.expires, new Date()))',
      },
    ],
  },
  {
    name: 'statement-manifest-digest-unchecked',
    violates: 'SIG-092',
    note: 'Compares the statement with the release metadata on appId, package and version, but not manifestSha256: "the package check hashes the manifest anyway", against the release only.',
    only: [
      'host.signing.statement-manifest-digest-differs',
      'host.signing.statement-version-code-differs',
    ],
    catches: ['host.signing.statement-manifest-digest-differs'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: "  if (statement.manifestSha256 !== release.manifestSha256)\n    throw fault('SIG_MANIFEST_MISMATCH', 'manifestSha256');\n",
        replace: '',
      },
    ],
  },
  {
    name: 'successor-root-any-higher-version',
    violates: 'SIG-053',
    note: 'Accepts as successor any signed root of a higher version, so a root N+2 served as N+1 is applied and a version is skipped.',
    only: ['host.signing.rotation-skips-a-version', 'host.signing.rotation-walked'],
    catches: ['host.signing.rotation-skips-a-version'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: 'if (next.version !== this.#root.version + 1) {',
        replace: 'if (next.version <= this.#root.version) {',
      },
    ],
  },
  {
    name: 'rotation-limit-off-by-one',
    violates: 'SIG-110',
    note: 'Counts the rotations with > instead of >=, so it applies 33 successor roots in one session and never reports SIG_ROOT_ROTATION_LIMIT for 33.',
    only: ['host.signing.rotation-limit'],
    catches: ['host.signing.rotation-limit'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: 'if (this.#rotations.count >= maxRootRotations) {',
        replace: 'if (this.#rotations.count > maxRootRotations) {',
      },
    ],
  },
  {
    name: 'index-floor-kept-across-key-rotation',
    violates: 'SIG-056',
    note: 'Keeps the highest index version for ever, also when a new root replaces the index keys, so the platform cannot recover from a fast-forwarded index version and the host locks itself out.',
    only: ['host.signing.index-role-rotation-forgets-floor'],
    catches: ['host.signing.index-role-rotation-forgets-floor'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: '      if (!sameRole(this.#root.roles.index, next.roles.index)) this.#indexVersion = 0;\n',
        replace: '',
      },
    ],
  },
  {
    name: 'floor-kept-when-key-dropped',
    violates: 'SIG-088',
    note: 'Trusts a new delegation without looking at the keys it dropped, so the versionCode floor that a stolen, now removed key inflated stays and the genuine release never installs again.',
    only: ['host.signing.fast-forward-recovery'],
    catches: ['host.signing.fast-forward-recovery'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: '      (Object.keys(trusted.keys).some((keyid) => !Object.hasOwn(delegation.keys, keyid)) ||\n        delegation.threshold > trusted.threshold)',
        replace: '      delegation.threshold > trusted.threshold',
      },
    ],
  },
  {
    name: 'payload-type-unchecked',
    violates: 'SIG-012',
    note: 'Verifies the signature over PAE of whatever payloadType the envelope carries and never compares it with the type expected, so a statement-typed envelope is read as release metadata.',
    only: ['host.signing.payload-type-mismatch'],
    catches: ['host.signing.payload-type-mismatch'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/envelope.ts',
        find: '  if (envelope.payloadType !== expectedPayloadType) {',
        replace: '  if (envelope.payloadType.length === 0) {',
      },
    ],
  },
  {
    name: 'release-app-id-unchecked',
    violates: 'SIG-034',
    note: 'Never compares the appId of the release metadata with the app it asked for: "the bin entry pins it, so it is the right app".',
    only: ['host.signing.release-of-another-app'],
    catches: ['host.signing.release-of-another-app'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: '    if (release.appId !== request.appId) {',
        replace: '    if (release.appId.length === 0) {',
      },
    ],
  },
  {
    name: 'payload-bom-stripped',
    violates: 'SIG-014',
    note: 'Decodes signed payloads with a default TextDecoder, which silently strips a leading byte-order mark, so a payload that other parsers refuse is accepted.',
    only: ['host.signing.byte-order-mark'],
    catches: ['host.signing.byte-order-mark'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/payload.ts',
        find: "const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });",
        replace: "const utf8 = new TextDecoder('utf-8', { fatal: true });",
      },
    ],
  },
  {
    name: 'duplicate-members-last-wins',
    violates: 'SIG-014',
    note: 'Parses payloads with JSON.parse alone, where the last of two members of one name wins, so the signer and another verifier may read different values.',
    only: ['host.signing.duplicate-member'],
    catches: ['host.signing.duplicate-member'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/payload.ts',
        find: '  if (duplicates.length > 0) {',
        replace: '  if (duplicates.length < 0) {',
      },
    ],
  },
  {
    name: 'other-major-read-as-newer',
    violates: 'SIG-075',
    note: 'Compares versions as "is it newer than mine?", so a 2.0 payload is read as a later minor with unknown members allowed instead of being refused with SIG_UNSUPPORTED_VERSION.',
    only: ['host.signing.other-major-spec-version', 'host.signing.unknown-member-higher-minor'],
    catches: ['host.signing.other-major-spec-version'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/payload.ts',
        find: '  if (version && Number(version[1]) !== verifierSpecVersion.major) {',
        replace: '  if (version && Number(version[1]) < verifierSpecVersion.major) {',
      },
      {
        file: 'sdk/src/signing/payload.ts',
        find: '  const later = version !== null && Number(version[2]) > verifierSpecVersion.minor;',
        replace:
          '  const later =\n    version !== null &&\n    (Number(version[1]) > verifierSpecVersion.major ||\n      Number(version[2]) > verifierSpecVersion.minor);',
      },
    ],
  },
  {
    name: 'critical-ignored-in-newer-minor',
    violates: 'SIG-078',
    note: 'Ignores every unknown member of a later minor version, as forward compatibility asks, without reading the critical array that forbids ignoring some.',
    only: ['host.signing.critical-unknown-member', 'host.signing.unknown-member-higher-minor'],
    catches: ['host.signing.critical-unknown-member'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/payload.ts',
        find: '  checkCritical(value, unknown);\n  return value as T;',
        replace: '  void unknown;\n  return value as T;',
      },
    ],
  },
  {
    name: 'rsa-pkcs1-fallback',
    violates: 'SIG-004',
    note: 'Tries RSA PKCS#1 v1.5 when a PSS signature does not verify, "because some HSMs sign that way", re-opening the weaker scheme.',
    only: ['host.signing.rsa-pkcs1-signature'],
    catches: ['host.signing.rsa-pkcs1-signature'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/algorithm.ts',
        find: '          { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pssSaltLength },\n          signature,\n        );',
        replace:
          "          { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pssSaltLength },\n          signature,\n        ) ||\n          verify('sha256', data, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature)\n        );",
      },
      {
        file: 'sdk/src/signing/algorithm.ts',
        find: '        // [SIG-004] only PSS padding is tried, so a PKCS#1 v1.5 signature never verifies.\n        return verify(',
        replace: '        return (\n          verify(',
      },
    ],
  },
  {
    name: 'metadata-without-size-cap',
    violates: 'SIG-017',
    note: 'Reads metadata documents to their end with no size limit, trusting the server to send small JSON; only the 30-second download limit ever stops an endless one.',
    only: ['host.signing.metadata-endless'],
    catches: ['host.signing.metadata-endless'],
    target: 'sdk',
    patches: [
      {
        file: 'sdk/src/signing/bounded-download.ts',
        find: '  limit: number = maxMetadataBytes,',
        replace: '  limit: number = Number.POSITIVE_INFINITY,',
      },
    ],
  },
  {
    name: 'revoked-keys-never-read',
    violates: 'SIG-067',
    note: "Reads revokedReleases but never the entry's revokedKeys, neither for release metadata nor when counting the statement's signatures, so a stolen partner key the partner reported keeps installing.",
    only: ['host.signing.revoked-partner-key'],
    catches: ['host.signing.revoked-partner-key'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: '    if (entry.revokedKeys.includes(release.statement.keyid)) {',
        replace: '    if (entry.revokedReleases.includes(release.statement.keyid)) {',
      },
      {
        file: trustStore,
        find: "    const revoked = new Set(this.#requireEntry(release.appId, 'SIG-091').revokedKeys);",
        replace:
          "    const revoked = new Set(this.#requireEntry(release.appId, 'SIG-091').revokedReleases);",
      },
    ],
  },
  {
    name: 'root-expiry-checked-before-rotation',
    violates: 'SIG-054',
    note: 'Checks the expiry of the root it trusts when the update session starts, then walks the successors and verifies everything against the newest without checking it again, so an expired successor is trusted.',
    only: ['host.signing.rotated-root-expired', 'host.signing.root-expired-at-host-clock'],
    catches: ['host.signing.rotated-root-expired'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: '    if (this.#rotations.at !== now.getTime()) this.#rotations = { at: now.getTime(), count: 0 };',
        replace:
          '    const expiredAtStart = isExpired(this.#root.expires, now);\n    if (this.#rotations.at !== now.getTime()) this.#rotations = { at: now.getTime(), count: 0 };',
      },
      {
        file: trustStore,
        find: "    if (isExpired(this.#root.expires, now))\n      throw expired('The trusted root', this.#root.expires, now, 'SIG-054');\n    return this.root;",
        replace:
          "    if (expiredAtStart)\n      throw expired('The trusted root', this.#root.expires, now, 'SIG-054');\n    return this.root;",
      },
      {
        file: trustStore,
        find: "  #requireFreshRoot(now: Date): void {\n    if (isExpired(this.#root.expires, now))\n      throw expired('The trusted root', this.#root.expires, now, 'SIG-054');\n  }",
        replace: '  #requireFreshRoot(now: Date): void {\n    void now;\n  }',
      },
    ],
  },
  {
    name: 'release-metadata-aged-out',
    violates: 'SIG-095',
    note: 'Treats release metadata like a certificate and refuses an envelope issued more than a year before the session, so an old release that a fresh bin still pins can no longer be installed.',
    only: ['host.signing.old-release-metadata'],
    catches: ['host.signing.old-release-metadata'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: '    const installed = this.#installed[release.appId] ?? 0;\n    if (release.versionCode < installed) {',
        replace:
          "    if (now.getTime() - Date.parse(release.issuedAt) > 365 * 86_400_000)\n      throw expired('The release', release.issuedAt, now);\n    const installed = this.#installed[release.appId] ?? 0;\n    if (release.versionCode < installed) {",
      },
    ],
  },
  {
    name: 'index-floor-kept-on-threshold-change',
    violates: 'SIG-056',
    note: 'Decides whether the index role changed by comparing its keyids only, so a new root that raises the index threshold over the same keys keeps the fast-forwarded index version and the host stays locked out.',
    only: [
      'host.signing.index-threshold-change-forgets-floor',
      'host.signing.index-role-rotation-forgets-floor',
    ],
    catches: ['host.signing.index-threshold-change-forgets-floor'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: '  return a.threshold === b.threshold && [...a.keyids].sort().join() === [...b.keyids].sort().join();',
        replace: '  return [...a.keyids].sort().join() === [...b.keyids].sort().join();',
      },
    ],
  },
  {
    name: 'floor-kept-on-threshold-raise',
    violates: 'SIG-088',
    note: 'Forgets the versionCode floor when a new delegation drops a key, but not when it raises the threshold over the same keys, so the floor a stolen key inflated alone stays.',
    only: ['host.signing.threshold-raise-forgets-floor', 'host.signing.fast-forward-recovery'],
    catches: ['host.signing.threshold-raise-forgets-floor'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: '      (Object.keys(trusted.keys).some((keyid) => !Object.hasOwn(delegation.keys, keyid)) ||\n        delegation.threshold > trusted.threshold)',
        replace:
          '      Object.keys(trusted.keys).some((keyid) => !Object.hasOwn(delegation.keys, keyid))',
      },
    ],
  },
  {
    name: 'statement-version-unchecked',
    violates: 'SIG-092',
    note: 'Compares the statement with the release metadata on versionCode but not on the version string, "a display label", so release metadata may relabel what the partner signed.',
    only: ['host.signing.statement-version-differs', 'host.signing.statement-version-code-differs'],
    catches: ['host.signing.statement-version-differs'],
    target: 'sdk',
    patches: [
      {
        file: trustStore,
        find: "  if (statement.version !== release.version) throw fault('SIG_MANIFEST_MISMATCH', 'version');\n",
        replace: '',
      },
    ],
  },
];
