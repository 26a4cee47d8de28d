// Composes the lowdb-backed Store from its files in one directory:
//   state.json     live confirmations and open dispatches (lowdb, validated at open, rewritten atomically and fsynced)
//   history.jsonl  records that left state.json (append-only, each append fdatasynced)
//   audit.jsonl    the audit trail (append-only, each append fdatasynced)
//   pause.json     the kill switch, when it was ever thrown (rewritten atomically and fsynced)
// The rate limits' counts are kept in memory: one process holds the directory, and a restart starts them afresh.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_CODES, LockdeskError, isLockdeskError } from '../../core/errors.js';
import type { Clock, Logger, Store } from '../../ports.js';
import { JsonlAuditLog } from './audit-log.js';
import { LowdbApprovals } from './approvals.js';
import { LowdbConfirmations } from './confirmations.js';
import { LowdbDispatches } from './dispatches.js';
import { HistoryArchive } from './history-archive.js';
import { syncDir } from './durable-file.js';
import { LiveState } from './live-state.js';
import { StateFile } from './state-file.js';
import { lockDataDir, type DirLock } from './dir-lock.js';
import { openPauseFile, PAUSE_FILE } from './pause-file.js';
import { createMemoryLimits } from '../memory-guardrails.js';

export const STATE_FILE = 'state.json';
export const HISTORY_FILE = 'history.jsonl';
export const AUDIT_FILE = 'audit.jsonl';

export interface LowdbStoreOptions {
  dir: string;
  /** Where repairs (a torn audit line) and archiving trouble are reported. Defaults to stderr. */
  logger?: Logger;
  /** Decides when records are old enough to archive; the system clock unless a test pins time. */
  clock?: Pick<Clock, 'now'>;
  /** How long a settled dispatch stays in state.json (readable by get) before moving to history. Default 5 minutes. */
  settledGraceMs?: number;
  /**
   * false skips every fsync and fdatasync, so a power loss may lose changes the store reported as written. Only
   * bench/store.ts sets it, to measure what durability costs. Default true.
   */
  fsync?: boolean;
}

export async function openLowdbStore(options: LowdbStoreOptions): Promise<Store> {
  const logger = options.logger ?? stderrLogger;
  const now = options.clock ? () => options.clock!.now() : () => new Date();
  try {
    await mkdir(options.dir, { recursive: true });
  } catch (error) {
    throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `Could not create the store directory ${options.dir}: ${String(error)}`, { cause: error });
  }
  const lock = await lockDataDir(options.dir, logger);
  try {
    return await openLocked(options, logger, now, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function openLocked(options: LowdbStoreOptions, logger: Logger, now: () => Date, lock: DirLock): Promise<Store> {
  const fsync = options.fsync ?? true;
  // state.json first: if it is damaged, fail before touching any other file.
  const { state, records } = await StateFile.open(join(options.dir, STATE_FILE), { fsync });
  const history = await guard(HistoryArchive.open(join(options.dir, HISTORY_FILE), logger, { fsync }), HISTORY_FILE);
  let audit: JsonlAuditLog | undefined;
  try {
    audit = await guard(JsonlAuditLog.open(join(options.dir, AUDIT_FILE), logger, { fsync }), AUDIT_FILE);
    // Opening may have created the two JSONL files: make their directory entries durable too, or a synced append
    // could be lost with the file it went to.
    if (fsync) await guard(syncDir(options.dir), options.dir);
  } catch (error) {
    await Promise.all([history.close(), audit?.close()]);
    throw error;
  }
  let pause;
  try {
    pause = await guard(openPauseFile(join(options.dir, PAUSE_FILE), { fsync }), PAUSE_FILE);
  } catch (error) {
    await Promise.all([history.close(), audit.close()]);
    throw error;
  }
  const live = new LiveState(state, records, history, { now, settledGraceMs: options.settledGraceMs ?? 5 * 60_000, logger });

  return {
    confirmations: new LowdbConfirmations(live),
    approvals: new LowdbApprovals(live),
    dispatches: new LowdbDispatches(live),
    audit,
    limits: createMemoryLimits(),
    pause,
    async close() {
      try {
        await live.close();
        await Promise.all([audit.close(), history.close()]);
      } finally {
        // Even when a file would not close: a lock kept by a store that is gone would refuse every later open.
        await lock.release();
      }
    },
  };
}

async function guard<T>(opening: Promise<T>, name: string): Promise<T> {
  try {
    return await opening;
  } catch (error) {
    if (isLockdeskError(error)) throw error;
    throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `Could not open ${name}: ${String(error)}`, { cause: error });
  }
}

const stderrLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (obj, msg) => console.warn(`[lockdesk store] ${msg ?? ''}`, obj),
  error: (obj, msg) => console.error(`[lockdesk store] ${msg ?? ''}`, obj),
};
