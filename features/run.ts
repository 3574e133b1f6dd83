/**
 * npm run features -- [--url URL] --credentials FILE [--host-url URL [--webdriver URL]] [--reports DIR] [cucumber options]
 * Runs the Gherkin features against any distribution server named by a URL and the credentials file
 * of spec/conformance.md (Server adapter), and the @host scenarios against any host named by the URL
 * of its top-level page (Host adapter), driven as `miniapp-certify host` drives it. Other options go
 * to cucumber-js unchanged (--tags, --name, --profile server, --profile host). MINIAPP_SERVER_URL,
 * MINIAPP_CREDENTIALS, MINIAPP_HOST_URL and MINIAPP_WEBDRIVER_URL work instead of the options.
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
  '--host-url': 'MINIAPP_HOST_URL',
  '--webdriver': 'MINIAPP_WEBDRIVER_URL',
};
const urls = new Set(['MINIAPP_SERVER_URL', 'MINIAPP_HOST_URL', 'MINIAPP_WEBDRIVER_URL']);
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
  env[variable] = urls.has(variable) ? value : path.resolve(value);
}
for (const variable of urls) {
  const value = env[variable];
  if (value === undefined || value === '') continue;
  try {
    new URL(value);
  } catch {
    console.error(`${variable} "${value}" is not a URL`);
    process.exit(2);
  }
}
if (!env.MINIAPP_CREDENTIALS && !env.MINIAPP_HOST_URL) {
  console.error(
    'usage: npm run features -- [--url URL] --credentials FILE [--host-url URL [--webdriver URL]] [--reports DIR] [cucumber-js options]\n' +
      'the credentials file is the one of spec/conformance.md (Server adapter): { "url", "admin": { "token" } };\n' +
      '--host-url is the top-level page of a host in its conformance build (Host adapter), --webdriver a WebDriver server to drive it with (default: chromedriver of this machine)',
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
