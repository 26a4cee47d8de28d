// The guardrails in Slack, through the real Bolt app over signed HTTP: approval cards in SLACK_APPROVALS_CHANNEL or
// in approvers' DMs, the requester refused under a second account, approve / deny with a reason / expiry (each card
// turned into the outcome, also from another process), a rate limit, the kill switch typed as /lockdesk pause, and
// a protected person's device.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/index.js';
import { buttonsIn, startHarness, textOf, waitFor, type ApiCall, type Harness } from './harness.js';

const APPROVALS = 'C0APPROVALS';
const POLICY = {
  roles: [
    { name: 'helpdesk', members: ['slack-group:S0HELP'], actions: ['lock', 'resetPasscode'], devices: 'any' },
    { name: 'everyone', members: ['*'], actions: ['lock', 'resetPasscode'], devices: 'own' },
  ],
  pausers: ['slack:U0LEAD'],
  limits: [{ per: 'actor', actions: ['lock'], max: 2, window: '1h' }],
  // The approvers are a Slack group: Lee, Sam and Gwen's second account.
  approval: { approvers: ['slack-group:S0LEADS'], expireMinutes: 30, rules: [{ actions: ['resetPasscode'], devices: 'others' }, { targets: 'protected' }] },
  protected: { users: ['bob@contoso.com'] },
};

let h: Harness | undefined;
let dir: string;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
  h = undefined;
  nock.cleanAll();
  await rm(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = { SLACK_APPROVALS_CHANNEL: APPROVALS }): Promise<Harness> {
  dir = await mkdtemp(join(tmpdir(), 'lockdesk-slack-approvals-'));
  const policy = join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify(POLICY));
  h = await startHarness({ LOCKDESK_POLICY: policy, ...env });
  return h;
}

const hooksTo = (url: string) => h!.hooks.filter((p) => p.path === new URL(url).pathname);
const said = (url: string, match: RegExp) => waitFor(() => hooksTo(url).find((p) => match.test(textOf(p.body))), `a post to ${url} matching ${match}`);
const calls = (method: string, match: (c: ApiCall) => boolean = () => true) => h!.api.filter((c) => c.method === method && match(c));
const ephemeralTo = (user: string, match: RegExp) => waitFor(() => calls('chat.postEphemeral', (c) => c.body.user === user && match.test(textOf(c.body)))[0], `an ephemeral to ${user} matching ${match}`);
async function audit(): Promise<AuditEvent[]> {
  await h!.mount.adapter.idle();
  await h!.app.handler.idle();
  const out: AuditEvent[] = [];
  for await (const e of h!.app.store.audit.read()) out.push(e);
  return out;
}
const dispatched = async () => (await audit()).filter((e) => e.event === 'dispatch').map((e) => e.deviceName);

/** `user` asks and confirms; resolves with the confirmation click's response URL (the requester's message). */
async function askAndConfirm(user: string, command: string, text: string, label: RegExp): Promise<string> {
  const { responseUrl } = await h!.command(user, command, text);
  const offer = await said(responseUrl, /./);
  const confirm = buttonsIn(offer.body).find((b) => label.test(b.text));
  expect(confirm, `a button matching ${label} in ${textOf(offer.body)} ${JSON.stringify(buttonsIn(offer.body))}`).toBeDefined();
  return (await h!.click(user, confirm!.value)).responseUrl;
}

/** The approval card posted to `channel` (the nth), with where a click on it comes from. */
async function cardIn(channel: string, n = 0) {
  const post = await waitFor(() => calls('chat.postMessage', (c) => c.body.channel === channel && buttonsIn(c.body).some((b) => b.text === 'Approve'))[n], `approval card #${n + 1} in ${channel}`);
  const buttons = buttonsIn(post.body);
  const where = { kind: 'dm' as const, ...post.posted! };
  return { post, where, approve: buttons.find((b) => b.text === 'Approve')!.value, deny: buttons.find((b) => b.text === 'Deny')!.value };
}
const cardUpdates = (where: { channel: string; ts: string }) => calls('chat.update', (c) => c.body.channel === where.channel && c.body.ts === where.ts).map((c) => textOf(c.body));

describe('approval cards in Slack', () => {
  it("a reset of someone else's phone waits: the requester sees who approves, the channel gets the card; nothing is sent", async () => {
    await start();
    const mine = await askAndConfirm('U0GWEN', '/reset-passcode', "Alice's Pixel 8", /^Reset/);
    await said(mine, /^Waiting for approval by the Slack group S0LEADS/);
    const card = await cardIn(APPROVALS);
    expect(textOf(card.post.body)).toMatch(/gwen@contoso\.com asks for a passcode reset of "Alice's Pixel 8"/);
    expect(await dispatched()).toEqual([]);
    expect(h!.mount.describe).toContain(`approval cards to ${APPROVALS}`);
  });

  it("Gwen's second account (another id, her email) cannot approve her request; Lee can: sent once, every message says so, the passcode only to Gwen", async () => {
    await start();
    const mine = await askAndConfirm('U0GWEN', '/reset-passcode', "Alice's Pixel 8", /^Reset/);
    const card = await cardIn(APPROVALS);
    await h!.click('U0GWENALT', card.approve, card.where);
    await ephemeralTo('U0GWENALT', /You asked for this yourself/);
    expect(await dispatched()).toEqual([]);
    // Her own account is no approver at all.
    await h!.click('U0GWEN', card.approve, card.where);
    await ephemeralTo('U0GWEN', /Only the approvers the policy names/);

    await h!.click('U0LEAD', card.approve, card.where);
    await waitFor(() => cardUpdates(card.where).find((t) => /^Approved by lead@contoso\.com/.test(t)), 'the card to say approved');
    await said(mine, /approved by lead@contoso\.com/);
    const secret = await waitFor(() => h!.hooks.find((p) => /Temporary passcode/.test(textOf(p.body))) ?? calls('chat.postEphemeral', (c) => /Temporary passcode/.test(String(c.body.text)))[0], 'the passcode');
    expect('path' in secret ? secret.path : '').toBe(new URL(mine).pathname);
    // A second approval click is refused; the device was sent once.
    await h!.click('U0SEC', card.approve, card.where);
    await ephemeralTo('U0SEC', /already approved/);
    expect(await dispatched()).toEqual(["Alice's Pixel 8"]);
    const approvals = (await audit()).filter((e) => e.event === 'approval').map((e) => `${e.outcome}:${e.actor?.id}`);
    expect(approvals).toEqual(['requested:U0GWEN', 'approved:U0LEAD']);
    expect(JSON.stringify(calls('chat.postMessage', (c) => c.body.channel === APPROVALS))).not.toMatch(/Temporary passcode/);
  });

  it('deny opens a modal for the reason; the reason reaches the requester and the card, and nothing is sent', async () => {
    await start();
    const mine = await askAndConfirm('U0GWEN', '/reset-passcode', "Alice's Pixel 8", /^Reset/);
    const card = await cardIn(APPROVALS);
    await h!.click('U0LEAD', card.deny, card.where);
    const opened = await waitFor(() => calls('views.open').find((c) => /Deny this request/.test(JSON.stringify(c.body.view))), 'the deny modal');
    const view = (typeof opened.body.view === 'string' ? JSON.parse(opened.body.view) : opened.body.view) as Record<string, unknown>;
    await h!.submitState('U0LEAD', view, { values: { 'field.reason': { value: { type: 'plain_text_input', value: 'Alice has her phone; call her first' } } } });
    await waitFor(() => cardUpdates(card.where).find((t) => /^Denied by lead@contoso\.com.*Alice has her phone; call her first/.test(t)), 'the card to say denied');
    await said(mine, /Denied by lead@contoso\.com.*Alice has her phone; call her first/);
    const events = await audit();
    expect(events.find((e) => e.event === 'approval' && e.outcome === 'denied')!.reason).toBe('Alice has her phone; call her first');
    expect(events.filter((e) => e.event === 'dispatch')).toEqual([]);
  });

  it('expires after the policy time: the sweep turns the card and the message into "expired", and a late approval sends nothing', async () => {
    await start();
    const mine = await askAndConfirm('U0GWEN', '/reset-passcode', "Alice's Pixel 8", /^Reset/);
    const card = await cardIn(APPROVALS);
    h!.clock.offsetMs = 31 * 60_000;
    expect(await h!.app.handler.sweepExpired()).toBeGreaterThanOrEqual(1);
    await waitFor(() => cardUpdates(card.where).find((t) => /^Expired: nobody approved/.test(t)), 'the card to say expired');
    await said(mine, /^Expired: nobody approved/);
    await h!.click('U0LEAD', card.approve, card.where);
    await ephemeralTo('U0LEAD', /has expired/);
    const events = await audit();
    expect(events.filter((e) => e.event === 'approval' && e.outcome === 'expired')).toHaveLength(1);
    expect(events.filter((e) => e.event === 'dispatch')).toEqual([]);
  });

  it('the requester withdraws the request from her message: the card says so, nothing is sent', async () => {
    await start();
    const mine = await askAndConfirm('U0GWEN', '/reset-passcode', "Alice's Pixel 8", /^Reset/);
    const waiting = await said(mine, /^Waiting for approval/);
    const card = await cardIn(APPROVALS);
    const withdraw = buttonsIn(waiting.body).find((b) => b.text === 'Withdraw the request')!;
    expect(withdraw).toBeDefined();
    await h!.click('U0GWEN', withdraw.value);
    await waitFor(() => cardUpdates(card.where).find((t) => /^Withdrawn by gwen@contoso\.com/.test(t)), 'the card to say withdrawn');
    await h!.click('U0LEAD', card.approve, card.where);
    await ephemeralTo('U0LEAD', /has withdrawn this request/);
    expect(await dispatched()).toEqual([]);
  });

  it('approved on another process (restarted on the same data): the card and the requester are reached from their stored references', async () => {
    await start();
    const mine = await askAndConfirm('U0GWEN', '/reset-passcode', "Alice's Pixel 8", /^Reset/);
    const card = await cardIn(APPROVALS);
    await h!.restart();
    await h!.click('U0LEAD', card.approve, card.where);
    await waitFor(() => cardUpdates(card.where).find((t) => /^Approved by lead@contoso\.com/.test(t)), 'the card to say approved');
    await said(mine, /approved by lead@contoso\.com/);
    expect(await dispatched()).toEqual(["Alice's Pixel 8"]);
  });

  it('without SLACK_APPROVALS_CHANNEL each approver of the group gets a DM card, never the requester, nor her second account (it shows her email)', async () => {
    await start({});
    await askAndConfirm('U0GWENALT', '/reset-passcode', "Alice's Pixel 8", /^Reset/).catch(() => undefined);
    // Gwen's second account is not in the helpdesk group: Alice's phone is not hers, so there is no confirmation.
    const mine = await askAndConfirm('U0GWEN', '/reset-passcode', "Alice's Pixel 8", /^Reset/);
    await said(mine, /^Waiting for approval/);
    const lee = await cardIn('U0LEAD');
    await cardIn('U0SEC');
    // Gwen's second account shows her email: no card of her own request for it.
    expect(calls('chat.postMessage', (c) => c.body.channel === 'U0GWENALT')).toEqual([]);
    expect(calls('chat.postMessage', (c) => c.body.channel === 'U0GWEN' && buttonsIn(c.body).some((b) => b.text === 'Approve'))).toEqual([]);
    await h!.click('U0LEAD', lee.approve, lee.where);
    await waitFor(() => cardUpdates(lee.where).find((t) => /^Approved by lead/.test(t)), "Lee's card to say approved");
    const sam = await cardIn('U0SEC');
    await waitFor(() => cardUpdates(sam.where).find((t) => /^Approved by lead/.test(t)), "Sam's card to say approved too");
  });
});

describe('limits, the kill switch and protected people in Slack', () => {
  it('a rate limit: the third lock within the hour is refused with when to try again, and audited', async () => {
    await start();
    for (const name of ["Alice's iPhone", "Alice's Pixel 8"]) await said(await askAndConfirm('U0GWEN', '/lock', name, /^Lock/), /Remote lock confirmed by gwen/);
    const third = await askAndConfirm('U0GWEN', '/lock', "Alice's MacBook Pro", /^Lock/);
    const refused = /Nothing was sent: the limit of at most 2 remote locks per person per hour: it is reached \(2 in the last hour\)\. Ask again after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/;
    await waitFor(() => hooksTo(third).find((p) => refused.test(textOf(p.body))) ?? calls('chat.postEphemeral', (c) => c.body.user === 'U0GWEN' && refused.test(textOf(c.body)))[0], 'the refusal');
    const events = await audit();
    expect(events.filter((e) => e.event === 'dispatch').map((e) => e.deviceName)).toEqual(["Alice's iPhone", "Alice's Pixel 8"]);
    expect(events.filter((e) => e.outcome === 'rate-limited')).toHaveLength(1);
  });

  it('/lockdesk pause stops an approval and a confirmation from being sent; /lockdesk resume lets them go', async () => {
    await start();
    const mine = await askAndConfirm('U0GWEN', '/reset-passcode', "Alice's Pixel 8", /^Reset/);
    const card = await cardIn(APPROVALS);
    const paused = await h!.command('U0LEAD', '/lockdesk', 'pause a phishing wave');
    await said(paused.responseUrl, /paused/i);
    await h!.click('U0LEAD', card.approve, card.where);
    await ephemeralTo('U0LEAD', /paused by lead@contoso\.com.*this request still waits/);
    const lock = await askAndConfirm('U0GWEN', '/lock', "Alice's iPhone", /^Lock/);
    await ephemeralTo('U0GWEN', /paused by lead@contoso\.com.*nothing was sent/);
    expect(await dispatched()).toEqual([]);
    const help = await h!.command('U0LEAD', '/lockdesk', '');
    await said(help.responseUrl, /pause \[reason\]: the kill switch[\s\S]*approvals: [\s\S]*after \/lockdesk: \/lockdesk approvals/);
    // Gwen is no pauser: her pause is refused.
    const notHers = await h!.command('U0GWEN', '/lockdesk', 'resume');
    await said(notHers.responseUrl, /./);
    expect(await h!.app.handler.paused()).toBeDefined();

    const resumed = await h!.command('U0LEAD', '/lockdesk', 'resume');
    await said(resumed.responseUrl, /resumed/i);
    await h!.click('U0LEAD', card.approve, card.where);
    await said(mine, /approved by lead@contoso\.com/);
    expect(await dispatched()).toEqual(["Alice's Pixel 8"]);
  });

  it("a protected person's device waits for a second person even for the helpdesk; the card names the rule, not the person", async () => {
    await start();
    const mine = await askAndConfirm('U0GWEN', '/lock', "Bob's Galaxy S23", /^Lock/);
    await said(mine, /^Waiting for approval by the Slack group S0LEADS.*protected/);
    expect(await dispatched()).toEqual([]);
    const events = await audit();
    expect(events.find((e) => e.event === 'approval')!.reason).toMatch(/protected people/);
    expect(events.find((e) => e.event === 'approval')!.reason).not.toMatch(/bob/i);
  });
});
