import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { validatorFor } from '#schemas';
import { loadPrivateKey, type PrivateKey } from '#sdk/signing/index.ts';
import { LoadApi } from '../dataset/load-api.ts';
import { adminPrincipals, type LoadPrincipals } from '../dataset/load-principals.ts';
import { startReferenceTarget, type ReferenceTarget } from '../integration/reference-target.ts';
import { runLoad } from '../suite/load-run.ts';
import { specBudgets, type BudgetId } from '../suite/load-suite.ts';
import { loadProfiles, type LoadProfile, type LoadTiming } from '../suite/scenario-measurement.ts';

const usage = `Usage: npm run load -- (--url URL (--credentials FILE | --admin-token TOKEN) | --reference) [options]

Applies the load of spec/budgets.md to a distribution server with vegeta and writes the conformance
reports (certify-server.json, .junit.xml, .html) and vegeta's latency plots to --report-dir.

  --url URL              the server's public base URL
  --credentials FILE     the credentials file of spec/conformance.md (url, admin token, delegation keys)
  --admin-token TOKEN    an admin portal session (or MINIAPP_ADMIN_TOKEN), instead of --credentials
  --reference            start the reference server here instead (embedded store, or DATABASE_URL)
  --profile P            steady (default), spike or soak
  --duration S           measured seconds per scenario (default 60, soak 1800)
  --warmup S             warm-up seconds per scenario, not measured (default 10)
  --rate X               multiply every scenario's rate (default 1: the rates of spec/budgets.md)
  --apps N --devices N   data set size (default 200 and 1000, as spec/conformance.md says)
  --budget ID=MS         replace a p99 budget (BUD-010, BUD-011); the run no longer certifies
  --only PATTERN         run only the cases matching (e.g. server.load.bundle-*); repeatable
  --report-dir DIR       where reports and plots go (default load-report)
  --no-baseline          skip the nginx static baseline

Exit codes: 0 every budget held; 1 a MUST budget or error budget was missed; 2 wrong usage;
4 the run could not proceed (set-up refused, vegeta or nginx missing).`;

class Usage extends Error {}

function positiveNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Usage(`--${name} must be a positive number, not "${value}"`);
  return n;
}

function budgetsOf(values: readonly string[]): Partial<Record<BudgetId, number>> {
  const out: Partial<Record<BudgetId, number>> = {};
  for (const value of values) {
    const match = /^(BUD-\d{3})=(\d+(?:\.\d+)?)$/.exec(value);
    if (!match || !((match[1] as string) in specBudgets))
      throw new Usage(
        `--budget ${value}: expected ID=MS with ID one of ${Object.keys(specBudgets).join(', ')}`,
      );
    out[match[1] as BudgetId] = Number(match[2]);
  }
  return out;
}

interface Credentials {
  url: string;
  admin: { token: string };
  delegationKeys?: string[];
}

async function readCredentials(file: string): Promise<Credentials> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Usage(
      `--credentials ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const validate = validatorFor('conformance/credentials.schema.json');
  if (!validate(parsed))
    throw new Usage(
      `--credentials ${file} is not valid against schemas/conformance/credentials.schema.json: ${validate.errors?.[0]?.instancePath ?? ''} ${validate.errors?.[0]?.message ?? ''}`,
    );
  return parsed as Credentials;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      url: { type: 'string' },
      credentials: { type: 'string' },
      'admin-token': { type: 'string' },
      reference: { type: 'boolean' },
      profile: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string' },
      apps: { type: 'string' },
      devices: { type: 'string' },
      budget: { type: 'string', multiple: true },
      only: { type: 'string', multiple: true },
      'report-dir': { type: 'string' },
      'no-baseline': { type: 'boolean' },
      'implementation-name': { type: 'string' },
      'implementation-version': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const profile = (values.profile ?? 'steady') as LoadProfile;
  if (!loadProfiles.includes(profile))
    throw new Usage(`--profile must be one of ${loadProfiles.join(', ')}, not "${profile}"`);
  const timing: LoadTiming = {
    profile,
    durationSeconds: positiveNumber(values.duration, 'duration', profile === 'soak' ? 1800 : 60),
    warmupSeconds: values.warmup === '0' ? 0 : positiveNumber(values.warmup, 'warmup', 10),
    rateScale: positiveNumber(values.rate, 'rate', 1),
  };
  const apps = Math.round(positiveNumber(values.apps, 'apps', 200));
  const devices = Math.round(positiveNumber(values.devices, 'devices', 1000));
  if (apps < 20) throw new Usage('--apps must be at least 20: each update check names 20 apps');

  let url = values.url;
  let principals: LoadPrincipals;
  let delegationKeys: PrivateKey[] | undefined;
  let reference: ReferenceTarget | undefined;
  if (values.reference) {
    if (url) throw new Usage('--reference starts its own server; leave out --url');
    reference = await startReferenceTarget(
      process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {},
    );
    url = reference.url;
    principals = reference.principals;
  } else {
    const credentials = values.credentials ? await readCredentials(values.credentials) : undefined;
    url ??= credentials?.url;
    const token =
      credentials?.admin.token ?? values['admin-token'] ?? process.env.MINIAPP_ADMIN_TOKEN;
    if (!url) throw new Usage('--url (or a credentials file) is required');
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new Usage(`--url must be an http(s) URL, not "${url}"`);
    if (!token)
      throw new Usage(
        'an admin token is required: --credentials FILE, --admin-token or MINIAPP_ADMIN_TOKEN',
      );
    principals = adminPrincipals(new LoadApi(url, token));
    delegationKeys = credentials?.delegationKeys?.map((pem) => loadPrivateKey(pem));
  }
  try {
    const result = await runLoad({
      url,
      principals,
      timing,
      apps,
      devices,
      ...(delegationKeys ? { delegationKeys } : {}),
      budgets: budgetsOf(values.budget ?? []),
      implementation: {
        name:
          values['implementation-name'] ?? (reference ? 'reference-server' : 'server under test'),
        version: values['implementation-version'] ?? (reference ? '0.1.0' : 'unknown'),
      },
      only: values.only ?? [],
      reportDir: values['report-dir'] ?? 'load-report',
      baseline: !values['no-baseline'],
      ...(reference ? { details: { server: `reference server, ${reference.store} store` } } : {}),
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${result.report.verdict.summary}\n`);
    for (const file of [...result.files, ...result.plots])
      process.stdout.write(`  ${path.relative(process.cwd(), file)}\n`);
    return result.exitCode;
  } finally {
    await reference?.close();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (
        error instanceof Usage ||
        (error instanceof Error && error.name === 'TypeError' && 'code' in error)
      ) {
        process.stderr.write(`load: ${error.message}\n\n${usage}\n`);
        process.exit(2);
      }
      process.stderr.write(`load: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(4);
    },
  );
}
