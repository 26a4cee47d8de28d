// How an action sent to the simulated tenant appears to progress, derived from when it started and what time it is now.
import type { ActionStatus } from '../../core/types.js';
import type { TenantAction } from './tenant-schema.js';

export interface ProgressOptions {
  now: Date;
  /** Time from sending to the recorded outcome; the first half reads as pending, the second as active. */
  settleMs: number;
  /** An offline device never checks in, so its actions never leave pending. */
  offline: boolean;
}

const at = (start: number, offsetMs: number) => new Date(start + offsetMs).toISOString();

export function actionProgress(record: TenantAction, { now, settleMs, offline }: ProgressOptions): ActionStatus {
  const start = Date.parse(record.startedAt);
  const elapsed = now.getTime() - start;
  const base = { startedAt: record.startedAt };
  if (offline || elapsed < settleMs / 2) return { ...base, state: 'pending', updatedAt: record.startedAt };
  if (elapsed < settleMs) return { ...base, state: 'active', updatedAt: at(start, settleMs / 2) };
  return { ...base, state: record.outcome, updatedAt: at(start, settleMs) };
}
