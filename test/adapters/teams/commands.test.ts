// Every command over HTTP through the real Teams SDK application, and the Adaptive Card it answers with.
import nock from 'nock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, BOT, CAROL, CHANNEL, cardOf, cardText, click, executeActions, message, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  nock.enableNetConnect();
});
beforeEach(() => {
  h.sent.length = 0;
});

async function say(text: string, from = ALICE, entities: object[] = []) {
  const res = await h.post(message(from, text, undefined, entities));
  expect(res.status).toBe(200);
  const posts = h.sent.filter((s) => s.method === 'POST');
  expect(posts).toHaveLength(1);
  return cardOf(posts[0]!);
}

describe('Teams commands', () => {
  it('help lists the commands', async () => {
    const card = await say('help');
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(cardText(card)).toContain('reset passcode');
    expect(h.sent[0]!.path).toMatch(/^\/v3\/conversations\/a:personal-29:alice\/activities/);
  });

  it('lock <name>: a confirmation card with one Action.Execute named for the action and the device, and Cancel', async () => {
    const card = await say("lock Alice's iPhone");
    const actions = executeActions(card);
    expect(actions.map((a) => a.title)).toEqual(['Lock "Alice\'s iPhone"', 'Cancel']);
    expect(actions.every((a) => a.verb === 'lockdesk.click' && typeof a.data.value === 'string')).toBe(true);
    expect(actions[0]).toMatchObject({ style: 'destructive' });
    const text = cardText(card);
    for (const fact of ['iPhone 15', 'iOS 17.5.1', 'Alice Smith', '…N72Q', 'Last check-in', 'What will happen']) expect(text).toContain(fact);
  });

  it('"unlock" is not "lock": the handler says it is no command', async () => {
    const card = await say('unlock Alice\'s iPhone');
    expect(cardText(card)).toContain('\\"unlock\\" is not a lockdesk command');
    expect(executeActions(card)).toEqual([]);
  });

  it('reset passcode <name>', async () => {
    const card = await say("reset passcode Alice's Pixel 8");
    expect(executeActions(card).map((a) => a.title)).toEqual(['Reset work-profile passcode "Alice\'s Pixel 8"', 'Cancel']);
  });

  it('lost: which device, then the playbook for it (best first), then the confirmation of a step; the status offers next steps', async () => {
    const card = await say('lost');
    expect(cardText(card)).toContain('Which device is it?');
    const which = executeActions(card);
    expect(which.map((a) => a.title)).toEqual(['I lost this one', 'I lost this one', 'I lost this one', 'I lost this one']);
    const pixel = which.find((a) => a.data.value === 'lost:b81932d9-5f28-46a6-827b-e543324eadb8')!;
    h.sent.length = 0;
    // Each answer to a click is the invoke response: the clicked card becomes the next step.
    const playbook = (await h.post(click(ALICE, 'card-1', pixel.data))).body.value;
    expect(cardText(playbook), cardText(playbook)).toContain("Pixel 8");
    expect(executeActions(playbook).map((a) => a.title)).toEqual(['Lock', 'Locate', 'Play a sound', 'Sign me out everywhere']);
    const confirmation = (await h.post(click(ALICE, 'card-1', executeActions(playbook)[0]!.data))).body.value;
    const [confirm] = executeActions(confirmation);
    expect(confirm!.title).toBe('Lock "Alice\'s Pixel 8"');
    const status = (await h.post(click(ALICE, 'card-1', confirm!.data))).body.value;
    expect(cardText(status)).toContain('Remote lock confirmed by');
    // The next steps come once the lock is done (the card is updated in place).
    expect(executeActions(status)).toEqual([]);
    await h.bot.idle();
    const done = cardOf(h.sent.filter((s) => s.method === 'PUT').at(-1)!);
    expect(cardText(done)).toContain('done: Intune reports');
    expect(executeActions(done).map((a) => a.title)).toEqual(['Locate', 'Play a sound', 'Sign me out everywhere']);
  });

  it('devices <email>: a look-up whose buttons start a request', async () => {
    const card = await say('devices bob@contoso.com');
    const text = cardText(card);
    expect(text).toContain("Bob's Galaxy S23");
    expect(executeActions(card).some((a) => a.title.startsWith('Lock') && a.title.endsWith('…'))).toBe(true);
  });

  it('a user @mention as the query is resolved to that person through the roster', async () => {
    const mention = { type: 'mention', text: '<at>Bob Jones</at>', mentioned: { id: BOB.id, name: BOB.name } };
    const card = await say('lock <at>Bob Jones</at>', ALICE, [mention]);
    const titles = executeActions(card).map((a) => a.title);
    expect(titles).toContain('Lock "Bob\'s Galaxy S23"');
    expect(titles.some((t) => /^Lock all \d+ devices$/.test(t))).toBe(true);
  });

  it('in a channel only the bot\'s own @mention is taken out: "@lockdesk lock @Bob" asks for Bob\'s devices', async () => {
    const mentions = [
      { type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT },
      { type: 'mention', text: '<at>Bob Jones</at>', mentioned: { id: BOB.id, name: BOB.name } },
    ];
    expect((await h.post(message(ALICE, `<at>${BOT.name}</at> lock <at>Bob Jones</at>`, CHANNEL, mentions))).status).toBe(200);
    const stub = cardOf(h.sent.find((s) => s.method === 'POST')!);
    const details = await h.post(click(ALICE, 'channel-card', stub.refresh.action.data, CHANNEL, 'lockdesk.refresh'));
    expect(executeActions(details.body.value).map((a) => a.title)).toContain('Lock "Bob\'s Galaxy S23"');
  });

  it('a mention of someone Teams gives no email for is resolved by Entra object id', async () => {
    const mention = { type: 'mention', text: '<at>Carol Diaz</at>', mentioned: { id: CAROL.id, name: CAROL.name } };
    const card = await say('devices <at>Carol Diaz</at>', ALICE, [mention]);
    expect(cardText(card)).toContain("Carol's Pixel 7");
    expect(cardText(card)).toContain('SURFACE-RT-01');
  });

  it('an aad-group: role applies to its members: Bob, in the group, may reset any passcode (but not lock)', async () => {
    const card = await say("reset passcode Alice's Pixel 8", BOB);
    expect(executeActions(card).map((a) => a.title)).toContain('Reset work-profile passcode "Alice\'s Pixel 8"');
  });

  it('the default policy applies to the Entra object id: Bob may not lock Alice\'s phone', async () => {
    const card = await say("lock Alice's iPhone", BOB);
    expect(cardText(card)).toContain('No device matches');
    expect(cardText(card)).not.toContain('Lock');
  });
});
