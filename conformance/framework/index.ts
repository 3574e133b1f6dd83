/** The conformance framework: what a suite uses to define cases, and what the CLI uses to run them. */
export {
  check,
  CaseFailure,
  defineCase,
  fail,
  fromFaults,
  metadataOf,
  pass,
  skip,
  type CaseContext,
  type CaseMetadata,
  type CaseVerdict,
  type ConformanceCase,
  type Lane,
} from './conformance-case.ts';
export {
  defineSuite,
  type CliIo,
  type OpenedTarget,
  type OptionSpec,
  type Suite,
  type SuiteArguments,
  type SuiteCommand,
  type TargetDescription,
} from './suite.ts';
export { UsageError } from './usage-error.ts';
export {
  conformanceClasses,
  mustsOf,
  repositoryRoot,
  requirementIndex,
  type ConformanceClass,
  type Level,
  type RequirementIndex,
  type SpecRequirement,
} from './requirement-index.ts';
export { checkCatalog, type CatalogProblem } from './case-catalog.ts';
export { classCoverage, coveredIds, type ClassCoverage, type SuiteCatalog } from './coverage.ts';
export {
  readUntestable,
  untestableEntry,
  untestableFile,
  type UntestableRequirement,
} from './untestable.ts';
export {
  expectationSet,
  readExpectations,
  type Expectation,
  type ExpectationSet,
} from './expectations.ts';
export {
  runSuite,
  selectCases,
  type CaseResult,
  type Outcome,
  type RunOptions,
  type RunResult,
  type Selection,
} from './runner.ts';
export {
  countResults,
  RunExitCode,
  summaryLine,
  verdictOf,
  type Counts,
  type Verdict,
} from './verdict.ts';
export { progressPrinter } from './progress.ts';
export { buildReport, specHref, type ConformanceReport } from './report/report-builder.ts';
export { junitReport } from './report/junit-report.ts';
export { htmlReport } from './report/html-report.ts';
export {
  reportFormats,
  reportPath,
  writeReports,
  type ReportFormat,
} from './report/report-files.ts';
