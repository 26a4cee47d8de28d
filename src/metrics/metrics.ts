// One app's metrics: the instruments on its own registry, and the few calls the composition root wires to what
// already happens (audit events, store failures, Graph attempts, acknowledgements, follow-up rounds).
import type { AuditEvent, ChatPlatform } from '../core/index.js';
import { toLockdeskError } from '../core/index.js';
import type { Logger } from '../ports.js';
import { CallOutcomes } from './call-outcomes.js';
import { createInstruments, type ScrapedSources } from './instruments.js';
import {
  actionLabel,
  auditEventLabel,
  auditOutcomeLabel,
  CONFIRMATION_EVENTS,
  graphKindLabel,
  platformLabel,
  statusClassLabel,
  statusLabel,
  type CallOutcome,
  type StoreOperation,
} from './labels.js';

export interface Metrics {
  /** The Prometheus text exposition of everything this app counted. */
  scrape(): Promise<{ contentType: string; body: string }>;
  readonly calls: CallOutcomes;
  audit(event: AuditEvent): void;
  storeError(operation: StoreOperation, error: unknown): void;
  call(kind: 'command' | 'click', platform: ChatPlatform, outcome: CallOutcome): void;
  followUpRound(phase: 'chat' | 'background', outcome: 'ok' | 'error'): void;
  /** Fits GraphObserver (src/backend/graph/http.ts): one HTTP attempt to Graph. */
  graphAttempt(attempt: { kind: string; status: number | 'lost'; seconds: number }): void;
  ack(platform: 'slack' | 'teams', status: number, seconds: number): void;
  /** Sources read at scrape time (the write limiter's totals, the queue's depth). */
  readonly sources: ScrapedSources;
}

export function createMetrics(logger: Logger): Metrics {
  const sources: ScrapedSources = {
    onScrapeError: (what, error) => logger.debug({ code: toLockdeskError(error).code }, `metrics: ${what} could not be read for this scrape`),
  };
  const m = createInstruments(sources);
  const calls = new CallOutcomes();
  return {
    sources,
    calls,
    scrape: async () => ({ contentType: m.registry.contentType, body: await m.registry.metrics() }),
    audit(event) {
      calls.noteAudit(event);
      const outcome = auditOutcomeLabel(event);
      m.auditEvents.inc({ event: auditEventLabel(event), outcome, platform: platformLabel(event.actor?.platform) });
      const confirmation = CONFIRMATION_EVENTS[event.event];
      if (confirmation) m.confirmations.inc({ event: confirmation });
      if (event.event === 'dispatch') m.dispatches.inc({ action: actionLabel(event.action) });
      if (event.event === 'result' || event.event === 'recovery') m.dispatchOutcomes.inc({ action: actionLabel(event.action), outcome });
      if (event.event === 'follow-up') m.followUpsEnded.inc({ outcome });
    },
    storeError(operation, error) {
      m.storeErrors.inc({ operation, code: toLockdeskError(error).code });
    },
    call(kind, platform, outcome) {
      (kind === 'command' ? m.commands : m.clicks).inc({ platform: platformLabel(platform), outcome });
    },
    followUpRound(phase, outcome) {
      m.followUpRounds.inc({ phase, outcome });
    },
    graphAttempt(attempt) {
      const kind = graphKindLabel(attempt.kind);
      m.graphRequests.inc({ kind, status: statusLabel(attempt.status) });
      m.graphDuration.observe({ kind }, attempt.seconds);
    },
    ack(platform, status, seconds) {
      m.ackDuration.observe({ platform, status_class: statusClassLabel(status) }, seconds);
    },
  };
}
