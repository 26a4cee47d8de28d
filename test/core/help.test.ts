// `help` through the handler: only what the caller's roles let them use; `help <command>` they may not use says so.
import { describe, expect, it } from 'vitest';
import { policySchema } from '../../src/core/index.js';
import { all } from './fixtures.js';
import { actor, makeHarness } from './harness.js';

const pat = actor('pat@contoso.com');
const help = actor('help@contoso.com');
const nobody = actor('guest@fabrikam.com');

const policy = policySchema.parse({
  roles: [
    { name: 'helpdesk', members: ['email:help@contoso.com'], actions: ['lock', 'resetPasscode', 'signOut'], devices: 'any' },
    { name: 'staff', members: ['email:pat@contoso.com'], actions: ['locateDevice'], devices: 'own' },
  ],
});

const usageLines = (text: string) => text.split('\n').slice(1).map((l) => l.split(/[ :<[]/)[0]);

describe('help', () => {
  it('lists only the commands the caller may use', async () => {
    const h = makeHarness(all(), { policy });
    // Locate on their own devices: a lost-device action, so "lost" too; no lock, no sign-out.
    const forPat = (await h.say(pat, 'help')).lastReply.text;
    expect(usageLines(forPat)).toEqual(['lost', 'locate', 'devices', 'preview', 'help']);
    expect(forPat).not.toMatch(/sign[ -]out|^lock /m);
    // Lock on any device is a lost-device action on their own devices too.
    const forHelp = (await h.say(help, 'help')).lastReply.text;
    expect(usageLines(forHelp)).toEqual(['lock', 'reset', 'lost', 'sign', 'devices', 'preview', 'help']);
    expect(forHelp).toContain('sign out <query>');
  });

  it('with no policy file, everyone sees the lost-device commands but not sign out', async () => {
    const h = makeHarness(all());
    const text = (await h.say(pat, 'help')).lastReply.text;
    expect(usageLines(text)).toEqual(['lock', 'reset', 'lost', 'lost', 'found', 'locate', 'sound', 'devices', 'preview', 'help']);
    expect(text).not.toContain('sign out');
  });

  it('help <command> the caller may not use says so, not the usage; one they may use gives the usage', async () => {
    const h = makeHarness(all(), { policy });
    for (const text of ['help sign out', 'sign-out help']) {
      const reply = (await h.say(pat, text)).lastReply;
      expect(reply.text).toBe('You may not use "sign out": your role does not allow a sign-out everywhere.');
      expect(reply.text).not.toContain('<query>');
    }
    expect((await h.say(pat, 'help lock')).lastReply.text).toMatch(/^You may not use "lock"/);
    expect((await h.say(pat, 'help locate')).lastReply.text).toMatch(/^locate <query>:/);
    expect((await h.say(help, 'help sign out')).lastReply.text).toMatch(/^sign out <query>:/);
    expect((await h.say(pat, 'help help')).lastReply.text).toMatch(/^help/);
    expect(await h.audit()).toEqual([]);
  });

  it('someone the policy gives nothing sees help alone, and why', async () => {
    const h = makeHarness(all(), { policy });
    const reply = (await h.say(nobody, 'help')).lastReply;
    expect(usageLines(reply.text)).toEqual(['help', 'Your']);
    expect(reply.text).toContain('Your role allows no device action');
    expect((await h.say(nobody, 'help lost')).lastReply.text).toMatch(/^You may not use "lost": your role does not allow a Lost Mode request, remote lock, location request, lost-mode sound or end of Lost Mode\.$/);
  });
});
