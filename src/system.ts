// The real clock and id source.
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock, IdSource } from './ports.js';

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: async (ms, signal) => {
    await delay(ms, undefined, { ref: true, ...(signal ? { signal } : {}) }).catch((error: unknown) => {
      if ((error as { name?: string }).name !== 'AbortError') throw error;
    });
  },
};

export const systemIds: IdSource = {
  // 128 random bits: a confirmation id cannot be guessed. Never with a leading "-" (or "_"): typed after
  // `npm run audit -- --confirmation` it would read as an option (one id in 32 did).
  secretId: () => randomBytes(16).toString('base64url').replace(/^[-_]/, 'x'),
  id: () => randomUUID(),
};
