import { rm } from 'node:fs/promises';
import { generateKeyPair, type SigningAlgorithm } from '../signing/index.ts';
import { writeOutputFile } from './cli-file.ts';
import { choiceOption, requiredOption, type Command } from './command.ts';
import { ExitCode } from './exit-code.ts';

const algorithms = {
  ed25519: 'Ed25519',
  'ecdsa-p256': 'ECDSA-P256',
  'rsa-pss': 'RSA-PSS',
} as const satisfies Record<string, SigningAlgorithm>;
type AlgorithmFlag = keyof typeof algorithms;

export const keygenCommand: Command = {
  name: 'keygen',
  summary:
    'Generate a partner signing key pair: a PKCS#8 private key (readable only by you) and the public JWK to register with the platform.',
  usage: '--out <basename> [--alg ed25519|ecdsa-p256|rsa-pss]',
  options: { out: { type: 'string' }, alg: { type: 'string' } },
  optionHelp: {
    out: 'writes <basename>.key.pem and <basename>.pub.jwk.json (never overwrites)',
    alg: 'ed25519 (default), ecdsa-p256 (hardware keystores), rsa-pss (3072-bit)',
  },
  minPositionals: 0,
  maxPositionals: 0,
  async run(args, io) {
    const out = requiredOption(args, 'out');
    const alg = choiceOption(args, 'alg', Object.keys(algorithms) as AlgorithmFlag[], 'ed25519');
    const pair = await generateKeyPair(algorithms[alg]);
    const publicFile = `${out}.pub.jwk.json`;
    const privateFile = `${out}.key.pem`;
    // The private key is readable by its owner only; never replace an existing key [SIG-007].
    await writeOutputFile(privateFile, pair.privateKeyPem, { overwrite: false, mode: 0o600 });
    try {
      await writeOutputFile(publicFile, `${JSON.stringify(pair.publicJwk, null, 2)}\n`, {
        overwrite: false,
      });
    } catch (error) {
      // Half a key pair is useless and confusing: take back the private key just written.
      await rm(privateFile, { force: true });
      throw error;
    }
    io.stdout.write(
      `private key: ${privateFile} (keep it secret)\npublic key:  ${publicFile}\nkeyid:       ${pair.keyid}\n`,
    );
    return ExitCode.ok;
  },
};
