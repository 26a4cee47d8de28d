// POST /api/messages on lockdesk's plain node:http server: reads the body (with a size limit), applies lockdesk's
// own checks, hands `{ body, headers }` to the Teams SDK's handler (route-adapter.ts) and writes its answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IHttpServerRequest } from '@microsoft/teams.apps';
import type { Logger } from '../../src/ports.js';
import type { Route } from '../../src/server/http-server.js';
import { SampledLog } from '../../src/server/sampled-log.js';
import { demoRefusal, parseActivity, TEAMS_CHANNEL } from './activity-check.js';
import type { TeamsBot } from './bot.js';
import { issuerOf, keyIdOf, type PublishedKeyIds } from './token-check.js';

export const MESSAGES_PATH = '/api/messages';
const BEARER_JWT = /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_BODY_BYTES = 1024 * 1024;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // falls through
  }
  throw new BodyError(400, 'the body must be a JSON object (a Bot Framework activity)');
}

export interface MessagesRouteOptions {
  bot: Pick<TeamsBot, 'adapter' | 'ready' | 'reached'>;
  /** false: the no-authentication demo mode, whose extra rules apply before anything else. */
  authenticated: boolean;
  /** Bot Framework's token issuer (of the configured cloud): the only issuer lockdesk takes tokens from. */
  tokenIssuer: string;
  /** The ids of Bot Framework's published signing keys: with authentication, a token is refused without them. */
  signingKeys?: Pick<PublishedKeyIds, 'has'>;
  logger: Logger;
}

const answer = (res: ServerResponse, status: number, error: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));

/** The request's headers as the SDK takes them (no undefined values). */
function headersOf(req: IncomingMessage): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string | string[]] => e[1] !== undefined));
}

/**
 * The route. Before the SDK sees anything: the body must be a Bot Framework activity (400) of the Teams channel
 * (403); with authentication, it carries a token Bot Framework issued, signed by a key it publishes (401); in the demo mode, a local client's request (403/415), for which
 * lockdesk vouches to the SDK. The SDK checks the token (401); its first route, the tenant (403, bot.ts).
 */
export function messagesRoute(options: MessagesRouteOptions): Route {
  const { bot, authenticated } = options;
  // Anyone can send these: one line per kind a minute, never a stack.
  const refused = new SampledLog(options.logger, 60_000);
  return {
    method: 'POST',
    path: MESSAGES_PATH,
    async listener(req, res) {
      let body: Record<string, unknown>;
      try {
        body = await readJson(req);
      } catch (error) {
        const status = error instanceof BodyError ? error.status : 400;
        refused.warn(`body-${status}`, 'Teams: refused a body that is not a JSON object', { status });
        answer(res, status, error instanceof BodyError ? error.message : 'the body could not be read');
        return;
      }
      const parsed = parseActivity(body);
      if (!parsed.ok) {
        refused.warn('not-activity', 'Teams: refused a body that is not a Bot Framework activity (answered 400)', { problem: parsed.problem });
        answer(res, 400, 'the body is not a Bot Framework activity');
        return;
      }
      // Another channel of the bot's registration (Web Chat, Direct Line): its client names the user and tenant.
      if (parsed.activity.channelId !== TEAMS_CHANNEL) {
        refused.warn('not-teams', 'Teams: refused an activity of another Bot Framework channel (answered 403)');
        answer(res, 403, 'lockdesk serves Microsoft Teams only');
        return;
      }
      const headers = headersOf(req);
      const request: IHttpServerRequest = { body, headers };
      if (authenticated) {
        // What cannot be a Bot Framework token never reaches the SDK.
        const authorization = String(headers.authorization ?? '');
        if (!BEARER_JWT.test(authorization)) {
          refused.warn('auth-missing', 'Teams: refused a request without a Bot Framework token (answered 401)');
          answer(res, 401, 'unauthorized');
          return;
        }
        // The SDK also takes tokens Entra issued (for agentic identities), checked only against their own tenant:
        // any app of any tenant can get one for the bot's app id. lockdesk serves none, so only Bot Framework's.
        if (issuerOf(authorization.slice('Bearer '.length)) !== options.tokenIssuer) {
          refused.warn('auth-issuer', 'Teams: refused a token Bot Framework did not issue (answered 401)');
          answer(res, 401, 'unauthorized');
          return;
        }
        // A key Bot Framework does not publish: the SDK would fetch the whole key set to look for it, each time.
        if (!(await options.signingKeys?.has(keyIdOf(authorization.slice('Bearer '.length))))) {
          refused.warn('auth-key', 'Teams: refused a token signed with a key Bot Framework does not publish (answered 401)');
          answer(res, 401, 'unauthorized');
          return;
        }
      } else {
        const demo = demoRefusal(headers, parsed.activity);
        if (demo) {
          refused.warn(`demo-${demo.status}`, `Teams (demo mode, no authentication): refused a request because ${demo.reason}`, { status: demo.status });
          answer(res, demo.status, `refused: ${demo.reason}`);
          return;
        }
        Object.assign(request, { token: demoToken(parsed.activity.serviceUrl) });
      }
      await bot.ready;
      const result = await bot.adapter.handle(request);
      const status = result.status;
      if (status === 401) {
        refused.warn('auth-401', 'Teams: a Bot Framework token was refused (answered 401)');
        answer(res, 401, 'unauthorized');
        return;
      }
      // The SDK failed on the activity before any route of lockdesk's saw it (its router reads fields it assumes):
      // that is bad input, not a server error.
      if (status >= 500 && !bot.reached(body)) {
        refused.warn('sdk-unrouted', 'Teams: the SDK could not route an activity (answered 400)', { status });
        answer(res, 400, 'lockdesk does not handle this activity');
        return;
      }
      if (result.body === undefined || result.body === null) {
        res.writeHead(status).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(result.body));
    },
  };
}

/**
 * The demo mode's caller, as the SDK takes a transport's pre-authenticated one: nobody (no app id), replying to the
 * local service URL demoRefusal has accepted. The SDK's own option to skip authentication stays off.
 */
function demoToken(serviceUrl: string): NonNullable<IHttpServerRequest['token']> {
  return { appId: '', from: 'azure', fromId: '', serviceUrl, isExpired: () => false, toString: () => '' };
}
