import { el, type Child } from './dom-builder.ts';
import type { ConsoleContext } from './console-shell.ts';

let nextId = 0;

/** A labelled form control; the label is tied to the control by id. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): HTMLElement {
  if (!control.id) control.id = `field-${++nextId}`;
  const hintId = hint ? `${control.id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return el(
    'div',
    { class: 'field' },
    el('label', { attrs: { for: control.id } }, label),
    control,
    hint ? el('small', { class: 'muted', attrs: { id: hintId } }, hint) : null,
  );
}

/** A select with the given options, the first selected. */
export function select(
  name: string,
  options: readonly (readonly [string, string])[],
): HTMLSelectElement {
  return el(
    'select',
    { attrs: { name } },
    ...options.map(([value, label]) => el('option', { attrs: { value } }, label)),
  );
}

/**
 * A form whose submit runs an async action once at a time: the submit button is disabled meanwhile,
 * a refused request is shown as its problem, and success shows a message and re-renders the view.
 */
export function actionForm(
  context: ConsoleContext,
  props: { label: string; submit: string; class?: string; submitClass?: string },
  controls: Child[],
  action: (form: HTMLFormElement) => Promise<string | null>,
): HTMLFormElement {
  const button = el(
    'button',
    { class: props.submitClass ?? 'primary', attrs: { type: 'submit' } },
    props.submit,
  );
  const form: HTMLFormElement = el(
    'form',
    {
      class: props.class ?? 'card form',
      attrs: { 'aria-label': props.label },
      on: {
        submit: (event) => {
          event.preventDefault();
          button.disabled = true;
          action(form).then(
            (message) => {
              button.disabled = false;
              if (message !== null) {
                context.refresh();
                context.notify(message);
              }
            },
            (error: unknown) => {
              button.disabled = false;
              context.fail(error);
            },
          );
        },
      },
    },
    ...controls,
    el('div', { class: 'actions' }, button),
  );
  return form;
}

/** A button that runs an async action, optionally after the user confirms it. */
export function actionButton(
  context: ConsoleContext,
  label: string,
  action: () => Promise<string>,
  options: { confirm?: string; class?: string; name?: string } = {},
): HTMLButtonElement {
  const button: HTMLButtonElement = el(
    'button',
    {
      class: options.class ?? 'secondary',
      attrs: { type: 'button', 'data-action': options.name ?? label.toLowerCase() },
      on: {
        click: () => {
          if (options.confirm && !window.confirm(options.confirm)) return;
          button.disabled = true;
          action().then(
            (message) => {
              context.refresh();
              context.notify(message);
            },
            (error: unknown) => {
              button.disabled = false;
              context.fail(error);
            },
          );
        },
      },
    },
    label,
  );
  return button;
}

/** A table with a header row; rows are built by the caller. */
export function table(
  headings: readonly string[],
  rows: readonly HTMLTableRowElement[],
  empty: string,
): HTMLElement {
  if (rows.length === 0) return el('p', { class: 'muted empty' }, empty);
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...headings.map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
    el('tbody', {}, ...rows),
  );
}
