// Slack's errors, translated once at this boundary: a stable code for logs and plain words for the person.
import { webApi } from '@slack/bolt';

export interface SlackFailure {
  /** Slack's own error string ("not_in_channel", "ratelimited", "http_500", "network") for the log. */
  code: string;
  /** What a person may read. */
  words: string;
}

const WORDS: Record<string, string> = {
  ratelimited: 'Slack asked lockdesk to slow down (rate limit)',
  not_in_channel: 'lockdesk is not a member of that channel',
  channel_not_found: 'Slack does not let lockdesk post in that conversation',
  user_not_found: 'Slack does not know that user',
  users_not_found: 'Slack does not know that user',
  no_permission: 'the Slack app lacks a permission it needs',
  missing_scope: 'the Slack app lacks a permission (scope) it needs; reinstall it from the manifest',
  invalid_auth: 'the Slack bot token is not valid',
  not_authed: 'the Slack bot token is missing',
  account_inactive: 'the Slack bot token belongs to a deactivated app',
  expired_url: 'the Slack response link has expired',
  used_url: 'the Slack response link has been used up',
  no_such_subteam: 'a Slack user group named in the policy does not exist',
};

/** Turns anything a Web API call or a response-URL post threw into a SlackFailure. */
export function slackFailure(error: unknown): SlackFailure {
  const { ErrorCode } = webApi;
  const e = error as { code?: string; data?: { error?: string }; statusCode?: number; retryAfter?: number; message?: string };
  let code = 'unknown';
  if (e?.code === ErrorCode.PlatformError) code = e.data?.error ?? 'platform_error';
  else if (e?.code === ErrorCode.RateLimitedError) code = 'ratelimited';
  else if (e?.code === ErrorCode.HTTPError) code = `http_${e.statusCode ?? 'error'}`;
  else if (e?.code === ErrorCode.RequestError) code = 'network';
  else if (error instanceof ResponseUrlError) code = error.code;
  const words = WORDS[code] ?? (code === 'network' ? 'lockdesk could not reach Slack' : code.startsWith('http_') ? 'Slack answered with a server error' : `Slack refused the request (${code})`);
  return { code, words };
}

/** A response-URL post that failed after its retries. */
export class ResponseUrlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ResponseUrlError';
  }
}
