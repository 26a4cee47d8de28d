// Where Teams approval cards go, from the configuration: TEAMS_APPROVALS_CONVERSATION must be a channel or group chat,
// TEAMS_SERVICE_URL https (http only on loopback, and never with Bot Framework authentication), and a process
// that may not post there says so at start-up instead of failing on each request.
import { mayReplyTo } from '../../../adapters/teams/activity-check.js';
import { describe, expect, it } from 'vitest';
import { approvalSettingsOf } from '../../../adapters/teams/approval-settings.js';
import { personalApprovers } from '../../../adapters/teams/approval-notifier.js';
import { loadConfig } from '../../../src/config/index.js';
import { APP_ID, BOT_ENV, OURS } from './bot-app.js';

const base = { HOST: '127.0.0.1', LOG_LEVEL: 'silent' };
const problems = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
    return '';
  } catch (error) {
    return String((error as Error).message);
  }
};

describe('TEAMS_APPROVALS_CONVERSATION and TEAMS_SERVICE_URL', () => {
  it('take a channel or group chat id, and an https connector by default', () => {
    for (const id of ['19:abc123@thread.tacv2', '19:abc@thread.skype', '19:meeting_x1@thread.v2']) expect(loadConfig({ ...base, TEAMS_APPROVALS_CONVERSATION: id }).TEAMS_APPROVALS_CONVERSATION).toBe(id);
    const config = loadConfig(base);
    expect(config.TEAMS_APPROVALS_CONVERSATION).toBeUndefined();
    expect(config.TEAMS_SERVICE_URL).toBe('https://smba.trafficmanager.net/teams/');
  });

  it('refuse a personal chat, a path or a URL as the conversation, with a message that says what it must be', () => {
    for (const id of ['a:1xyz-personal', '29:alice', '19:x@thread.tacv2/../members', 'https://teams.microsoft.com/l/channel/19%3Aabc']) {
      expect(problems({ TEAMS_APPROVALS_CONVERSATION: id })).toMatch(/TEAMS_APPROVALS_CONVERSATION must be the conversation id of a Teams channel or group chat/);
    }
  });

  it('refuse a service URL that is not https, but for http on loopback in the demo mode', () => {
    expect(problems({ TEAMS_SERVICE_URL: 'http://connector.example.com/' })).toMatch(/TEAMS_SERVICE_URL must be an https URL/);
    expect(problems({ TEAMS_SERVICE_URL: 'not a url' })).toMatch(/TEAMS_SERVICE_URL must be an https URL/);
    expect(problems({ TEAMS_SERVICE_URL: 'http://127.0.0.1:56150/_connector' })).toBe('');
    // Only the loopback hosts the outbox posts to: a setting accepted here is one cards can use.
    for (const url of ['http://127.0.0.2:3978/', 'http://127.1.2.3/']) {
      expect(problems({ TEAMS_SERVICE_URL: url })).toMatch(/TEAMS_SERVICE_URL must be an https URL/);
      expect(mayReplyTo(url, false)).toBe(false);
    }
    expect(mayReplyTo('http://[::1]:3978/', false)).toBe(true);
    expect(problems({ TEAMS_SERVICE_URL: 'http://[::1]:3978/' })).toBe('');
    expect(problems({ ...BOT_ENV, TEAMS_SERVICE_URL: 'http://127.0.0.1:56150/_connector' })).toMatch(/TEAMS_SERVICE_URL: must be https with MICROSOFT_APP_ID set/);
  });
});

describe('approvalSettingsOf', () => {
  it('with authentication: the bot as 28:<app id>, personal chats in the bot tenant', () => {
    const result = approvalSettingsOf(loadConfig({ ...base, ...BOT_ENV }));
    expect(result).toMatchObject({ ok: true, settings: { serviceUrl: 'https://smba.trafficmanager.net/teams/', bot: { id: `28:${APP_ID}` }, tenantId: OURS } });
    expect(result.ok && result.settings.conversationId).toBeFalsy();
    expect(result.ok && result.where).toBe('approval cards to the personal chats of teams:<object id> approvers via https://smba.trafficmanager.net/teams/');
    const inChannel = approvalSettingsOf(loadConfig({ ...base, ...BOT_ENV, TEAMS_APPROVALS_CONVERSATION: '19:x@thread.tacv2' }));
    expect(inChannel).toMatchObject({ ok: true, settings: { conversationId: '19:x@thread.tacv2' }, where: 'approval cards to TEAMS_APPROVALS_CONVERSATION via https://smba.trafficmanager.net/teams/' });
  });

  it('in the demo mode, the default https connector is off (the demo posts only on this machine), and says why', () => {
    const result = approvalSettingsOf(loadConfig(base));
    expect(result).toMatchObject({ ok: false, why: expect.stringMatching(/approval cards OFF: the demo mode posts only on this machine, and TEAMS_SERVICE_URL/) });
  });
});

describe('personalApprovers', () => {
  it('keeps teams: selectors once each, never the requester (by object id), and counts those it cannot reach', () => {
    const requester = { platform: 'teams' as const, id: 'AAD-ALICE', aadObjectId: 'AAD-ALICE' };
    const result = personalApprovers(['teams:aad-alice', 'teams:aad-lee', 'teams:AAD-LEE', 'aad-group:g1', 'email:x@contoso.com', 'slack:U1', 'teams:aad-bob'], requester);
    expect(result).toEqual({ objectIds: ['aad-lee', 'aad-bob'], requesterSkipped: true, groups: 1, others: 1 });
  });
});

describe('personal-chat approvers', () => {
  it('leave out the requester and whoever confirmed for them, by object id, whichever chat they used', () => {
    const picked = personalApprovers(['teams:OID-ALICE', 'teams:oid-lee', 'teams:oid-bob', 'teams:oid-lee'], { platform: 'slack', id: 'U0ALICE', email: 'alice@contoso.com', aadObjectId: 'oid-alice' }, { platform: 'console', id: 'bob@contoso.com', aadObjectId: 'OID-BOB' });
    expect(picked.objectIds).toEqual(['oid-lee']);
    expect(picked.requesterSkipped).toBe(true);
  });
});
