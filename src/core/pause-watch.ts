// A send of many devices waits for Intune's write budget between batches, for minutes at a time: a pause typed
// meanwhile (on any replica) must stop what has not left yet. The watch reads the pause every second while the send
// lasts; the backend asks `stopped` just before each request.
import type { Core } from './deps.js';
import type { PauseView } from './pause.js';

export const PAUSE_WATCH_MS = 1_000;

export interface PauseWatch {
  /** True once a pause was seen: nothing more may leave. */
  readonly stopped: boolean;
  /** The pause that stopped it. */
  readonly view: PauseView | undefined;
  end(): void;
}

/** Watches only when `on` (a single device leaves at once; the click already read the pause just before). */
export function watchPause(core: Pick<Core, 'clock' | 'pauseState' | 'logger'>, on: boolean): PauseWatch {
  const abort = new AbortController();
  let view: PauseView | undefined;
  const watch = {
    get stopped() {
      return view !== undefined;
    },
    get view() {
      return view;
    },
    end: () => abort.abort(),
  };
  if (!on) return watch;
  void (async () => {
    while (!abort.signal.aborted) {
      await core.clock.sleep(PAUSE_WATCH_MS, abort.signal);
      if (abort.signal.aborted) return;
      // A store that does not answer leaves the send as it is: the click checked the pause just before it began.
      const seen = await core.pauseState().catch(() => undefined);
      if (seen) {
        view = seen;
        core.logger.warn({ pausedBy: seen.by }, 'lockdesk was paused during a send: what has not left is not sent');
        return;
      }
    }
  })();
  return watch;
}
