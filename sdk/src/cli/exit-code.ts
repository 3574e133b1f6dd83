/** Exit codes of the `miniapp` CLI (README, "The partner CLI"). */
export const ExitCode = {
  /** The input is valid / the operation succeeded. */
  ok: 0,
  /** The input is invalid or verification failed; diagnostics say why. */
  invalid: 1,
  /** The command line is wrong: unknown command or option, missing argument. */
  usage: 2,
  /** A bug in the toolkit itself (never caused by input). */
  internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
