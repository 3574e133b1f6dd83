import { packDirectory } from '../package/index.ts';
import { validateTarget } from '../validation/index.ts';
import { writeOutputFile } from './cli-file.ts';
import { requiredOption, UsageError, type Command } from './command.ts';
import { ExitCode } from './exit-code.ts';
import { formatHumanReport } from './report-human.ts';

export const packCommand: Command = {
  name: 'pack',
  summary:
    'Validate a mini-app directory and pack it into a deterministic .ma package (same files, same bytes, same digest).',
  usage: '<dir> --out <package.ma>',
  options: { out: { type: 'string' } },
  optionHelp: { out: 'where to write the package (refuses to overwrite a directory)' },
  minPositionals: 1,
  maxPositionals: 1,
  async run(args, io) {
    const dir = args.positionals[0] ?? '';
    const out = requiredOption(args, 'out');
    const report = await validateTarget(dir);
    if (!report.valid) {
      io.stderr.write(formatHumanReport(report));
      io.stderr.write('not packed: fix the errors above first.\n');
      return ExitCode.invalid;
    }
    if (report.kind !== 'directory') {
      throw new UsageError(`${dir} is already a package; pack takes a mini-app directory`);
    }
    const packed = await packDirectory(dir);
    await writeOutputFile(out, packed.bytes, { overwrite: true });
    io.stdout.write(
      `${report.warningCount > 0 ? formatHumanReport(report) : ''}packed ${report.app?.id ?? dir} ${report.app?.version ?? ''} -> ${out}\n`,
    );
    io.stdout.write(
      `sha256:${packed.digest.sha256} length:${packed.digest.length} files:${packed.files.length}\n`,
    );
    return ExitCode.ok;
  },
};
