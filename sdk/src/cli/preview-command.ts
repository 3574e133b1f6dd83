import type { Diagnostic } from '../diagnostics/index.ts';
import {
  checkHostApiVersion,
  checkPreviewTarget,
  newestHostApiVersion,
  readFixtureFile,
  startPreview,
} from '../preview/index.ts';
import { stringOption, UsageError, type CliIo, type Command } from './command.ts';
import { ExitCode } from './exit-code.ts';

function formatDiagnostic(d: Diagnostic): string {
  const loc = d.location;
  const at = loc?.file
    ? `${loc.file}${loc.line !== undefined ? `:${loc.line}:${loc.column ?? 1}` : ''}${loc.pointer ? ` ${loc.pointer}` : ''}`
    : '';
  return `${at ? `${at}  ` : ''}${d.severity}  ${d.code}  ${d.message}  [${d.requirement}]${d.fix ? `\n    fix: ${d.fix}` : ''}\n`;
}

function portOption(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535 (got "${value}")`);
  }
  return port;
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export const previewCommand: Command = {
  name: 'preview',
  summary:
    'Run a mini-app directory in a plain browser on a mock host: permission prompts, wallet, toasts and storage, with the mini-app isolated on its own origin.',
  usage: '<dir> [--port N] [--host-api 1.2.0] [--fixtures network.json]',
  options: {
    port: { type: 'string' },
    'host-api': { type: 'string' },
    fixtures: { type: 'string' },
  },
  optionHelp: {
    port: 'port of the host page on 127.0.0.1 (default 0: any free port)',
    'host-api': `host API version to emulate (default ${newestHostApiVersion})`,
    fixtures: 'JSON array of canned network.request answers ({ method?, url, status?, body? })',
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(args, io: CliIo) {
    const directory = args.positionals[0] ?? '';
    const port = portOption(stringOption(args, 'port'));
    const hostApiVersion = checkHostApiVersion(
      stringOption(args, 'host-api') ?? newestHostApiVersion,
    );
    const fixturesFile = stringOption(args, 'fixtures');
    const fixtures = fixturesFile === undefined ? [] : await readFixtureFile(fixturesFile);
    // The manifest first, with every finding, before anything listens.
    const checked = await checkPreviewTarget(directory, hostApiVersion);
    for (const d of checked.diagnostics) {
      (d.severity === 'error' ? io.stderr : io.stdout).write(formatDiagnostic(d));
    }
    if (!checked.manifest || checked.diagnostics.some((d) => d.severity === 'error')) {
      io.stderr.write(`miniapp preview: ${directory} cannot be previewed; fix the errors above.\n`);
      return ExitCode.invalid;
    }
    const server = await startPreview({ directory, port, hostApiVersion, fixtures });
    io.stdout.write(
      [
        `Previewing ${server.manifest.name} (${server.manifest.id} ${server.manifest.version}) on a mock host, host API ${server.hostApiVersion}.`,
        `  Open:     ${server.hostUrl}`,
        `  Mini-app: ${server.entryUrl} (its own origin)`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    await untilStopped();
    await server.close();
    io.stdout.write('Preview stopped.\n');
    return ExitCode.ok;
  },
};
