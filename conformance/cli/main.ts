import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildReport,
  checkCatalog,
  checkExpectations,
  conformanceClasses,
  progressPrinter,
  readExpectations,
  reportFormats,
  repositoryRoot,
  requirementIndex,
  runSuite,
  RunExitCode,
  summaryLine,
  UsageError,
  writeReports,
  type CliIo,
  type ExpectationSet,
  type ImplementationName,
  type Lane,
  type OptionSpec,
  type ReportFormat,
  type Suite,
} from '../framework/index.ts';
import { suites as registeredSuites } from '../suite-registry.ts';

/** Options every suite accepts. */
const commonOptions: OptionSpec = {
  'report-dir': { type: 'string' },
  format: { type: 'string' },
  expectations: { type: 'string' },
  'implementation-name': { type: 'string' },
  'implementation-version': { type: 'string' },
  only: { type: 'string', multiple: true },
  lane: { type: 'string' },
  timeout: { type: 'string' },
  'spec-url': { type: 'string' },
};

const commonHelp: Record<string, string> = {
  'report-dir':
    'write the reports into this folder (default ./certify-report when --format is given)',
  format: `comma-separated report formats: ${reportFormats.join(',')} (default: all three)`,
  expectations:
    'expectations file: cases known to fail, each with a reason, and optional features (conformance/README.md)',
  'implementation-name':
    'the name of the implementation, for the report (default: the expectations file, or what the target states)',
  'implementation-version': 'its version (same defaults)',
  only: 'run only the cases whose id matches this pattern (* and ?); repeat or comma-separate',
  lane: 'certify, staging or all (default certify; the staging lane runs only when asked and never counts)',
  timeout: 'default per-case timeout in milliseconds',
  'spec-url': 'link template for requirements in the HTML report, with {doc}, {line}, {id}',
};

function flag(name: string, spec: OptionSpec[string] | undefined): string {
  return `--${name}${spec?.type === 'string' ? ' <value>' : ''}`;
}

function generalHelp(suites: readonly Suite<unknown>[]): string {
  const known = conformanceClasses.map((cls) => {
    const suite = suites.find((s) => s.class === cls);
    return `  ${cls.padEnd(8)}  ${suite ? suite.command.summary : 'not available in this version of the suite'}`;
  });
  return [
    'miniapp-certify: conformance suite of the Open Mini-App Platform.',
    '',
    'Usage: miniapp-certify <class> <target> [options]',
    '',
    'Classes:',
    ...known,
    '',
    'Common options:',
    ...Object.entries(commonOptions).map(
      ([name, spec]) => `  ${flag(name, spec).padEnd(26)} ${commonHelp[name] ?? ''}`,
    ),
    '',
    'Exit codes: 0 no MUST case failed, 1 a MUST case failed or ended in an error without being listed',
    'in the expectations file, or a listed case passed; 2 wrong usage; 3 every MUST failure was listed',
    '(still not certified); 4 internal error.',
    '',
  ].join('\n');
}

function suiteHelp(suite: Suite<unknown>): string {
  const { command } = suite;
  return [
    `Usage: miniapp-certify ${suite.class} ${command.usage}`,
    '',
    command.summary,
    '',
    'Options:',
    ...Object.entries(command.options).map(
      ([name, spec]) => `  ${flag(name, spec).padEnd(26)} ${command.optionHelp[name] ?? ''}`,
    ),
    ...Object.entries(commonOptions).map(
      ([name, spec]) => `  ${flag(name, spec).padEnd(26)} ${commonHelp[name] ?? ''}`,
    ),
    '',
  ].join('\n');
}

interface CommonSettings {
  reportDir?: string;
  formats: ReportFormat[];
  expectationsFile?: string;
  implementation: Partial<ImplementationName>;
  only: string[];
  lanes: Lane[];
  timeoutMs?: number;
  specLink?: string;
}

function commonSettings(values: Record<string, unknown>): CommonSettings {
  const text = (name: string) => {
    const v = values[name];
    if (typeof v === 'string' && v.trim() === '') throw new UsageError(`--${name} needs a value`);
    return typeof v === 'string' ? v : undefined;
  };
  const formatText = text('format');
  const formats = (formatText ?? reportFormats.join(','))
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of formats) {
    if (!reportFormats.includes(f as ReportFormat)) {
      throw new UsageError(`unknown report format "${f}"; use ${reportFormats.join(', ')}`);
    }
  }
  const laneText = text('lane') ?? 'certify';
  const lanes: Lane[] =
    laneText === 'all'
      ? ['certify', 'staging']
      : laneText === 'certify' || laneText === 'staging'
        ? [laneText]
        : (() => {
            throw new UsageError(`--lane must be certify, staging or all, not "${laneText}"`);
          })();
  const timeoutText = text('timeout');
  let timeoutMs: number | undefined;
  if (timeoutText !== undefined) {
    timeoutMs = Number(timeoutText);
    if (!/^\d+$/.test(timeoutText) || timeoutMs < 1 || timeoutMs > 3_600_000) {
      throw new UsageError(`--timeout must be a whole number of milliseconds from 1 to 3600000`);
    }
  }
  const only = ((values['only'] as string[] | undefined) ?? [])
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter(Boolean);
  for (const pattern of only) {
    if (!/^[a-z0-9.*?-]+$/.test(pattern)) {
      throw new UsageError(
        `--only "${pattern}": a case-id pattern has only a-z, 0-9, ".", "-", "*" and "?"`,
      );
    }
  }
  const reportDir = text('report-dir') ?? (formatText ? 'certify-report' : undefined);
  const expectationsFile = text('expectations');
  const specLink = text('spec-url');
  const name = text('implementation-name');
  const version = text('implementation-version');
  return {
    formats: formats as ReportFormat[],
    implementation: { ...(name ? { name } : {}), ...(version ? { version } : {}) },
    only,
    lanes,
    ...(reportDir ? { reportDir } : {}),
    ...(expectationsFile ? { expectationsFile } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(specLink ? { specLink } : {}),
  };
}

async function certify(
  suite: Suite<unknown>,
  argv: readonly string[],
  io: CliIo,
  suites: readonly Suite<unknown>[],
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...commonOptions, ...suite.command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals } = parsed;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const { min, max, names } = suite.command.positionals;
  if (positionals.length < min) throw new UsageError(`missing ${names}`);
  if (positionals.length > max) {
    throw new UsageError(`unexpected argument "${positionals[max] ?? ''}"`);
  }
  const settings = commonSettings(values);
  const index = requirementIndex();
  const problems = checkCatalog(suite.cases, index);
  if (problems.length > 0) {
    for (const p of problems) io.stderr.write(`miniapp-certify: case ${p.caseId}: ${p.message}\n`);
    io.stderr.write('miniapp-certify: the suite itself is inconsistent; nothing was run.\n');
    return RunExitCode.internal;
  }
  const expectations: ExpectationSet | undefined = settings.expectationsFile
    ? await readExpectations(settings.expectationsFile)
    : undefined;
  // [CNF-050] a file naming cases this suite does not have is refused before anything runs.
  if (expectations) {
    checkExpectations(
      expectations,
      suite.class,
      suite.cases.map((c) => c.id),
      index,
    );
  }
  const opened = await suite.command.open({ positionals, values }, io);
  try {
    const implementation = implementationOf(settings, expectations, opened.implementation);
    io.stdout.write(
      `miniapp-certify ${suite.class}: ${opened.target.label} (${opened.target.kind}), spec ${index.specVersion}\n`,
    );
    if (expectations) {
      io.stdout.write(
        `honouring ${expectations.entries.length} expected failure(s) from ${expectations.file}\n`,
      );
    }
    const run = await runSuite({
      suite,
      subject: opened.subject,
      selection: {
        lanes: settings.lanes,
        only: settings.only,
        optionalFeatures: expectations?.optionalFeatures ?? [],
      },
      index,
      ...(expectations ? { expectations } : {}),
      ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
      ...(opened.incomplete ? { incomplete: opened.incomplete } : {}),
      onCaseFinished: progressPrinter(io),
    });
    if (run.selected === 0) {
      throw new UsageError(
        `no case matches --only ${settings.only.join(',')} in lanes ${settings.lanes.join(',')}`,
      );
    }
    const reportDir = settings.reportDir ? path.resolve(settings.reportDir) : undefined;
    const specDir = path.relative(reportDir ?? process.cwd(), path.join(repositoryRoot, 'spec'));
    const report = buildReport({
      suite,
      target: opened.target,
      implementation,
      ...(opened.environment ? { environment: opened.environment } : {}),
      run,
      ...(expectations ? { expectations } : {}),
      index,
      catalogs: suites.map((s) => ({ class: s.class, cases: s.cases })),
      specLink: settings.specLink ?? `${specDir.split(path.sep).join('/')}/{doc}#L{line}`,
    });
    io.stdout.write('\n');
    if (report.counts.unexpectedPasses > 0) {
      io.stdout.write(
        `${report.counts.unexpectedPasses} case(s) listed as expected failures passed: remove them from ${expectations?.file ?? 'the expectations file'}\n`,
      );
    }
    if (report.counts.staging.total > 0) {
      const s = report.counts.staging;
      io.stdout.write(
        `staging lane (not counted): ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped\n`,
      );
    }
    const { must, should } = report.coverage;
    io.stdout.write(
      `${suite.class} MUSTs: ${must.total} in all, ${must.notCertifiable} not certifiable from outside${must.bindsSuite ? `, ${must.bindsSuite} binding miniapp-certify itself` : ''}, ${must.withCases} with a case, ${must.passed} passed; SHOULDs: ${should.total}, ${should.withCases} with a case, ${should.passed} passed\n`,
    );
    if (reportDir) {
      for (const file of await writeReports(report, reportDir, settings.formats)) {
        io.stdout.write(`report: ${path.relative(process.cwd(), file) || file}\n`);
      }
    }
    io.stdout.write(`${report.verdict.summary}\n`);
    io.stdout.write(`${summaryLine(report.counts)}\n`);
    return report.verdict.exitCode;
  } finally {
    await opened.close?.();
  }
}

/**
 * The implementation a report names [CNF-060]: the command line first, then the expectations file,
 * then what the target states; a run that cannot name it is refused (exit 2).
 */
function implementationOf(
  settings: CommonSettings,
  expectations: ExpectationSet | undefined,
  stated: ImplementationName | undefined,
): ImplementationName {
  const name = settings.implementation.name ?? expectations?.implementation?.name ?? stated?.name;
  const version =
    settings.implementation.version ?? expectations?.implementation?.version ?? stated?.version;
  if (!name || !version) {
    throw new UsageError(
      'name the implementation and its version with --implementation-name and --implementation-version ' +
        '(or "implementation" in the expectations file): a report states what it certified',
    );
  }
  return { name, version };
}

/** Runs the CLI; returns the exit code so that tests can call it in-process. */
export async function main(
  argv: readonly string[],
  io: CliIo,
  suites: readonly Suite<unknown>[] = registeredSuites,
): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) throw new UsageError('no conformance class given');
    if (name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(generalHelp(suites));
      return RunExitCode.ok;
    }
    const suite = suites.find((s) => s.class === name);
    if (!suite) {
      if ((conformanceClasses as readonly string[]).includes(name)) {
        throw new UsageError(
          `the ${name} suite is not available in this version of miniapp-certify`,
        );
      }
      throw new UsageError(`unknown conformance class "${name}"`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(suiteHelp(suite));
      return RunExitCode.ok;
    }
    return await certify(suite, rest, io, suites);
  } catch (error) {
    if (error instanceof UsageError) {
      const suite = suites.find((s) => s.class === name);
      io.stderr.write(
        `miniapp-certify: ${error.message}\n` +
          (suite
            ? `Usage: miniapp-certify ${suite.class} ${suite.command.usage} (--help for options)\n`
            : `Run \`miniapp-certify --help\` for usage.\n`),
      );
      return RunExitCode.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`miniapp-certify: internal error: ${message}\n`);
    return RunExitCode.internal;
  }
}
