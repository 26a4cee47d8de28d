// Who a data-directory lock names, and whether that owner can still be holding it.
import { hostname } from 'node:os';

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** Why a lock is not (or is) held by a live process: the refusal message or the take-over warning uses it. */
export type OwnerVerdict = { stale: false } | { stale: true; why: string };

export async function describeMe(): Promise<LockOwner> {
  return { pid: process.pid, host: hostname(), since: new Date().toISOString() };
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
 * Decides about an owner on this host. A lock's content exists the moment the lock does (it is linked into place
 * whole), so a file naming no owner was left by something else (an older lockdesk, a crash mid-write of one, a
 * person) and is stale.
 */
export async function judgeOwner(owner: LockOwner | undefined): Promise<OwnerVerdict> {
  if (!owner) return { stale: true, why: 'the lock file names no owner' };
  if (owner.pid === process.pid || alive(owner.pid)) return { stale: false };
  return { stale: true, why: `process ${owner.pid} is no longer running` };
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
