/**
 * The launch pipeline as a state machine: one launch moves through the seven steps of the host in
 * order, or ends in one of its outcomes. The pipeline (launch-pipeline.ts) feeds it events and marks
 * each step with a performance mark; the machine refuses any other order, so a step can never be
 * skipped and a ready signal counts only for the launch it belongs to.
 */
export type LaunchStep =
  | 'idle'
  | 'cache'
  | 'metadata'
  | 'download'
  | 'verify'
  | 'compatibility'
  | 'extract'
  | 'load'
  | 'handshake'
  | 'ready'
  | 'refused'
  | 'updateRequired'
  | 'notAvailable'
  | 'failed';

export interface LaunchState {
  step: LaunchStep;
  launchId: string | null;
  /** Set when the launch used the verified cache (no download). */
  fromCache: boolean;
  code?: string;
}

export type LaunchEvent =
  | { type: 'start'; launchId: string }
  | { type: 'cacheHit' }
  | { type: 'cacheMiss' }
  | { type: 'metadataVerified' }
  | { type: 'offline' }
  | { type: 'upToDate' }
  | { type: 'downloaded' }
  | { type: 'verified' }
  | { type: 'compatible' }
  | { type: 'incompatible' }
  | { type: 'notFound' }
  | { type: 'extracted' }
  | { type: 'loaded' }
  | { type: 'handshake'; launchId: string }
  | { type: 'ready'; launchId: string }
  | { type: 'refuse'; code: string }
  | { type: 'fail'; code: string };

export const terminalSteps: ReadonlySet<LaunchStep> = new Set([
  'ready',
  'refused',
  'updateRequired',
  'notAvailable',
  'failed',
]);

export const initialLaunchState: LaunchState = { step: 'idle', launchId: null, fromCache: false };

/** The next state; an event that does not fit the current step leaves the state unchanged. */
export function advance(state: LaunchState, event: LaunchEvent): LaunchState {
  const to = (step: LaunchStep, extra: Partial<LaunchState> = {}): LaunchState => ({
    ...state,
    step,
    ...extra,
  });
  if (event.type === 'start') {
    return state.step === 'idle' || terminalSteps.has(state.step)
      ? { step: 'cache', launchId: event.launchId, fromCache: false }
      : state;
  }
  if (terminalSteps.has(state.step) || state.step === 'idle') return state;
  // Refusals and failures end any step before ready.
  if (event.type === 'refuse') return to('refused', { code: event.code });
  if (event.type === 'fail') return to('failed', { code: event.code });
  switch (state.step) {
    case 'cache':
      if (event.type === 'cacheHit') return to('metadata', { fromCache: true });
      if (event.type === 'cacheMiss') return to('metadata', { fromCache: false });
      return state;
    case 'metadata':
      if (event.type === 'notFound') return to('notAvailable');
      if (event.type === 'incompatible') return to('updateRequired');
      // Offline or up to date: the verified cache is launched as it is.
      if ((event.type === 'offline' || event.type === 'upToDate') && state.fromCache)
        return to('load');
      if (event.type === 'metadataVerified') return to('download', { fromCache: false });
      return state;
    case 'download':
      return event.type === 'downloaded' ? to('verify') : state;
    case 'verify':
      return event.type === 'verified' ? to('compatibility') : state;
    case 'compatibility':
      if (event.type === 'compatible') return to('extract');
      if (event.type === 'incompatible') return to('updateRequired');
      return state;
    case 'extract':
      return event.type === 'extracted' ? to('load') : state;
    case 'load':
      return event.type === 'loaded' ? to('handshake') : state;
    case 'handshake':
      // Only the launch's own page counts [the ready signal is bound to its launch].
      if (event.type === 'handshake' && event.launchId === state.launchId) return state;
      if (event.type === 'ready' && event.launchId === state.launchId) return to('ready');
      return state;
    default:
      return state;
  }
}
