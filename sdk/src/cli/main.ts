import { parseArgs } from 'node:util';
import { isMiniAppError } from '../diagnostics/index.ts';
import { UsageError, type CliIo, type Command } from './command.ts';
import { ExitCode, type ExitCodeValue } from './exit-code.ts';
import { validateCommand } from './validate-command.ts';
import { packCommand } from './pack-command.ts';
import { keygenCommand } from './keygen-command.ts';
import { signCommand } from './sign-command.ts';
import { verifyCommand } from './verify-command.ts';
import { previewCommand } from './preview-command.ts';
import { trustCommand } from './trust-command.ts';

export const commands: readonly Command[] = [
  validateCommand,
  packCommand,
  keygenCommand,
  signCommand,
  verifyCommand,
  previewCommand,
  trustCommand,
];

function generalHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'miniapp: validate, pack, sign and verify mini-app packages (Open Mini-App Platform).',
    '',
    'Usage: miniapp <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `miniapp <command> --help` for a command's options.",
    'Exit codes: 0 valid or done, 1 invalid or refused, 2 wrong usage.',
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const lines = [`Usage: miniapp ${command.name} ${command.usage}`, '', command.summary, ''];
  const names = Object.keys(command.options);
  if (names.length > 0) {
    lines.push('Options:');
    for (const name of names) {
      const spec = command.options[name];
      const flag = `--${name}${spec?.type === 'string' ? ' <value>' : ''}`;
      lines.push(`  ${flag.padEnd(26)} ${command.optionHelp[name] ?? ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Runs the CLI; returns the exit code instead of exiting so tests can call it in-process. */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(`miniapp: no command given [USAGE]\n\n${generalHelp()}`);
    return ExitCode.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(generalHelp());
    return ExitCode.ok;
  }
  if (name === '--version') {
    io.stdout.write('miniapp 0.1.0 (spec 1.0.0-draft.2)\n');
    return ExitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`miniapp: unknown command "${name}" [USAGE]\n\n${generalHelp()}`);
    return ExitCode.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(commandHelp(command));
    return ExitCode.ok;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: command.options,
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ''));
    }
    if (parsed.positionals.length < command.minPositionals)
      throw new UsageError('missing argument');
    if (parsed.positionals.length > command.maxPositionals) {
      throw new UsageError(`unexpected argument "${parsed.positionals[command.maxPositionals]}"`);
    }
    return await command.run(
      {
        positionals: parsed.positionals,
        values: parsed.values as Record<string, string | boolean | undefined>,
      },
      io,
    );
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(
        `miniapp ${command.name}: ${error.message} [USAGE]\n\n${commandHelp(command)}`,
      );
      return ExitCode.usage;
    }
    if (isMiniAppError(error)) {
      const where = error.location?.file ? `${error.location.file}: ` : '';
      io.stderr.write(
        `miniapp ${command.name}: ${where}${error.message} [${error.code}, ${error.requirement}]\n`,
      );
      if (error.fix) io.stderr.write(`  fix: ${error.fix}\n`);
      return error.code === 'USAGE' ? ExitCode.usage : ExitCode.invalid;
    }
    // A bug in the toolkit: say so plainly, without a stack trace, and ask for a report.
    io.stderr.write(
      `miniapp ${command.name}: internal error: ${(error as Error)?.message ?? String(error)}\n  This is a bug in the toolkit, not in your input; please report it (set MINIAPP_DEBUG=1 for details).\n`,
    );
    if (process.env.MINIAPP_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return ExitCode.internal;
  }
}
