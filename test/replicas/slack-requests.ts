// Signed Slack requests to a lockdesk process's POST /slack/events: slash commands and button clicks with the exact
// form bodies and v0 signatures Slack sends.
import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'replicas-signing-secret';
const FORM = 'application/x-www-form-urlencoded';

export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Posts a signed form body; resolves with the HTTP status once the ack is read. */
export async function postSigned(baseUrl: string, body: string): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': FORM, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': sign(body, timestamp) },
    body,
  });
  await res.text();
  return res.status;
}

let counter = 0;

export function commandBody(o: { user: string; command: string; text: string; responseUrl: string }): string {
  const n = ++counter;
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0CONTOSO',
    team_domain: 'contoso',
    channel_id: 'C0HELPDESK',
    channel_name: 'helpdesk',
    user_id: o.user,
    user_name: o.user.toLowerCase(),
    command: o.command,
    text: o.text,
    api_app_id: 'A0LOCKDESK',
    is_enterprise_install: 'false',
    response_url: o.responseUrl,
    trigger_id: `${n}.${Date.now()}.trigger`,
  }).toString();
}

/**
 * A click on a button. `actionTs` tells one click from another: the same click delivered again carries the same
 * one; a second click (a double click) a new one. Without `responseUrl` the click comes from a channel message
 * (chat.update replaces it); with one, from the ephemeral confirmation.
 */
export function clickBody(o: { user: string; value: string; actionTs: string; responseUrl?: string; messageTs?: string }): string {
  const n = ++counter;
  const channel = 'C0HELPDESK';
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: { id: o.user, username: o.user.toLowerCase(), team_id: 'T0CONTOSO' },
    api_app_id: 'A0LOCKDESK',
    token: 'legacy-verification-token',
    trigger_id: `${n}.trigger`,
    team: { id: 'T0CONTOSO', domain: 'contoso' },
    channel: { id: channel, name: 'helpdesk' },
    container: { type: 'message', message_ts: o.messageTs ?? `${1700000000 + n}.000100`, channel_id: channel, is_ephemeral: o.responseUrl !== undefined },
    actions: [{ type: 'button', action_id: 'lockdesk-0', block_id: 'b0', value: o.value, text: { type: 'plain_text', text: 'Lock' }, action_ts: o.actionTs }],
  };
  if (o.responseUrl) payload.response_url = o.responseUrl;
  else payload.message = { ts: o.messageTs, text: 'confirmation' };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

type Block = { type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<Record<string, unknown>>; accessory?: Record<string, unknown> };

/** The values of every button in a posted message. */
export function buttonValues(body: Record<string, unknown>): string[] {
  const blocks = (body.blocks ?? []) as Block[];
  return blocks
    .flatMap((b) => [...(b.accessory ? [b.accessory] : []), ...(b.type === 'actions' ? (b.elements ?? []) : [])])
    .map((e) => e.value)
    .filter((v): v is string => typeof v === 'string');
}

/** All the text of a posted message, for matching. */
export function textOf(body: Record<string, unknown>): string {
  const blocks = (body.blocks ?? []) as Block[];
  return [String(body.text ?? ''), ...blocks.flatMap((b) => [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => String(e.text ?? ''))])].join('\n');
}
