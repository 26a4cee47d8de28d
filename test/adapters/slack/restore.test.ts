// A click's follow-up on another lockdesk process: the reference stored with the dispatch record rebuilds a sink
// that reaches the same message, holds no token or secret, and a restart carries the status on to done.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DispatchRecord, Reply, SinkRef } from '../../../src/core/index.js';
import { buttonsIn, SIGNING_SECRET, startHarness, textOf, waitFor, type ClickWhere, type Harness, type HookPost } from './harness.js';
import { API_ORIGIN } from './harness.js';
import { seen } from '../../fakes/nock-request.js';

let h: Harness;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
  nock.cleanAll();
});

const postsTo = (url: string): HookPost[] => h.hooks.filter((p) => p.path === new URL(url).pathname);
const answerTo = (url: string, match: RegExp) => waitFor(() => postsTo(url).find((p) => match.test(textOf(p.body))), `a post to ${url} matching ${match}`);
const notice = (text: string): Reply => ({ text, blocks: [{ kind: 'notice', tone: 'info', text }] });

/** Alice asks to lock her iPhone and confirms, in an ephemeral message or a DM; returns the click's response URL. */
async function confirmedLock(where: ClickWhere = { kind: 'ephemeral' }) {
  const { responseUrl: commandUrl } = await h.command('U0ALICE', '/lock', "Alice's iPhone");
  const confirm = buttonsIn((await answerTo(commandUrl, /./)).body)[0]!.value;
  const { responseUrl } = await h.click('U0ALICE', confirm, where);
  await waitFor(() => h.api.some((c) => /confirmed by alice/.test(textOf(c.body))) || postsTo(responseUrl).some((p) => /confirmed by alice/.test(textOf(p.body))), 'the outcome');
  return responseUrl;
}

/** The dispatch record of the (one) confirmed lock, read from the store. */
async function dispatched(): Promise<DispatchRecord> {
  for await (const event of h.app.store.audit.read()) {
    if (event.event === 'dispatch' && event.dispatchId) return (await h.app.store.dispatches.get(event.dispatchId))!;
  }
  throw new Error('no dispatch in the audit trail');
}

describe('a Slack click restored on another process', () => {
  it('the stored reference names the message and no token; restored elsewhere, an update replaces the same message through its response URL', async () => {
    h = await startHarness();
    const responseUrl = await confirmedLock();
    await h.app.handler.idle();
    const ref = (await dispatched()).replyRef!;
    expect(ref).toEqual({
      platform: 'slack',
      data: { userId: 'U0ALICE', channelId: 'C0HELPDESK', responseUrl, message: { channel: 'C0HELPDESK', ts: expect.stringMatching(/^\d+\.\d+$/), ephemeral: true } },
    });
    const json = JSON.stringify(ref);
    for (const secret of ['xoxb-test-token', SIGNING_SECRET, 'legacy-verification-token', 'token']) expect(json).not.toContain(secret);

    await h.restart();
    const sink = h.app.sinks.restore(JSON.parse(json) as SinkRef)!;
    expect(sink).toBeDefined();
    await sink.update(notice('Restored: still on it'));
    const post = await answerTo(responseUrl, /Restored: still on it/);
    expect(post.body).toMatchObject({ replace_original: true });
    expect(h.responseUrls.remaining(responseUrl)).toBe(4); // counted by the new process, from a fresh budget
  });

  it('a message in a DM is updated in place by chat.update of the same ts', async () => {
    h = await startHarness();
    await confirmedLock({ kind: 'dm', channel: 'D0ALICE', ts: '1001.000100' });
    await h.app.handler.idle();
    const ref = (await dispatched()).replyRef!;
    await h.restart();
    h.api.length = 0;
    await h.app.sinks.restore(ref)!.update(notice('Restored in the DM'));
    const updates = h.api.filter((c) => c.method === 'chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body).toMatchObject({ channel: 'D0ALICE', ts: '1001.000100' });
    expect(textOf(updates[0]!.body)).toContain('Restored in the DM');
  });

  it('a response URL the clicking process used up or that expired: the restored sink falls through to chat.postEphemeral', async () => {
    h = await startHarness();
    const responseUrl = await confirmedLock();
    await h.app.handler.idle();
    const ref = (await dispatched()).replyRef!;
    await h.restart();
    h.api.length = 0;
    h.failHooks({ status: 404, body: 'used_url' });
    await h.app.sinks.restore(ref)!.update(notice('After the budget'));
    expect(postsTo(responseUrl).some((p) => /After the budget/.test(textOf(p.body)))).toBe(true); // tried, refused
    const ephemeral = h.api.find((c) => c.method === 'chat.postEphemeral' && /After the budget/.test(textOf(c.body)));
    expect(ephemeral?.body).toMatchObject({ channel: 'C0HELPDESK', user: 'U0ALICE' });
  });

  it('a stored click is restored from what reads in it; without the clicker\'s id, nothing is', async () => {
    h = await startHarness();
    const good = { userId: 'U0ALICE', channelId: 'C0HELPDESK', responseUrl: 'https://hooks.slack.com/actions/T0/1/x', message: { channel: 'C0HELPDESK', ts: '1.0001', ephemeral: true } };
    expect(h.app.sinks.restore({ platform: 'slack', data: good })).toBeDefined();
    for (const data of [{}, { ...good, userId: 42 }, { ...good, userId: '<@U0ALICE>' }]) expect(h.app.sinks.restore({ platform: 'slack', data })).toBeUndefined();
    expect(h.app.sinks.restore({ platform: 'teams', data: good })).toBeUndefined(); // no Teams adapter here
    const partial: Array<Record<string, unknown>> = [
      { ...good, responseUrl: 'https://attacker.example/actions/T0/1/x' },
      { ...good, responseUrl: 'http://hooks.slack.com/actions/T0/1/x' },
      { ...good, message: { channel: 'C0HELPDESK', ts: 'yesterday', ephemeral: true } },
      { ...good, channelId: 'not a channel' },
    ];
    for (const data of partial) expect(h.app.sinks.restore({ platform: 'slack', data })).toBeDefined();
  });

  it('when a stored response URL is not acceptable, the follow-up still reaches the clicker: chat.postEphemeral, else a DM', async () => {
    h = await startHarness();
    const status = { text: 'Remote lock: done', blocks: [{ kind: 'notice' as const, tone: 'success' as const, text: 'Remote lock: done' }] };
    const inChannel = h.app.sinks.restore({ platform: 'slack', data: { userId: 'U0ALICE', channelId: 'C0HELPDESK', responseUrl: 'https://attacker.example/actions/1/x' } })!;
    await inChannel.update(status);
    expect(h.api.filter((c) => c.method === 'chat.postEphemeral').map((c) => [c.body.channel, c.body.user])).toEqual([['C0HELPDESK', 'U0ALICE']]);
    const nowhere = h.app.sinks.restore({ platform: 'slack', data: { userId: 'U0ALICE', responseUrl: 'javascript:alert(1)' } })!;
    await nowhere.update(status);
    expect(h.api.filter((c) => c.method === 'chat.postMessage' && c.body.channel === 'U0ALICE')).toHaveLength(1);
    expect(h.hooks).toEqual([]);
  });

  it('accepts response URLs on the origin of SLACK_API_URL (a Slack-compatible gateway) as well as Slack\'s own', async () => {
    h = await startHarness();
    const posted: string[] = [];
    nock(API_ORIGIN)
      .post('/hooks/r1')
      .reply(200, async (req: Request) => (posted.push(JSON.stringify((await seen(req)).body)), 'ok'));
    const sink = h.app.sinks.restore({ platform: 'slack', data: { userId: 'U0ALICE', channelId: 'C0HELPDESK', responseUrl: `${API_ORIGIN}/hooks/r1` } })!;
    await sink.update({ text: 'Remote lock: done', blocks: [] });
    expect(posted).toHaveLength(1);
    expect(h.api.filter((c) => c.method === 'chat.postEphemeral')).toEqual([]);
  });

  it('after a restart the follow-up goes on through the restored sink: the clicked message reaches done', async () => {
    // The first process never polls: its follow-up is still waiting when it stops, and dies with it.
    h = await startHarness({ LOCKDESK_POLL_INTERVAL_MS: '600000' });
    const responseUrl = await confirmedLock();
    await answerTo(responseUrl, /sent: Intune has queued it/);
    await h.restart({ LOCKDESK_POLL_INTERVAL_MS: '40' });
    expect(postsTo(responseUrl).some((p) => /done: Intune reports/.test(textOf(p.body)))).toBe(false);
    h.clock.offsetMs += 1_000; // by now the simulated device has carried the lock out

    expect(await h.app.handler.recover()).toMatchObject({ following: 1 });
    const done = await answerTo(responseUrl, /done: Intune reports/);
    expect(done.body).toMatchObject({ replace_original: true });
    expect(h.responseUrls.remaining(responseUrl)).toBe(4); // posted by the new process
    await h.app.handler.idle();
    expect((await dispatched()).state).toBe('done');
  });
});
