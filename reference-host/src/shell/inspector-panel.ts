/** The bridge inspector: every call of every mini-app with its params, result or error, and duration. */
import type { CallRecord } from '../bridge/dispatcher.ts';
import type { SuperApp } from '../host/super-app.ts';
import { byId, h } from './dom.ts';

function row(call: CallRecord): HTMLElement {
  const details = h(
    'details',
    {
      class: `call ${call.ok ? 'ok' : 'error'}`,
      'data-testid': 'inspector-call',
      'data-method': call.method,
    },
    h(
      'summary',
      {},
      h(
        'span',
        { class: 'call-method' },
        call.channel === 'openminiapp' ? call.method : `${call.channel} ${call.method}`,
      ),
      h('span', { class: 'call-outcome' }, call.ok ? 'ok' : (call.error?.code ?? 'error')),
      h('span', { class: 'call-time' }, `${call.durationMs.toFixed(1)} ms`),
    ),
    h('p', { class: 'fine' }, `${call.appId} · #${call.id}`),
    h('pre', {}, `params ${JSON.stringify(call.params, null, 2)}`),
    h(
      'pre',
      {},
      call.ok
        ? `result ${JSON.stringify(call.result, null, 2)}`
        : `error ${JSON.stringify(call.error, null, 2)}`,
    ),
  );
  return details;
}

export class InspectorPanel {
  #unsubscribe: (() => void) | undefined;

  constructor(private readonly host: SuperApp) {}

  get open(): boolean {
    return !byId('inspector').hidden;
  }

  toggle(): void {
    const panel = byId('inspector');
    if (!panel.hidden) {
      panel.hidden = true;
      this.#unsubscribe?.();
      return;
    }
    const list = h(
      'div',
      { class: 'calls', 'data-testid': 'inspector-calls' },
      ...this.host.calls.slice(-200).reverse().map(row),
    );
    panel.replaceChildren(
      h(
        'header',
        { class: 'inspector-bar' },
        h('strong', {}, 'Bridge inspector'),
        h('span', { class: 'fine' }, `${this.host.calls.length} calls`),
        h(
          'button',
          { class: 'small', 'data-testid': 'inspector-close', onclick: () => this.toggle() },
          'Close',
        ),
      ),
      list,
    );
    panel.hidden = false;
    this.#unsubscribe = this.host.onCall((call) => {
      list.prepend(row(call));
      while (list.childElementCount > 200) list.lastElementChild?.remove();
    });
  }
}
