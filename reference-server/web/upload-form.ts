import type { Version } from './api-types.ts';
import type { ConsoleContext } from './console-shell.ts';
import { el } from './dom-builder.ts';
import { field } from './form-controls.ts';
import { formatBytes } from './quantity-format.ts';

/**
 * The upload of a signed package: the statement part first, then the package, as uploadVersion reads
 * them [API-069], with a progress bar fed by the upload's progress events.
 */
export function uploadForm(context: ConsoleContext, appId: string): HTMLFormElement {
  const statement = el('input', {
    attrs: { type: 'file', name: 'statement', accept: '.json,application/json', required: true },
  });
  const pkg = el('input', {
    attrs: {
      type: 'file',
      name: 'package',
      accept: '.ma,application/miniapp-pkg+zip',
      required: true,
    },
  });
  const progress = el('progress', {
    attrs: { max: 100, value: 0, 'aria-label': 'Upload progress' },
  });
  const progressText = el('span', { class: 'muted', attrs: { 'aria-live': 'polite' } });
  const status = el(
    'div',
    { class: 'upload-progress', attrs: { hidden: true } },
    progress,
    progressText,
  );
  const button = el('button', { class: 'primary', attrs: { type: 'submit' } }, 'Upload');
  const form: HTMLFormElement = el(
    'form',
    {
      class: 'card form',
      attrs: { 'aria-label': 'Upload a version' },
      on: {
        submit: (event) => {
          event.preventDefault();
          const statementFile = statement.files?.[0];
          const packageFile = pkg.files?.[0];
          if (!statementFile || !packageFile) return;
          const body = new FormData();
          // The order matters: the server checks the statement before it reads the package.
          body.append(
            'statement',
            new Blob([statementFile], { type: 'application/json' }),
            statementFile.name,
          );
          body.append(
            'package',
            new Blob([packageFile], { type: 'application/miniapp-pkg+zip' }),
            packageFile.name,
          );
          button.disabled = true;
          status.hidden = false;
          progress.value = 0;
          progressText.textContent = `0 of ${formatBytes(packageFile.size + statementFile.size)}`;
          context.api
            .upload<Version>(
              'PUT',
              `/v1/partner/apps/${encodeURIComponent(appId)}/versions`,
              body,
              (sent, total) => {
                progress.value = total === 0 ? 100 : Math.round((sent / total) * 100);
                progressText.textContent = `${formatBytes(sent)} of ${formatBytes(total)}`;
              },
            )
            .then(
              (version) => {
                context.refresh();
                context.notify(
                  `Uploaded ${version.version} (versionCode ${version.versionCode}); review status: ${version.reviewStatus}.`,
                );
              },
              (error: unknown) => {
                button.disabled = false;
                status.hidden = true;
                context.fail(error);
              },
            );
        },
      },
    },
    el('h2', {}, 'Upload a version'),
    el(
      'p',
      { class: 'muted' },
      'Pack and sign with the toolkit (miniapp pack, miniapp sign), then choose the statement and the package.',
    ),
    el('div', { class: 'row' }, field('Statement (.json)', statement), field('Package (.ma)', pkg)),
    status,
    el('div', { class: 'actions' }, button),
  );
  return form;
}
