// Lets one process at a time take over a stale data-directory lock. Two processes that both find the same stale
// lock must not both remove it: the second would remove the lock the first has just put in its place. So the
// removal happens only while holding an exclusive marker file (created with 'wx'), after re-reading the lock under
// it. The marker is held for a few milliseconds; one that is older than MARKER_STALE_MS was left by a process that
// died holding it, and is broken.
import { link, open, stat, unlink, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../../ports.js';

export const MARKER_STALE_MS = 5_000;

export type Marked<T> = { held: true; value: T } | { held: false };

/** Runs `critical` holding the marker, or answers `held: false` at once if another process holds it. */
export async function withTakeoverMarker<T>(marker: string, logger: Logger, critical: () => Promise<T>): Promise<Marked<T>> {
  let handle: FileHandle;
  try {
    handle = await open(marker, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await breakIfStale(marker, logger);
    return { held: false };
  }
  try {
    // The pid is for a person looking at the directory; staleness is judged by the file's age alone.
    await handle.writeFile(String(process.pid)).finally(() => handle.close());
    return { held: true, value: await critical() };
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}

/**
 * Removes the marker if it is stale. Two processes may find the same stale marker, and the slower must not remove a
 * fresh one the faster has created since. So the right to remove it is itself exclusive: a hard link named after the
 * stale marker's inode and mtime, which only one process can create. A process that linked a different (newer)
 * marker under that name sees so at once and leaves it.
 */
async function breakIfStale(marker: string, logger: Logger): Promise<void> {
  const seen = await stat(marker).catch(() => undefined);
  if (!seen || Date.now() - seen.mtimeMs < MARKER_STALE_MS) return;
  const claim = `${marker}.${seen.ino}-${Math.trunc(seen.mtimeMs)}`;
  try {
    await link(marker, claim);
  } catch {
    return; // another process is breaking it, or it is gone already
  }
  try {
    const claimed = await stat(claim);
    if (claimed.ino !== seen.ino || claimed.mtimeMs !== seen.mtimeMs) return;
    await unlink(marker);
    logger.warn({ marker, ageMs: Date.now() - seen.mtimeMs }, 'removed a lock take-over marker left by a process that died while taking over');
  } finally {
    await unlink(claim).catch(() => undefined);
  }
}
