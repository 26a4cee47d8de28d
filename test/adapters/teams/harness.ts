// Runs the real Teams SDK v2 application on lockdesk's HTTP server (loopback, any port) over the simulated tenant,
// with nock standing in for the Bot Connector at SERVICE_URL and recording everything the bot sends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CloudEnvironment } from '@microsoft/teams.api';
import nock from 'nock';
import { createTeamsMount } from '../../../adapters/teams/mount.js';
import type { TeamsBot } from '../../../adapters/teams/bot.js';
import { buildApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import type { Clock, Logger } from '../../../src/ports.js';
import { startHttpServer, type RunningServer } from '../../../src/server/http-server.js';
import { ShiftedClock } from '../../fakes/shifted-clock.js';
import { seen } from '../../fakes/nock-request.js';

/** The Bot Connector as a local Teams client (the Agents Playground) has it: on loopback, as the demo mode requires. */
export const SERVICE_URL = 'http://127.0.0.1:59981/';
/** Teams' own, for requests that carry a Bot Framework token (the bot sends its token only over https). */
export const AUTH_SERVICE_URL = 'https://smba.example.test/';
export const TENANT = 'tenant-contoso';
export const BOT = { id: '28:lockdesk-bot', name: 'lockdesk' };

export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
  email: string;
  /** The roster's home tenant, for a guest of another tenant. */
  tenantId?: string;
}
export const ALICE: TeamsUser = { id: '29:alice', name: 'Alice Smith', aadObjectId: '40e5033a-6a45-4dfc-9591-46507a0387db', email: 'alice@contoso.com' };
export const LEE: TeamsUser = { id: '29:lee', name: 'Lee (IT lead)', aadObjectId: 'aad-lee', email: 'lee@contoso.com' };
export const BOB: TeamsUser = { id: '29:bob', name: 'Bob Jones', aadObjectId: 'f7c99865-f6d1-4366-9e35-3885b951e68e', email: 'bob@contoso.com' };
/** Carol's roster entry has no email or UPN (a guest, say): lockdesk knows her by Entra object id only. */
export const CAROL: TeamsUser = { id: '29:carol', name: 'Carol Diaz', aadObjectId: '461c8da7-b91b-4205-9f64-feded1313fea', email: '' };
/** A guest from another tenant in a shared channel of ours; the roster gives them an email that is one of ours. */
export const GUEST: TeamsUser = { id: '29:guest', name: 'Ann (guest)', aadObjectId: 'c0ffee00-0000-4000-8000-00000000beef', email: 'alice@contoso.com', tenantId: '9f1e2d3c-4b5a-4697-8877-665544332211' };
const ROSTER = [ALICE, BOB, CAROL, GUEST];

export interface Sent {
  method: string;
  path: string;
  body: Record<string, any>;
  /** The Authorization header the bot sent along, if any. */
  authorization?: string;
  /** The id the connector gave back (the new activity's, or the new conversation's). */
  answeredId?: string;
}

/** Alice is helpdesk (a teams: selector); everyone else may act on their own devices. */
export const POLICY = {
  confirmTtlSeconds: 300,
  bulkConfirmAbove: 25,
  // Lee may confirm for others (the passcode still goes to whoever asked).
  approvers: ['teams:aad-lee'],
  roles: [
    { name: 'helpdesk', members: [`teams:${ALICE.aadObjectId}`], actions: ['lock', 'resetPasscode', 'enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound', 'signOut'], devices: 'any' },
    // Bob is in this Entra group in the demo tenant.
    { name: 'passcode-desk', members: ['aad-group:11111111-1111-1111-1111-111111111111'], actions: ['resetPasscode'], devices: 'any' },
    { name: 'everyone', members: ['*'], actions: ['lock', 'resetPasscode', 'enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound'], devices: 'own' },
  ],
};


export function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (obj: object, msg?: string) => void lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export interface Harness {
  url: string;
  app: App;
  bot: TeamsBot;
  clock: ShiftedClock;
  logger: ReturnType<typeof capturingLogger>;
  sent: Sent[];
  post(activity: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /**
   * Another lockdesk process on the same data directory: waits for the clicks' own work, then stops this one
   * without waiting for its follow-ups (its queue and private views are gone) and starts a new app, bot and
   * server with `env` added to the configuration. `app`, `bot` and `url` then name the new ones.
   */
  restart(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/**
 * `connector: false` leaves the Bot Connector alone (the Agents Playground plays it); `cloud` points the SDK at
 * other Bot Framework signing keys (a local key set, see bot-framework-keys.ts).
 */
export async function startHarness(
  env: Record<string, string> = {},
  options: { connector?: boolean; cloud?: CloudEnvironment; policy?: object; roster?: TeamsUser[] } = {},
): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lockdesk-teams-'));
  const policyFile = path.join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(options.policy ?? POLICY));
  const configWith = (extra: Record<string, string>) =>
    loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      LOCKDESK_DATA_DIR: path.join(dir, 'run'),
      LOCKDESK_POLICY: policyFile,
      LOCKDESK_SIM_SETTLE_MS: '150',
      LOCKDESK_POLL_INTERVAL_MS: '40',
      LOCKDESK_FOLLOW_UP_MINUTES: '1',
      LOG_LEVEL: 'silent',
      TEAMS_INVOKE_WAIT_MS: '1500',
      ...env,
      ...extra,
    });
  const logger = capturingLogger();
  const clock = new ShiftedClock();
  /** One lockdesk process: its app, its Teams bot (with its own private views) and its HTTP server. */
  const startProcess = async (extra: Record<string, string>) => {
    const app = await buildApp(configWith(extra), logger, { clock });
    const { mount, bot } = createTeamsMount(app, logger, options.cloud ? { cloud: options.cloud } : {});
    const server: RunningServer = await startHttpServer({ host: '127.0.0.1', port: 0, routes: mount.routes, logger });
    return { app, bot, server };
  };
  let current = await startProcess({});
  const sent = options.connector === false ? [] : recordConnector([...ROSTER, ...(options.roster ?? [])]);
  return {
    get url() {
      return current.server.url;
    },
    get app() {
      return current.app;
    },
    get bot() {
      return current.bot;
    },
    clock,
    logger,
    sent,
    async post(activity, headers = {}) {
      const res = await fetch(`${current.server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
      const text = await res.text();
      let body: any = text || undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // a plain-text answer
      }
      return { status: res.status, body };
    },
    async restart(extra = {}) {
      await current.bot.drain();
      await current.server.close();
      await current.app.close();
      current = await startProcess(extra);
    },
    async close() {
      const { bot, server, app } = current;
      await bot.idle();
      await server.close();
      await app.close();
      nock.cleanAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let nextId = 0;

/** The Bot Connector: records sends and updates, answers roster look-ups, opens 1:1 conversations. */
function recordConnector(roster: TeamsUser[]): Sent[] {
  const sent: Sent[] = [];
  const record = (method: string) =>
    async function (req: Request): Promise<[number, object]> {
      const { uri, body, headers } = await seen(req);
      const authorization = headers.get('authorization') ?? undefined;
      const id = method === 'POST' && /^\/v3\/conversations$/.test(uri) ? `dm-${++nextId}` : `activity-${++nextId}`;
      sent.push({ method, path: decodeURIComponent(uri), body: typeof body === 'string' ? JSON.parse(body) : body, ...(authorization ? { authorization } : {}), answeredId: id });
      return [200, { id }];
    };
  for (const url of [SERVICE_URL, AUTH_SERVICE_URL]) connectorAt(url, roster, record);
  return sent;
}

function connectorAt(url: string, roster: TeamsUser[], record: (method: string) => (req: Request) => Promise<[number, object]>): void {
  nock(url)
    .persist()
    .get(/\/v3\/conversations\/[^/]+\/members\/.+/)
    .reply(async (req: Request) => {
      const { uri } = await seen(req);
      const userId = decodeURIComponent(uri.split('/').pop()!);
      const user = roster.find((u) => u.id === userId);
      return user
        ? [200, { id: user.id, name: user.name, aadObjectId: user.aadObjectId, ...(user.email ? { email: user.email, userPrincipalName: user.email } : {}), ...(user.tenantId ? { tenantId: user.tenantId } : {}) }]
        : [404, { error: { code: 'MemberNotFoundInConversation' } }];
    })
    .post(/\/v3\/conversations.*/)
    .reply(record('POST'))
    .put(/\/v3\/conversations\/.+/)
    .reply(record('PUT'));
}

export type Where = { kind: 'personal'; id: string } | { kind: 'channel'; id: string };
export const personalOf = (user: TeamsUser): Where => ({ kind: 'personal', id: `a:personal-${user.id}` });
export const CHANNEL: Where = { kind: 'channel', id: '19:general@thread.tacv2' };

function base(from: TeamsUser, where: Where) {
  return {
    id: `in-${++nextId}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: BOT,
    conversation: { id: where.id, conversationType: where.kind, tenantId: TENANT, ...(where.kind === 'channel' ? { isGroup: true } : {}) },
    channelData: { tenant: { id: TENANT }, ...(where.kind === 'channel' ? { team: { id: '19:team@thread.tacv2' }, channel: { id: where.id } } : {}) },
  };
}

export function message(from: TeamsUser, text: string, where: Where = personalOf(from), entities: object[] = []) {
  return { ...base(from, where), type: 'message', text, textFormat: 'plain', entities };
}

export function click(from: TeamsUser, replyToId: string, data: object, where: Where = personalOf(from), verb = 'lockdesk.click') {
  return { ...base(from, where), type: 'invoke', name: 'adaptiveCard/action', replyToId, value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } };
}

/** The card of a recorded send. */
export const cardOf = (s: Sent): any => s.body.attachments?.[0]?.content;

/** Every Action.Execute in a card, wherever it sits. */
export function executeActions(card: any): Array<{ title: string; data: { value: string }; verb: string }> {
  const found: any[] = [];
  const walk = (node: any) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (node.type === 'Action.Execute') found.push(node);
      Object.values(node).forEach(walk);
    }
  };
  walk(card?.body);
  return found;
}

export const cardText = (card: unknown) => JSON.stringify(card);

export async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
