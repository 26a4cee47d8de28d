// The handler every adapter calls, counting each command and click by platform and what it came to (see
// call-outcomes.ts), and the follow-up worker, counting rounds. Everything else passes through untouched.
import type { Handler } from '../core/index.js';
import type { FollowUpJob } from '../ports.js';
import type { Metrics } from './metrics.js';

export function meteredHandler(handler: Handler, metrics: Pick<Metrics, 'calls' | 'call'>): Handler {
  const counted = (kind: 'command' | 'click', platform: Parameters<Metrics['call']>[1], work: Parameters<Metrics['calls']['run']>[1], sink: Parameters<Metrics['calls']['run']>[0]) =>
    metrics.calls.run(sink, work).then(
      (outcome) => metrics.call(kind, platform, outcome),
      (error: unknown) => {
        metrics.call(kind, platform, 'error');
        throw error;
      },
    );
  return {
    ...handler,
    handleMessage: (actor, text, sink) => counted('command', actor.platform, (watched) => handler.handleMessage(actor, text, watched), sink),
    handleClick: (actor, value, sink) => counted('click', actor.platform, (watched) => handler.handleClick(actor, value, watched), sink),
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
