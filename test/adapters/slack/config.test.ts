// The Slack variables: off by default, the rules that tie them together, and no secret echoed in a message.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';

describe('Slack configuration', () => {
  it('is off without SLACK_BOT_TOKEN and defaults SLACK_API_URL to Slack\'s own', () => {
    const config = loadConfig({});
    expect(config.SLACK_BOT_TOKEN).toBeUndefined();
    expect(config.SLACK_API_URL).toBe('https://slack.com/api/');
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:9/api' }).SLACK_API_URL).toBe('http://127.0.0.1:9/api/');
  });

  it('needs the signing secret in HTTP mode but not in Socket Mode', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN/);
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).SLACK_APP_TOKEN).toBe('xapp-1');
  });

  it('lists every Slack problem at once, naming variables and never their values', () => {
    let message = '';
    try {
      loadConfig({ SLACK_BOT_TOKEN: 'xoxp-user-token-value', SLACK_APP_TOKEN: 'bad-app-token-value', SLACK_AUDIT_CHANNEL: '#audit', SLACK_APPROVALS_CHANNEL: '#approvals', SLACK_API_URL: 'nope' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_AUDIT_CHANNEL', 'SLACK_APPROVALS_CHANNEL', 'SLACK_API_URL']) expect(message).toContain(`- ${name}:`);
    expect(message).not.toContain('user-token-value');
    expect(message).not.toContain('bad-app-token-value');
    expect(() => loadConfig({ SLACK_SIGNING_SECRET: 'x' })).toThrow(/SLACK_BOT_TOKEN: required when any other SLACK_ variable is set/);
  });
});
