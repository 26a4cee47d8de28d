// One lockdesk process per data directory: two writers of state.json would overwrite each other's changes.
// The lock is a file naming its owner. It is written whole to a temporary file and then hard-linked into place, so
// it never exists without its content (link fails with EEXIST when the lock is there: the test and the creation are
// one step). A lock whose owner is gone (a crash, kill -9, a restart with the same pid) is taken over, one process
// at a time (takeover-marker.ts).
import { link, readFile, realpath, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { Logger } from '../../ports.js';
import { describeMe, judgeOwner, parseOwner, type LockOwner } from './lock-owner.js';
import { MARKER_STALE_MS, withTakeoverMarker } from './takeover-marker.js';

export const LOCK_FILE = 'lockdesk.lock';
/** Longer than a stale marker lives, so a marker left by a crash is broken before anyone gives up. */
const ACQUIRE_TIMEOUT_MS = 2 * MARKER_STALE_MS;

/**
 * Directories this process holds, with the owner it wrote. A lock file naming our own pid is stale unless it is in
 * here (a container restarted with the same pid); a second open of a directory held here is refused.
 */
const held = new Map<string, LockOwner | 'opening'>();

export interface DirLock {
  release(): Promise<void>;
}

export async function lockDataDir(dir: string, logger: Logger): Promise<DirLock> {
  // The real path: the same directory reached through a symlink is still the same directory.
  const key = await realpath(dir).catch(() => dir);
  const mine = held.get(key);
  if (mine) throw inUse(dir, mine === 'opening' ? { pid: process.pid, since: 'now' } : mine);
  held.set(key, 'opening'); // with no await since the check: a concurrent open in this process is refused too
  const file = join(dir, LOCK_FILE);
  let me: LockOwner;
  try {
    me = await take(dir, file, logger);
  } catch (error) {
    held.delete(key);
    throw error;
  }
  held.set(key, me);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      // Only our own lock: if someone took it over (wrongly judging us gone), theirs must stay.
      if ((await readText(file).catch(() => undefined)) === JSON.stringify(me)) await unlink(file).catch(() => undefined);
      held.delete(key);
    },
  };
}

async function take(dir: string, file: string, logger: Logger): Promise<LockOwner> {
  const me = await describeMe();
  // One name per pid: a temp file left by a crash is replaced by the next process with that pid. Replaced, not
  // rewritten: a crash right after the link leaves it the same file as the lock, which must not change in place.
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await unlink(temp).catch(ignoreMissing);
    await writeFile(temp, JSON.stringify(me), { flag: 'wx' });
    await acquire(dir, file, temp, me, logger);
    return me;
  } catch (error) {
    if (error instanceof LockdeskError) throw error;
    throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `Cannot create the lock file ${file}: ${String(error)}`, { cause: error });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function acquire(dir: string, file: string, temp: string, me: LockOwner, logger: Logger): Promise<void> {
  const deadline = Date.now() + ACQUIRE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await linkExclusive(temp, file)) return;
    const text = await readText(file);
    if (text === undefined) continue; // released between our link and our read: try again
    const owner = parseOwner(text);
    if (owner && owner.host !== me.host) {
      throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `${dir} is locked by a lockdesk process on host ${owner.host} (pid ${owner.pid}); if that host is gone, delete ${file}.`);
    }
    const verdict = await judgeOwner(owner);
    if (!verdict.stale) throw inUse(dir, owner!);
    const outcome = await withTakeoverMarker(`${file}.takeover`, logger, async () => {
      // Re-read under the marker: another process may have taken over since we read, and now holds it alive.
      const now = await readText(file);
      if (now !== undefined && now !== text) return false;
      if (now !== undefined) {
        await unlink(file).catch(ignoreMissing);
        // Said by whoever removes the dead owner's lock: between this unlink and our link, a process starting at the
        // same moment may link its own lock first and hold the store without ever having seen the dead one.
        logger.warn({ file, owner: owner ?? text, reason: verdict.why }, 'taking over the lock of a lockdesk process that is no longer running');
      }
      return linkExclusive(temp, file);
    });
    if (outcome.held && outcome.value) return;
    // Someone else is taking over, or took over: wait a moment, then look at what they left.
    if (!outcome.held) await sleep(10 + Math.floor(Math.random() * 20));
  }
  throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `Could not lock ${dir}: another process keeps taking the lock.`);
}

/** True when our lock is now in place; false when a lock was already there. */
async function linkExclusive(temp: string, file: string): Promise<boolean> {
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    ignoreMissing(error);
    return undefined;
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

function inUse(dir: string, owner: Pick<LockOwner, 'pid' | 'since'>): LockdeskError {
  return new LockdeskError(
    ERROR_CODES.STORE_UNAVAILABLE,
    `Another lockdesk process (pid ${owner.pid}, since ${owner.since}) is using ${dir}. Run one process per data directory: stop it first, or give this one its own LOCKDESK_DATA_DIR.`,
  );
}
