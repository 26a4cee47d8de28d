// Drives the real Bolt app through lockdesk's own HTTP server on loopback, with signed form posts, and nock for
// Slack's Web API (at a custom SLACK_API_URL, which proves it is honoured) and for response URLs.
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import nock from 'nock';
import { slackMount, type SlackMount } from '../../../adapters/slack/mount.js';
import { ResponseUrls } from '../../../adapters/slack/response-url.js';
import { buildApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import type { Clock, Logger } from '../../../src/ports.js';
import { startHttpServer, type RunningServer } from '../../../src/server/http-server.js';
import { ShiftedClock } from '../../fakes/shifted-clock.js';
import { seen } from '../../fakes/nock-request.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const API_ORIGIN = 'https://slack-api.example.test';
export const HOOKS_ORIGIN = 'https://hooks.slack.com';
export const AUDIT_CHANNEL = 'C0AUDIT';
/** The workspace lockdesk is installed in; every payload says T0CONTOSO unless a test says otherwise. */
export const TEAM_ID = 'T0CONTOSO';

/** The workspace's people: id → email (undefined: a user without an email). */
export const PEOPLE: Record<string, { email?: string; name: string; team?: string }> = {
  U0ALICE: { email: 'alice@contoso.com', name: 'Alice Smith' },
  /** A Slack Connect partner: signed requests, our channel, another organisation's workspace. */
  U0PARTNER: { email: 'pat@partner.example', name: 'Pat (partner org)', team: 'T0PARTNER' },
  U0BOB: { email: 'bob@contoso.com', name: 'Bob Jones' },
  U0GWEN: { email: 'gwen@contoso.com', name: 'Gwen (helpdesk)' },
  U0ROBOT: { name: 'A bot' },
  U0LEAD: { email: 'lead@contoso.com', name: 'Lee (IT lead)' },
  /** Gwen's second account (another id, her email in other letters): still Gwen. */
  U0GWENALT: { email: 'Gwen@Contoso.com', name: 'Gwen (second account)' },
  U0SEC: { email: 'sec@contoso.com', name: 'Sam (security)' },
};
export const HELPDESK_GROUP = 'S0HELP';
/** The user groups usergroups.users.list knows. */
export const GROUPS: Record<string, string[]> = { [HELPDESK_GROUP]: ['U0GWEN'], S0LEADS: ['U0LEAD', 'U0GWENALT', 'U0SEC'] };

export const POLICY = {
  confirmTtlSeconds: 300,
  bulkConfirmAbove: 25,
  approvers: ['email:lead@contoso.com'],
  roles: [
    { name: 'helpdesk', members: [`slack-group:${HELPDESK_GROUP}`], actions: ['lock', 'resetPasscode', 'enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound', 'signOut'], devices: 'any' },
    { name: 'everyone', members: ['*'], actions: ['lock', 'resetPasscode', 'enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound'], devices: 'own' },
  ],
};

export interface ApiCall {
  method: string;
  body: Record<string, unknown>;
  /** Where the stand-in said a chat.postMessage landed. */
  posted?: { channel: string; ts: string };
}
export interface HookPost {
  path: string;
  body: Record<string, unknown>;
}
type Override = { status: number; body?: unknown; headers?: Record<string, string> };


export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  #add(level: string, obj: object, msg?: string) {
    this.lines.push(`${level} ${msg ?? ''} ${inspect(obj, { depth: 6 })}`);
  }
  debug(obj: object, msg?: string) {
    this.#add('debug', obj, msg);
  }
  info(obj: object, msg?: string) {
    this.#add('info', obj, msg);
  }
  warn(obj: object, msg?: string) {
    this.#add('warn', obj, msg);
  }
  error(obj: object, msg?: string) {
    this.#add('error', obj, msg);
  }
}

const parseForm = (raw: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = k === 'blocks' || k === 'view' ? JSON.parse(v) : v;
  return out;
};

export interface Harness {
  url: string;
  app: App;
  mount: SlackMount;
  clock: ShiftedClock;
  logger: CapturingLogger;
  responseUrls: ResponseUrls;
  dataDir: string;
  api: ApiCall[];
  hooks: HookPost[];
  /** The next calls of `method` get these answers, in order. */
  failNext(method: string, ...answers: Override[]): void;
  failHooks(...answers: Override[]): void;
  command(user: string, command: string, text: string, extra?: { headers?: Record<string, string>; timestamp?: number; secret?: string; fields?: Record<string, string> }): Promise<{ res: Response; responseUrl: string; ms: number }>;
  click(user: string, value: string, where?: ClickWhere, payloadExtra?: Record<string, unknown>): Promise<{ res: Response; responseUrl: string; body: string }>;
  /** Submits a modal lockdesk opened (the view as views.open was given it) with `typed` in its text input. */
  submitView(user: string, view: Record<string, unknown>, typed: string, viewId?: string): Promise<Response>;
  /** Submits a modal with this `state` as Slack would send it (undefined: a payload without one), and its trigger id. */
  submitState(user: string, view: Record<string, unknown>, state: Record<string, unknown> | undefined, viewId?: string): Promise<{ res: Response; triggerId: string }>;
  postRaw(body: string, contentType: string, extra?: { headers?: Record<string, string>; timestamp?: number; secret?: string }): Promise<Response>;
  homeOpened(user: string, eventId?: string, teamId?: string): Promise<Response>;
  /**
   * Another lockdesk process on the same data directory: waits for the events' own work, then stops this one
   * without waiting for its follow-ups (its queue and memory are gone) and starts a new app, mount and server
   * with `env` added to the configuration. `app`, `mount`, `url` and `responseUrls` then name the new ones.
   */
  restart(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export type ClickWhere = { kind: 'ephemeral'; channel?: string } | { kind: 'dm'; channel: string; ts: string } | { kind: 'home' };

let counter = 0;

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lockdesk-slack-'));
  const policyFile = join(dataDir, 'policy.json');
  await writeFile(policyFile, JSON.stringify(POLICY));
  const configWith = (extra: Record<string, string>) =>
    loadConfig({
      LOCKDESK_DATA_DIR: join(dataDir, 'run'),
      LOCKDESK_POLICY: policyFile,
      LOCKDESK_SIM_SETTLE_MS: '150',
      LOCKDESK_POLL_INTERVAL_MS: '40',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: `${API_ORIGIN}/api/`,
      SLACK_AUDIT_CHANNEL: AUDIT_CHANNEL,
      SLACK_TEAM_ID: TEAM_ID,
      ...env,
      ...extra,
    });
  const logger = new CapturingLogger();
  const clock = new ShiftedClock();
  /** One lockdesk process: its app, its Slack mount (with its own response-URL budget) and its HTTP server. */
  const startProcess = async (extra: Record<string, string>) => {
    const app = await buildApp(configWith(extra), logger, { clock });
    const responseUrls = new ResponseUrls({ backoffMs: 10 });
    const mount = await slackMount(app, logger, { botId: 'B0LOCKDESK', botUserId: 'U0LOCKDESK', responseUrls, retries: 2 });
    const server: RunningServer = await startHttpServer({ host: '127.0.0.1', port: 0, routes: mount.routes, logger });
    return { app, responseUrls, mount, server };
  };
  let current = await startProcess({});

  const api: ApiCall[] = [];
  const hooks: HookPost[] = [];
  const overrides = new Map<string, Override[]>();
  const hookOverrides: Override[] = [];
  let ts = 1000;

  nock(API_ORIGIN)
    .persist()
    .post(/^\/api\/[\w.]+$/)
    .reply(async (req: Request) => {
      const { uri, body: raw } = await seen(req);
      const method = uri.replace('/api/', '');
      const body = typeof raw === 'string' ? parseForm(raw) : (raw as Record<string, unknown>);
      const call: ApiCall = { method, body };
      api.push(call);
      const override = overrides.get(method)?.shift();
      if (override) return [override.status, override.body ?? { ok: false, error: 'fail' }, override.headers ?? {}];
      switch (method) {
        case 'users.info': {
          const person = PEOPLE[String(body.user)];
          if (!person) return [200, { ok: false, error: 'user_not_found' }];
          return [200, { ok: true, user: { id: body.user, team_id: person.team ?? TEAM_ID, name: person.name, real_name: person.name, profile: { ...(person.email ? { email: person.email } : {}), display_name: person.name } } }];
        }
        case 'usergroups.users.list':
          return [200, { ok: true, users: GROUPS[String(body.usergroup)] ?? [] }];
        case 'users.lookupByEmail': {
          const id = Object.keys(PEOPLE).find((u) => PEOPLE[u]!.email?.toLowerCase() === String(body.email).toLowerCase());
          return id ? [200, { ok: true, user: { id, team_id: TEAM_ID, name: PEOPLE[id]!.name } }] : [200, { ok: false, error: 'users_not_found' }];
        }
        case 'chat.postMessage': {
          const channel = String(body.channel).startsWith('U') ? `D${String(body.channel).slice(1)}` : String(body.channel);
          call.posted = { channel, ts: `${++ts}.000100` };
          return [200, { ok: true, ...call.posted }];
        }
        case 'chat.postEphemeral':
          return [200, { ok: true, message_ts: `${++ts}.000200` }];
        default:
          return [200, { ok: true }];
      }
    });
  nock(HOOKS_ORIGIN)
    .persist()
    .post(/^\/(commands|actions)\//)
    .reply(async (req: Request) => {
      const { uri, body } = await seen(req);
      hooks.push({ path: uri, body: (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown> });
      const override = hookOverrides.shift();
      return override ? [override.status, (override.body as string) ?? 'error', override.headers ?? {}] : [200, 'ok'];
    });

  const sign = (body: string, timestamp: number, secret: string) => `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const postRaw: Harness['postRaw'] = (body, contentType, extra = {}) => {
    const timestamp = extra.timestamp ?? Math.floor(Date.now() / 1000);
    return fetch(`${current.server.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': sign(body, timestamp, extra.secret ?? SIGNING_SECRET), ...extra.headers },
      body,
    });
  };
  const form = 'application/x-www-form-urlencoded';
  const submitState: Harness['submitState'] = async (user, view, state, viewId = `V${++counter}`) => {
    const triggerId = `${++counter}.trigger`;
    const payload = {
      type: 'view_submission',
      team: { id: TEAM_ID, domain: 'contoso' },
      user: { id: user, username: user.toLowerCase(), team_id: TEAM_ID },
      api_app_id: 'A0LOCKDESK',
      token: 'legacy-verification-token',
      trigger_id: triggerId,
      view: { ...view, id: viewId, team_id: TEAM_ID, hash: 'h1', ...(state ? { state } : {}) },
    };
    return { res: await postRaw(`payload=${encodeURIComponent(JSON.stringify(payload))}`, form), triggerId };
  };

  return {
    get url() {
      return current.server.url;
    },
    get app() {
      return current.app;
    },
    get mount() {
      return current.mount;
    },
    clock,
    logger,
    get responseUrls() {
      return current.responseUrls;
    },
    dataDir,
    api,
    hooks,
    failNext: (method, ...answers) => overrides.set(method, [...(overrides.get(method) ?? []), ...answers]),
    failHooks: (...answers) => hookOverrides.push(...answers),
    async command(user, command, text, extra = {}) {
      const n = ++counter;
      const responseUrl = `${HOOKS_ORIGIN}/commands/T0CONTOSO/${n}/cmd${n}`;
      const body = new URLSearchParams({
        token: 'legacy-verification-token',
        team_id: 'T0CONTOSO',
        team_domain: 'contoso',
        channel_id: 'C0HELPDESK',
        channel_name: 'helpdesk',
        user_id: user,
        user_name: user.toLowerCase(),
        command,
        text,
        api_app_id: 'A0LOCKDESK',
        is_enterprise_install: 'false',
        response_url: responseUrl,
        trigger_id: `${n}.trigger`,
        ...extra.fields,
      }).toString();
      const started = performance.now();
      const res = await postRaw(body, form, extra);
      return { res, responseUrl, ms: performance.now() - started };
    },
    async click(user, value, where = { kind: 'ephemeral' }, payloadExtra = {}) {
      const n = ++counter;
      const responseUrl = `${HOOKS_ORIGIN}/actions/T0CONTOSO/${n}/act${n}`;
      const payload: Record<string, unknown> = {
        type: 'block_actions',
        user: { id: user, username: user.toLowerCase(), team_id: 'T0CONTOSO' },
        api_app_id: 'A0LOCKDESK',
        token: 'legacy-verification-token',
        trigger_id: `${n}.trigger`,
        team: { id: 'T0CONTOSO', domain: 'contoso' },
        actions: [{ type: 'button', action_id: 'lockdesk-0', block_id: 'b0', value, text: { type: 'plain_text', text: 'x' }, action_ts: `${1700000000 + n}.000${n}` }],
      };
      if (where.kind === 'ephemeral') {
        const channel = where.channel ?? 'C0HELPDESK';
        Object.assign(payload, { container: { type: 'message', message_ts: `${n}.0001`, channel_id: channel, is_ephemeral: true }, channel: { id: channel, name: 'helpdesk' }, response_url: responseUrl });
      } else if (where.kind === 'dm') {
        Object.assign(payload, { container: { type: 'message', message_ts: where.ts, channel_id: where.channel, is_ephemeral: false }, channel: { id: where.channel, name: 'directmessage' }, message: { ts: where.ts, text: 'x' }, response_url: responseUrl });
      } else {
        Object.assign(payload, { container: { type: 'view', view_id: 'V0HOME' }, view: { id: 'V0HOME', type: 'home' } });
      }
      const body = `payload=${encodeURIComponent(JSON.stringify({ ...payload, ...payloadExtra }))}`;
      return { res: await postRaw(body, form), responseUrl, body };
    },
    postRaw,
    async submitView(user, view, typed, viewId) {
      return (await submitState(user, view, { values: { typed: { value: { type: 'plain_text_input', value: typed } } } }, viewId)).res;
    },
    submitState,
    homeOpened(user, eventId = `Ev${++counter}`, teamId = TEAM_ID) {
      const body = JSON.stringify({
        token: 'legacy-verification-token',
        team_id: teamId,
        api_app_id: 'A0LOCKDESK',
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        event: { type: 'app_home_opened', user, channel: `D${user.slice(1)}`, tab: 'home', event_ts: `${Date.now() / 1000}` },
      });
      return postRaw(body, 'application/json');
    },
    async restart(extra = {}) {
      await current.mount.adapter.idle();
      await current.server.close();
      await current.app.close();
      current = await startProcess(extra);
    },
    async close() {
      const { mount, app, server } = current;
      await mount.adapter.idle();
      await app.handler.idle();
      await server.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `find` returns something (or fails after `timeoutMs`). */
export async function waitFor<T>(find: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

type SlackBlock = { type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<Record<string, unknown>>; accessory?: Record<string, unknown> };

/** Every button in a posted message, in order. */
export function buttonsIn(body: Record<string, unknown>): Array<{ text: string; value: string; style?: string; confirm?: Record<string, { text: string }> }> {
  const blocks = (body.blocks ?? (body.view as { blocks?: unknown })?.blocks ?? []) as SlackBlock[];
  return blocks.flatMap((b) => [...(b.accessory ? [b.accessory] : []), ...(b.type === 'actions' ? (b.elements ?? []) : [])]).map((e) => ({
    text: (e.text as { text: string }).text,
    value: e.value as string,
    ...(e.style ? { style: e.style as string } : {}),
    ...(e.confirm ? { confirm: e.confirm as Record<string, { text: string }> } : {}),
  }));
}

/** All the text of a posted message's blocks, for matching, with mrkdwn's escapes undone. */
export function textOf(body: Record<string, unknown>): string {
  const blocks = (body.blocks ?? (body.view as { blocks?: unknown })?.blocks ?? []) as SlackBlock[];
  const all = [String(body.text ?? ''), ...blocks.flatMap((b) => [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text), ...(b.type === 'context' ? (b.elements ?? []).map((e) => String(e.text)) : [])])].join('\n');
  return all.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
