// Who a data-directory lock names, and whether that owner can still be holding it. A pid alone is not enough: a
// container restarts with the same pid (often 1), and a busy host hands a dead owner's pid to another program. On
// Linux the lock also records the kernel's boot id and the owner's start time in clock ticks since boot (from
// /proc), which no later process with that pid can share (and no change of the wall clock can alter); elsewhere
// the rule is the old one, "is the pid alive".
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  /** Linux only: /proc/sys/kernel/random/boot_id when the lock was taken. */
  boot?: string;
  /** Linux only: field 22 of /proc/<pid>/stat, the owner's start time in ticks since boot. */
  started?: number;
}

/** Why a lock is not (or is) held by a live process: the refusal message or the take-over warning uses it. */
export type OwnerVerdict = { stale: false } | { stale: true; why: string };

export async function describeMe(): Promise<LockOwner> {
  const [boot, started] = await Promise.all([bootId(), startTicks(process.pid)]);
  return {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(boot === undefined ? {} : { boot }),
    ...(started === undefined ? {} : { started }),
  };
}

/** The lock's owner, or undefined for a file that holds no owner (empty, or not ours). */
export function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner> | null;
    if (!value || !Number.isInteger(value.pid) || typeof value.host !== 'string') return undefined;
    return value as LockOwner;
  } catch {
    return undefined;
  }
}

/**
 * Decides about an owner on this host other than a directory this process holds (the caller checks that first).
 * A lock's content exists the moment the lock does (it is linked into place whole), so a file naming no owner was
 * left by something else (an older lockdesk, a crash mid-write of one, a person) and is stale.
 */
export async function judgeOwner(owner: LockOwner | undefined): Promise<OwnerVerdict> {
  if (!owner) return { stale: true, why: 'the lock file names no owner' };
  if (owner.pid === process.pid) return { stale: true, why: 'the lock names this process id, which this process does not hold (a restart with the same pid)' };
  if (!alive(owner.pid)) return { stale: true, why: `process ${owner.pid} is no longer running` };
  if (owner.boot !== undefined) {
    const boot = await bootId();
    if (boot !== undefined && boot !== owner.boot) return { stale: true, why: 'the lock was taken before this machine last booted' };
  }
  const started = await startTicks(owner.pid);
  if (started !== undefined && owner.started !== undefined && started !== owner.started) return reused(owner.pid);
  // A lock without a start time (an older lockdesk wrote it): compare wall-clock times instead, which a clock
  // stepped forward since could fool, hence only for these.
  if (started !== undefined && owner.started === undefined) {
    const startedMs = await ticksToEpochMs(started);
    const sinceMs = Date.parse(owner.since);
    if (startedMs !== undefined && startedMs > sinceMs + CLOCK_SLACK_MS) return reused(owner.pid);
  }
  return { stale: false };
}

const reused = (pid: number): OwnerVerdict => ({ stale: true, why: `pid ${pid} now belongs to a process started after the lock was taken` });

/** /proc/stat's btime is whole seconds, and the tick count is in USER_HZ, which Linux fixes at 100 for /proc. */
const USER_HZ = 100;
const CLOCK_SLACK_MS = 1_000;

async function ticksToEpochMs(ticks: number): Promise<number | undefined> {
  try {
    const btime = /^btime (\d+)$/m.exec(await readFile('/proc/stat', 'utf8'));
    return btime ? Number(btime[1]) * 1000 + (ticks * 1000) / USER_HZ : undefined;
  } catch {
    return undefined;
  }
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

/** Undefined where /proc is not there (macOS, Windows) or the process is gone. */
export async function startTicks(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count fields from the last ')'.
    // After it come fields 3 (state) onwards; starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[22 - 3]);
    return Number.isSafeInteger(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

let cachedBootId: Promise<string | undefined> | undefined;
function bootId(): Promise<string | undefined> {
  cachedBootId ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (text) => text.trim() || undefined,
    () => undefined,
  );
  return cachedBootId;
}
