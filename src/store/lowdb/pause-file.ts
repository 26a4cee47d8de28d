// The kill switch of the lowdb store, in pause.json beside state.json: a pause survives a restart (a crash must not
// quietly resume lockdesk), and is written atomically and fsynced like state.json. No file: not paused.
import { z } from 'zod';
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { PauseState, PauseSwitch } from '../../ports.js';
import { DurableDataFile } from './durable-file.js';

export const PAUSE_FILE = 'pause.json';

const pauseSchema = z
  .object({
    paused: z
      .object({
        by: z.object({ platform: z.string(), id: z.string(), email: z.string().optional(), aadObjectId: z.string().optional() }).strict(),
        since: z.string(),
        reason: z.string(),
      })
      .nullable(),
  })
  .strict();

export async function openPauseFile(file: string, options: { fsync: boolean }): Promise<PauseSwitch> {
  const durable = new DurableDataFile<PauseState | null>(file, {
    parse: (text) => {
      const parsed = pauseSchema.safeParse(safeJson(text));
      if (!parsed.success) throw new LockdeskError(ERROR_CODES.STORE_CORRUPT, `${file} is not a pause file lockdesk wrote. Nothing was changed: fix or remove it (removing it lifts a pause).`);
      return parsed.data.paused as PauseState | null;
    },
    stringify: (paused) => `${JSON.stringify({ paused }, null, 2)}\n`,
    fsync: options.fsync,
  });
  let current = (await durable.read()) ?? undefined;
  // One process holds the directory (its lock), so what it last wrote is what the file holds. Changes take turns, so
  // that of two pauses at once the second learns of the first.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(change: () => Promise<T>): Promise<T> => {
    const run = turn.catch(() => undefined).then(change);
    turn = run;
    return run;
  };
  return {
    get: async () => current && structuredClone(current),
    pause: (state) =>
      inTurn(async () => {
        if (current) return structuredClone(current);
        await durable.write(state);
        current = structuredClone(state);
        return structuredClone(state);
      }),
    resume: () =>
      inTurn(async () => {
        const lifted = current;
        if (!lifted) return undefined;
        await durable.write(null);
        current = undefined;
        return lifted;
      }),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
