// Who may do what, from the policy file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, isOwnDevice, mayActOn, memberMatches, policySchema, scopeFor } from '../../src/core/policy.js';
import { actor, helpdeskPolicy, makeHarness } from './harness.js';
import { all, patIphone, samIphone } from './fixtures.js';

describe('policy', () => {
  it('the example policy file is valid and documents every selector', () => {
    const text = readFileSync(new URL('../../data/policy.example.json', import.meta.url), 'utf8');
    const policy = policySchema.parse(JSON.parse(text));
    expect(policy.roles.length).toBeGreaterThan(0);
    for (const selector of ['*', 'email:', 'slack:', 'slack-group:', 'teams:', 'aad-group:']) expect(text).toContain(selector);
  });

  it('matches each kind of member selector, and nothing else', () => {
    const slackUser = { platform: 'slack' as const, id: 'U0123', email: 'ann@contoso.com', groups: ['slack-group:S0123'] };
    const teamsUser = { platform: 'teams' as const, id: '29:abc', aadObjectId: 'oid-1', groups: ['aad-group:g-1'] };
    expect(memberMatches('*', teamsUser)).toBe(true);
    expect(memberMatches('email:ANN@contoso.com', slackUser)).toBe(true);
    expect(memberMatches('email:ann@contoso.com', teamsUser)).toBe(false);
    expect(memberMatches('slack:U0123', slackUser)).toBe(true);
    expect(memberMatches('slack:U0123', { ...slackUser, platform: 'console' })).toBe(false);
    expect(memberMatches('slack-group:S0123', slackUser)).toBe(true);
    expect(memberMatches('slack-group:S9999', slackUser)).toBe(false);
    expect(memberMatches('teams:oid-1', teamsUser)).toBe(true);
    expect(memberMatches('teams:29:abc', teamsUser)).toBe(false);
    expect(memberMatches('aad-group:g-1', teamsUser)).toBe(true);
  });

  it('gives the widest scope of all the roles a person is in, per action', () => {
    expect(scopeFor(helpdeskPolicy, actor('help@contoso.com'), 'resetPasscode')).toBe('any');
    expect(scopeFor(helpdeskPolicy, actor('pat@contoso.com'), 'lock')).toBe('own');
    expect(scopeFor(helpdeskPolicy, actor('pat@contoso.com'), 'resetPasscode')).toBe('none');
    expect(scopeFor(helpdeskPolicy, { platform: 'teams', id: 'x', aadObjectId: 'aad-locker' }, 'lock')).toBe('any');
    expect(scopeFor(helpdeskPolicy, { platform: 'slack', id: 'U1', groups: ['slack-group:S0HELP'] }, 'resetPasscode')).toBe('any');
  });

  it('decides ownership on Entra object id, UPN or email, never on a display name', () => {
    expect(isOwnDevice(patIphone, { aadObjectId: 'aad-pat' })).toBe(true);
    expect(isOwnDevice(patIphone, { email: 'PAT@contoso.com' })).toBe(true);
    expect(isOwnDevice({ ...patIphone, userPrincipalName: 'p.doe@contoso.onmicrosoft.com' }, { email: 'pat@contoso.com' })).toBe(true);
    expect(isOwnDevice(patIphone, { email: 'Pat Doe' })).toBe(false);
    expect(isOwnDevice({ ...patIphone, userId: '' }, { aadObjectId: '' })).toBe(false);
    expect(isOwnDevice(patIphone, {})).toBe(false);
  });

  it('with no policy file everyone may lock and reset their own devices only', () => {
    expect(mayActOn(DEFAULT_POLICY, actor('pat@contoso.com'), 'lock', patIphone)).toBe(true);
    expect(mayActOn(DEFAULT_POLICY, actor('pat@contoso.com'), 'resetPasscode', patIphone)).toBe(true);
    expect(mayActOn(DEFAULT_POLICY, actor('pat@contoso.com'), 'lock', samIphone)).toBe(false);
  });

  it('rejects a malformed policy, listing every problem', () => {
    const result = policySchema.safeParse({ confirmTtlSeconds: 5, roles: [{ name: '', members: ['bob'], actions: ['wipe'], devices: 'some' }], extra: 1 });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['confirmTtlSeconds', 'roles.0.name', 'roles.0.members.0', 'roles.0.actions.0', 'roles.0.devices', '']));
  });

  it('refuses "*" among the approval approvers (anyone would approve anyone else\'s request), saying why', () => {
    const roles = [{ name: 'everyone', members: ['*'], actions: ['lock'], devices: 'own' }];
    const result = policySchema.safeParse({ roles, approval: { approvers: ['email:lead@contoso.com', '*'], rules: [{ actions: ['lock'] }] } });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('would let anyone approve');
    expect(policySchema.safeParse({ roles, approval: { approvers: ['email:lead@contoso.com'], rules: [{ actions: ['lock'] }] } }).success).toBe(true);
  });

  it('a refusal says why and is audited, and nothing is offered', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    const other = await h.say(actor('pat@contoso.com'), "lock Sam's iPhone");
    // Someone else's device is not told apart from one that does not exist (see identity-and-text.test.ts).
    expect(other.lastReply.text).toMatch(/No device matches "Sam's iPhone"\. Nothing was done/);
    const noRole = await h.say(actor('pat@contoso.com'), "reset passcode Pat's iPhone");
    expect(noRole.lastReply.text).toMatch(/role does not allow a passcode reset/);
    const events = await h.audit();
    expect(events.map((e) => [e.event, e.outcome])).toEqual([
      ['refusal', 'refused'],
      ['refusal', 'refused'],
    ]);
    expect(events[0]!.reason).toMatch(/not the caller's .*own devices only/);
    expect(events[0]!.deviceIds).toEqual([samIphone.id]);
    expect(events.some((e) => e.event === 'confirmation')).toBe(false);
  });

  it('a caller whose email lockdesk does not know cannot use "me"', async () => {
    const h = makeHarness(all());
    const sink = await h.say({ platform: 'slack', id: 'U9' }, 'lost');
    expect(sink.lastReply.text).toMatch(/does not know who you are in the directory \(neither your Entra object id nor your email\)/);
  });
});
