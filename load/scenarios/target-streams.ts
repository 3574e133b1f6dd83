import { writeFile } from 'node:fs/promises';
import type { LoadDataset } from '../dataset/load-dataset.ts';
import { uploadBody } from '../dataset/load-dataset.ts';
import { loadPackage } from '../dataset/load-packages.ts';
import { targetLine, type VegetaTarget } from '../vegeta/vegeta-engine.ts';

/**
 * The requests of each scenario as a vegeta target stream: a fixed list, generated once per run
 * from a seeded random source, that vegeta cycles through at the scenario's rate. The same seed gives
 * the same stream, so two runs against two servers send the same requests.
 */

/** A small, fast, seeded generator (mulberry32): reproducible streams without a dependency. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function base64(text: string | Uint8Array): string {
  return Buffer.from(text).toString('base64');
}

function join(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** Apps drawn uniformly without repetition (a host lists each installed app once). */
function distinct(apps: readonly string[], count: number, random: () => number): string[] {
  const pool = [...apps];
  const out: string[] = [];
  while (out.length < Math.min(count, pool.length)) {
    const index = Math.floor(random() * pool.length);
    out.push(pool.splice(index, 1)[0] as string);
  }
  return out;
}

/**
 * Batch update checks of spec/conformance.md ("Server load"): 20 apps drawn uniformly from the data
 * set, each with an installed versionCode drawn from 1 to 3, and a device id (with that device's own
 * credential) drawn from the 1,000 devices [BUD-010].
 */
export function updateCheckTargets(
  baseUrl: string,
  dataset: LoadDataset,
  options: { count: number; appsPerCheck?: number; seed?: number },
): VegetaTarget[] {
  const random = seededRandom(options.seed ?? 1);
  const perCheck = options.appsPerCheck ?? 20;
  return Array.from({ length: options.count }, () => {
    const device = pick(dataset.devices, random);
    const apps = distinct(dataset.apps, perCheck, random).map((appId) => ({
      appId,
      versionCode: 1 + Math.floor(random() * dataset.versionsPerApp),
    }));
    const body = JSON.stringify({
      hostApiVersion: '1.0.0',
      channel: 'stable',
      deviceId: device.deviceId,
      apps,
    });
    return {
      method: 'POST',
      url: join(baseUrl, '/v1/updates/check'),
      header: {
        authorization: [`Bearer ${device.token}`],
        'content-type': ['application/json'],
      },
      body: base64(body),
    };
  });
}

/** Whole downloads of the 2 MiB reference bundle [BUD-011]. */
export function bundleTargets(baseUrl: string, bundlePath: string): VegetaTarget[] {
  return [{ method: 'GET', url: join(baseUrl, bundlePath) }];
}

/**
 * Resumed and partial downloads of the same bundle: single ranges of 64 KiB to 512 KiB at seeded
 * offsets, as a host resuming a cut download sends them [API-044].
 */
export function rangeTargets(
  baseUrl: string,
  bundlePath: string,
  length: number,
  options: { count: number; seed?: number },
): VegetaTarget[] {
  const random = seededRandom(options.seed ?? 2);
  return Array.from({ length: options.count }, () => {
    const size = 64 * 1024 * (1 + Math.floor(random() * 8));
    const start = Math.floor(random() * Math.max(1, length - size));
    const end = Math.min(length - 1, start + size - 1);
    return {
      method: 'GET',
      url: join(baseUrl, bundlePath),
      header: { range: [`bytes=${String(start)}-${String(end)}`] },
    };
  });
}

/** Words the data set's names and pages contain, and some that match nothing. */
const searchWords = ['load', 'app', 'verification', 'reference', 'a01', 'a1', 'nothing-matches'];

/**
 * Catalog searches and pages by host devices: a word, sometimes a category, a limit from 5 to 50,
 * and a locale [API-048] [API-051].
 */
export function catalogTargets(
  baseUrl: string,
  dataset: LoadDataset,
  options: { count: number; seed?: number },
): VegetaTarget[] {
  const random = seededRandom(options.seed ?? 3);
  return Array.from({ length: options.count }, () => {
    const params = new URLSearchParams({ q: pick(searchWords, random) });
    if (random() < 0.3) params.set('category', 'utilities');
    params.set('limit', String(5 + Math.floor(random() * 46)));
    if (random() < 0.5) params.set('locale', pick(['en', 'en-GB', 'fr', 'zh-Hans-CN'], random));
    const device = pick(dataset.devices, random);
    return {
      method: 'GET',
      url: join(baseUrl, `/v1/catalog/apps?${params.toString()}`),
      header: { authorization: [`Bearer ${device.token}`] },
    };
  });
}

/** What a host fetches to refresh its trust state: the current root and the current index [API-036] [API-038]. */
export const trustPaths = ['/v1/trust/root.json', '/v1/trust/index.json'] as const;

export function trustTargets(baseUrl: string): VegetaTarget[] {
  return trustPaths.map((path) => ({ method: 'GET', url: join(baseUrl, path) }));
}

/**
 * A background of partner uploads: new versions (4, 5, ...) of the data set's apps, signed with the
 * partner's key and sent as the multipart body of [API-069]. A version the server already holds (an
 * earlier run) is answered 200 by idempotence [API-072], a new one 201 [API-073].
 */
export async function uploadTargets(
  baseUrl: string,
  dataset: LoadDataset,
  options: { count: number; seed?: number },
): Promise<VegetaTarget[]> {
  const targets: VegetaTarget[] = [];
  for (let i = 0; i < options.count; i++) {
    const appId = dataset.apps[i % dataset.apps.length] as string;
    const versionCode = dataset.versionsPerApp + 1 + Math.floor(i / dataset.apps.length);
    const { body, contentType } = await uploadBody(
      loadPackage(appId, versionCode),
      dataset.partner.key,
    );
    targets.push({
      method: 'PUT',
      url: join(baseUrl, `/v1/partner/apps/${appId}/versions`),
      header: {
        authorization: [`Bearer ${dataset.partner.token}`],
        'content-type': [contentType],
      },
      body: base64(body),
    });
  }
  return targets;
}

/** Writes a stream as vegeta's JSON target format, one target per line. */
export async function writeTargets(file: string, targets: readonly VegetaTarget[]): Promise<void> {
  await writeFile(file, `${targets.map(targetLine).join('\n')}\n`);
}
