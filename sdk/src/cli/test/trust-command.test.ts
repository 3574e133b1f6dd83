import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import {
  createRoot,
  delegationPayload,
  generateKeyPair,
  loadPrivateKey,
  parseEnvelope,
  payloadTypes,
  roleKeys,
  verifyEnvelope,
  type PrivateKey,
  type Root,
} from '../../signing/index.ts';
import { assertRefusedCleanly, runCli, sandbox, stderrCode, type Sandbox } from './cli-run.ts';

async function key(): Promise<{ key: PrivateKey; pem: string }> {
  const pair = await generateKeyPair('Ed25519');
  return { key: loadPrivateKey(pair.privateKeyPem), pem: pair.privateKeyPem };
}

/** An item of GET /v1/admin/delegations/pending, as the server lists it [API-108]. */
function pending(appId: string, keys: PrivateKey[], version = 2) {
  const { bytes } = delegationPayload({
    appId,
    version,
    issuedAt: new Date(),
    keys: keys.map((k) => k.publicJwk),
  });
  return {
    appId,
    version,
    payloadType: payloadTypes.delegation,
    payload: Buffer.from(bytes).toString('base64'),
    keyids: keys.map((k) => k.keyid),
    threshold: 1,
    expires: '2099-01-01T00:00:00Z',
  };
}

describe('miniapp trust sign-delegation [SIG-072] [API-108]', () => {
  let box: Sandbox;
  let root: Root;
  let rootKey: Awaited<ReturnType<typeof key>>;
  let delegationKey: Awaited<ReturnType<typeof key>>;
  let partner: PrivateKey;
  let n = 0;

  before(async () => {
    box = await sandbox();
    rootKey = await key();
    delegationKey = await key();
    partner = (await key()).key;
    const [release, index] = [(await key()).key, (await key()).key];
    const signed = createRoot(
      {
        version: 1,
        expires: new Date(Date.now() + 86_400_000 * 365),
        roles: {
          root: { keys: [rootKey.key.publicJwk], threshold: 1 },
          delegation: { keys: [delegationKey.key.publicJwk], threshold: 1 },
          release: { keys: [release.publicJwk], threshold: 1 },
          index: { keys: [index.publicJwk], threshold: 1 },
        },
      },
      [rootKey.key],
    );
    root = signed.payload;
    await writeFile(box.at('root.json'), signed.bytes);
    await writeFile(box.at('delegation.key.pem'), delegationKey.pem);
    await writeFile(box.at('root.key.pem'), rootKey.pem);
  });
  after(() => box.dispose());

  /** Writes a pending list and a fresh output folder; returns their paths. */
  async function prepare(items: unknown): Promise<{ file: string; out: string }> {
    n += 1;
    const file = box.at(`pending-${n}.json`);
    const out = box.at(`signed-${n}`);
    await writeFile(file, JSON.stringify(items));
    await mkdir(out);
    return { file, out };
  }

  it('signs the exact pending bytes so that they verify under the root, one file per app', async () => {
    const items = [
      pending('com.example.shop', [partner]),
      pending('com.example.maps', [partner], 5),
    ];
    const { file, out } = await prepare({ items });
    const run = await runCli([
      'trust',
      'sign-delegation',
      file,
      '--key',
      box.at('delegation.key.pem'),
      '--root',
      box.at('root.json'),
      '--out',
      out,
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual((await readdir(out)).sort(), [
      'com.example.maps.5.delegation.json',
      'com.example.shop.2.delegation.json',
    ]);
    const envelope = parseEnvelope(await readFile(`${out}/com.example.shop.2.delegation.json`));
    assert.equal(envelope.payload, items[0]?.payload);
    verifyEnvelope(
      envelope,
      roleKeys(root, 'delegation'),
      root.roles.delegation.threshold,
      payloadTypes.delegation,
    );
  });

  it('signs one app of the list with --app, or a single saved item', async () => {
    const { file, out } = await prepare({
      items: [pending('com.example.shop', [partner]), pending('com.example.maps', [partner])],
    });
    const args = ['--key', box.at('delegation.key.pem'), '--out', out];
    assert.equal(
      (await runCli(['trust', 'sign-delegation', file, '--app', 'com.example.maps', ...args]))
        .exitCode,
      0,
    );
    assert.deepEqual(await readdir(out), ['com.example.maps.2.delegation.json']);
    const single = await prepare(pending('com.example.notes', [partner]));
    const run = await runCli([
      'trust',
      'sign-delegation',
      single.file,
      '--key',
      box.at('delegation.key.pem'),
      '--out',
      single.out,
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
  });

  it('refuses a payload that delegates a key of the root, and writes nothing [SIG-081]', async () => {
    const { file, out } = await prepare({
      items: [pending('com.example.shop', [partner]), pending('com.example.evil', [rootKey.key])],
    });
    const run = await runCli([
      'trust',
      'sign-delegation',
      file,
      '--key',
      box.at('delegation.key.pem'),
      '--root',
      box.at('root.json'),
      '--out',
      out,
    ]);
    assertRefusedCleanly(run);
    assert.equal(stderrCode(run), 'SIG_KEY_REUSED');
    assert.deepEqual(await readdir(out), []);
  });

  it('refuses to sign with a key that is not of the delegation role, given the root [SIG-080]', async () => {
    const { file, out } = await prepare(pending('com.example.shop', [partner]));
    const run = await runCli([
      'trust',
      'sign-delegation',
      file,
      '--key',
      box.at('root.key.pem'),
      '--root',
      box.at('root.json'),
      '--out',
      out,
    ]);
    assertRefusedCleanly(run);
    assert.equal(stderrCode(run), 'SIG_UNKNOWN_KEY');
  });

  it('refuses an item whose payload names another app than the item [SIG-085]', async () => {
    const item = { ...pending('com.example.shop', [partner]), appId: 'com.example.bank' };
    const { file, out } = await prepare(item);
    const run = await runCli([
      'trust',
      'sign-delegation',
      file,
      '--key',
      box.at('delegation.key.pem'),
      '--out',
      out,
    ]);
    assertRefusedCleanly(run);
    assert.equal(stderrCode(run), 'SIG_WRONG_APP');
  });

  it('refuses a payload that is not a valid delegation [SIG-083]', async () => {
    const item = pending('com.example.shop', [partner]);
    const payload = JSON.parse(Buffer.from(item.payload, 'base64').toString('utf8')) as Record<
      string,
      unknown
    >;
    payload.expires = '2199-01-01T00:00:00Z';
    const { file, out } = await prepare({
      ...item,
      payload: Buffer.from(JSON.stringify(payload)).toString('base64'),
    });
    const run = await runCli([
      'trust',
      'sign-delegation',
      file,
      '--key',
      box.at('delegation.key.pem'),
      '--out',
      out,
    ]);
    assertRefusedCleanly(run);
    assert.equal(stderrCode(run), 'SIG_MALFORMED');
  });

  it('is a usage error without a key, with an unknown action, or with a file that is not a pending list', async () => {
    const { file, out } = await prepare(pending('com.example.shop', [partner]));
    for (const argv of [
      ['trust', 'sign-delegation', file, '--out', out],
      ['trust', 'sign-root', file, '--key', box.at('delegation.key.pem')],
      ['trust', 'sign-delegation', box.at('root.json'), '--key', box.at('delegation.key.pem')],
      [
        'trust',
        'sign-delegation',
        file,
        '--app',
        'com.example.none',
        '--key',
        box.at('delegation.key.pem'),
      ],
    ]) {
      const run = await runCli(argv);
      assert.equal(run.exitCode, 2, `${argv.join(' ')}: ${run.stderr}`);
      assert.equal(stderrCode(run), 'USAGE');
    }
  });

  it('never overwrites a signed delegation already in the folder', async () => {
    const { file, out } = await prepare(pending('com.example.shop', [partner]));
    const argv = [
      'trust',
      'sign-delegation',
      file,
      '--key',
      box.at('delegation.key.pem'),
      '--out',
      out,
    ];
    assert.equal((await runCli(argv)).exitCode, 0);
    const again = await runCli(argv);
    assert.equal(again.exitCode, 2);
    assert.equal(stderrCode(again), 'USAGE');
  });
});
