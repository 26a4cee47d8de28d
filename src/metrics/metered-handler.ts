// The handler every adapter calls, counting each command and click by platform and what it came to (see
// call-outcomes.ts), and the follow-up worker, counting rounds. Everything else passes through untouched.
import type { Actor, Handler, ReplySink } from '../core/index.js';
import type { FollowUpJob } from '../ports.js';
import type { CallOutcome } from './labels.js';
import type { Metrics } from './metrics.js';

export function meteredHandler(handler: Handler, metrics: Pick<Metrics, 'calls' | 'call'>): Handler {
  const counted = async (kind: 'command' | 'click', actor: Actor, sink: ReplySink, work: (sink: ReplySink) => Promise<void>): Promise<void> => {
    let outcome: CallOutcome = 'error';
    try {
      outcome = await metrics.calls.run(sink, work);
    } finally {
      metrics.call(kind, actor.platform, outcome);
    }
  };
  return {
    ...handler,
    handleMessage: (actor, text, sink) => counted('command', actor, sink, (watched) => handler.handleMessage(actor, text, watched)),
    handleClick: (actor, value, sink) => counted('click', actor, sink, (watched) => handler.handleClick(actor, value, watched)),
  };
}

/** The follow-up queue's worker, counting each round by phase and whether it ended normally. */
export function meteredRounds(worker: (job: FollowUpJob) => Promise<void>, metrics: Pick<Metrics, 'followUpRound'>): (job: FollowUpJob) => Promise<void> {
  return (job) =>
    worker(job).then(
      () => metrics.followUpRound(job.phase, 'ok'),
      (error: unknown) => {
        metrics.followUpRound(job.phase, 'error');
        throw error;
      },
    );
}
