// Who "own" means, what a caller may learn of devices that are not theirs, and text that arrives in odd shapes.
import { describe, expect, it } from 'vitest';
import { createHandler, DEFAULT_POLICY, DEFAULT_SETTINGS, type Actor, type Policy } from '../../src/core/index.js';
import { isOwnDevice } from '../../src/core/policy.js';
import { storable, storableFields } from '../../src/core/text.js';
import { buttonsOf } from '../../src/core/reply.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { makeDevice } from '../fakes/device.js';
import { actor, buttonValue, helpdeskPolicy, makeHarness, platforms, RecordingSink } from './harness.js';
import { all, patIphone, samIphone } from './fixtures.js';

const pat = actor('pat@contoso.com');
const deviceIds = (reply: { blocks: Array<{ kind: string; card?: { id: string } }> }) => reply.blocks.filter((b) => b.kind === 'device').map((b) => b.card!.id);

describe('own device, by immutable id', () => {
  const device = { ...patIphone, userId: 'aad-pat', userPrincipalName: 'pat@contoso.com', emailAddress: 'pat@contoso.com' };

  it('compares Entra object ids when both are known, and nothing else', () => {
    expect(isOwnDevice(device, { aadObjectId: 'AAD-PAT' })).toBe(true);
    // A roster that says "pat@contoso.com" for someone else's object id does not make the device theirs.
    expect(isOwnDevice(device, { aadObjectId: 'aad-mallory', email: 'pat@contoso.com' })).toBe(false);
  });

  it('falls back to UPN or email only where an id is missing', () => {
    expect(isOwnDevice(device, { email: 'PAT@contoso.com' })).toBe(true);
    expect(isOwnDevice({ ...device, userId: '' }, { aadObjectId: 'aad-mallory', email: 'pat@contoso.com' })).toBe(true);
    expect(isOwnDevice(device, {})).toBe(false);
  });

  it('through the handler: a Teams caller whose roster email is someone else\'s sees none of that person\'s devices', async () => {
    const h = makeHarness(all());
    const mallory: Actor = { platform: 'teams', id: 'aad-mallory', aadObjectId: 'aad-mallory', email: 'pat@contoso.com' };
    const sink = await h.say(mallory, "lock Pat's iPhone");
    expect(sink.lastReply.text).toMatch(/No device matches/);
    expect(buttonsOf(sink.lastReply).some((b) => b.label.startsWith('Lock'))).toBe(false);
    const realPat: Actor = { platform: 'teams', id: 'aad-pat', aadObjectId: 'aad-pat', email: 'p.doe@old-domain.example' };
    expect(deviceIds((await h.say(realPat, "lock Pat's iPhone")).lastReply)).toEqual([patIphone.id]);
  });

  it('a teams: selector matches the Entra object id only, never an email', async () => {
    const policy: Policy = { ...DEFAULT_POLICY, roles: [{ name: 'desk', members: ['teams:aad-desk'], actions: ['lock'], devices: 'any' }] };
    const h = makeHarness(all(), { policy });
    const byEmail = await h.say({ platform: 'teams', id: 'x', email: 'aad-desk' }, "lock Sam's iPhone");
    expect(byEmail.lastReply.text).toMatch(/role does not allow/);
    const byId = await h.say({ platform: 'teams', id: 'aad-desk', aadObjectId: 'aad-desk' }, "lock Sam's iPhone");
    expect(deviceIds(byId.lastReply)).toEqual([samIphone.id]);
  });
});

describe('no existence oracle', () => {
  it('a caller limited to their own devices hears the same for "not yours" as for "nothing matches"; the audit keeps the truth', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    const pairs: Array<[string, string]> = [
      ["lock Sam's iPhone", 'lock Nobody-Has-This'],
      ['lock DNPXK2SAM1', 'lock NOSERIAL999'],
      ['lock sam@contoso.com', 'lock nobody@contoso.com'],
      ['lock dev-sam-iphone', 'lock dev-nothing'],
      ["lock Sam's", "lock Zed's"],
    ];
    for (const [exists, missing] of pairs) {
      const a = (await h.say(pat, exists)).lastReply;
      const b = (await h.say(pat, missing)).lastReply;
      const shape = (text: string) => text.replace(/"[^"]*"|device of \S+|device \S+/g, '<query>');
      expect(shape(a.text), exists).toBe(shape(b.text));
      expect(a.blocks.map((x) => x.kind)).toEqual(b.blocks.map((x) => x.kind));
    }
    const events = await h.audit();
    expect(events.filter((e) => e.event === 'refusal').map((e) => e.query)).toEqual(pairs.map(([exists]) => expect.stringContaining(exists.slice(5).replace(/^"|"$/g, '').slice(0, 5))));
    expect(events.filter((e) => e.event === 'request' && e.outcome === 'not-found')).toHaveLength(pairs.length);
    expect(h.backend.dispatched).toEqual([]);
  });

  it('a start button naming someone else\'s device id is answered as not found', async () => {
    const h = makeHarness(all());
    const sink = new RecordingSink();
    await h.handler.handleClick(pat, `start:lock:${samIphone.id}`, sink);
    expect(sink.lastReply.text).toMatch(/No device matches/);
  });

  it('answers an own-only caller from among their own devices: the policy is applied before any device detail', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    await h.say(pat, "lock Pat's");
    // One listing of the caller's devices, with the policy as its filter; no look-up of the whole tenant.
    expect(h.backend.lookups[0]).toMatchObject({ by: 'user', value: 'pat@contoso.com' });
    expect(h.backend.lookups[0]!.options.keep!(samIphone)).toBe(false);
    expect(h.backend.lookups.filter((l) => l.by === 'namePrefix')).toEqual([]);
  });
});

describe('text', () => {
  const zoe = makeDevice({ id: 'dev-zoe', name: "Zoë's iPad", operatingSystem: 'iPadOS', osVersion: '17.4', deviceType: 'iPad', userId: 'aad-zoe', userPrincipalName: 'zoe@contoso.com', emailAddress: 'zoe@contoso.com' });

  it('normalises a query to NFC: Zoë typed with a combining diaeresis finds "Zoë\'s iPad"', async () => {
    const h = makeHarness([zoe], { policy: helpdeskPolicy });
    const decomposed = "lock Zoe\u0308's iPad";
    expect(decomposed).not.toBe("lock Zoë's iPad");
    const sink = await h.say(actor('help@contoso.com'), decomposed);
    expect(deviceIds(sink.lastReply)).toEqual(['dev-zoe']);
    // And a device name the backend holds decomposed is found by a composed query.
    const h2 = makeHarness([{ ...zoe, name: "Zoe\u0308's iPad" }], { policy: helpdeskPolicy });
    expect(deviceIds((await h2.say(actor('help@contoso.com'), "lock Zoë's iPad")).lastReply)).toEqual(['dev-zoe']);
  });

  it('a device name from the backend with a NUL or a lone surrogate never blocks a confirmation', async () => {
    const odd = { ...zoe, name: 'Bad\u0000Name \ud800 iPad' };
    const h = makeHarness([odd], { policy: helpdeskPolicy });
    const sink = await h.say(actor('help@contoso.com'), 'lock dev-zoe');
    const c = (await h.audit()).find((e) => e.event === 'confirmation')!;
    expect(c.outcome).toBe('offered');
    const stored = await h.store.confirmations.get(c.confirmationId!);
    expect(stored!.devices[0]!.name).toBe('Bad\uFFFDName \uFFFD iPad');
    expect(JSON.stringify(sink.lastReply)).not.toMatch(/\\u0000|\\ud800/);
  });

  it('storable text: NULs and lone surrogates become U+FFFD, whole emoji and plain text are kept as they are', () => {
    expect(storable('Bad\u0000Name \ud800 and \udfff')).toBe('Bad\uFFFDName \uFFFD and \uFFFD');
    expect(storable('Zoë\'s 😀 iPad')).toBe('Zoë\'s 😀 iPad');
    expect(storable('😀\ud83d')).toBe('😀\uFFFD');
    expect(storableFields({ name: 'a\u0000', n: 1, list: ['\u0000'] })).toEqual({ name: 'a\uFFFD', n: 1, list: ['\u0000'] });
  });
});

describe('an approver\'s click', () => {
  it('is checked against the policy as it stands then, for the person who asked', async () => {
    // Help (in the S0HELP group) asks to lock Sam's iPhone; before the approver clicks, the group loses the role.
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    const help = actor('someone@contoso.com', { platform: 'slack', id: 'U0HELP', groups: ['slack-group:S0HELP'] });
    const asked = await h.say(help, "lock Sam's iPhone");
    const value = buttonValue(asked.lastReply, 'Lock');
    const stricter: Policy = { ...helpdeskPolicy, roles: helpdeskPolicy.roles.map((r) => (r.name === 'helpdesk' ? { ...r, members: ['email:help@contoso.com'] } : r)) };
    const later = createHandler({
      backend: h.backend,
      store: h.store,
      platforms,
      policy: stricter,
      clock: h.clock,
      ids: { secretId: () => 'later', id: () => `later-${Math.random()}` },
      logger: h.logger,
      settings: DEFAULT_SETTINGS,
      queue: new MemoryQueue(h.clock, h.logger),
    });
    const sink = new RecordingSink();
    await later.handleClick(actor('lead@contoso.com'), value, sink);
    expect(sink.lastUpdate.text).toMatch(/Not sent to "Sam's iPhone": the policy no longer allows this/);
    expect(h.backend.dispatched).toEqual([]);
    // Under the policy as it was, the same approver click would have gone through.
    const again = await h.say(help, "lock Sam's iPhone");
    const ok = new RecordingSink();
    await h.handler.handleClick(actor('lead@contoso.com'), buttonValue(again.lastReply, 'Lock'), ok);
    expect(h.backend.dispatchedIds).toEqual([samIphone.id]);
  });
});
