import { validateTarget } from '../validation/index.ts';
import { choiceOption, type Command } from './command.ts';
import { ExitCode } from './exit-code.ts';
import { formatHumanReport } from './report-human.ts';
import { formatSarifReport } from './report-sarif.ts';

const formats = ['human', 'json', 'sarif'] as const;

export const validateCommand: Command = {
  name: 'validate',
  summary:
    'Check a mini-app directory or .ma package: manifest, package rules and limits, code review rules, bridge methods versus permissions and minHostVersion.',
  usage: '<dir|package.ma> [--format human|json|sarif]',
  options: { format: { type: 'string' } },
  optionHelp: { format: 'human (default), json, or sarif for CI code scanning' },
  minPositionals: 1,
  maxPositionals: 1,
  async run(args, io) {
    const format = choiceOption(args, 'format', formats, 'human');
    const target = args.positionals[0] ?? '';
    const report = await validateTarget(target);
    if (format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (format === 'sarif') io.stdout.write(formatSarifReport(report, process.cwd()));
    else (report.valid ? io.stdout : io.stderr).write(formatHumanReport(report));
    return report.valid ? ExitCode.ok : ExitCode.invalid;
  },
};
