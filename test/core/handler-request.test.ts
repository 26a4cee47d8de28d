// Requests: look-up, policy and platform checks, and the confirmation offered.
import { describe, expect, it } from 'vitest';
import { buttonsOf } from '../../src/core/reply.js';
import { actor, helpdeskPolicy, makeHarness, RecordingSink } from './harness.js';
import { all, kiosks, patIphone, patLaptop, patPixel, samIphone } from './fixtures.js';

const pat = actor('pat@contoso.com');
const help = actor('help@contoso.com');

const deviceBlocks = (reply: { blocks: Array<{ kind: string }> }) => reply.blocks.filter((b) => b.kind === 'device') as Array<{ kind: 'device'; card: { id: string; name: string; cautions: string[]; willHappen?: string }; buttons: Array<{ label: string }> }>;

describe('requests', () => {
  it.each([
    ['device id', 'dev-pat-iphone'],
    ['serial number, any case', 'f2lxk1n72q'],
    ['exact name, any case', "PAT'S IPHONE"],
    ['quoted name', '"Pat\'s iPhone"'],
    ['name prefix', "Pat's iP"],
  ])('finds one device by %s and offers exactly it', async (_form, query) => {
    const h = makeHarness(all());
    const sink = await h.say(pat, `lock ${query}`);
    const devices = deviceBlocks(sink.lastReply);
    expect(devices.map((d) => d.card.id)).toEqual([patIphone.id]);
    expect(buttonsOf(sink.lastReply).map((b) => b.label)).toEqual([`Lock "Pat's iPhone"`, 'Cancel']);
    expect(devices[0]!.card.willHappen).toMatch(/locks/);
    expect(h.backend.dispatched).toEqual([]);
  });

  it('prefers an exact name over a prefix', async () => {
    const extra = { ...patIphone, id: 'dev-pat-iphone-2', name: "Pat's iPhone 2", serialNumber: 'OTHER' };
    const h = makeHarness([...all(), extra]);
    const sink = await h.say(pat, "lock Pat's iPhone");
    expect(deviceBlocks(sink.lastReply).map((d) => d.card.id)).toEqual([patIphone.id]);
  });

  it('shows every card field a person needs to be sure of the device', async () => {
    const h = makeHarness(all());
    const sink = await h.say(pat, 'reset passcode dev-pat-iphone');
    const card = deviceBlocks(sink.lastReply)[0]!.card as unknown as Record<string, unknown>;
    expect(card).toMatchObject({ name: "Pat's iPhone", os: 'iOS 17.5', owner: 'Pat Doe (pat@contoso.com)', serialTail: '…N72Q', lastCheckInAgo: '10 minutes ago', managementMode: expect.any(String) });
    expect(card.willHappen).toMatch(/passcode is removed.*no temporary passcode/i);
    expect(buttonsOf(sink.lastReply)[0]!.label).toBe(`Remove passcode "Pat's iPhone"`);
  });

  it('says when nothing matches and suggests devices, changing nothing', async () => {
    const h = makeHarness(all());
    const sink = await h.say(pat, 'lock nothing-like-this');
    expect(sink.lastReply.text).toMatch(/No device matches "nothing-like-this".*devices/);
    expect(buttonsOf(sink.lastReply)).toEqual([]);
    expect((await h.audit()).map((e) => [e.event, e.outcome])).toEqual([['request', 'not-found']]);
  });

  it('a user query offers each supported device and all of them at once, unsupported ones with their reason and no button', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    const sink = await h.say(help, 'lock pat@contoso.com');
    const devices = deviceBlocks(sink.lastReply);
    expect(devices.map((d) => d.card.name).sort()).toEqual(['PAT-LAPTOP', "Pat's iPhone", "Pat's Pixel"].sort());
    const laptop = devices.find((d) => d.card.id === patLaptop.id)!;
    expect(laptop.buttons).toEqual([]);
    expect(sink.lastReply.blocks.some((b) => b.kind === 'device' && b.card.id === patLaptop.id && b.card.support.some((s) => s.action === 'lock' && !s.supported && /Windows/.test(s.text)))).toBe(true);
    expect(buttonsOf(sink.lastReply).map((b) => b.label)).toEqual([`Lock "Pat's iPhone"`, `Lock "Pat's Pixel"`, 'Lock all 2 devices', 'Cancel']);
  });

  it('`me` and `lost` list only the caller\'s own devices', async () => {
    const h = makeHarness(all());
    for (const text of ['lock me', 'lost']) {
      const sink = await h.say(pat, text);
      expect(deviceBlocks(sink.lastReply).map((d) => d.card.id).sort()).toEqual([patLaptop.id, patIphone.id, patPixel.id].sort());
    }
  });

  it('lists at most 25 of many matches and asks to refine', async () => {
    const h = makeHarness(kiosks(30), { policy: helpdeskPolicy });
    const sink = await h.say(help, 'lock kiosk');
    expect(deviceBlocks(sink.lastReply)).toHaveLength(25);
    expect(sink.lastReply.text + JSON.stringify(sink.lastReply.blocks)).toMatch(/Showing the first 25 matching devices; more match: refine your query/);
    // It asked the backend for what it shows plus one (to know there are more), never for all 30.
    expect(h.backend.lookups.filter((l) => l.by === 'namePrefix').map((l) => l.options.limit)).toEqual([26]);
    // A name prefix is not a user query: no "all" button.
    expect(buttonsOf(sink.lastReply).some((b) => b.label.includes('all'))).toBe(false);
  });

  it('warns when the device has not checked in for over 7 days', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    const sink = await h.say(help, "lock Sam's old Galaxy");
    expect(deviceBlocks(sink.lastReply)[0]!.card.cautions.join(' ')).toMatch(/last checked in 32 days ago.*waits/);
  });

  it('refuses when no device named supports the action, with the reason and no confirmation', async () => {
    const h = makeHarness(all());
    const sink = await h.say(pat, 'reset passcode PAT-LAPTOP');
    expect(sink.lastReply.text).toMatch(/supports a passcode reset.*Windows/);
    expect(buttonsOf(sink.lastReply)).toEqual([]);
    expect((await h.audit()).filter((e) => e.event === 'confirmation')).toEqual([]);
    expect((await h.audit()).filter((e) => e.event === 'refusal').map((e) => e.outcome)).toEqual(['not-supported']);
  });

  it('never shows a device the query did not name, even when the backend ignores its filter', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    h.backend.ignoreFilters = true;
    const byName = await h.say(help, "lock Sam's iPhone");
    expect(deviceBlocks(byName.lastReply).map((d) => d.card.id)).toEqual([samIphone.id]);
    const byUser = await h.say(help, 'lock sam@contoso.com');
    expect(deviceBlocks(byUser.lastReply).every((d) => d.card.id.startsWith('dev-sam'))).toBe(true);
    const none = await h.say(help, 'lock nobody@contoso.com');
    expect(none.lastReply.text).toMatch(/found no device of nobody@contoso.com/);
    expect(h.logger.lines.some((l) => /were dropped/.test(l))).toBe(true);
  });

  it('devices <query> is a look-up: start buttons for what the person may do, no confirmation yet', async () => {
    const h = makeHarness(all());
    const sink = await h.say(pat, 'devices pat');
    const labels = buttonsOf(sink.lastReply).map((b) => b.label);
    expect(labels).toEqual(expect.arrayContaining(['Lock…', 'Remove passcode…', 'Reset work-profile passcode…']));
    expect(labels.filter((l) => l === 'Lock…')).toHaveLength(2);
    expect((await h.audit()).some((e) => e.event === 'confirmation')).toBe(false);
    // A start button leads to a confirmation for that one device.
    const started = await h.click(pat, sink.lastReply, 'Remove passcode…');
    expect(deviceBlocks(started.lastReply).map((d) => d.card.id)).toEqual([patIphone.id]);
    expect(buttonsOf(started.lastReply)[0]!.label).toBe(`Remove passcode "Pat's iPhone"`);
  });

  it('reports a backend that cannot be reached in plain words and does nothing', async () => {
    const h = makeHarness(all());
    const { unavailable } = await import('../fakes/memory-backend.js');
    h.backend.lookupThrows = unavailable();
    const sink = await h.say(pat, 'lock me');
    expect(sink.lastReply.text).toMatch(/Intune cannot be reached right now/);
    expect(h.backend.dispatched).toEqual([]);
  });

  it.each([
    ['an unknown command', 'wipe everything', /not a lockdesk command/],
    ['an empty query', 'lock', /query is empty/],
    ['a 10 kB query', `lock ${'a'.repeat(10_000)}`, /lockdesk reads at most/],
    ['control characters', 'lock pat\u0007', /control characters/],
    ['a NUL', 'lock pat\u0000', /cannot read \(a NUL/],
    ['a lone surrogate', 'lock pat\ud83d', /half of an emoji/],
    ['quotes only', `lock ''`, /query is empty/],
  ])('answers %s clearly and changes nothing', async (_what, text, reason) => {
    const h = makeHarness(all());
    const sink = await h.say(pat, text);
    expect(sink.lastReply.text).toMatch(reason);
    expect(sink.lastReply.text).toMatch(/help|Usage/);
    expect(await h.audit()).toEqual([]);
    expect(await h.store.confirmations.listExpired(new Date('2100-01-01'))).toEqual([]);
  });

  it('help lists the commands', async () => {
    const h = makeHarness(all());
    const sink = await h.say(pat, 'help');
    for (const word of ['lock', 'reset passcode', 'lost', 'devices']) expect(sink.lastReply.text).toContain(word);
  });
});

describe('self-service view', () => {
  it('lists only the caller\'s devices with the actions they may start on each', async () => {
    const h = makeHarness(all());
    const reply = await h.handler.selfService(pat);
    expect(deviceBlocks(reply).map((d) => d.card.id).sort()).toEqual([patIphone.id, patLaptop.id, patPixel.id].sort());
    const iphone = deviceBlocks(reply).find((d) => d.card.id === patIphone.id)!;
    expect(iphone.buttons.map((b) => b.label)).toEqual(['I lost this device', 'I forgot my passcode']);
    // A Windows PC cannot be locked, but the playbook still has an honest answer (and Locate) for it.
    expect(deviceBlocks(reply).find((d) => d.card.id === patLaptop.id)!.buttons.map((b) => b.label)).toEqual(['I lost this device']);
    // "I lost this device" opens the playbook for that device; a step starts a request that needs its own confirmation.
    const sink = new RecordingSink();
    await h.handler.handleClick(pat, (iphone.buttons[0] as unknown as { value: string }).value, sink);
    expect(deviceBlocks(sink.lastReply).map((d) => d.card.id)).toEqual([patIphone.id]);
    expect(buttonsOf(sink.lastReply).map((b) => b.label)).toEqual(['Lock']);
    const confirm = await h.click(pat, sink.lastReply, 'Lock');
    expect(buttonsOf(confirm.lastReply).map((b) => b.label)).toEqual([`Lock "Pat's iPhone"`, 'Cancel']);
    expect(h.backend.dispatched).toEqual([]);
  });
});
