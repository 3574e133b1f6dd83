import { ApiError } from './api-client.ts';
import { el } from './dom-builder.ts';

/**
 * The error panel of a failure: for a refused request, the problem's detail, its code and the
 * requirement it enforces, plus one line per invalid member.
 */
export function errorNotice(error: unknown): HTMLElement {
  if (error instanceof ApiError) {
    const { problem } = error;
    return el(
      'div',
      { class: 'notice error', attrs: { role: 'alert' } },
      el('strong', {}, problem.title),
      el('p', { class: 'detail' }, problem.detail ?? ''),
      el(
        'p',
        { class: 'code-line' },
        'Code ',
        el('code', { class: 'problem-code' }, problem.code),
        problem.requirement ? ' · requirement ' : '',
        problem.requirement ? el('code', {}, problem.requirement) : '',
        ` · HTTP ${problem.status}`,
      ),
      problem.errors && problem.errors.length > 0
        ? el(
            'ul',
            {},
            ...problem.errors.map((e) =>
              el('li', {}, el('code', {}, e.location?.pointer || '/'), ' ', e.message),
            ),
          )
        : null,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return el(
    'div',
    { class: 'notice error', attrs: { role: 'alert' } },
    el('p', { class: 'detail' }, message),
  );
}

/** A confirmation that an action succeeded. */
export function successNotice(message: string): HTMLElement {
  return el('div', { class: 'notice success', attrs: { role: 'status' } }, el('p', {}, message));
}
