// One lockdesk process per data directory: two writers of state.json would overwrite each other's changes.
// The lock is a file holding the owner's pid; a lock whose process is gone (a crash, kill -9) is taken over.
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { Logger } from '../../ports.js';

export const LOCK_FILE = 'lockdesk.lock';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

export interface DirLock {
  release(): Promise<void>;
}

export async function lockDataDir(dir: string, logger: Logger): Promise<DirLock> {
  const file = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `Cannot create the lock file ${file}: ${String(error)}`, { cause: error });
      }
      const owner = await readOwner(file);
      const sameHost = owner?.host === me.host;
      if (owner && sameHost && (owner.pid === process.pid || alive(owner.pid))) {
        throw new LockdeskError(
          ERROR_CODES.STORE_UNAVAILABLE,
          `Another lockdesk process (pid ${owner.pid}, since ${owner.since}) is using ${dir}. Run one process per data directory: stop it first, or give this one its own LOCKDESK_DATA_DIR.`,
        );
      }
      if (owner && !sameHost) {
        throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `${dir} is locked by a lockdesk process on host ${owner.host} (pid ${owner.pid}); if that host is gone, delete ${file}.`);
      }
      logger.warn({ file, owner }, 'taking over the lock of a lockdesk process that is no longer running');
      await unlink(file).catch(() => undefined);
    }
  }
  throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `Could not lock ${dir}: another process keeps taking the lock.`);
}
