// Confirmation clicks: the outcome replaces the message and follows the action; repeats, strangers and late
// clicks are refused without spending response-URL posts; passcodes reach the requester alone; the audit channel.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESPONSE_URL_POSTS } from '../../../adapters/slack/response-url.js';
import { AUDIT_CHANNEL, buttonsIn, HOOKS_ORIGIN, startHarness, textOf, waitFor, type Harness, type HookPost } from './harness.js';

let h: Harness;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => nock.enableNetConnect());
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
  nock.cleanAll();
});

const postsTo = (url: string): HookPost[] => h.hooks.filter((p) => p.path === new URL(url).pathname);
const answerTo = (url: string, match: RegExp = /./) => waitFor(() => postsTo(url).find((p) => match.test(textOf(p.body))), `a post to ${url} matching ${match}`);

async function confirmation(user: string, command: string, text: string) {
  const { responseUrl } = await h.command(user, command, text);
  const post = await answerTo(responseUrl);
  const [confirm, ...rest] = buttonsIn(post.body);
  return { confirm: confirm!.value, cancel: rest.at(-1)!.value };
}

describe('clicks', () => {
  it('the click replaces the message with the outcome, then follows it to done; the audit channel gets one line per dispatch and result', async () => {
    const { confirm } = await confirmation('U0ALICE', '/lock', "Alice's iPhone");
    const { res, responseUrl } = await h.click('U0ALICE', confirm);
    expect(res.status).toBe(200);
    const first = await answerTo(responseUrl, /Remote lock confirmed by alice@contoso\.com/);
    expect(first.body).toMatchObject({ replace_original: true });
    const done = await answerTo(responseUrl, /done: Intune reports/);
    expect(done.body).toMatchObject({ replace_original: true });
    expect(postsTo(responseUrl).length).toBeLessThanOrEqual(RESPONSE_URL_POSTS);
    await h.app.handler.idle();

    const lines = await waitFor(() => {
      const posted = h.api.filter((c) => c.method === 'chat.postMessage' && c.body.channel === AUDIT_CHANNEL).map((c) => String(c.body.text));
      return posted.some((l) => /\*done\*/.test(l)) && posted;
    }, 'the audit channel lines');
    expect(lines[0]).toMatch(/^:outbox_tray: Remote lock of "Alice's iPhone" \(`fade5b38-[^`]+`\), asked by <@U0ALICE> \(alice@contoso\.com\): \*sent to Intune\*$/);
    expect(lines.some((l) => /asked by <@U0ALICE>.*\*sent\*/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^:white_check_mark: Remote lock of "Alice's iPhone".*asked by <@U0ALICE> \(alice@contoso\.com\): \*done\*$/);
    expect(lines).toHaveLength(3);
  });

  it('a second click is refused by chat.postEphemeral and spends nothing of its response URL; nothing is sent twice', async () => {
    const { confirm } = await confirmation('U0ALICE', '/lock', "Alice's iPhone");
    const one = await h.click('U0ALICE', confirm);
    await answerTo(one.responseUrl, /confirmed by/);
    const two = await h.click('U0ALICE', confirm);
    const refusal = await waitFor(() => h.api.find((c) => c.method === 'chat.postEphemeral' && /already used/.test(textOf(c.body))), 'the refusal');
    expect(refusal.body).toMatchObject({ channel: 'C0HELPDESK', user: 'U0ALICE' });
    await h.mount.adapter.idle();
    expect(postsTo(two.responseUrl)).toEqual([]);
    await h.app.handler.idle();
    const audit = [];
    for await (const e of h.app.store.audit.read()) audit.push(e);
    expect(audit.filter((e) => e.event === 'dispatch')).toHaveLength(1);
    expect(audit.filter((e) => e.event === 'click-refused')).toHaveLength(1);
  });

  it('a repeated delivery of the same payload, or a Slack retry, is acknowledged and dropped', async () => {
    const { confirm } = await confirmation('U0ALICE', '/lock', "Alice's iPhone");
    const { body, responseUrl } = await h.click('U0ALICE', confirm);
    const again = await h.postRaw(body, 'application/x-www-form-urlencoded');
    expect(again.status).toBe(200);
    const retry = await h.postRaw(body, 'application/x-www-form-urlencoded', { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry.status).toBe(200);
    await answerTo(responseUrl, /confirmed by/);
    await h.mount.adapter.idle();
    await h.app.handler.idle();
    expect(h.api.filter((c) => c.method === 'chat.postEphemeral')).toEqual([]);
    const audit = [];
    for await (const e of h.app.store.audit.read()) audit.push(e);
    expect(audit.filter((e) => e.event === 'click-refused')).toEqual([]);
    expect(audit.filter((e) => e.event === 'dispatch')).toHaveLength(1);
  });

  it('a click by another user is refused to that user only, and the confirmation stays usable', async () => {
    const { confirm } = await confirmation('U0ALICE', '/lock', "Alice's iPhone");
    const stranger = await h.click('U0BOB', confirm);
    const refusal = await waitFor(() => h.api.find((c) => c.method === 'chat.postEphemeral'), 'the refusal');
    expect(refusal.body).toMatchObject({ user: 'U0BOB' });
    expect(textOf(refusal.body)).toContain('Only alice@contoso.com, who asked for this remote lock, can confirm or cancel it. Nothing was sent.');
    expect(postsTo(stranger.responseUrl)).toEqual([]);
    const owner = await h.click('U0ALICE', confirm);
    await answerTo(owner.responseUrl, /confirmed by alice/);
  });

  it('Cancel replaces the confirmation', async () => {
    const { cancel } = await confirmation('U0ALICE', '/lock', "Alice's iPhone");
    const { responseUrl } = await h.click('U0ALICE', cancel);
    const post = await answerTo(responseUrl, /Cancelled by alice@contoso\.com/);
    expect(post.body).toMatchObject({ replace_original: true });
  });

  it('an expired confirmation is replaced by "expired" and sends nothing', async () => {
    const { confirm } = await confirmation('U0ALICE', '/lock', "Alice's iPhone");
    h.clock.offsetMs = 10 * 60_000;
    const { responseUrl } = await h.click('U0ALICE', confirm);
    const post = await answerTo(responseUrl, /expired/);
    expect(post.body).toMatchObject({ replace_original: true });
    const audit = [];
    for await (const e of h.app.store.audit.read()) audit.push(e.event);
    expect(audit).toContain('expiry');
    expect(audit).not.toContain('dispatch');
  });

  it('a temporary passcode goes only to the requester, ephemerally, and into no log, audit line or channel', async () => {
    const { confirm } = await confirmation('U0ALICE', '/reset-passcode', "Alice's Pixel 8");
    const { responseUrl } = await h.click('U0ALICE', confirm);
    const secretPost = await answerTo(responseUrl, /Temporary passcode/);
    expect(secretPost.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const passcode = /`(\d{6})`/.exec(textOf(secretPost.body))?.[1];
    expect(passcode).toMatch(/^\d{6}$/);
    expect(String(secretPost.body.text)).not.toContain(passcode);
    await h.app.handler.idle();
    await h.mount.adapter.idle();
    await new Promise((r) => setTimeout(r, 50));

    const word = new RegExp(`\\b${passcode}\\b`);
    expect(h.logger.lines.filter((l) => word.test(l))).toEqual([]);
    expect(h.logger.lines.some((l) => l.startsWith('debug'))).toBe(true);
    expect(h.api.filter((c) => word.test(JSON.stringify(c.body)))).toEqual([]);
    expect(h.hooks.filter((p) => word.test(JSON.stringify(p.body)))).toEqual([secretPost]);
    expect(await readFile(join(h.dataDir, 'run', 'audit.jsonl'), 'utf8')).not.toMatch(word);
  });

  it("a Mac's unlock PIN goes only to the requester, ephemerally, titled as a PIN, and into no log, audit line or channel", async () => {
    const { confirm } = await confirmation('U0ALICE', '/lock', "Alice's MacBook Pro");
    const { responseUrl } = await h.click('U0ALICE', confirm);
    const pinPost = await answerTo(responseUrl, /Unlock PIN for "Alice's MacBook Pro" \(only you can see this\)/);
    expect(pinPost.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(textOf(pinPost.body)).toContain('Do not lock this Mac again until this PIN has been used');
    const pin = /`(\d{6})`/.exec(textOf(pinPost.body))?.[1];
    expect(pin).toMatch(/^\d{6}$/);
    expect(String(pinPost.body.text)).not.toContain(pin);
    await h.app.handler.idle();
    await h.mount.adapter.idle();
    await new Promise((r) => setTimeout(r, 50));

    const word = new RegExp(`\\b${pin}\\b`);
    expect(h.logger.lines.filter((l) => word.test(l))).toEqual([]);
    expect(h.api.filter((c) => word.test(JSON.stringify(c.body)))).toEqual([]);
    expect(h.hooks.filter((p) => word.test(JSON.stringify(p.body)))).toEqual([pinPost]);
    expect(await readFile(join(h.dataDir, 'run', 'audit.jsonl'), 'utf8')).not.toMatch(word);
  });

  it('when an approver confirms a reset, the passcode goes to the requester, not to the approver', async () => {
    const { confirm } = await confirmation('U0ALICE', '/reset-passcode', "Alice's Pixel 8");
    const { responseUrl } = await h.click('U0LEAD', confirm);
    await answerTo(responseUrl, /confirmed by lead@contoso\.com/);
    const secret = await waitFor(() => h.api.find((c) => c.method === 'chat.postEphemeral' && /Temporary passcode/.test(String(c.body.text))), 'the passcode post');
    expect(secret.body.user).toBe('U0ALICE');
    await h.app.handler.idle();
    expect(postsTo(responseUrl).filter((p) => /Temporary passcode/.test(textOf(p.body)))).toEqual([]);
  });

  it('when the response URL budget is spent, the person is kept informed by chat.postEphemeral', async () => {
    const { confirm } = await confirmation('U0ALICE', '/lock', "Alice's iPhone");
    const { responseUrl } = await h.click('U0ALICE', confirm);
    // Every post the click's URL has is spent (by the click's own status or by these): the outcome must still come.
    for (let i = 0; i < RESPONSE_URL_POSTS; i++) await h.responseUrls.post(responseUrl, { text: 'spent' });
    await waitFor(() => h.responseUrls.remaining(responseUrl) === 0, 'the budget to run out');
    const done = await waitFor(() => h.api.find((c) => c.method === 'chat.postEphemeral' && /done: Intune reports/.test(textOf(c.body))), 'the status by postEphemeral');
    expect(done.body).toMatchObject({ channel: 'C0HELPDESK', user: 'U0ALICE' });
    expect(postsTo(responseUrl)).toHaveLength(RESPONSE_URL_POSTS);
    expect(h.hooks.every((p) => p.path.startsWith('/commands/') || p.path === new URL(responseUrl).pathname)).toBe(true);
    expect(HOOKS_ORIGIN).toBe('https://hooks.slack.com');
  });
});
