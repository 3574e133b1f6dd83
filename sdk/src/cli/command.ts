import type { ParseArgsConfig } from 'node:util';
import type { ExitCodeValue } from './exit-code.ts';

/** Where a command writes; tests pass in-memory sinks. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** One `miniapp <name>` subcommand. */
export interface Command {
  name: string;
  summary: string;
  /** Usage line after `miniapp <name> `. */
  usage: string;
  options: OptionSpec;
  /** Descriptions of the options, for `--help`. */
  optionHelp: Record<string, string>;
  minPositionals: number;
  maxPositionals: number;
  run(args: ParsedArgs, io: CliIo): Promise<ExitCodeValue>;
}

/** Thrown for a wrong command line; main() prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredOption(args: ParsedArgs, name: string): string {
  const value = stringOption(args, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function choiceOption<T extends string>(
  args: ParsedArgs,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = stringOption(args, name) ?? fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')} (got "${value}")`);
  }
  return value as T;
}
