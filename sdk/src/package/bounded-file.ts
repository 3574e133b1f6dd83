import { open } from 'node:fs/promises';

const chunkBytes = 1024 * 1024;

/** What to throw when a bounded read fails: more bytes than allowed, or a file that cannot be read. */
export interface BoundedReadFailures {
  tooLarge: () => Error;
  unreadable: (cause: unknown) => Error;
}

/**
 * Reads at most `limit` bytes of a file and refuses it at the first byte beyond, counting the bytes
 * actually read instead of trusting a size from `stat`, so a device (/dev/zero), a FIFO or /dev/stdin
 * cannot make the read endless [PKG-045] [PKG-091] [SIG-017].
 */
export async function readBoundedFile(
  file: string,
  limit: number,
  failures: BoundedReadFailures,
): Promise<Buffer> {
  const handle = await open(file, 'r').catch((cause: unknown) => {
    throw failures.unreadable(cause);
  });
  const overflow = failures.tooLarge();
  try {
    const info = await handle.stat();
    // A regular file's size is a first answer; the loop still counts what arrives.
    if (info.isFile() && info.size > limit) throw overflow;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, limit + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) throw overflow;
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    throw error === overflow ? overflow : failures.unreadable(error);
  } finally {
    await handle.close();
  }
}
