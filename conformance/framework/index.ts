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
  budgetVerdict,
  nearestRank,
  type Measurement,
  type MeasuredLoad,
  type TimedSamples,
} from './measurement.ts';
export {
  defineSuite,
  type CliIo,
  type DeviceProfile,
  type ImplementationName,
  type OpenedTarget,
  type ServerLoad,
  type TargetEnvironment,
  type OptionSpec,
  type Suite,
  type SuiteArguments,
  type SuiteCommand,
  type TargetDescription,
} from './suite.ts';
export { UsageError } from './usage-error.ts';
export {
  bindsSuite,
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
export {
  classCoverage,
  coveredIds,
  mustStanding,
  type ClassCoverage,
  type MustStanding,
  type SuiteCatalog,
} from './coverage.ts';
export {
  checkExpectations,
  expectationSet,
  readExpectations,
  type Expectation,
  type ExpectationSet,
} from './expectations.ts';
export {
  declared,
  runSuite,
  selectCases,
  type CaseResult,
  type CaseStatus,
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
  type VerdictStatus,
} from './verdict.ts';
export { progressPrinter } from './progress.ts';
export {
  buildReport,
  runnerEnvironment,
  specHref,
  suiteVersion,
  type ConformanceReport,
  type ReportCase,
  type RequirementStatus,
} from './report/report-builder.ts';
export { junitReport } from './report/junit-report.ts';
export { failedStatuses, htmlReport } from './report/html-report.ts';
export {
  reportFormats,
  reportPath,
  writeReports,
  type ReportFormat,
} from './report/report-files.ts';
