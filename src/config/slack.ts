// Environment variables of the Slack adapter. Slack is on when SLACK_BOT_TOKEN is set; the rules that tie the
// variables together are in refineSlack (called from ./index.ts so every problem is listed in one message).
import { z } from 'zod';
import { optionalText } from './core.js';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export const slackEnv = {
  /** The bot token (xoxb-…). Set: the Slack adapter is mounted. Never echoed. */
  SLACK_BOT_TOKEN: optionalText,
  /** Verifies that requests come from Slack (HTTP mode). Never echoed. */
  SLACK_SIGNING_SECRET: optionalText,
  /** An app-level token (xapp-…, connections:write): Socket Mode, no public URL needed. Never echoed. */
  SLACK_APP_TOKEN: optionalText,
  /** Where every Web API call goes; a Slack-compatible endpoint or a local stub. */
  SLACK_API_URL: optionalText
    .refine((v) => v === undefined || (/^https?:\/\/[^/]/i.test(v) && URL.canParse(v)), 'SLACK_API_URL must be a URL such as https://slack.com/api/')
    .transform((v) => (v ?? DEFAULT_SLACK_API_URL).replace(/\/*$/, '/')),
  /** A channel id (C…) for one line per dispatched action and result. */
  SLACK_AUDIT_CHANNEL: optionalText,
  /** A channel id (C…/G…) where approval cards go; unset: each approver the policy names in Slack gets a DM. */
  SLACK_APPROVALS_CHANNEL: optionalText,
  /** The installed workspace (T…); default: the one auth.test names. Requests from any other are refused. */
  SLACK_TEAM_ID: optionalText,
};

export type SlackConfig = z.infer<z.ZodObject<typeof slackEnv>>;

/** Cross-field rules; messages name variables, never their values. */
export function refineSlack(config: SlackConfig, ctx: z.RefinementCtx): void {
  const problem = (path: keyof SlackConfig, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const { SLACK_BOT_TOKEN: bot, SLACK_SIGNING_SECRET: secret, SLACK_APP_TOKEN: appToken, SLACK_AUDIT_CHANNEL: audit, SLACK_APPROVALS_CHANNEL: approvals } = config;
  if (bot === undefined) {
    if (secret !== undefined || appToken !== undefined || audit !== undefined || approvals !== undefined || config.SLACK_TEAM_ID !== undefined) {
      problem('SLACK_BOT_TOKEN', 'required when any other SLACK_ variable is set (the bot token, xoxb-…)');
    }
    return;
  }
  if (!bot.startsWith('xoxb-')) problem('SLACK_BOT_TOKEN', 'must be a bot token starting with xoxb-');
  if (appToken !== undefined && !appToken.startsWith('xapp-')) problem('SLACK_APP_TOKEN', 'must be an app-level token starting with xapp- (or unset for HTTP mode)');
  if (appToken === undefined && secret === undefined) {
    problem('SLACK_SIGNING_SECRET', 'required with SLACK_BOT_TOKEN unless SLACK_APP_TOKEN (Socket Mode) is set');
  }
  if (audit !== undefined && !/^[CGD][A-Z0-9]{2,}$/.test(audit)) problem('SLACK_AUDIT_CHANNEL', 'must be a channel id such as C0123ABCD (not a #name)');
  if (approvals !== undefined && !/^[CG][A-Z0-9]{2,}$/.test(approvals)) problem('SLACK_APPROVALS_CHANNEL', 'must be a channel id such as C0123ABCD (not a #name; the bot must be a member)');
  if (config.SLACK_TEAM_ID !== undefined && !/^T[A-Z0-9]{2,}$/.test(config.SLACK_TEAM_ID)) problem('SLACK_TEAM_ID', 'must be a workspace id such as T0123ABCD');
}
