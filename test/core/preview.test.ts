// `preview <command>` and `<command> --dry-run` through the handler: what would be dispatched, nothing created.
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/core/index.js';
import { buttonsOf } from '../../src/core/reply.js';
import { all, fleetOf } from './fixtures.js';
import { actor, helpdeskPolicy, makeHarness } from './harness.js';

const pat = actor('pat@contoso.com');
const help = actor('help@contoso.com');
const everything = () => new Date('2100-01-01');

describe('preview', () => {
  it.each([
    ['preview lock me', { kind: 'preview', action: 'lock', query: { kind: 'me' } }],
    ['lock me --dry-run', { kind: 'preview', action: 'lock', query: { kind: 'me' } }],
    ['preview reset passcode "Pat\'s Pixel"', { kind: 'preview', action: 'resetPasscode', query: { kind: 'text', text: "Pat's Pixel" } }],
    ['sign out pat@contoso.com --DRY-RUN', { kind: 'preview', action: 'signOut', query: { kind: 'user', user: 'pat@contoso.com' } }],
    ['preview help', { kind: 'help', topic: 'preview' }],
  ])('reads %j', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each(['preview', 'preview lost', 'devices me --dry-run', 'preview help lock', 'preview preview lock me', 'lock --dry-run'])('refuses %j with a reason', (text) => {
    const parsed = parseCommand(text);
    expect(parsed.ok).toBe(false);
  });

  it('shows each device, its verdict and the policy, with no buttons and no confirmation; audited as a preview', async () => {
    const h = makeHarness(all());
    for (const text of ['preview lock me', 'lock me --dry-run']) {
      const reply = (await h.say(pat, text)).lastReply;
      expect(buttonsOf(reply)).toEqual([]);
      expect(reply.text).toMatch(/^Preview of a remote lock of your devices: 2 devices would be offered\./);
      expect(reply.text).toContain('"Pat\'s iPhone": supported');
      expect(reply.text).toMatch(/"PAT-LAPTOP": not supported: [^;]+; the policy allows it\./);
      expect(reply.text).toContain('The policy allows you a remote lock on your own devices only (role "everyone").');
      expect(reply.text).toContain('The confirmation would offer all 2 devices at once.');
      expect(reply.text).toContain('no second person is needed');
      expect(reply.text).toContain('nothing was sent and no confirmation was created');
      expect(reply.blocks.filter((b) => b.kind === 'device')).toHaveLength(3);
    }
    expect(await h.store.confirmations.listExpired(everything())).toEqual([]);
    const audit = await h.audit();
    expect(audit.map((e) => [e.event, e.outcome, e.action])).toEqual([
      ['request', 'preview', 'lock'],
      ['request', 'preview', 'lock'],
    ]);
    expect(h.backend.dispatched).toEqual([]);
  });

  it('names the approvers who may confirm, and a bulk that would need the count typed', async () => {
    const h = makeHarness(fleetOf(30), { policy: helpdeskPolicy });
    const text = (await h.say(help, 'preview lock fleet@contoso.com')).lastReply.text;
    expect(text).toContain('30 devices would be offered');
    expect(text).toContain('The policy allows you a remote lock on any device (role "helpdesk").');
    expect(text).toContain('The confirmation would offer all 30 devices at once; above 25 the click asks for the number to be typed.');
    expect(text).toContain('or one of the approvers the policy names');
    expect(await h.store.confirmations.listExpired(everything())).toEqual([]);
  });

  it('a preview the policy refuses says so, audited as the refusal it would be', async () => {
    const h = makeHarness(all());
    const reply = (await h.say(pat, 'sign out me --dry-run')).lastReply;
    expect(reply.text).toMatch(/^Your role does not allow a sign-out everywhere\. Nothing was done\. Preview only/);
    expect(buttonsOf(reply)).toEqual([]);
    expect((await h.audit()).map((e) => [e.event, e.outcome])).toEqual([['refusal', 'refused']]);
  });
});
