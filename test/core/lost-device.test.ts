// The lost-device playbook through the handler: which device, what fits it best first, Lost Mode's text (the
// policy's, changed in the confirmation), the location shown to the requester alone, next steps, and sign-out only
// where the policy turns it on.
import { describe, expect, it } from 'vitest';
import { parseCommand, policySchema, Secret, type Policy } from '../../src/core/index.js';
import { buttonsOf, type Reply } from '../../src/core/reply.js';
import { makeDevice } from '../fakes/device.js';
import { unavailable } from '../fakes/memory-backend.js';
import { patLaptop, patPixel } from './fixtures.js';
import { actor, buttonValue, makeHarness, RecordingSink } from './harness.js';

const pat = actor('pat@contoso.com', { aadObjectId: 'aad-pat' });
const help = actor('help@contoso.com');
const owner = { userId: 'aad-pat', userPrincipalName: 'pat@contoso.com', emailAddress: 'pat@contoso.com', userDisplayName: 'Pat Doe' };
const supervised = makeDevice({ ...owner, id: 'dev-pat-sup', name: "Pat's work iPhone", operatingSystem: 'iOS', osVersion: '17.5', deviceType: 'iPhone', isSupervised: true, ownerType: 'company', lostModeState: 'disabled', serialNumber: 'SUP1' });
const unsupervised = makeDevice({ ...owner, id: 'dev-pat-unsup', name: "Pat's own iPhone", operatingSystem: 'iOS', osVersion: '17.5', deviceType: 'iPhone', isSupervised: false, ownerType: 'personal', serialNumber: 'UNSUP1' });
const inLostMode = makeDevice({ ...supervised, id: 'dev-pat-lost', name: "Pat's lost iPad", serialNumber: 'LOST1', lostModeState: 'enabled' });

const withSignOut = (extra: Partial<Policy> = {}): Policy =>
  policySchema.parse({
    helpdeskPhone: '+1 425 555 0100',
    roles: [
      { name: 'helpdesk', members: ['email:help@contoso.com'], actions: ['lock', 'enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound', 'signOut'], devices: 'any' },
      { name: 'everyone', members: ['*'], actions: ['lock', 'enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound', 'signOut'], devices: 'own' },
    ],
    ...extra,
  });

const labels = (reply: Reply) => buttonsOf(reply).map((b) => b.label);

/** A chat that cannot ask the person to type (a restored sink, say). */
function withoutPrompts(): RecordingSink {
  const sink = new RecordingSink();
  Object.defineProperty(sink, 'askToType', { value: undefined });
  return sink;
}

describe('the guided lost flow', () => {
  it('asks which device, then offers what fits it, best first', async () => {
    const h = makeHarness([supervised, patPixel, patLaptop].map((d) => ({ ...d })));
    const which = await h.say(pat, 'lost');
    expect(which.lastReply.text).toMatch(/Which device is it\?/);
    expect(labels(which.lastReply)).toEqual(['I lost this one', 'I lost this one', 'I lost this one']);
    expect(h.backend.dispatched).toEqual([]);

    const playbookOf = async (id: string) => {
      const sink = new RecordingSink();
      const value = buttonsOf(which.lastReply).find((b) => b.value.endsWith(encodeURIComponent(id)))!.value;
      await h.handler.handleClick(pat, value, sink);
      return sink.lastReply;
    };
    // A supervised corporate iPhone: Lost Mode first (it says who to call), then a plain lock.
    const iphone = await playbookOf(supervised.id);
    expect(labels(iphone)).toEqual(['Enable Lost Mode (shows your message and phone number)', 'Lock']);
    expect(iphone.text).toMatch(/Best first: Lost Mode locks the device and shows a message and a phone number/);
    // An Android corporate device: lock, locate, a sound.
    expect(labels(await playbookOf(patPixel.id))).toEqual(['Lock', 'Locate', 'Play a sound']);
    // A Windows laptop: the honest answer, and what can be done instead.
    const laptop = await playbookOf(patLaptop.id);
    expect(labels(laptop)).toEqual(['Locate']);
    expect(laptop.text).toMatch(/Intune cannot lock a Windows 10 or 11 PC\. What the helpdesk can do instead: .*BitLocker/);
    expect(h.backend.dispatched).toEqual([]);
  });

  it('with one device the playbook comes at once; a device in Lost Mode offers "I found it" first', async () => {
    const h = makeHarness([{ ...inLostMode }]);
    const reply = (await h.say(pat, 'lost')).lastReply;
    expect(labels(reply)).toEqual(['I found it', 'Locate', 'Play a sound']);
    expect(reply.text).toMatch(/is in Lost Mode\. Found it\?/);
  });

  it("an unsupervised iPhone gets no Lost Mode, with the row's reason, and the playbook offers the lock", async () => {
    const h = makeHarness([{ ...unsupervised }]);
    const asked = await h.say(pat, `lost mode ${unsupervised.name}`);
    expect(labels(asked.lastReply)).toEqual([]);
    expect(asked.lastReply.text).toMatch(/Lost Mode needs a supervised, corporate-owned iPhone or iPad/);
    expect(labels((await h.say(pat, 'lost')).lastReply)).toEqual(['Lock']);
  });

  it('"I lost this device" on someone else\'s device id is refused like a device that does not exist', async () => {
    const h = makeHarness([{ ...supervised, userId: 'aad-sam', userPrincipalName: 'sam@contoso.com', emailAddress: 'sam@contoso.com' }]);
    const sink = new RecordingSink();
    await h.handler.handleClick(pat, `lost:${supervised.id}`, sink);
    expect(labels(sink.lastReply)).toEqual([]);
    expect(sink.lastReply.text).toMatch(/No device matches/);
  });
});

describe('Lost Mode', () => {
  it("the click asks for the lock-screen text, filled in from the policy's template; what is confirmed is sent", async () => {
    const h = makeHarness([{ ...supervised }], { policy: withSignOut() });
    const asked = await h.say(pat, `lost mode ${supervised.name}`);
    expect(labels(asked.lastReply)).toEqual([`Enable Lost Mode "${supervised.name}"`, 'Cancel']);
    const sink = await h.click(pat, asked.lastReply, 'Enable Lost Mode');
    expect(h.backend.dispatched).toEqual([]);
    const prompt = sink.prompts[0]!;
    expect(prompt.fields?.map((f) => [f.id, f.initial])).toEqual([
      ['message', 'This device belongs to Pat Doe and has been reported lost. If you found it, please call the number below. Thank you.'],
      ['phoneNumber', '+1 425 555 0100'],
      ['footer', ''],
    ]);

    // Both emptied: Apple needs one of them; nothing is sent and the prompt comes again with what was typed.
    await h.handler.handleClick(pat, prompt.value, sink, { message: '  ', phoneNumber: '', footer: 'x' });
    expect(sink.lastReply.text).toMatch(/needs a message or a phone number/);
    expect(sink.lastReply.prompt?.fields?.find((f) => f.id === 'footer')?.initial).toBe('x');
    await h.handler.handleClick(pat, prompt.value, sink, { message: 'Lost', phoneNumber: 'call me maybe', footer: '' });
    expect(sink.lastReply.text).toMatch(/is not a phone number/);
    expect(h.backend.dispatched).toEqual([]);

    await h.handler.handleClick(pat, prompt.value, sink, { message: 'Reward if found, {ownerName}', phoneNumber: '+1 425 555 0199', footer: 'Contoso IT' });
    expect(h.backend.dispatched).toEqual([
      { action: 'enableLostMode', deviceIds: [supervised.id], parameters: { [supervised.id]: { lostMode: { message: 'Reward if found, Pat Doe', phoneNumber: '+1 425 555 0199', footer: 'Contoso IT' } } } },
    ]);
    expect(sink.lastUpdate.text).toMatch(/Lost Mode request of "Pat's work iPhone": sent/);
    // No next step while Lost Mode is only on its way: Locate would be refused until the device is in it.
    expect(labels(sink.lastUpdate)).toEqual([]);
    h.backend.setStatus(supervised.id, 'enableLostMode', { state: 'done', startedAt: h.clock.now().toISOString() });
    h.clock.advance(1_000);
    await h.handler.idle();
    expect(sink.lastUpdate.text).toMatch(/Lost Mode request of "Pat's work iPhone": done/);
    // Once it is done: the next steps for a device in Lost Mode; sign-out because this policy turns it on.
    expect(labels(sink.lastUpdate)).toEqual(['Locate', 'Play a sound', 'Sign me out everywhere', 'I found it']);
    const confirmed = (await h.audit()).find((e) => e.event === 'confirmed')!;
    expect(confirmed.reason).toBe('with the lock-screen text the requester confirmed');

    // A second submission of the same prompt sends nothing more.
    await h.handler.handleClick(pat, prompt.value, sink, { message: 'again', phoneNumber: '', footer: '' });
    expect(h.backend.dispatched).toHaveLength(1);
  });

  it('a chat that cannot ask sends the policy text the confirmation named; an empty template is refused', async () => {
    const h = makeHarness([{ ...supervised }], { policy: withSignOut() });
    const asked = await h.say(pat, `lost mode ${supervised.name}`);
    const sink = withoutPrompts();
    await h.handler.handleClick(pat, buttonValue(asked.lastReply, 'Enable Lost Mode'), sink);
    expect(h.backend.dispatched[0]!.parameters?.[supervised.id]?.lostMode?.phoneNumber).toBe('+1 425 555 0100');

    const empty = makeHarness([{ ...supervised }], { policy: withSignOut({ helpdeskPhone: '', lostMode: { message: '', phoneNumber: '{helpdeskPhone}', footer: '' } }) });
    const again = await empty.say(pat, `lost mode ${supervised.name}`);
    const plain = withoutPrompts();
    await empty.handler.handleClick(pat, buttonValue(again.lastReply, 'Enable Lost Mode'), plain);
    expect(empty.backend.dispatched).toEqual([]);
    expect(plain.lastUpdate.text).toMatch(/needs a message or a phone number/);
  });

  it('the policy refuses a placeholder it does not know, and text longer than a lock screen holds', () => {
    const bad = policySchema.safeParse({ roles: [], lostMode: { message: 'Call {helpdesk}', phoneNumber: '', footer: '' } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/only placeholders are \{ownerName\} and \{helpdeskPhone\}/);
    expect(policySchema.safeParse({ roles: [], lostMode: { message: 'x'.repeat(301) } }).success).toBe(false);
  });

  it('a bulk Lost Mode above the threshold asks for the count with the text, in one prompt', async () => {
    const many = Array.from({ length: 3 }, (_, i) => makeDevice({ ...supervised, id: `dev-sup-${i}`, name: `Kiosk iPad ${i}`, serialNumber: `K${i}` }));
    const h = makeHarness(many, { policy: withSignOut({ bulkConfirmAbove: 2 }) });
    const asked = await h.say(help, 'lost mode pat@contoso.com');
    const sink = await h.click(help, asked.lastReply, 'Enable Lost Mode on all 3 devices');
    const prompt = sink.prompts[0]!;
    expect(prompt.fields?.map((f) => f.id)).toEqual(['message', 'phoneNumber', 'footer', 'count']);
    expect(prompt.text).toMatch(/\{ownerName\} becomes the name of each device's owner/);
    const text = { message: 'Lost: {ownerName}', phoneNumber: '+1 425 555 0100', footer: '' };
    await h.handler.handleClick(help, prompt.value, sink, { ...text, count: '2' });
    expect(h.backend.dispatched).toEqual([]);
    expect(sink.lastReply.text).toMatch(/You typed 2, but this request covers 3 devices/);
    await h.handler.handleClick(help, prompt.value, sink, { ...text, count: '3' });
    expect(h.backend.dispatched[0]!.deviceIds).toHaveLength(3);
    expect(Object.values(h.backend.dispatched[0]!.parameters!).map((p) => p.lostMode?.message)).toEqual(['Lost: Pat Doe', 'Lost: Pat Doe', 'Lost: Pat Doe']);
    // No next steps after a bulk action.
    expect(labels(sink.lastUpdate)).toEqual([]);
  });

  it('"found" turns Lost Mode off only on a device in Lost Mode', async () => {
    const h = makeHarness([{ ...inLostMode }, { ...supervised }]);
    const notLost = await h.say(pat, `found ${supervised.name}`);
    expect(labels(notLost.lastReply)).toEqual([]);
    expect(notLost.lastReply.text).toMatch(/is not in Lost Mode/);
    const found = await h.say(pat, `found ${inLostMode.name}`);
    const sink = await h.click(pat, found.lastReply, 'Disable Lost Mode');
    expect(h.backend.dispatched).toEqual([{ action: 'disableLostMode', deviceIds: [inLostMode.id] }]);
    expect(sink.lastUpdate.text).toMatch(/End of Lost Mode of "Pat's lost iPad": sent/);
  });
});

describe('Lost Mode, as the review tried to break it', () => {
  it("an approver confirms the policy's text: no prompt to write someone else's lock screen", async () => {
    const h = makeHarness([{ ...supervised }], { policy: withSignOut({ approvers: ['email:lead@contoso.com'] }) });
    const asked = await h.say(pat, `lost mode ${supervised.name}`);
    const lead = actor('lead@contoso.com');
    const sink = await h.click(lead, asked.lastReply, 'Enable Lost Mode');
    expect(sink.prompts).toEqual([]);
    expect(h.backend.dispatched[0]!.parameters?.[supervised.id]?.lostMode?.message).toBe(
      'This device belongs to Pat Doe and has been reported lost. If you found it, please call the number below. Thank you.',
    );
    expect((await h.audit()).find((e) => e.event === 'confirmed')!.reason).toBe("with the policy's lock-screen text");
  });

  it('line breaks in the message stay; other runs of spaces become one', async () => {
    const h = makeHarness([{ ...supervised }], { policy: withSignOut() });
    const sink = await h.click(pat, (await h.say(pat, `lost mode ${supervised.name}`)).lastReply, 'Enable Lost Mode');
    await h.handler.handleClick(pat, sink.prompts[0]!.value, sink, { message: 'Lost   phone\r\nPlease   call', phoneNumber: '+1 425 555 0199', footer: '' });
    expect(h.backend.dispatched[0]!.parameters?.[supervised.id]?.lostMode?.message).toBe('Lost phone\nPlease call');
  });

  it('a helpdesk phone number that is not one is refused when the policy is read, not at every send', () => {
    const bad = policySchema.safeParse({ roles: [], helpdeskPhone: 'ext. 1234' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/a phone number/);
  });

  it('Intune not saying whether a device is in Lost Mode: the lock comes first, and the advice says why', async () => {
    const unknown = { ...supervised };
    delete unknown.lostModeState;
    const h = makeHarness([unknown]);
    const reply = (await h.say(pat, 'lost')).lastReply;
    expect(labels(reply)).toEqual(['Lock', 'Enable Lost Mode (shows your message and phone number)']);
    expect(reply.text).toMatch(/Intune does not say whether it is in Lost Mode already/);
  });
});

describe('locate', () => {
  it('a locate done without a place says so, in the status and the audit', async () => {
    const h = makeHarness([{ ...patPixel }], { policy: withSignOut() });
    const sink = await h.click(help, (await h.say(help, `locate ${patPixel.name}`)).lastReply, 'Locate');
    h.backend.setStatus(patPixel.id, 'locateDevice', { state: 'done', startedAt: h.clock.now().toISOString() });
    h.clock.advance(1_000);
    await h.handler.idle();
    expect(sink.secrets).toEqual([]);
    expect(sink.lastUpdate.text).toMatch(/done: .*gave no location/);
    expect((await h.audit()).find((e) => e.event === 'result' && e.outcome === 'done')!.reason).toMatch(/gave no location/);
  });

  it('the location goes to the requester alone, privately, and is found nowhere else', async () => {
    const h = makeHarness([{ ...patPixel }], { policy: withSignOut() });
    const asked = await h.say(help, `locate ${patPixel.name}`);
    const sink = await h.click(help, asked.lastReply, 'Locate');
    expect(h.backend.dispatched).toEqual([{ action: 'locateDevice', deviceIds: [patPixel.id] }]);
    const where = '47.60621, -122.33207 within about 12 m. Map: https://www.openstreetmap.org/?mlat=47.60621&mlon=-122.33207#map=17/47.60621/-122.33207';
    h.backend.setStatus(patPixel.id, 'locateDevice', { state: 'done', startedAt: h.clock.now().toISOString(), location: new Secret(where) });
    h.clock.advance(1_000);
    await h.handler.idle();
    expect(sink.secrets).toHaveLength(1);
    expect(sink.secrets[0]!).toMatchObject({ kind: 'location', recipient: { id: 'help@contoso.com' } });
    expect(sink.secrets[0]!.passcode.reveal()).toBe(where);
    const audit = await h.audit();
    expect(audit.find((e) => e.event === 'result' && e.outcome === 'done')!.reason).toBe('location shown to help@contoso.com, privately');
    const everything = JSON.stringify([sink.replies, sink.updates, audit, await h.store.dispatches.listOpen(), await h.store.dispatches.get(audit.find((e) => e.dispatchId)!.dispatchId!), h.logger.lines]);
    expect(everything).not.toContain('47.6');
    expect(everything).not.toContain('openstreetmap');
  });
});

describe('sign out everywhere', () => {
  it('is off unless the policy gives it to a role; when on, it acts on the owner as re-read', async () => {
    const off = makeHarness([{ ...patPixel }]);
    const refused = await off.say(pat, `sign out ${patPixel.name}`);
    expect(refused.lastReply.text).toMatch(/Your role does not allow a sign-out everywhere/);
    expect(labels((await off.say(pat, 'lost')).lastReply)).not.toContain('Sign me out everywhere');

    const h = makeHarness([{ ...patPixel }], { policy: withSignOut() });
    const asked = await h.say(help, `sign out ${patPixel.name}`);
    await h.click(help, asked.lastReply, 'Sign out the owner of');
    expect(h.backend.dispatched).toEqual([{ action: 'signOut', deviceIds: [patPixel.id], parameters: { [patPixel.id]: { userId: 'aad-pat' } } }]);
  });

  it('several devices of one owner are one sign-out', async () => {
    const second = makeDevice({ ...patPixel, id: 'dev-pat-pixel-2', name: "Pat's other Pixel", serialNumber: 'P2' });
    const h = makeHarness([{ ...patPixel }, second], { policy: withSignOut() });
    const sink = await h.click(help, (await h.say(help, 'sign out pat@contoso.com')).lastReply, 'Sign out the owners of all 2 devices');
    // The devices come in the backend's order (by name here): the first is sent, the other named as covered by it.
    expect(h.backend.dispatched).toEqual([{ action: 'signOut', deviceIds: [second.id], parameters: { [second.id]: { userId: 'aad-pat' } } }]);
    expect(sink.lastUpdate.text).toMatch(/Not sent to "Pat's Pixel": its owner is signed out once, with "Pat's other Pixel"/);
  });

  it('a sign-out whose send was cut off is never called "not sent": Entra ID keeps nothing to tell', async () => {
    const h = makeHarness([{ ...patPixel }], { policy: withSignOut() });
    h.backend.dispatchThrows = { error: unavailable(), received: false };
    const sink = await h.click(help, (await h.say(help, `sign out ${patPixel.name}`)).lastReply, 'Sign out the owner of');
    expect(sink.lastUpdate.text).not.toMatch(/not sent/);
    expect(sink.lastUpdate.text).toMatch(/cannot tell whether the sign-out reached Microsoft Entra ID/);
    expect((await h.audit()).find((e) => e.event === 'recovery')!.outcome).toBe('unknown');
  });

  it('a device with no user has no one to sign out', async () => {
    const h = makeHarness([makeDevice({ id: 'dev-kiosk', name: 'Kiosk', operatingSystem: 'Android', deviceType: 'androidEnterprise', enrollmentType: 'androidEnterpriseDedicatedDevice', userId: '', userPrincipalName: '', emailAddress: '', userDisplayName: '' })], { policy: withSignOut() });
    const asked = await h.say(help, 'sign out Kiosk');
    expect(labels(asked.lastReply)).toEqual([]);
    expect(asked.lastReply.text).toMatch(/no known user in Intune, so there is no one to sign out/);
  });
});

describe('the commands', () => {
  it('reads lost-mode, found, locate, sound and sign-out, each with help', () => {
    const action = (text: string) => {
      const parsed = parseCommand(text);
      return parsed.ok && parsed.command.kind === 'action' ? parsed.command.action : parsed;
    };
    expect(['lost mode X', 'lost-mode X', '/lost-mode X', 'found X', 'locate X', 'sound X', 'sign out X', 'sign-out X'].map(action)).toEqual([
      'enableLostMode',
      'enableLostMode',
      'enableLostMode',
      'disableLostMode',
      'locateDevice',
      'playLostModeSound',
      'signOut',
      'signOut',
    ]);
    for (const word of ['lost-mode', 'found', 'locate', 'sound', 'sign-out']) {
      const parsed = parseCommand(`help ${word}`);
      expect(parsed.ok && parsed.command.kind === 'help' && parsed.command.topic).toBe(word);
    }
    expect(parseCommand('locate').ok).toBe(false);
  });
});
