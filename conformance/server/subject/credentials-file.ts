import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repositoryRoot, UsageError } from '../../framework/index.ts';
import { loadContract, schemaErrors } from '../contract/openapi-contract.ts';

/** The credentials file of spec/conformance.md (Server adapter). */
export interface ServerCredentials {
  url: string;
  admin: { token: string };
  delegationKeys?: string[];
}

const schemaPath = 'conformance/credentials.schema.json';

/** Checks of the file's shape when the schema is not in this checkout yet; the schema wins once present. */
function shapeProblem(data: unknown): string | null {
  const d = data as Partial<ServerCredentials> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d)) return 'the file is not a JSON object';
  if (typeof d.url !== 'string' || !/^https?:\/\/[^/?#]+(\/[^?#]*[^/?#])?$/.test(d.url)) {
    return '/url must be an http(s) base URL without a trailing slash, query or fragment';
  }
  if (
    !d.admin ||
    typeof d.admin.token !== 'string' ||
    !/^[\x21-\x7e]{1,4096}$/.test(d.admin.token)
  ) {
    return '/admin/token must be a printable bearer credential';
  }
  return null;
}

/** Reads and validates the credentials file before any request is sent [CNF-012]. */
export async function readCredentials(file: string): Promise<ServerCredentials> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw new UsageError(`cannot read the credentials file ${file}: ${(error as Error).message}`);
  }
  if (existsSync(path.join(repositoryRoot, 'schemas', schemaPath))) {
    const validate = loadContract().schema(schemaPath);
    if (!validate(data)) {
      throw new UsageError(
        `the credentials file ${file} is invalid: ${schemaErrors(validate).join('; ')}`,
      );
    }
  } else {
    const problem = shapeProblem(data);
    if (problem) throw new UsageError(`the credentials file ${file} is invalid: ${problem}`);
  }
  return data as ServerCredentials;
}
