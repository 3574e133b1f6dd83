/**
 * npm run features -- --url URL --credentials FILE [--reports DIR] [cucumber options]
 * Runs the Gherkin features against any distribution server named by a URL and the credentials file
 * of spec/conformance.md (Server adapter). Other options go to cucumber-js unchanged (--tags, --name,
 * --profile server). MINIAPP_SERVER_URL and MINIAPP_CREDENTIALS work instead of the two options.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const env: NodeJS.ProcessEnv = { ...process.env };
const passed: string[] = [];
const args = process.argv.slice(2);
const ours: Record<string, string> = {
  '--url': 'MINIAPP_SERVER_URL',
  '--credentials': 'MINIAPP_CREDENTIALS',
  '--reports': 'MINIAPP_FEATURES_REPORTS',
};
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  const [name, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
  const variable = ours[name as string];
  if (!variable) {
    passed.push(arg);
    continue;
  }
  const value = inline ?? args[++i];
  if (value === undefined || value === '') {
    console.error(`${name} needs a value`);
    process.exit(2);
  }
  env[variable] = variable === 'MINIAPP_SERVER_URL' ? value : path.resolve(value);
}
if (!env.MINIAPP_CREDENTIALS) {
  console.error(
    'usage: npm run features -- --url URL --credentials FILE [--reports DIR] [cucumber-js options]\n' +
      'the credentials file is the one of spec/conformance.md (Server adapter): { "url", "admin": { "token" } }',
  );
  process.exit(2);
}
const cli = createRequire(import.meta.url).resolve('@cucumber/cucumber/package.json');
const bin = path.join(path.dirname(cli), 'bin', 'cucumber.js');
const child = spawn(
  process.execPath,
  ['--import', 'tsx', bin, '--config', 'features/cucumber.mjs', ...passed],
  { cwd: root, env, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
