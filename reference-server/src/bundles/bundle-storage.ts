import type { Readable } from 'node:stream';
import type { StoredBundle } from './bundle-store.ts';

export type { StoredBundle };

/** A package file written to the scratch area and hashed, not yet visible in the store. */
export interface StagedBundle {
  path: string;
  sha256: string;
  length: number;
}

/**
 * Where content-addressed, immutable package files live [API-042]: the local disk of one machine
 * (BundleStore, the default) or S3-compatible object storage shared by every server process
 * (S3BundleStore, BUNDLE_STORE=s3). Uploads are staged on the process's own scratch disk either way,
 * so nothing half-written or unreviewed ever reaches the store.
 */
export interface BundleStorage {
  /** The process's scratch folder (local disk), for staged uploads and rendering. */
  readonly scratch: string;
  /** Digest and length of a stored bundle, or null when the store has none with this digest. */
  stat(sha256: string): Promise<StoredBundle | null>;
  /** The bytes of a small bundle (kept in memory), or null for a large one that callers stream. */
  bytes(stored: StoredBundle): Promise<Buffer | null>;
  /** A stream of a stored bundle or of one byte range of it. */
  open(sha256: string, range?: { start: number; end: number }): Readable;
  /** The whole bundle, for reading files out of it (icons, translations): a path or the bytes. */
  archive(sha256: string): Promise<string | Uint8Array>;
  /** A fresh path in the scratch area. */
  scratchPath(suffix?: string): Promise<string>;
  /** Removes what killed processes left in the scratch area; the names removed. */
  sweepScratch(now?: number): Promise<string[]>;
  /** Streams bytes into the store (stopping with `tooLarge` past maxBytes); idempotent by digest. */
  put(input: Readable | Uint8Array, maxBytes: number, tooLarge: () => Error): Promise<StoredBundle>;
  /** Moves a staged package under its content address whole, or not at all; the same bytes twice are one object. */
  promote(staged: StagedBundle): Promise<void>;
  /** Whether the store answers, for /readyz [API-088] [API-157]. */
  ping(): Promise<boolean>;
}
