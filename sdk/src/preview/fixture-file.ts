import { MiniAppError } from '../diagnostics/index.ts';
import { readBoundedFile } from '../package/index.ts';
import type { NetworkFixture } from './network-fixture.ts';

/** Canned responses for a preview are small; anything larger is not a fixtures file. */
const maxFixtureBytes = 16 * 1024 * 1024;

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(file: string, pointer: string, message: string): never {
  throw new MiniAppError('USAGE', `${message} (at ${pointer || '/'})`, {
    location: { file, pointer },
    fix: 'write a JSON array of { "method"?, "url", "status"?, "headers"?, "body"? } objects',
  });
}

/** Checks parsed JSON as a list of network fixtures; throws USAGE naming the bad member. */
export function parseFixtures(value: unknown, file = 'fixtures'): NetworkFixture[] {
  if (!Array.isArray(value)) refuse(file, '', 'the fixtures must be a JSON array');
  return value.map((item: unknown, index): NetworkFixture => {
    const at = `/${index}`;
    if (!isRecord(item)) refuse(file, at, 'a fixture must be an object');
    const { method, url, status, headers, body } = item;
    if (typeof url !== 'string' || !/^https:\/\/[^\s/?#]+/.test(url)) {
      refuse(file, `${at}/url`, 'url must be an https URL');
    }
    if (method !== undefined && (typeof method !== 'string' || !methods.includes(method))) {
      refuse(file, `${at}/method`, `method must be one of ${methods.join(', ')}`);
    }
    if (
      status !== undefined &&
      (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    ) {
      refuse(file, `${at}/status`, 'status must be an integer from 100 to 599');
    }
    if (
      headers !== undefined &&
      (!isRecord(headers) || Object.values(headers).some((v) => typeof v !== 'string'))
    ) {
      refuse(file, `${at}/headers`, 'headers must map names to strings');
    }
    return {
      url,
      ...(method === undefined ? {} : { method: method as string }),
      ...(status === undefined ? {} : { status: status as number }),
      ...(headers === undefined ? {} : { headers: headers as Record<string, string> }),
      ...(body === undefined ? {} : { body }),
    };
  });
}

/** Reads a fixtures file for `miniapp preview --fixtures`. */
export async function readFixtureFile(file: string): Promise<NetworkFixture[]> {
  // Bounded by bytes read, so a device or FIFO named by mistake cannot grow without end.
  const bytes = await readBoundedFile(file, maxFixtureBytes, {
    tooLarge: () =>
      new MiniAppError(
        'USAGE',
        `The fixtures file ${file} is larger than ${maxFixtureBytes} bytes.`,
        {
          location: { file },
        },
      ),
    unreadable: (cause) =>
      new MiniAppError('USAGE', `Cannot read the fixtures file ${file}.`, {
        cause,
        location: { file },
      }),
  });
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new MiniAppError('USAGE', `${file} is not JSON.`, { cause, location: { file } });
  }
  return parseFixtures(value, file);
}
