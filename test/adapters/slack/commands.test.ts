// The four slash commands, help, mentions and roles, over HTTP against the real Bolt app.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buttonsIn, startHarness, textOf, waitFor, type Harness } from './harness.js';

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

const ALICE_PIXEL = 'b81932d9-5f28-46a6-827b-e543324eadb8';
const answerTo = (responseUrl: string) => waitFor(() => h.hooks.find((p) => p.path === new URL(responseUrl).pathname), `a post to ${responseUrl}`);

describe('slash commands', () => {
  it('/lock acks at once with an empty 200, then answers privately with a Block Kit confirmation', async () => {
    const { res, responseUrl } = await h.command('U0ALICE', '/lock', "Alice's iPhone");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const post = await answerTo(responseUrl);
    expect(post.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const text = textOf(post.body);
    for (const fact of ["Alice's iPhone", 'Apple iPhone 15', 'iOS 17.5.1', 'Alice Smith (alice@contoso.com)', '…', 'Last check-in', 'Management', 'What will happen']) expect(text).toContain(fact);
    const buttons = buttonsIn(post.body);
    expect(buttons).toHaveLength(2);
    const [lock, cancel] = buttons;
    expect(lock).toMatchObject({ style: 'danger', text: 'Lock "Alice\'s iPhone"' });
    expect(lock!.value).toMatch(/^confirm:/);
    expect(lock!.confirm).toMatchObject({ title: { text: 'Lock "Alice\'s iPhone"?' }, confirm: { text: 'Lock "Alice\'s iPhone"' }, deny: { text: 'Keep it' }, style: 'danger' });
    expect(cancel).toMatchObject({ text: 'Cancel' });
    expect(cancel!.value).toMatch(/^cancel:/);
    expect(h.api.filter((c) => c.method === 'users.info').map((c) => c.body.user)).toEqual(['U0ALICE']);
    expect(h.api.some((c) => c.method.startsWith('chat.'))).toBe(false);
  });

  it('/reset-passcode offers the Android work-profile reset', async () => {
    const { responseUrl } = await h.command('U0ALICE', '/reset-passcode', "Alice's Pixel 8");
    const post = await answerTo(responseUrl);
    expect(buttonsIn(post.body)[0]).toMatchObject({ style: 'danger', text: expect.stringContaining("Alice's Pixel 8") });
  });

  it('/lost is the guided playbook: which device, what fits it best first, the confirmation, then the status with next steps', async () => {
    const { responseUrl } = await h.command('U0ALICE', '/lost', '');
    const post = await answerTo(responseUrl);
    const text = textOf(post.body);
    expect(text).toContain('Which device is it?');
    for (const name of ["Alice's iPhone", "Alice's Pixel 8", 'ALICE-LAPTOP', "Alice's MacBook Pro"]) expect(text).toContain(name);
    const which = buttonsIn(post.body);
    expect(which.map((b) => b.text)).toEqual(['I lost this one', 'I lost this one', 'I lost this one', 'I lost this one']);
    expect(which.every((b) => b.value.startsWith('lost:'))).toBe(true);

    // The Pixel (Android corporate): lock, locate, a sound; nothing sent by choosing.
    const pixel = which.find((b) => b.value === `lost:${ALICE_PIXEL}`)!;
    // A click's new message is an ephemeral one (chat.postEphemeral), beneath the clicked one.
    const ephemeral = (pattern: RegExp) => waitFor(() => h.api.find((c) => c.method === 'chat.postEphemeral' && pattern.test(textOf(c.body))), `an ephemeral message like ${pattern}`);
    await h.click('U0ALICE', pixel.value);
    const playbook = await ephemeral(/What to do about "Alice's Pixel 8"/);
    expect(buttonsIn(playbook.body).map((b) => b.text)).toEqual(['Lock', 'Locate', 'Play a sound']);

    await h.click('U0ALICE', buttonsIn(playbook.body)[0]!.value);
    const confirmation = await ephemeral(/Confirm the remote lock of this device/);
    expect(h.app.handler.stats().inFlight).toBe(0);
    const confirm = buttonsIn(confirmation.body)[0]!;
    expect(confirm.text).toBe('Lock "Alice\'s Pixel 8"');
    const clicked = await h.click('U0ALICE', confirm.value);
    const status = await waitFor(() => h.hooks.find((p) => p.path === new URL(clicked.responseUrl).pathname && /Remote lock confirmed by/.test(textOf(p.body))), 'the status');
    // Next steps once the lock is done, not while it is on its way.
    expect(buttonsIn(status.body)).toEqual([]);
    const done = await waitFor(() => h.hooks.find((p) => p.path === new URL(clicked.responseUrl).pathname && /done: Intune reports/.test(textOf(p.body))), 'the done status');
    expect(buttonsIn(done.body).map((b) => b.text)).toEqual(['Locate', 'Play a sound']);
  });

  it('/devices looks devices up with buttons that start a request', async () => {
    const { responseUrl } = await h.command('U0ALICE', '/devices', 'alice@contoso.com');
    const post = await answerTo(responseUrl);
    expect(textOf(post.body)).toContain('Devices matching the devices of alice@contoso.com');
    expect(buttonsIn(post.body).every((b) => b.value.startsWith('start:'))).toBe(true);
  });

  it.each([
    ['/lock', 'lock <device name'],
    ['/reset-passcode', 'reset passcode <device name'],
    ['/lost', 'lost: lost your phone?'],
    ['/devices', 'devices <query>'],
  ])('%s help shows that command\'s usage', async (command, usage) => {
    const { responseUrl } = await h.command('U0ALICE', command, 'help');
    expect(textOf((await answerTo(responseUrl)).body)).toContain(usage);
  });

  it('a mention is resolved to the person\'s email through users.info, so a helpdesk member sees their devices', async () => {
    const { responseUrl } = await h.command('U0GWEN', '/devices', '<@U0BOB|bob>');
    const post = await answerTo(responseUrl);
    expect(textOf(post.body)).toContain('the devices of bob@contoso.com');
    expect(textOf(post.body)).toContain("Bob's old iPhone");
    expect(h.api.filter((c) => c.method === 'users.info').map((c) => c.body.user).sort()).toEqual(['U0BOB', 'U0GWEN']);
  });

  it('an unknown or email-less mention gets a clear reply and nothing reaches the handler', async () => {
    const unknown = await h.command('U0ALICE', '/lock', '<@U0NOBODY>');
    expect(textOf((await answerTo(unknown.responseUrl)).body)).toMatch(/Slack does not know the user <@U0NOBODY>.*Nothing was done/);
    const robot = await h.command('U0ALICE', '/lock', '<@U0ROBOT|robot>');
    expect(textOf((await answerTo(robot.responseUrl)).body)).toMatch(/no email address for <@U0ROBOT>/);
    const audit = [];
    for await (const e of h.app.store.audit.read()) audit.push(e);
    expect(audit).toEqual([]);
  });

  it('a command with many mentions, or longer than lockdesk reads, is refused before any of them is looked up', async () => {
    const many = await h.command('U0GWEN', '/lock', Array.from({ length: 6 }, (_, i) => `<@U0P${i}>`).join(' '));
    expect(textOf((await answerTo(many.responseUrl)).body)).toMatch(/mentions 6 people; lockdesk looks up at most 5 in one command\. Nothing was done/);
    const long = await h.command('U0GWEN', '/lock', `${'<@U0BOB> '.repeat(120)}`);
    expect(textOf((await answerTo(long.responseUrl)).body)).toMatch(/characters long; lockdesk reads at most 1000/);
    expect(h.api.filter((c) => c.method === 'users.info').map((c) => c.body.user)).toEqual(['U0GWEN']);
  });

  it('roles come from slack-group: membership (usergroups.users.list, cached)', async () => {
    const gwen = await h.command('U0GWEN', '/lock', "Bob's old iPhone");
    expect(buttonsIn((await answerTo(gwen.responseUrl)).body)[0]?.style).toBe('danger');
    const alice = await h.command('U0ALICE', '/lock', "Bob's old iPhone");
    expect(textOf((await answerTo(alice.responseUrl)).body)).toMatch(/No device matches/);
    expect(h.api.filter((c) => c.method === 'usergroups.users.list')).toHaveLength(1);
  });

  it('Slack API errors are retried, then reported in plain words', async () => {
    h.failNext('users.info', { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '0' } });
    const retried = await h.command('U0ALICE', '/lock', "Alice's iPhone");
    expect(buttonsIn((await answerTo(retried.responseUrl)).body)).toHaveLength(2);

    h.failNext('users.info', ...Array.from({ length: 3 }, () => ({ status: 200, body: { ok: false, error: 'invalid_auth' } })));
    const refused = await h.command('U0BOB', '/lost', '');
    expect(textOf((await answerTo(refused.responseUrl)).body)).toContain('Slack did not tell lockdesk who you are (the Slack bot token is not valid). Nothing was done');
  });
});
