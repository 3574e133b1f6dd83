import { MiniAppError } from '../diagnostics/index.ts';
import { createStatement, loadPrivateKey } from '../signing/index.ts';
import { inputBounds, readInputFile, writeOutputFile } from './cli-file.ts';
import { requiredOption, stringOption, type Command } from './command.ts';
import { ExitCode } from './exit-code.ts';
import { readPackageFile } from './package-file.ts';

export const signCommand: Command = {
  name: 'sign',
  summary:
    "Sign a .ma package as its author: a DSSE statement over the package's digest, length, id and versionCode, to upload with it.",
  usage: '<package.ma> --key <private.key.pem> [--out <statement.json>]',
  options: { key: { type: 'string' }, out: { type: 'string' } },
  optionHelp: {
    key: 'the PKCS#8 private key from `miniapp keygen`',
    out: 'default: <package>.statement.json',
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(args, io) {
    const file = args.positionals[0] ?? '';
    const keyFile = requiredOption(args, 'key');
    const out = stringOption(args, 'out') ?? `${file}.statement.json`;
    const pem = new TextDecoder().decode(
      await readInputFile(keyFile, inputBounds.privateKey).catch((error: unknown) => {
        if (error instanceof MiniAppError) throw error;
        throw new MiniAppError('SIG_KEY_FILE_INVALID', `cannot read the key file ${keyFile}`, {
          location: { file: keyFile },
        });
      }),
    );
    const key = loadPrivateKey(pem);
    const pkg = await readPackageFile(file);
    const signed = createStatement(
      {
        appId: pkg.manifest.id,
        version: pkg.manifest.version,
        versionCode: pkg.manifest.versionCode,
        packageBytes: pkg.bytes,
        manifestBytes: pkg.manifestBytes,
      },
      key,
    );
    await writeOutputFile(out, signed.bytes, { overwrite: true });
    io.stdout.write(
      `signed ${pkg.manifest.id} ${pkg.manifest.version} (versionCode ${pkg.manifest.versionCode}) with key ${key.keyid}\n` +
        `package sha256:${signed.payload.package.sha256} length:${signed.payload.package.length}\nstatement: ${out}\n`,
    );
    return ExitCode.ok;
  },
};
