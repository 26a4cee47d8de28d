// Signatures, the 3-second ack with a slow backend, App Home and its DM confirmations.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buttonsIn, startHarness, textOf, waitFor, type Harness } from './harness.js';

let h: Harness | undefined;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
  h = undefined;
  nock.cleanAll();
});

async function auditSize(harness: Harness): Promise<number> {
  return stat(join(harness.dataDir, 'run', 'audit.jsonl')).then((s) => s.size, () => 0);
}

describe('signature verification', () => {
  it.each([
    ['a bad signature', { secret: 'not-the-secret' }],
    ['a stale timestamp', { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 }],
    ['a missing signature', { headers: { 'x-slack-signature': '' } }],
  ])('%s gets 401; nothing is dispatched or written, only a log line', async (_name, extra) => {
    h = await startHarness();
    const before = await auditSize(h);
    const logged = h.logger.lines.length;
    const { res, responseUrl } = await h.command('U0ALICE', '/lock', "Alice's iPhone", extra);
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    await h.mount.adapter.idle();
    expect(h.api).toEqual([]);
    expect(h.hooks.filter((p) => p.path === new URL(responseUrl).pathname)).toEqual([]);
    expect(await auditSize(h)).toBe(before);
    const lines = h.logger.lines.slice(logged);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn .*(verif|signature|stale)/i);
  });

  it('a form body sent with "; charset=utf-8" is not taken as a form (Bolt needs the exact content type)', async () => {
    h = await startHarness();
    const res = await h.postRaw('command=%2Flock&text=x', 'application/x-www-form-urlencoded; charset=utf-8');
    expect(res.status).not.toBe(200);
    expect(h.api).toEqual([]);
  });
});

describe('a slow backend', () => {
  it('the ack comes at once even when every backend call takes 10 s; the answer follows through the response URL', async () => {
    h = await startHarness({ LOCKDESK_SIM_LATENCY_MS: '10000' });
    const { res, ms, responseUrl } = await h.command('U0ALICE', '/lost', '');
    expect(res.status).toBe(200);
    // Far below the backend's 10 s (the ack never waits for it), with room for a busy machine.
    expect(ms).toBeLessThan(5_000);
    expect(h.hooks).toEqual([]);
    const harness = h;
    const post = await waitFor(() => harness.hooks.find((p) => p.path === new URL(responseUrl).pathname), 'the late answer', 30_000);
    expect(textOf(post.body)).toContain("Alice's iPhone");
  }, 40_000);
});

describe('App Home', () => {
  it('app_home_opened publishes "Your devices" with self-service buttons; a button starts a DM confirmation whose updates use chat.update', async () => {
    h = await startHarness();
    const harness = h;
    const res = await h.homeOpened('U0ALICE', 'Ev0HOME');
    expect(res.status).toBe(200);
    const publish = await waitFor(() => harness.api.find((c) => c.method === 'views.publish'), 'views.publish');
    expect(publish.body.user_id).toBe('U0ALICE');
    expect((publish.body.view as { type: string }).type).toBe('home');
    expect(textOf(publish.body)).toContain("Alice's iPhone");
    const buttons = buttonsIn(publish.body);
    expect(buttons.map((b) => b.text)).toContain('I lost this device');
    expect(buttons.map((b) => b.text)).toContain('I forgot my passcode');

    // Slack retries the same event: it is not published twice.
    await h.homeOpened('U0ALICE', 'Ev0HOME');
    await h.mount.adapter.idle();
    expect(h.api.filter((c) => c.method === 'views.publish')).toHaveLength(1);

    // "I lost this device" on Alice's iPhone: its playbook in a DM, then the step's confirmation in a DM.
    const lost = buttons.find((b) => b.text === 'I lost this device' && b.value === 'lost:fade5b38-a6b5-4f75-8515-21271ddd86c2')!;
    await h.click('U0ALICE', lost.value, { kind: 'home' });
    const playbook = await waitFor(() => harness.api.find((c) => c.method === 'chat.postMessage' && c.body.channel === 'U0ALICE'), 'the DM playbook');
    expect(textOf(playbook.body)).toMatch(/Sorry you lost a device/);
    const step = buttonsIn(playbook.body)[0]!;
    expect(step.text).toBe('Lock');
    await h.click('U0ALICE', step.value, { kind: 'home' });
    const dm = await waitFor(() => harness.api.filter((c) => c.method === 'chat.postMessage' && c.body.channel === 'U0ALICE')[1], 'the DM confirmation');
    const confirm = buttonsIn(dm.body)[0]!;
    expect(confirm).toMatchObject({ style: 'danger' });
    expect(confirm.confirm).toBeDefined();

    await h.click('U0ALICE', confirm.value, { kind: 'dm', channel: 'D0ALICE', ts: '1001.000100' });
    const update = await waitFor(() => harness.api.find((c) => c.method === 'chat.update' && /done: Intune reports/.test(textOf(c.body))), 'chat.update to done');
    expect(update.body).toMatchObject({ channel: 'D0ALICE', ts: '1001.000100' });
    expect(h.hooks.filter((p) => p.path.startsWith('/actions/'))).toEqual([]);
  });
});

describe('the manifest', () => {
  it('declares every command, interactivity, the home tab, app_home_opened and exactly the scopes used', async () => {
    const { parse } = await import('yaml');
    const manifest = parse(await readFile(new URL('../../../manifest/slack/manifest.yaml', import.meta.url), 'utf8'));
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command).sort()).toEqual(['/devices', '/found', '/locate', '/lock', '/lockdesk', '/lost', '/lost-mode', '/reset-passcode', '/sign-out', '/sound']);
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true });
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(['chat:write', 'commands', 'usergroups:read', 'users:read', 'users:read.email']);
  });
});

describe('Socket Mode', () => {
  it('with SLACK_APP_TOKEN the mount serves no HTTP route and opens a Socket Mode connection on start', async () => {
    h = await startHarness({ SLACK_APP_TOKEN: 'xapp-1-test', SLACK_SIGNING_SECRET: '' });
    expect(h.mount.adapter.mode).toBe('socket');
    expect(h.mount.routes).toEqual([]);
    expect(h.mount.describe).toMatch(/Socket Mode/);
  });
});
