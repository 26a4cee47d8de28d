// GET /metrics against a real `npm start`: off by default; with METRICS_ENABLED=true on the main server, where a signed
// Slack command and click (and a Teams request) move the counters they should, and no label value names the person,
// the device or the confirmation; with METRICS_PORT on its own port only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeButton } from '../../src/core/index.js';
import { childEnv } from '../console/run-console.js';
import { labelValues, valueOf } from '../metrics/prom-text.js';
import { startReplica, type Replica } from '../replicas/replica.js';
import { buttonValues, clickBody, commandBody, postSigned, SIGNING_SECRET, textOf } from '../replicas/slack-requests.js';
import { startSlackStub, type SlackStub } from '../replicas/slack-stub.js';
import { readyz, scrape, waitFor } from './ops-helpers.js';

const USER = 'U0GWEN';
const EMAIL = 'gwen@contoso.com';
const DEVICE = "Alice's iPhone";
const OWNER = 'alice@contoso.com';

let dir: string;
let slack: SlackStub;
const processes: Replica[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lockdesk-metrics-'));
  await writeFile(join(dir, 'policy.json'), JSON.stringify({ roles: [{ name: 'helpdesk', members: [`slack:${USER}`], actions: ['lock', 'resetPasscode'], devices: 'any' }] }));
  slack = await startSlackStub();
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  await slack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(name: string, env: Record<string, string>): Promise<Replica> {
  const p = await startReplica(name, childEnv(join(dir, name), { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }));
  processes.push(p);
  return p;
}

describe('GET /metrics', () => {
  it('is off by default: 404 on the main server', async () => {
    const p = await start('off', {});
    const res = await fetch(`${p.url}/metrics`);
    expect(res.status).toBe(404);
    await res.body?.cancel();
    expect((await readyz(p.url)).status).toBe(200);
  }, 60_000);

  it('with METRICS_ENABLED=true: a Slack command and click move the counters, and no label names anyone or anything', async () => {
    const p = await start('main', {
      METRICS_ENABLED: 'true',
      LOCKDESK_POLICY: join(dir, 'policy.json'),
      SLACK_BOT_TOKEN: 'xoxb-metrics',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl('main'),
    });
    expect(await readyz(p.url)).toEqual({ status: 200, body: { status: 'ready', checks: { store: 'ok', backend: 'ok', slack: 'ok', teams: 'ok' } } });
    const before = await scrape(`${p.url}/metrics`);
    expect(valueOf(before, 'lockdesk_commands_total')).toBe(0);

    const hook = slack.newResponseUrl();
    expect(await postSigned(p.url, commandBody({ user: USER, command: '/lock', text: DEVICE, responseUrl: hook.url }))).toBe(200);
    const asked = await waitFor(() => slack.hooks.find((h) => h.id === hook.id), 'the confirmation');
    const value = buttonValues(asked.body).find((v) => decodeButton(v)?.kind === 'confirm');
    if (!value) throw new Error(`no confirm button in: ${textOf(asked.body)}`);
    const confirmationId = (decodeButton(value) as { confirmationId: string }).confirmationId;
    const clickHook = slack.newResponseUrl();
    expect(await postSigned(p.url, clickBody({ user: USER, value, actionTs: '1700000001.000100', responseUrl: clickHook.url }))).toBe(200);
    // The follow-up runs to done (the simulated tenant settles in 200 ms): rounds, outcomes and the end are counted.
    const after = await waitFor(async () => {
      const m = await scrape(`${p.url}/metrics`);
      return valueOf(m, 'lockdesk_follow_ups_ended_total', { outcome: 'settled' }) === 1 && m;
    }, 'the follow-up to settle');
    // A Teams request too (the demo mode serves loopback clients), for its acknowledgement.
    const teams = await fetch(`${p.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'conversationUpdate', id: 'x', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9/', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: 'c' } }),
    });
    expect(teams.status).toBe(200);
    await teams.body?.cancel();
    const m = await waitFor(async () => {
      const now = await scrape(`${p.url}/metrics`);
      return valueOf(now, 'lockdesk_ack_duration_seconds_count', { platform: 'teams' }) === 1 && now;
    }, 'the Teams acknowledgement to be counted');

    expect(valueOf(m, 'lockdesk_commands_total', { platform: 'slack', outcome: 'offered' })).toBe(1);
    expect(valueOf(m, 'lockdesk_clicks_total', { platform: 'slack', outcome: 'confirmed' })).toBe(1);
    expect(valueOf(m, 'lockdesk_confirmations_total', { event: 'offered' })).toBe(1);
    expect(valueOf(m, 'lockdesk_confirmations_total', { event: 'confirmed' })).toBe(1);
    expect(valueOf(m, 'lockdesk_dispatches_total', { action: 'lock' })).toBe(1);
    expect(valueOf(m, 'lockdesk_dispatch_outcomes_total', { action: 'lock', outcome: 'sent' })).toBe(1);
    expect(valueOf(m, 'lockdesk_dispatch_outcomes_total', { action: 'lock', outcome: 'done' })).toBe(1);
    expect(valueOf(after, 'lockdesk_follow_up_rounds_total', { phase: 'chat', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    // Every Slack request (command, click) was acknowledged, and timed, once each.
    expect(valueOf(m, 'lockdesk_ack_duration_seconds_count', { platform: 'slack', status_class: '2xx' })).toBe(2);
    expect(valueOf(m, 'lockdesk_ack_duration_seconds_bucket', { platform: 'slack', le: '+Inf' })).toBe(2);
    expect(m.get('lockdesk_queue_depth')?.samples).toEqual([{ name: 'lockdesk_queue_depth', labels: { queue: 'memory' }, value: 0 }]);
    expect(valueOf(m, 'lockdesk_store_errors_total')).toBe(0);
    expect(m.get('process_cpu_seconds_total')?.type).toBe('counter');

    const forbidden = [USER, EMAIL, DEVICE, OWNER, confirmationId, value, hook.url, clickHook.url, 'xoxb-metrics', SIGNING_SECRET];
    expect(labelValues(m).filter((v) => forbidden.some((f) => v.includes(f)))).toEqual([]);
    expect(labelValues(m).length).toBeGreaterThan(20);
  }, 90_000);

  it('with METRICS_PORT: served on that port only; the main server answers 404', async () => {
    const p = await start('port', { METRICS_PORT: '0' });
    const line = await waitFor(() => /serving: GET \/metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics) only/.exec(p.output()) ?? undefined, 'the banner line naming the metrics port');
    const metricsUrl = line[1]!;
    expect(new URL(metricsUrl).port).not.toBe(new URL(p.url).port);
    const m = await scrape(metricsUrl);
    expect(m.has('lockdesk_commands_total')).toBe(true);
    const main = await fetch(`${p.url}/metrics`);
    expect(main.status).toBe(404);
    await main.body?.cancel();
    // Only /metrics there: the chat and health routes stay on the main server.
    const elsewhere = await fetch(new URL('/healthz', metricsUrl));
    expect(elsewhere.status).toBe(404);
    await elsewhere.body?.cancel();
    expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
