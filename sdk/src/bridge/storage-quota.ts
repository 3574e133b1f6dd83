import { BridgeError } from './bridge-error.ts';
import { utf8Length } from './envelope.ts';

/**
 * The rules of spec/storage.md that every host applies the same way, whatever keeps the entries: the
 * mock host's in-memory maps and the reference host's key-value store both check keys and quotas here.
 */

/** Storage quotas of spec/storage.md [STO-007] [STO-009]. */
export const storageLimits = {
  maxKeyBytes: 256,
  maxValueBytes: 1024 * 1024,
  maxNamespaceBytes: 10 * 1024 * 1024,
} as const;

/** One stored value: the JSON text, so that a read returns exactly what was written [STO-004]. */
export interface StorageEntry {
  json: string;
  /** Key and value bytes, what the entry counts against its namespace's quota. */
  bytes: number;
}

/** The UTF-8 length of a key; INVALID_PARAMS outside 1 to 256 bytes [STO-009]. */
export function checkStorageKey(key: string): number {
  const bytes = utf8Length(key);
  if (bytes < 1 || bytes > storageLimits.maxKeyBytes) {
    throw new BridgeError(
      'INVALID_PARAMS',
      `A storage key must be 1 to 256 bytes of UTF-8, not ${bytes}.`,
      {
        pointer: '/key',
      },
    );
  }
  return bytes;
}

/** The entry a write of `value` under `key` stores; QUOTA_EXCEEDED for a value over 1 MiB [STO-007]. */
export function storageEntry(key: string, value: unknown): StorageEntry {
  const keyBytes = checkStorageKey(key);
  const json = JSON.stringify(value);
  const valueBytes = utf8Length(json);
  if (valueBytes > storageLimits.maxValueBytes) {
    throw new BridgeError(
      'QUOTA_EXCEEDED',
      `The value of "${key}" is ${valueBytes} bytes; the limit is 1 MiB.`,
      {
        limit: storageLimits.maxValueBytes,
        size: valueBytes,
      },
    );
  }
  return { json, bytes: keyBytes + valueBytes };
}

/**
 * Refuses, as a whole, a write of `key` that would bring its namespace to `after` bytes over 10 MiB
 * [STO-007]: the caller checks before writing, so the namespace stays as it was.
 */
export function checkNamespaceQuota(key: string, after: number): void {
  if (after > storageLimits.maxNamespaceBytes) {
    throw new BridgeError(
      'QUOTA_EXCEEDED',
      `Writing "${key}" would use ${after} bytes; the limit is 10 MiB.`,
      {
        limit: storageLimits.maxNamespaceBytes,
        size: after,
      },
    );
  }
}
