/**
 * Remembered permission decisions per user, mini-app id and permission [PRM-009], and the prompts
 * that make them. One prompt at a time per app and permission, every waiting call answered by it
 * [PRM-010]; a dismissal is not remembered [PRM-013]; a refusal is, and is not asked again [PRM-011];
 * the user reviews and revokes every decision in the settings [PRM-014].
 */
import type { PermissionName } from '#schemas/generated/bridge/methods.ts';
import type { AppContext } from '../bridge/plugin-registry.ts';
import type { ConsentGate } from '../bridge/dispatcher.ts';
import type { KeyValueStore } from '../state/key-value-store.ts';

export type PermissionState = 'granted' | 'denied' | 'prompt';
export type PromptAnswer = 'granted' | 'denied' | 'dismissed';

/** The host's own prompt, drawn outside the mini-app's frame [PRM-006] [PRM-007]. */
export interface PermissionPrompter {
  ask(request: {
    appId: string;
    appName: string;
    permission: PermissionName;
    reason: string;
  }): Promise<PromptAnswer>;
}

export interface Decision {
  userId: string;
  appId: string;
  permission: PermissionName;
  state: 'granted' | 'denied';
  decidedAt: string;
}

function key(userId: string, appId: string, permission?: string): string {
  const base = `perm/${encodeURIComponent(userId)}/${encodeURIComponent(appId)}/`;
  return permission === undefined ? base : base + permission;
}

export class PermissionManager implements ConsentGate {
  readonly #prompts = new Map<string, Promise<'granted' | 'denied'>>();
  readonly #revocationListeners = new Set<
    (decision: Omit<Decision, 'state' | 'decidedAt'>) => void
  >();
  promptCount = 0;

  constructor(
    private readonly store: KeyValueStore,
    private readonly prompter: PermissionPrompter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async state(
    app: Pick<AppContext, 'appId' | 'userId' | 'manifest'>,
    permission: PermissionName,
  ): Promise<PermissionState> {
    // [PRM-016] a permission the manifest does not declare is denied.
    if (!Object.hasOwn(app.manifest.permissions ?? {}, permission)) return 'denied';
    const decision = await this.store.get<Decision>(key(app.userId, app.appId, permission));
    return decision?.state ?? 'prompt';
  }

  /** The remembered decision, or the user's answer to one prompt shared by every waiting call. */
  async request(app: AppContext, permission: PermissionName): Promise<'granted' | 'denied'> {
    const current = await this.state(app, permission);
    if (current !== 'prompt') return current;
    const promptKey = key(app.userId, app.appId, permission);
    let asking = this.#prompts.get(promptKey);
    if (!asking) {
      this.promptCount++;
      const reason = app.manifest.permissions?.[permission]?.reason ?? '';
      asking = this.prompter
        .ask({ appId: app.appId, appName: app.name, permission, reason })
        .then(async (answer) => {
          if (answer === 'dismissed') return 'denied' as const;
          const decision: Decision = {
            userId: app.userId,
            appId: app.appId,
            permission,
            state: answer,
            decidedAt: this.now().toISOString(),
          };
          await this.store.put(promptKey, decision);
          return answer;
        })
        .finally(() => this.#prompts.delete(promptKey));
      this.#prompts.set(promptKey, asking);
    }
    return asking;
  }

  async decisions(userId: string, appId?: string): Promise<Decision[]> {
    const prefix = appId === undefined ? `perm/${encodeURIComponent(userId)}/` : key(userId, appId);
    return (await this.store.entries<Decision>(prefix)).map(([, decision]) => decision);
  }

  /** [PRM-014] [PRM-015] the next guarded call prompts again; running apps are told. */
  async revoke(userId: string, appId: string, permission: PermissionName): Promise<void> {
    await this.store.delete(key(userId, appId, permission));
    for (const listener of this.#revocationListeners) listener({ userId, appId, permission });
  }

  onRevoke(listener: (decision: Omit<Decision, 'state' | 'decidedAt'>) => void): () => void {
    this.#revocationListeners.add(listener);
    return () => this.#revocationListeners.delete(listener);
  }

  /** [PRM-017] an uninstalled app leaves no decision behind. */
  async forgetApp(userId: string, appId: string): Promise<void> {
    await this.store.deletePrefix(key(userId, appId));
  }
}
