// The rate limits' counts and the kill switch in this process's memory: the memory store's, and the lowdb store's
// counts (one process per data directory, so nobody else needs to see them).
import type { LimitCounter, PauseState, PauseSwitch } from '../ports.js';
import { decideTake, entriesFor, LONGEST_WINDOW_MS, type LimitEntry } from './limit-rules.js';
import { copy } from './resolve-rules.js';

export function createMemoryLimits(): LimitCounter {
  let entries: LimitEntry[] = [];
  return {
    // No await between the decision and the count: nothing else runs in between, so it is atomic in this process.
    async take(buckets, now) {
      entries = entries.filter((e) => e.at > now.getTime() - LONGEST_WINDOW_MS);
      const outcome = decideTake(entries, buckets, now);
      if (outcome.ok) entries.push(...entriesFor(buckets, now));
      return outcome;
    },
  };
}

export function createMemoryPause(): PauseSwitch {
  let current: PauseState | undefined;
  return {
    get: async () => current && copy(current),
    async pause(state) {
      current ??= copy(state);
      return copy(current);
    },
    async resume() {
      const lifted = current;
      current = undefined;
      return lifted;
    },
  };
}
