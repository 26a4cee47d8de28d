// The metrics as the composition root wires them, over the real handler and an in-memory store: what commands and
// clicks come to, the audit-derived counters, store failures, and that no label ever names a person, a device or an id.
import { describe, expect, it } from 'vitest';
import { LockdeskError, ERROR_CODES, type AuditEvent } from '../../src/core/index.js';
import { meteredHandler } from '../../src/metrics/metered-handler.js';
import { meteredStore } from '../../src/metrics/metered-store.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import type { Store } from '../../src/ports.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { actor, buttonValue, makeHarness, RecordingSink } from '../core/harness.js';
import { patIphone, patLaptop, samIphone } from '../core/fixtures.js';
import { labelValues, parsePrometheusText, valueOf } from './prom-text.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const PAT = actor('pat@contoso.com', { platform: 'slack', id: 'U0PAT' });

async function scrape(metrics: Metrics) {
  const { contentType, body } = await metrics.scrape();
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(body);
}

function setup(store: Store = createMemoryStore()) {
  const metrics = createMetrics(silent);
  const h = makeHarness([patIphone, patLaptop, samIphone], { store: meteredStore(store, metrics) });
  const handler = meteredHandler(h.handler, metrics);
  return { metrics, h, handler };
}

describe('metrics of commands, clicks and the audit trail', () => {
  it('a request, its confirmation and the click that dispatched it move the counters they should', async () => {
    const { metrics, h, handler } = setup();
    const asked = new RecordingSink();
    await handler.handleMessage(PAT, "lock Pat's iPhone", asked);
    const clicked = new RecordingSink();
    await handler.handleClick(PAT, buttonValue(asked.lastReply, 'Lock'), clicked);

    const m = await scrape(metrics);
    expect(valueOf(m, 'lockdesk_commands_total', { platform: 'slack', outcome: 'offered' })).toBe(1);
    expect(valueOf(m, 'lockdesk_clicks_total', { platform: 'slack', outcome: 'confirmed' })).toBe(1);
    expect(valueOf(m, 'lockdesk_confirmations_total', { event: 'offered' })).toBe(1);
    expect(valueOf(m, 'lockdesk_confirmations_total', { event: 'confirmed' })).toBe(1);
    expect(valueOf(m, 'lockdesk_dispatches_total', { action: 'lock' })).toBe(1);
    expect(valueOf(m, 'lockdesk_dispatch_outcomes_total', { action: 'lock', outcome: 'sent' })).toBe(1);
    expect(valueOf(m, 'lockdesk_audit_events_total', { event: 'request', outcome: 'found', platform: 'slack' })).toBe(1);
    // Nothing names Pat, the device, a confirmation or a correlation id.
    const audit = await h.audit();
    const forbidden = new Set([PAT.id, PAT.email!, patIphone.name, patIphone.id, ...audit.flatMap((e) => [e.confirmationId, e.correlationId, e.dispatchId].filter((v): v is string => !!v))]);
    expect(forbidden.size).toBeGreaterThan(4);
    expect(labelValues(m).filter((v) => forbidden.has(v))).toEqual([]);
  });

  it.each([
    ["lock Pat's iPhone", 'offered'],
    ['devices pat@contoso.com', 'listed'],
    ['lock nothing-by-that-name', 'not-found'],
    ['lock PAT-LAPTOP', 'not-supported'],
    // Pat is told nothing matches, but the audit (and so the metric) keeps the true reason.
    ["lock Sam's iPhone", 'refused'],
    ['help', 'answered'],
  ])('"%s" counts as %s', async (text, outcome) => {
    const { metrics, handler } = setup();
    await handler.handleMessage(PAT, text, new RecordingSink());
    const m = await scrape(metrics);
    expect(valueOf(m, 'lockdesk_commands_total', { platform: 'slack', outcome })).toBe(1);
    expect(valueOf(m, 'lockdesk_commands_total')).toBe(1);
  });

  it('a click by someone else is refused; a second click on a used confirmation too', async () => {
    const { metrics, handler } = setup();
    const asked = new RecordingSink();
    await handler.handleMessage(PAT, "lock Pat's iPhone", asked);
    const value = buttonValue(asked.lastReply, 'Lock');
    await handler.handleClick(actor('sam@contoso.com', { platform: 'teams', id: 'U0SAM' }), value, new RecordingSink());
    await handler.handleClick(PAT, value, new RecordingSink());
    await handler.handleClick(PAT, value, new RecordingSink());
    const m = await scrape(metrics);
    expect(valueOf(m, 'lockdesk_clicks_total', { platform: 'teams', outcome: 'refused' })).toBe(1);
    expect(valueOf(m, 'lockdesk_clicks_total', { platform: 'slack', outcome: 'confirmed' })).toBe(1);
    expect(valueOf(m, 'lockdesk_clicks_total', { platform: 'slack', outcome: 'refused' })).toBe(1);
    expect(valueOf(m, 'lockdesk_confirmations_total', { event: 'refused' })).toBe(2);
  });

  it('a store that fails: the command counts as an error, the failure by operation and code, and nothing as audited', async () => {
    const real = createMemoryStore();
    const failing: Store = {
      ...real,
      confirmations: {
        ...real.confirmations,
        create: async () => {
          throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, 'the database is away');
        },
      },
    };
    const { metrics, handler } = setup(failing);
    const sink = new RecordingSink();
    await handler.handleMessage(PAT, "lock Pat's iPhone", sink);
    expect(sink.lastReply.text).toMatch(/cannot reach its storage.*\(reference /);
    const m = await scrape(metrics);
    expect(valueOf(m, 'lockdesk_commands_total', { outcome: 'error' })).toBe(1);
    expect(valueOf(m, 'lockdesk_store_errors_total', { operation: 'confirmations.create', code: 'store_unavailable' })).toBe(1);
    expect(valueOf(m, 'lockdesk_confirmations_total')).toBe(0);
  });

  it('an outcome the labels do not know is counted as "other", never as itself', async () => {
    const metrics = createMetrics(silent);
    const store = meteredStore(createMemoryStore(), metrics);
    const odd: AuditEvent = { at: new Date().toISOString(), event: 'result', action: 'lock', deviceId: 'd', deviceName: 'Zoë’s iPad', actor: null, outcome: 'zoe@contoso.com', correlationId: 'c' };
    await store.audit.append(odd);
    const m = await scrape(metrics);
    expect(valueOf(m, 'lockdesk_dispatch_outcomes_total', { action: 'lock', outcome: 'other' })).toBe(1);
    expect(valueOf(m, 'lockdesk_audit_events_total', { event: 'result', outcome: 'other', platform: 'lockdesk' })).toBe(1);
    expect(labelValues(m)).not.toContain('zoe@contoso.com');
  });

  it('each app counts on its own registry', async () => {
    const a = createMetrics(silent);
    const b = createMetrics(silent);
    a.call('command', 'slack', 'answered');
    expect(valueOf(await scrape(a), 'lockdesk_commands_total')).toBe(1);
    expect(valueOf(await scrape(b), 'lockdesk_commands_total')).toBe(0);
  });

  it('Graph attempts by status, 429 and lost answers included, with their durations', async () => {
    const metrics = createMetrics(silent);
    metrics.graphAttempt({ kind: 'lookup', status: 429, seconds: 0.02 });
    metrics.graphAttempt({ kind: 'lookup', status: 200, seconds: 0.3 });
    metrics.graphAttempt({ kind: 'action', status: 'lost', seconds: 30 });
    metrics.graphAttempt({ kind: 'action', status: 418, seconds: 0.1 });
    const m = await scrape(metrics);
    expect(valueOf(m, 'lockdesk_graph_requests_total', { kind: 'lookup', status: '429' })).toBe(1);
    expect(valueOf(m, 'lockdesk_graph_requests_total', { kind: 'action', status: 'lost' })).toBe(1);
    expect(valueOf(m, 'lockdesk_graph_requests_total', { kind: 'action', status: '4xx' })).toBe(1);
    expect(valueOf(m, 'lockdesk_graph_request_duration_seconds_count', { kind: 'lookup' })).toBe(2);
    expect(valueOf(m, 'lockdesk_graph_request_duration_seconds_bucket', { kind: 'lookup', le: '0.025' })).toBe(1);
  });

  it('the write budget and the queue are read when scraped; a queue that cannot answer is left out of that scrape', async () => {
    const metrics = createMetrics(silent);
    const stats = { waits: 0, waitedMs: 0 };
    let depth: () => Promise<number> = async () => 3;
    metrics.sources.writeBudget = () => stats;
    metrics.sources.queue = { kind: 'pg-boss', depth: () => depth() };
    Object.assign(stats, { waits: 2, waitedMs: 1500 });
    let m = await scrape(metrics);
    expect(valueOf(m, 'lockdesk_graph_write_budget_waits_total')).toBe(2);
    expect(valueOf(m, 'lockdesk_graph_write_budget_wait_seconds_total')).toBe(1.5);
    expect(valueOf(m, 'lockdesk_queue_depth', { queue: 'pg-boss' })).toBe(3);
    depth = async () => {
      throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, 'away');
    };
    m = await scrape(metrics);
    expect(m.get('lockdesk_queue_depth')?.samples).toEqual([]);
  });
});
