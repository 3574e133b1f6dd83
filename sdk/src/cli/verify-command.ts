import { MiniAppError } from '../diagnostics/index.ts';
import {
  importPublicJwk,
  packageDigestOf,
  sha256Hex,
  TrustStore,
  verifyStatement,
  type PublicJwk,
} from '../signing/index.ts';
import { inputBounds, readInputFile } from './cli-file.ts';
import { stringOption, UsageError, type Command, type ParsedArgs } from './command.ts';
import { ExitCode } from './exit-code.ts';
import { readPackageFile, type PackageFileContents } from './package-file.ts';

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    throw new MiniAppError('SIG_KEY_INVALID', `${file} is not a JSON Web Key (invalid JSON)`, {
      location: { file },
    });
  }
}

function keyFiles(args: ParsedArgs): string[] {
  const value = args.values.key as unknown;
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}

/** The author's statement: signed by one of the given partner keys, over exactly this package [SIG-020] [SIG-021]. */
async function verifyAuthor(
  pkg: PackageFileContents,
  statementFile: string,
  keys: string[],
): Promise<string> {
  if (keys.length === 0)
    throw new UsageError('--statement needs at least one --key <public.jwk.json>');
  const partnerKeys: Record<string, PublicJwk> = {};
  for (const file of keys) {
    const imported = importPublicJwk(
      parseJson(await readInputFile(file, inputBounds.publicKey), file),
    );
    partnerKeys[imported.keyid] = imported.jwk;
  }
  const verified = verifyStatement(
    await readInputFile(statementFile, inputBounds.metadata),
    partnerKeys,
    {
      appId: pkg.manifest.id,
      package: packageDigestOf(pkg.bytes),
    },
  );
  const { statement } = verified;
  // The statement must describe this very manifest, not only these bytes' digest.
  if (
    statement.manifestSha256 !== sha256Hex(pkg.manifestBytes) ||
    statement.versionCode !== pkg.manifest.versionCode ||
    statement.version !== pkg.manifest.version
  ) {
    throw new MiniAppError(
      'SIG_MANIFEST_MISMATCH',
      "the statement's version, versionCode or manifest digest differs from the package's manifest",
      {
        requirement: 'SIG-042',
      },
    );
  }
  return `author statement OK: ${statement.appId} ${statement.version} (versionCode ${statement.versionCode}) signed by ${verified.keyid}`;
}

/** The platform's release, as a host checks it: root -> index -> release -> package bytes [SIG-063]. */
async function verifyPlatform(pkg: PackageFileContents, args: ParsedArgs): Promise<string> {
  const rootFile = stringOption(args, 'root');
  const indexFile = stringOption(args, 'index');
  const releaseFile = stringOption(args, 'release');
  if (!rootFile || !indexFile || !releaseFile)
    throw new UsageError('platform verification needs --root, --index and --release');
  const nowText = stringOption(args, 'now');
  const now = nowText === undefined ? new Date() : new Date(nowText);
  if (Number.isNaN(now.getTime()))
    throw new UsageError(`--now must be an RFC 3339 time (got "${nowText}")`);
  const store = TrustStore.fromBakedRoot(await readInputFile(rootFile, inputBounds.metadata));
  store.updateRoot([], now);
  store.verifyIndex(await readInputFile(indexFile, inputBounds.metadata), now);
  // [SIG-065] the index pins a release per channel; a host follows one channel.
  const channel = stringOption(args, 'channel') ?? 'stable';
  const { release } = store.verifyRelease(await readInputFile(releaseFile, inputBounds.metadata), {
    appId: pkg.manifest.id,
    channel,
    now,
  });
  store.verifyPackage(pkg.bytes, release);
  return `platform release OK: ${release.appId} ${release.version} (versionCode ${release.versionCode}) pinned by the index on ${channel}, expires ${release.expires}`;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary:
    "Verify a .ma package: the author's statement against partner public keys, and/or the platform release against a trust root and index.",
  usage:
    '<package.ma> [--statement <file> --key <public.jwk.json>...] [--root <root.json> --index <index.json> --release <release.json> [--channel <name>] [--now <time>]]',
  options: {
    statement: { type: 'string' },
    key: { type: 'string', multiple: true },
    root: { type: 'string' },
    index: { type: 'string' },
    release: { type: 'string' },
    now: { type: 'string' },
    channel: { type: 'string' },
  },
  optionHelp: {
    statement: "the author's DSSE statement (from `miniapp sign`)",
    key: 'a partner public JWK; repeat for several keys',
    root: 'the trust root (as baked into the host)',
    index: 'the current signed index',
    release: "the platform's signed release metadata",
    now: 'verify as of this RFC 3339 time (default: now)',
    channel: 'the channel the index must pin the release on (default: stable)',
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(args, io) {
    const wantsAuthor = stringOption(args, 'statement') !== undefined;
    const wantsPlatform = ['root', 'index', 'release'].some(
      (o) => stringOption(args, o) !== undefined,
    );
    if (!wantsAuthor && !wantsPlatform)
      throw new UsageError('give --statement (author) and/or --root/--index/--release (platform)');
    const pkg = await readPackageFile(args.positionals[0] ?? '');
    if (wantsAuthor)
      io.stdout.write(
        `${await verifyAuthor(pkg, stringOption(args, 'statement') ?? '', keyFiles(args))}\n`,
      );
    if (wantsPlatform) io.stdout.write(`${await verifyPlatform(pkg, args)}\n`);
    return ExitCode.ok;
  },
};
