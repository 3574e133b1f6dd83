import path from 'node:path';
import { MiniAppError } from '../diagnostics/index.ts';
import {
  checkDelegation,
  decodeSignedPayload,
  loadPrivateKey,
  parseEnvelope,
  payloadTypes,
  roleKeys,
  signDelegationPayload,
  verifyEnvelope,
  type Delegation,
  type PrivateKey,
  type Root,
} from '../signing/index.ts';
import { inputBounds, readInputFile, writeOutputFile } from './cli-file.ts';
import { stringOption, UsageError, type Command, type ParsedArgs } from './command.ts';
import { ExitCode } from './exit-code.ts';

/** One item of `GET /v1/admin/delegations/pending` [API-108]. */
interface PendingItem {
  appId: string;
  version: number;
  payloadType: string;
  payload: string;
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new UsageError(
      `${file} is not JSON; save the answer of GET /v1/admin/delegations/pending`,
    );
  }
}

function isPendingItem(value: unknown): value is PendingItem {
  const item = value as Partial<PendingItem> | null;
  return (
    typeof item === 'object' &&
    item !== null &&
    typeof item.appId === 'string' &&
    typeof item.version === 'number' &&
    typeof item.payloadType === 'string' &&
    typeof item.payload === 'string'
  );
}

/** The pending items of a file holding the whole list (`{ items }`) or one item. */
function pendingItems(value: unknown, file: string): PendingItem[] {
  const items = Array.isArray((value as { items?: unknown } | null)?.items)
    ? (value as { items: unknown[] }).items
    : [value];
  if (!items.every(isPendingItem)) {
    throw new UsageError(
      `${file} is neither the list of GET /v1/admin/delegations/pending nor one of its items`,
    );
  }
  return items;
}

function keyFiles(args: ParsedArgs): string[] {
  const value = args.values.key as unknown;
  return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
}

async function loadKeys(files: string[]): Promise<PrivateKey[]> {
  if (files.length === 0) throw new UsageError('--key <delegation.key.pem> is required');
  return Promise.all(
    files.map(async (file) =>
      loadPrivateKey(new TextDecoder().decode(await readInputFile(file, inputBounds.privateKey))),
    ),
  );
}

async function loadRoot(file: string | undefined): Promise<Root | undefined> {
  if (file === undefined) return undefined;
  const envelope = parseEnvelope(await readInputFile(file, inputBounds.metadata));
  if (envelope.payloadType !== payloadTypes.root) {
    throw new MiniAppError('SIG_PAYLOAD_TYPE_MISMATCH', `${file} is not a trust root envelope`);
  }
  return decodeSignedPayload<Root>(
    new Uint8Array(Buffer.from(envelope.payload, 'base64')),
    'signing/root.schema.json',
    'The root',
  );
}

/**
 * Signs one pending payload offline [SIG-072] [API-108]: the exact bytes the server listed, after
 * checking that they are a well-formed delegation of the app and version the item names [SIG-081]
 * [SIG-083], and, given the root, that it delegates no root key and that the signature verifies
 * against the root's `delegation` role [SIG-080].
 */
function signItem(item: PendingItem, keys: PrivateKey[], root: Root | undefined) {
  if (item.payloadType !== payloadTypes.delegation) {
    throw new MiniAppError(
      'SIG_PAYLOAD_TYPE_MISMATCH',
      `the pending item of ${item.appId} is a ${item.payloadType}, not a delegation`,
    );
  }
  const bytes = new Uint8Array(Buffer.from(item.payload, 'base64'));
  if (Buffer.from(bytes).toString('base64') !== item.payload) {
    throw new MiniAppError('SIG_MALFORMED', `the payload of ${item.appId} is not standard base64`, {
      requirement: 'SIG-010',
    });
  }
  const payload = decodeSignedPayload<Delegation>(
    bytes,
    'signing/delegation.schema.json',
    'The delegation',
  );
  if (payload.appId !== item.appId || payload.version !== item.version) {
    throw new MiniAppError(
      'SIG_WRONG_APP',
      `the payload is delegation ${payload.version} of ${payload.appId}, but the item says ${item.version} of ${item.appId}`,
    );
  }
  checkDelegation(payload, root);
  const signed = signDelegationPayload(payload, bytes, keys);
  if (root) {
    verifyEnvelope(
      signed.envelope,
      roleKeys(root, 'delegation'),
      root.roles.delegation.threshold,
      payloadTypes.delegation,
    );
  }
  return signed;
}

export const trustCommand: Command = {
  name: 'trust',
  summary:
    'Platform operators: sign a pending delegation offline with the delegation key, for PUT /v1/admin/delegations/{appId}.',
  usage:
    'sign-delegation <pending.json> --key <delegation.key.pem>... [--root <root.json>] [--app <appId>] [--out <folder>]',
  options: {
    key: { type: 'string', multiple: true },
    root: { type: 'string' },
    app: { type: 'string' },
    out: { type: 'string' },
  },
  optionHelp: {
    key: "a private key of the root's delegation role; repeat to meet a threshold above 1",
    root: 'the trust root: refuses a payload that delegates a root key, and checks the signature meets the role',
    app: 'sign only this app of the pending list',
    out: 'the folder for <appId>.<version>.delegation.json (default: the current folder; never overwrites)',
  },
  minPositionals: 2,
  maxPositionals: 2,
  async run(args, io) {
    const [action, file = ''] = args.positionals;
    if (action !== 'sign-delegation') {
      throw new UsageError(`unknown trust action "${action ?? ''}"; the action is sign-delegation`);
    }
    const all = pendingItems(
      parseJson(await readInputFile(file, inputBounds.metadata), file),
      file,
    );
    const app = stringOption(args, 'app');
    const items = app === undefined ? all : all.filter((item) => item.appId === app);
    if (items.length === 0) {
      throw new UsageError(
        app === undefined
          ? `${file} lists no pending delegation`
          : `${file} lists no pending delegation of ${app}`,
      );
    }
    const keys = await loadKeys(keyFiles(args));
    const root = await loadRoot(stringOption(args, 'root'));
    const folder = stringOption(args, 'out') ?? '.';
    // Every item is checked and signed before anything is written, so a refusal writes nothing.
    const signed = items.map((item) => signItem(item, keys, root));
    for (const document of signed) {
      const { appId, version, threshold, expires } = document.payload;
      const target = path.join(folder, `${appId}.${version}.delegation.json`);
      await writeOutputFile(target, document.bytes, { overwrite: false });
      io.stdout.write(
        `signed delegation ${version} of ${appId}: ${Object.keys(document.payload.keys).length} key(s) ` +
          `${Object.keys(document.payload.keys).join(', ')}, threshold ${threshold}, expires ${expires}\n` +
          `  ${target}\n`,
      );
    }
    io.stdout.write(
      'import each with PUT /v1/admin/delegations/{appId} (body: the file, Content-Type: application/json)\n',
    );
    return ExitCode.ok;
  },
};
