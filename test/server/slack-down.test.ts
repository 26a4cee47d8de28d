// Slack down at start-up, against a real `npm start`: a local stand-in for Slack refuses auth.test, and lockdesk
// starts anyway, serves everything else, says in its banner and /healthz that Slack is degraded (and /readyz that it
// is not ready), answers Slack's route with 503, and connects once Slack answers again.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, collect, startTsx, type ProcessResult } from '../console/run-console.js';

let dir: string;
let slack: Server;
let slackUp = false;
const calls: string[] = [];
let child: ChildProcess;
let exited: Promise<ProcessResult>;
let banner = '';
let base = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lockdesk-slack-down-'));
  slack = createServer((req, res) => {
    calls.push(req.url ?? '');
    req.resume();
    if (!slackUp) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, team_id: 'T0CONTOSO', user_id: 'U0LOCKDESK', bot_id: 'B0LOCKDESK' }));
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/`;
  child = startTsx('src/main.ts', [], childEnv(dir, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: 'xoxb-down', SLACK_SIGNING_SECRET: 'secret', SLACK_API_URL: apiUrl }), 'ignore');
  exited = collect(child);
  banner = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (/no terminal attached/.test(seen)) resolve(seen);
    });
    void exited.then((r) => reject(new Error(`lockdesk exited (${r.code}) while Slack was down:\n${r.stdout}\n${r.stderr}`)));
  });
  base = /lockdesk is running on (http:\/\/\S+) /.exec(banner)![1]!;
}, 40_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGTERM');
  await exited;
  await new Promise<void>((resolve) => slack.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const health = async () => (await (await fetch(`${base}/healthz`)).json()) as Record<string, string>;

describe('Slack down at start-up', () => {
  it('lockdesk starts anyway and says Slack is degraded, in the banner and in /healthz', async () => {
    expect(calls.some((c) => c.endsWith('/auth.test'))).toBe(true);
    expect(banner).toMatch(/serving: Slack: POST \/slack\/events \(DEGRADED: auth\.test failed: .*; trying again in \d+ s\)/);
    expect(banner).toMatch(/serving: Microsoft Teams: POST \/api\/messages/);
    expect(await health()).toMatchObject({ status: 'ok', slack: 'degraded', slackReason: expect.stringMatching(/auth\.test failed/) });
  });

  it('is alive but not ready: /readyz answers 503 naming Slack, and nothing else, as not ready', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    expect(body).toMatchObject({ status: 'not ready', checks: { store: 'ok', backend: 'ok', teams: 'ok', slack: expect.stringMatching(/^not connected to Slack: auth\.test failed/) } });
    expect(JSON.stringify(body)).not.toContain('xoxb-down');
  });

  it('serves everything else; Slack\'s own route answers 503 so Slack tries again', async () => {
    const slackRoute = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'command=%2Flock' });
    expect(slackRoute.status).toBe(503);
    const teams = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'conversationUpdate', id: 'x', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9/', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: 'c' } }),
    });
    expect(teams.status).toBe(200);
  });

  it('connects once Slack answers again, with backoff, and without a restart', async () => {
    slackUp = true;
    const until = Date.now() + 20_000;
    while ((await health()).slack !== 'ok') {
      if (Date.now() > until) throw new Error('Slack never became ok');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(child.exitCode).toBeNull();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', backend: 'ok', slack: 'ok', teams: 'ok' } });
    const retries = calls.filter((c) => c.endsWith('/auth.test')).length;
    expect(retries).toBeGreaterThanOrEqual(2);
    expect(retries).toBeLessThan(10);
    const slackRoute = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'command=%2Flock' });
    // Now Bolt answers: an unsigned request is refused as such, not with "not connected".
    expect(slackRoute.status).toBe(401);
  }, 30_000);
});
