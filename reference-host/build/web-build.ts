/**
 * Builds the host's web layer with esbuild: the shell (the super app's own page), the runtime
 * bootstrap and service worker served on mini-app origins, and the bridge client the runtime injects.
 * The sdk's verification code is bundled unchanged; its Node imports are mapped to the browser
 * modules of src/platform, and `#schemas` to validators compiled ahead of time (no eval at run time).
 *
 * Modes: `production` (no developer aids), `development` (simulator and inspector), `conformance`
 * (development plus the conformance adapter). The adapter is a separate entry point, so no other
 * build contains its code.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { build, type Plugin } from 'esbuild';
import { withOpenMembers } from '../../schemas/src/schema-registry.ts';

const addFormats = addFormatsModule.default;
const standaloneCode = standaloneCodeModule.default;

export type BuildMode = 'production' | 'development' | 'conformance';

export const hostRoot = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(hostRoot, '..');
const schemasRoot = path.join(repoRoot, 'schemas');
const schemaBaseUri = 'https://openminiapp.dev/schemas/v1/';

/** The host's release; shown by host.getInfo and compared with nothing else. */
export const hostVersion = '0.1.0';

export function distDir(mode: BuildMode): string {
  return path.join(hostRoot, 'dist', mode);
}

async function schemaFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, encoding: 'utf8' });
  return entries
    .filter((f) => f.endsWith('.schema.json') && !f.split(path.sep).includes('examples'))
    .sort();
}

/** Which schemas (and fragments) the browser code validates against. */
function wanted(relative: string): boolean {
  return (
    relative.startsWith('signing/') ||
    relative.startsWith('manifest/') ||
    relative.startsWith('analytics/') ||
    relative.startsWith('permissions/') ||
    relative.startsWith('bridge/') ||
    relative.startsWith('conformance/adapter-')
  );
}

/**
 * The schemas whose objects a payload of a later minor version may extend [SIG-077]: the rule of the
 * sdk's decodeSignedPayload (signing schemas but JWKs and the envelope). The browser module checks at
 * run time that the sdk asks for exactly this set, so the two cannot drift apart silently.
 */
function openMembers(relative: string): boolean {
  return (
    relative.startsWith('signing/') &&
    relative !== 'signing/jwk.schema.json' &&
    relative !== 'signing/envelope.schema.json'
  );
}

/**
 * Ajv standalone code for every schema the host validates, keyed like validatorFor's argument.
 * `open`: the second instance of the sdk, whose signing schemas accept unknown members [SIG-077].
 */
async function schemaValidatorsModule(open: boolean): Promise<string> {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    code: { source: true, esm: true },
  });
  addFormats(ajv);
  // [ERR-002] the registry code annotation of the schemas, as schemas/src/schema-registry.ts declares it.
  ajv.addKeyword({
    keyword: 'x-error-code',
    metaSchema: {
      anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }],
    },
  });
  const mapping: Record<string, string> = {};
  const keys: Record<string, string> = {};
  const all: string[] = [];
  let n = 0;
  const add = (key: string, id: string): void => {
    const name = `v${n++}`;
    mapping[name] = id;
    keys[key] = name;
  };
  for (const file of await schemaFiles(schemasRoot)) {
    const schema = JSON.parse(await readFile(path.join(schemasRoot, file), 'utf8')) as {
      $id?: string;
      $defs?: Record<string, unknown>;
    };
    const relative = file.split(path.sep).join('/');
    all.push(relative);
    ajv.addSchema(open && openMembers(relative) ? (withOpenMembers(schema) as object) : schema);
    if (open ? !openMembers(relative) : !wanted(relative)) continue;
    add(relative, schemaBaseUri + relative);
    if (open) continue;
    for (const def of Object.keys(schema.$defs ?? {})) {
      add(`${relative}#/$defs/${def}`, `${schemaBaseUri}${relative}#/$defs/${def}`);
    }
  }
  const code = standaloneCode(ajv, mapping);
  const table = Object.entries(keys)
    .map(([key, name]) => `${JSON.stringify(key)}: ${name}`)
    .join(',\n');
  return `${code}\nexport const schemaValidators = {\n${table}\n};\nexport const schemaPaths = ${JSON.stringify(all)};\n`;
}

/** The documents errorCodeOf walks for the host's manifest checks: manifest/ and permissions/. */
async function schemaDocumentsModule(): Promise<string> {
  const documents: Record<string, unknown> = {};
  for (const file of await schemaFiles(schemasRoot)) {
    const relative = file.split(path.sep).join('/');
    if (!relative.startsWith('manifest/') && !relative.startsWith('permissions/')) continue;
    const schema = JSON.parse(await readFile(path.join(schemasRoot, file), 'utf8')) as {
      $id?: string;
    };
    documents[schema.$id ?? schemaBaseUri + relative] = schema;
  }
  return `export const schemaDocuments = ${JSON.stringify(documents)};\n`;
}

function browserPlatform(): Plugin {
  const platform = path.join(hostRoot, 'src/platform');
  return {
    name: 'host-browser-platform',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^#schemas$/ }, () => ({
        path: path.join(platform, 'browser-schemas.ts'),
      }));
      pluginBuild.onResolve({ filter: /^(node:)?crypto$/ }, () => ({
        path: path.join(platform, 'browser-crypto.ts'),
      }));
      pluginBuild.onResolve({ filter: /^(node:)?util$/ }, () => ({
        path: path.join(platform, 'node-util.ts'),
      }));
      // The sdk's hardened ZIP reader (verifyPackageBytes) needs zlib; file reads stay in its CLI.
      pluginBuild.onResolve({ filter: /^(node:)?zlib$/ }, () => ({
        path: path.join(platform, 'node-zlib.ts'),
      }));
      pluginBuild.onResolve({ filter: /^(node:)?fs\/promises$/ }, () => ({
        path: path.join(platform, 'node-fs.ts'),
      }));
      // schema-trail.ts reads schema documents for errorCodeOf [ERR-002]: embedded, not read from disk.
      pluginBuild.onResolve({ filter: /schema-registry\.ts$/ }, (args) =>
        args.importer.endsWith(`${path.sep}schema-trail.ts`)
          ? { path: path.join(platform, 'browser-schema-documents.ts') }
          : undefined,
      );
      pluginBuild.onResolve({ filter: /^omp:schema-documents$/ }, () => ({
        path: 'schema-documents',
        namespace: 'omp-documents',
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'omp-documents' }, async () => ({
        contents: await schemaDocumentsModule(),
        loader: 'js',
      }));
      pluginBuild.onResolve({ filter: /^omp:(open-)?schema-validators$/ }, (args) => ({
        path: args.path.slice('omp:'.length),
        namespace: 'omp',
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'omp' }, async (args) => ({
        contents: await schemaValidatorsModule(args.path === 'open-schema-validators'),
        loader: 'js',
        resolveDir: repoRoot,
      }));
    },
  };
}

interface Entry {
  entry: string;
  out: string;
  format: 'iife' | 'esm';
}

function entriesFor(mode: BuildMode): Entry[] {
  return [
    {
      entry:
        mode === 'conformance' ? 'src/adapter/conformance-entry.ts' : 'src/shell/shell-entry.ts',
      out: 'host.js',
      format: 'esm',
    },
    { entry: 'src/runtime/bootstrap-entry.ts', out: 'runtime/bootstrap.js', format: 'iife' },
    { entry: 'src/runtime/service-worker-entry.ts', out: 'runtime/sw.js', format: 'iife' },
    { entry: 'src/runtime/bridge-client-entry.ts', out: 'runtime/client.js', format: 'iife' },
    // The shell's verification worker, on the shell's own origin.
    { entry: 'src/launch/extraction-worker-entry.ts', out: 'extraction-worker.js', format: 'iife' },
  ];
}

/**
 * Builds one mode into reference-host/dist/<mode>/ and returns that directory. The build is written
 * beside it and swapped in whole: other processes (parallel test files, a running `npm start`) may be
 * serving the directory, and must never see it empty or half-written.
 */
export async function buildHostWeb(
  mode: BuildMode,
  options: { minify?: boolean } = {},
): Promise<string> {
  const target = distDir(mode);
  const out = `${target}.building-${randomUUID()}`;
  try {
    await mkdir(path.join(out, 'runtime'), { recursive: true });
    await writeBuild(mode, out, options);
    await swapInto(out, target);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  return target;
}

/** Replaces `target` by `built` with two renames; the same sources give the same build, so a build
 * another process swapped in first is as good as ours. */
async function swapInto(built: string, target: string): Promise<void> {
  const old = `${target}.old-${randomUUID()}`;
  await rename(target, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  try {
    await rename(built, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  } finally {
    await rm(old, { recursive: true, force: true });
  }
}

async function writeBuild(
  mode: BuildMode,
  out: string,
  options: { minify?: boolean },
): Promise<void> {
  const bufferShim = path.join(hostRoot, 'src/platform/buffer-global.ts');
  await Promise.all(
    entriesFor(mode).map((e) =>
      build({
        entryPoints: [path.join(hostRoot, e.entry)],
        outfile: path.join(out, e.out),
        bundle: true,
        format: e.format,
        platform: 'browser',
        target: 'es2022',
        charset: 'utf8',
        legalComments: 'none',
        sourcemap: mode === 'production' ? false : 'linked',
        minify: options.minify ?? mode === 'production',
        inject:
          e.entry.includes('shell') ||
          e.entry.includes('adapter') ||
          e.entry.includes('extraction-worker')
            ? [bufferShim]
            : [],
        define: {
          __OMP_BUILD_MODE__: JSON.stringify(mode),
          __OMP_HOST_VERSION__: JSON.stringify(hostVersion),
        },
        plugins: [browserPlatform()],
        logLevel: 'silent',
      }),
    ),
  );
  await cp(path.join(hostRoot, 'web'), out, { recursive: true });
  // A native build bundles its configuration (distribution server, trust root) as config.json.
  if (process.env.HOST_CONFIG_FILE)
    await cp(path.resolve(process.env.HOST_CONFIG_FILE), path.join(out, 'config.json'));
  await writeFile(path.join(out, 'build.json'), `${JSON.stringify({ mode, hostVersion })}\n`);
}

if (process.argv[1] === import.meta.filename) {
  const mode = (process.argv[2] ?? 'development') as BuildMode;
  if (!['production', 'development', 'conformance'].includes(mode)) {
    console.error(
      'usage: tsx reference-host/build/web-build.ts [production|development|conformance]',
    );
    process.exit(2);
  }
  const started = performance.now();
  const out = await buildHostWeb(mode);
  console.log(
    `reference-host: built ${mode} into ${out} in ${Math.round(performance.now() - started)} ms`,
  );
}
