// The metrics lockdesk exposes, on a registry of the app's own (never prom-client's global one, so that several apps
// in one process, as in the tests, each count only their own). Names follow Prometheus' conventions: lockdesk_ prefix,
// _total for counters, base units (seconds). Label values come from ./labels.ts only.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { withinMs } from '../time-limit.js';

/** Slack wants an answer within 3 s, Teams' invoke within a few: the buckets are finest below that. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];
/** A value read at scrape time that takes longer is left out of that scrape. */
const SCRAPE_READ_MS = 2_000;
const GRAPH_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What some metrics read when scraped rather than count as they happen; filled in once the app has built them. */
export interface ScrapedSources {
  /** The Graph backend's write limiter (its own running totals; read, never changed, here). */
  writeBudget?: () => { readonly waits: number; readonly waitedMs: number };
  queue?: { kind: 'memory' | 'pg-boss'; depth: () => number | Promise<number> };
  /** Whether the kill switch is thrown (the store's pause, or LOCKDESK_PAUSED). */
  paused?: () => Promise<boolean>;
  /** A source that failed while scraped: the scrape goes on without its value. */
  onScrapeError?: (what: string, error: unknown) => void;
}

export function createInstruments(sources: ScrapedSources) {
  const registry = new Registry();
  // Process and Node.js metrics (CPU, memory, event-loop lag, GC), on this registry only.
  collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    commands: counter('lockdesk_commands_total', 'Commands and messages handled, by chat platform and what they came to.', ['platform', 'outcome']),
    clicks: counter('lockdesk_clicks_total', 'Button clicks handled, by chat platform and what they came to.', ['platform', 'outcome']),
    confirmations: counter('lockdesk_confirmations_total', 'Confirmations offered, confirmed, cancelled, expired, and clicks on them refused.', ['event']),
    dispatches: counter('lockdesk_dispatches_total', 'Device actions sent to the backend (one per device), by action.', ['action']),
    dispatchOutcomes: counter(
      'lockdesk_dispatch_outcomes_total',
      'Recorded results of device actions, by action and outcome: the send (sent, failed, notSent), then the settled state (done, failed, …), and crash recovery (was-sent, not-sent, unknown).',
      ['action', 'outcome'],
    ),
    followUpRounds: counter('lockdesk_follow_up_rounds_total', 'Follow-up rounds run by this process (polling sent actions), by phase and whether the round ended normally.', ['phase', 'outcome']),
    followUpsEnded: counter('lockdesk_follow_ups_ended_total', 'How following a confirmation\'s actions ended.', ['outcome']),
    auditEvents: counter('lockdesk_audit_events_total', 'Audit events appended, by event, outcome and the platform of whoever acted ("lockdesk" for itself).', ['event', 'outcome', 'platform']),
    storeErrors: counter('lockdesk_store_errors_total', 'Store calls that failed (the /readyz probe included), by operation and error code.', ['operation', 'code']),
    graphRequests: counter('lockdesk_graph_requests_total', 'HTTP attempts to Microsoft Graph (every retry counts), by kind of call and status ("lost": no answer).', ['kind', 'status']),
    graphDuration: new Histogram({
      name: 'lockdesk_graph_request_duration_seconds',
      help: 'Duration of one HTTP attempt to Microsoft Graph, from sending to the whole answer read.',
      labelNames: ['kind'] as const,
      buckets: GRAPH_BUCKETS,
      registers: [registry],
    }),
    ackDuration: new Histogram({
      name: 'lockdesk_ack_duration_seconds',
      help: 'From a Slack or Teams request\'s arrival to its HTTP response being sent, by platform and status class.',
      labelNames: ['platform', 'status_class'] as const,
      buckets: ACK_BUCKETS,
      registers: [registry],
    }),
    // Counters whose running totals the write limiter keeps itself: copied at each scrape.
    writeBudgetWaits: new Counter({
      name: 'lockdesk_graph_write_budget_waits_total',
      help: 'Times a Graph write waited for the client-side write budget (GRAPH_WRITE_BUDGET).',
      registers: [registry],
      collect() {
        const stats = sources.writeBudget?.();
        if (!stats) return;
        this.reset();
        this.inc(stats.waits);
      },
    }),
    writeBudgetWaitSeconds: new Counter({
      name: 'lockdesk_graph_write_budget_wait_seconds_total',
      help: 'Time Graph writes spent waiting for the client-side write budget.',
      registers: [registry],
      collect() {
        const stats = sources.writeBudget?.();
        if (!stats) return;
        this.reset();
        this.inc(stats.waitedMs / 1000);
      },
    }),
    queueDepth: new Gauge({
      name: 'lockdesk_queue_depth',
      help: 'Follow-up jobs waiting to run (memory: in this process; pg-boss: queued for all replicas).',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        const queue = sources.queue;
        if (!queue) return;
        try {
          this.set({ queue: queue.kind }, await withinMs(SCRAPE_READ_MS, 'the queue depth', async () => queue.depth()));
        } catch (error) {
          // No stale number while the database is away: the series is left out until it answers again.
          this.reset();
          sources.onScrapeError?.('queue depth', error);
        }
      },
    }),
    paused: new Gauge({
      name: 'lockdesk_paused',
      help: 'Whether lockdesk is paused (the kill switch: a pause command, or LOCKDESK_PAUSED): 1 while nothing is dispatched.',
      registers: [registry],
      async collect() {
        const paused = sources.paused;
        if (!paused) return;
        try {
          this.set((await withinMs(SCRAPE_READ_MS, 'the pause', paused)) ? 1 : 0);
        } catch (error) {
          this.reset();
          sources.onScrapeError?.('pause', error);
        }
      },
    }),
  };
}

export type Instruments = ReturnType<typeof createInstruments>;
