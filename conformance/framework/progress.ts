import type { CaseResult } from './runner.ts';
import type { CliIo } from './suite.ts';

const labels: Record<CaseResult['status'], string> = {
  pass: 'pass ',
  fail: 'FAIL ',
  error: 'ERROR',
  skip: 'skip ',
  expectedFailure: 'xfail',
  unexpectedPass: 'XPASS',
};

function duration(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Prints one line per case as it finishes, with a counter; failures get their reason below. */
export function progressPrinter(
  io: CliIo,
): (result: CaseResult, done: number, total: number) => void {
  return (result, done, total) => {
    const width = String(total).length;
    const counter = `[${String(done).padStart(width)}/${total}]`;
    const m = result.metadata;
    const lane = m.lane === 'staging' ? ' (staging)' : '';
    const level = m.level === 'MUST' ? '' : ` ${m.level}`;
    io.stdout.write(
      `${counter} ${labels[result.status]} ${m.id}  ${m.requirements.join(' ')}${level}${lane}  ${duration(result.durationMs)}\n`,
    );
    const indent = ' '.repeat(counter.length + 1);
    if (result.status !== 'pass' && result.status !== 'unexpectedPass' && result.reason) {
      io.stdout.write(`${indent}${result.reason}\n`);
    }
    if (result.status === 'fail' || result.status === 'error') {
      for (const line of result.evidence.slice(0, 5)) io.stdout.write(`${indent}  ${line}\n`);
      if (result.evidence.length > 5) {
        io.stdout.write(`${indent}  … ${result.evidence.length - 5} more in the report\n`);
      }
    }
    if (result.expectation) {
      const what =
        result.status === 'unexpectedPass'
          ? 'listed as an expected failure but passed'
          : 'expected';
      io.stdout.write(`${indent}${what}: ${result.expectation.reason}\n`);
    }
  };
}
