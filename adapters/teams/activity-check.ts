// What lockdesk checks of a Teams request itself, whichever SDK runs the bot: the body is a Bot Framework activity
// (anything else is 400 before any SDK sees it), the rules of the no-authentication demo mode, and the tenant.
import { z } from 'zod';
import { TEAMS_LOOPBACK_HOSTS } from '../../src/config/teams.js';

/** Text with no NUL and no lone surrogate: what could not be stored or compared safely is refused here. */
const clean = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !/[\u0000\p{Cs}]/u.test(s), 'contains a NUL or a lone surrogate');
const id = clean(512).pipe(z.string().min(1));

const activitySchema = z.looseObject({
  type: clean(64).pipe(z.string().min(1)),
  id: clean(512).optional(),
  name: clean(128).optional(),
  channelId: clean(64).pipe(z.string().min(1)),
  serviceUrl: clean(2048).refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'not an http(s) URL'),
  text: clean(100_000).optional(),
  replyToId: clean(512).optional(),
  from: z.looseObject({ id, name: clean(512).optional(), aadObjectId: clean(128).optional() }),
  recipient: z.looseObject({ id, name: clean(512).optional() }).optional(),
  conversation: z.looseObject({ id, tenantId: clean(128).optional(), conversationType: clean(64).optional(), isGroup: z.boolean().optional() }),
  channelData: z.looseObject({ tenant: z.looseObject({ id: clean(128).optional() }).optional() }).optional(),
  // Lists the routes walk (identity.ts, bot.ts): their items are looked at one by one, the lists must be lists.
  entities: z.array(z.unknown()).max(1000).optional(),
  membersAdded: z.array(z.unknown()).max(1000).optional(),
});

export type CheckedActivity = z.infer<typeof activitySchema>;

/** The activity, or why the body is not one (for the 400's log line; never echoed to the sender). */
export function parseActivity(body: unknown): { ok: true; activity: CheckedActivity } | { ok: false; problem: string } {
  const parsed = activitySchema.safeParse(body);
  if (parsed.success) return { ok: true, activity: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, problem: `${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid'}` };
}

/**
 * The only Bot Framework channel lockdesk serves. The bot's registration has others (Web Chat on every Azure Bot,
 * Direct Line, ...): Bot Framework signs their activities with the same keys, issuer and audience, and their clients
 * choose `from` and `channelData` (the tenant) themselves, so a genuine token says nothing about who is in Teams.
 */
export const TEAMS_CHANNEL = 'msteams';

/** A service URL on this machine: where the Agents Playground's connector lives, and nobody else's. */
export function isLoopbackUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return /^https?:$/.test(url.protocol) && TEAMS_LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Teams' own connectors (public cloud, GCC, GCC High, DoD): where a conversation reference read back from the store
 * may send the bot's token. The store is not trusted with that: a reference altered there must not send the token,
 * or a passcode, to a host of someone else's. A live activity's service URL is vouched for by its token instead.
 */
export function isTeamsConnector(value: string, configured?: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return false;
  if (configured && URL.canParse(configured) && new URL(configured).origin === url.origin) return true;
  const host = url.hostname.toLowerCase();
  return host === 'smba.trafficmanager.net' || host.endsWith('.teams.microsoft.com') || host.endsWith('.teams.microsoft.us');
}

/**
 * Where the bot may send its cards. With authentication, https only (the bot's token goes along). In the demo mode,
 * only to this machine: a request nobody authenticated must not make lockdesk post device details elsewhere.
 */
export function mayReplyTo(serviceUrl: string, authenticated: boolean): boolean {
  if (!URL.canParse(serviceUrl)) return false;
  return authenticated ? new URL(serviceUrl).protocol === 'https:' : isLoopbackUrl(serviceUrl);
}

export type DemoRefusal = { status: 403 | 415; reason: string };

/**
 * The demo mode (no MICROSOFT_APP_ID) believes whoever reaches it, so it takes only what a local Teams client sends:
 * JSON without an Origin header (a web page's cross-site POST always has one; a text/plain one needs no preflight)
 * and a loopback service URL.
 */
export function demoRefusal(headers: Record<string, string | string[] | undefined>, activity: CheckedActivity): DemoRefusal | undefined {
  const type = String(headers['content-type'] ?? '').toLowerCase();
  if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/.test(type)) return { status: 415, reason: 'the body is not application/json' };
  if (headers.origin !== undefined) return { status: 403, reason: 'a browser sent it (it has an Origin header)' };
  if (!isLoopbackUrl(activity.serviceUrl)) return { status: 403, reason: 'its serviceUrl is not on this machine' };
  return undefined;
}

/**
 * The activity's tenant, when Teams names one consistently; "mixed" when its two places disagree (a forged or
 * broken activity), undefined when it names none.
 */
export function tenantOf(activity: Pick<CheckedActivity, 'conversation' | 'channelData'>): string | 'mixed' | undefined {
  const named = [activity.conversation.tenantId, activity.channelData?.tenant?.id].filter((t): t is string => typeof t === 'string' && t !== '');
  const distinct = [...new Set(named.map((t) => t.toLowerCase()))];
  if (distinct.length > 1) return 'mixed';
  return distinct[0];
}

/** Whether an activity comes from a tenant lockdesk serves; with no tenant configured (the demo), every one. */
export function tenantAllowed(activity: Pick<CheckedActivity, 'conversation' | 'channelData'>, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const tenant = tenantOf(activity);
  return tenant !== undefined && tenant !== 'mixed' && allowed.some((t) => t.toLowerCase() === tenant);
}
