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

/**
 * The platform's release, as a host checks it [SIG-063]: root -> index -> the app's bin -> its
 * delegation -> release metadata -> the partner statement under the delegation -> package bytes.
 */
async function verifyPlatform(pkg: PackageFileContents, args: ParsedArgs): Promise<string> {
  const files = Object.fromEntries(
    platformFiles.map((name) => [name, stringOption(args, name)] as const),
  );
  const missing = platformFiles.filter((name) => files[name] === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `platform verification needs ${platformFiles.map((f) => `--${f}`).join(', ')} (missing ${missing.map((f) => `--${f}`).join(', ')})`,
    );
  }
  const read = (name: (typeof platformFiles)[number]) =>
    readInputFile(files[name] ?? '', inputBounds.metadata);
  const nowText = stringOption(args, 'now');
  const now = nowText === undefined ? new Date() : new Date(nowText);
  if (Number.isNaN(now.getTime()))
    throw new UsageError(`--now must be an RFC 3339 time (got "${nowText}")`);
  const appId = pkg.manifest.id;
  const store = TrustStore.fromBakedRoot(await read('root'));
  store.updateRoot([], now);
  store.verifyIndex(await read('index'), now);
  store.verifyBin(await read('bin'), store.binFor(appId).prefix, now);
  const delegation = store.verifyDelegation(await read('delegation'), { appId, now });
  // [SIG-065] the bin pins a release per channel; a host follows one channel.
  const channel = stringOption(args, 'channel') ?? 'stable';
  const { release } = store.verifyRelease(await read('release'), { appId, channel, now });
  const statement = store.verifyStatement(await read('statement'), release);
  store.verifyPackage(pkg.bytes, release);
  return `platform release OK: ${release.appId} ${release.version} (versionCode ${release.versionCode}) pinned on ${channel}, statement signed by ${statement.keyids.join(', ')} under delegation version ${delegation.version}`;
}

/** The files of a platform verification, in the order a host reads them. */
const platformFiles = ['root', 'index', 'bin', 'delegation', 'release', 'statement'] as const;

export const verifyCommand: Command = {
  name: 'verify',
  summary:
    "Verify a .ma package: the author's statement against partner public keys, and/or the platform release against a trust root and index.",
  usage:
    '<package.ma> [--statement <file> --key <public.jwk.json>...] [--root <root.json> --index <index.json> --bin <bin.json> --delegation <delegation.json> --release <release.json> --statement <file> [--channel <name>] [--now <time>]]',
  options: {
    statement: { type: 'string' },
    key: { type: 'string', multiple: true },
    root: { type: 'string' },
    index: { type: 'string' },
    bin: { type: 'string' },
    delegation: { type: 'string' },
    release: { type: 'string' },
    now: { type: 'string' },
    channel: { type: 'string' },
  },
  optionHelp: {
    statement:
      "the author's DSSE statement (from `miniapp sign`); checked against --key, and under the delegation for a platform check",
    key: 'a partner public JWK; repeat for several keys',
    root: 'the trust root (as baked into the host)',
    index: 'the current signed index',
    bin: "the index's bin that lists the app",
    delegation: "the app's delegation that the bin pins",
    release: "the platform's signed release metadata",
    now: 'verify as of this RFC 3339 time (default: now)',
    channel: 'the channel the index must pin the release on (default: stable)',
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(args, io) {
    const wantsPlatform = platformFiles
      .filter((f) => f !== 'statement')
      .some((o) => stringOption(args, o) !== undefined);
    const wantsAuthor =
      stringOption(args, 'statement') !== undefined &&
      (!wantsPlatform || keyFiles(args).length > 0);
    if (!wantsAuthor && !wantsPlatform)
      throw new UsageError(
        'give --statement with --key (author) and/or --root/--index/--bin/--delegation/--release/--statement (platform)',
      );
    const pkg = await readPackageFile(args.positionals[0] ?? '');
    if (wantsAuthor)
      io.stdout.write(
        `${await verifyAuthor(pkg, stringOption(args, 'statement') ?? '', keyFiles(args))}\n`,
      );
    if (wantsPlatform) io.stdout.write(`${await verifyPlatform(pkg, args)}\n`);
    return ExitCode.ok;
  },
};
