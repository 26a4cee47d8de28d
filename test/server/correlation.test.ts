// One correlation id per request in the log of a real `npm start`, whoever logs: a Slack /lock that fails against
// Microsoft Graph (the fake, over HTTPS) logs in the backend (Graph retries), the core (the request failed) and the
// Slack adapter (the response URL refused the error reply, which then goes by chat.postEphemeral), and every one of
// those lines carries the id the person is shown. A request that succeeds after a 429 logs the id its audit events
// carry, and the 429 is counted in the metrics.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/core/index.js';
import { childEnv, REPO_ROOT } from '../console/run-console.js';
import { demoTenant, startFakeGraph, type FakeGraph } from '../fakes/graph-server/index.js';
import { valueOf } from '../metrics/prom-text.js';
import { startReplica, type Replica } from '../replicas/replica.js';
import { commandBody, postSigned, SIGNING_SECRET, textOf } from '../replicas/slack-requests.js';
import { startSlackStub, type SlackStub } from '../replicas/slack-stub.js';
import { logLines, scrape, waitFor } from './ops-helpers.js';

const USER = 'U0GWEN';
const DEVICES = /\/(v1\.0|beta)\/deviceManagement\/managedDevices$/;

let dir: string;
let fake: FakeGraph;
let slack: SlackStub;
let lockdesk: Replica;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lockdesk-correlation-'));
  await writeFile(join(dir, 'policy.json'), JSON.stringify({ roles: [{ name: 'helpdesk', members: [`slack:${USER}`], actions: ['lock', 'resetPasscode'], devices: 'any' }] }));
  fake = await startFakeGraph({ tenant: await demoTenant(join(REPO_ROOT, 'data/demo-tenant.json')) });
  slack = await startSlackStub();
  lockdesk = await startReplica(
    'correlation',
    childEnv(join(dir, 'run'), {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      TEAMS_ENABLED: 'false',
      METRICS_ENABLED: 'true',
      LOCKDESK_POLICY: join(dir, 'policy.json'),
      // Two 503s a second apart outlast this, so a look-up fails after one retry.
      GRAPH_DEADLINE_MS: '1500',
      SLACK_BOT_TOKEN: 'xoxb-correlation',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl('lockdesk'),
      ...fake.env(),
    }),
  );
  // The serial-number index is read at start-up; its lines belong to no request and must be over first.
  await waitFor(() => logLines(lockdesk.output()).some((l) => l.msg === 'inventory index refreshed'), 'the inventory refresh at start-up');
}, 60_000);

afterAll(async () => {
  await lockdesk?.kill();
  await slack?.close();
  await fake?.close();
  if (fake) await rm(fake.tls.dir, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the correlation id in the log', () => {
  it('every line of a failed request, from the backend, the core and the Slack adapter, carries the id its error reply shows', async () => {
    fake.injectFault({ method: 'GET', path: DEVICES, status: 503, retryAfter: '1', times: 2 });
    const mark = lockdesk.output().length;
    // A response URL that answers 404: the adapter logs that and sends the reply by chat.postEphemeral instead.
    const refusing = `${slack.url}/refusing-hooks/1`;
    expect(await postSigned(lockdesk.url, commandBody({ user: USER, command: '/lock', text: "Alice's iPhone", responseUrl: refusing }))).toBe(200);
    const reply = await waitFor(() => slack.api.find((c) => c.method === 'chat.postEphemeral' && /\(reference /.test(textOf(c.body))), 'the error reply');
    const reference = /\(reference ([\w-]+)\)/.exec(textOf(reply.body))![1]!;

    const lines = await waitFor(() => {
      const now = logLines(lockdesk.output().slice(mark));
      return now.some((l) => l.msg === 'a Slack delivery failed; trying the next way') && now;
    }, "the adapter's line");
    const said = (msg: string) => lines.filter((l) => l.msg === msg);
    expect(said('Graph call will be retried').length, 'backend').toBeGreaterThanOrEqual(1);
    expect(said('request failed').length, 'core').toBe(1);
    expect(said('a Slack delivery failed; trying the next way').length, 'adapter').toBeGreaterThanOrEqual(1);
    expect(lines.filter((l) => l.correlationId !== reference).map((l) => `${String(l.msg)}: ${String(l.correlationId)}`)).toEqual([]);
  });

  it("a request that succeeds after a 429 logs the id of its audit events, and the 429 is in the metrics", async () => {
    fake.injectFault({ method: 'GET', path: DEVICES, status: 429, retryAfter: '0', times: 1 });
    const mark = lockdesk.output().length;
    const hook = slack.newResponseUrl();
    expect(await postSigned(lockdesk.url, commandBody({ user: USER, command: '/lock', text: "Bob's Galaxy S23", responseUrl: hook.url }))).toBe(200);
    const answer = await waitFor(() => slack.hooks.find((h) => h.id === hook.id), 'the confirmation');
    expect(textOf(answer.body)).toMatch(/Confirm the remote lock/);

    const audit = (await readFile(join(dir, 'run', 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
    const offered = audit.filter((e) => e.event === 'confirmation' && e.deviceName === "Bob's Galaxy S23");
    expect(offered).toHaveLength(1);
    const retried = logLines(lockdesk.output().slice(mark)).filter((l) => l.msg === 'Graph call will be retried');
    expect(retried.map((l) => [l.status, l.correlationId])).toEqual([[429, offered[0]!.correlationId]]);

    const m = await scrape(`${lockdesk.url}/metrics`);
    expect(valueOf(m, 'lockdesk_graph_requests_total', { kind: 'lookup', status: '429' })).toBe(1);
    expect(valueOf(m, 'lockdesk_graph_requests_total', { kind: 'lookup', status: '503' })).toBe(2);
    expect(valueOf(m, 'lockdesk_graph_requests_total', { kind: 'lookup', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(valueOf(m, 'lockdesk_graph_request_duration_seconds_count', { kind: 'lookup' })).toBe(valueOf(m, 'lockdesk_graph_requests_total', { kind: 'lookup' }));
    expect(valueOf(m, 'lockdesk_commands_total', { platform: 'slack', outcome: 'error' })).toBe(1);
    expect(valueOf(m, 'lockdesk_commands_total', { platform: 'slack', outcome: 'offered' })).toBe(1);
  });
});
