// A lockdesk started with LOCKDESK_PAUSED=true (a real `npm start`): its banner says so, GET /readyz is still ready
// and names the pause, and the lockdesk_paused gauge is 1; without it the gauge is 0.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv } from '../console/run-console.js';
import { valueOf } from '../metrics/prom-text.js';
import { startReplica, type Replica } from '../replicas/replica.js';
import { readyz, scrape } from './ops-helpers.js';

let dir: string;
const processes: Replica[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lockdesk-paused-'));
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(name: string, env: Record<string, string>): Promise<Replica> {
  const p = await startReplica(name, childEnv(join(dir, name), { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', METRICS_ENABLED: 'true', ...env }));
  processes.push(p);
  return p;
}

describe('LOCKDESK_PAUSED', () => {
  it('shows in the banner, in GET /readyz (still ready) and as lockdesk_paused 1', async () => {
    const [paused, running] = await Promise.all([start('paused', { LOCKDESK_PAUSED: 'true' }), start('running', {})]);
    expect(paused.output()).toMatch(/ {2}PAUSED: {2}lockdesk is paused by its configuration \(LOCKDESK_PAUSED=true\) since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: set in the environment by an operator; nothing is dispatched until it is resumed \(unset LOCKDESK_PAUSED and restart\)/);
    const ready = await readyz(paused.url);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { store: 'ok', backend: 'ok' }, paused: expect.stringMatching(/^lockdesk is paused by its configuration/) });
    expect(valueOf(await scrape(`${paused.url}/metrics`), 'lockdesk_paused')).toBe(1);

    expect(running.output()).not.toMatch(/PAUSED/);
    expect((await readyz(running.url)).body).not.toHaveProperty('paused');
    expect(valueOf(await scrape(`${running.url}/metrics`), 'lockdesk_paused')).toBe(0);
  }, 90_000);
});
