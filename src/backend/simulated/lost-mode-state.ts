// A device's Lost Mode now: the tenant file's, changed by each enable or disable that has finished. Read from the
// recorded actions, so it survives a restart like every action's state, and moves only when the action settles.
import type { TenantAction, TenantDevice } from './tenant-schema.js';

export type LostModeState = 'enabled' | 'disabled';

const CHANGES: Partial<Record<TenantAction['action'], LostModeState>> = { enableLostMode: 'enabled', disableLostMode: 'disabled' };

/** The Lost Mode the latest finished (done) enable or disable left each device in, by device id. */
export function lostModeChanges(actions: readonly TenantAction[], now: Date, settleMs: number): ReadonlyMap<string, LostModeState> {
  const latest = new Map<string, { state: LostModeState; at: number }>();
  // Settled exactly as action-progress reads it: done once settleMs have passed since it started.
  const settledBy = now.getTime() - settleMs;
  for (const entry of actions) {
    const state = CHANGES[entry.action];
    if (!state || entry.outcome !== 'done') continue;
    const at = Date.parse(entry.startedAt);
    if (at > settledBy) continue;
    const seen = latest.get(entry.deviceId);
    if (!seen || at >= seen.at) latest.set(entry.deviceId, { state, at });
  }
  return new Map([...latest].map(([id, { state }]) => [id, state]));
}

/** An offline device never checks in, so nothing sent to it has changed it. */
export function lostModeNow(record: TenantDevice, changes: ReadonlyMap<string, LostModeState>): LostModeState | undefined {
  return record.offline === true ? record.lostModeState : (changes.get(record.id) ?? record.lostModeState);
}
