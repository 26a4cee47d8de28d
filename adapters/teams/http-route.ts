// POST /api/messages on lockdesk's plain node:http server: botbuilder wants an express-like request with a
// parsed body and a response with status/header/send/end; this is that shim, with a body size limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request as BotRequest, Response as BotResponse, TurnContext } from 'botbuilder';
import type { Logger } from '../../src/ports.js';
import type { Route } from '../../src/server/http-server.js';
import { SampledLog } from '../../src/server/sampled-log.js';
import { demoRefusal, parseActivity, tenantAllowed, type CheckedActivity } from './activity-check.js';

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

/** `finalStatus` may change the status botbuilder chose, just before it is sent. */
function responseShim(res: ServerResponse, finalStatus: (status: number) => number): BotResponse {
  let status = 200;
  let body: string | undefined;
  return {
    socket: res.socket,
    status(code: number) {
      status = code;
      return this;
    },
    header(name: string, value: unknown) {
      res.setHeader(name, String(value));
      return this;
    },
    send(payload: unknown) {
      if (payload === undefined || payload === null) return this;
      if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
        body = payload.toString();
        if (!res.hasHeader('content-type')) res.setHeader('content-type', 'text/plain; charset=utf-8');
      } else {
        body = JSON.stringify(payload);
        res.setHeader('content-type', 'application/json; charset=utf-8');
      }
      return this;
    },
    end() {
      const final = finalStatus(status);
      if (final !== status) body = JSON.stringify({ error: final === 403 ? 'forbidden' : final === 400 ? 'lockdesk does not handle this invoke' : 'unauthorized' });
      if (!res.headersSent) res.writeHead(final);
      res.end(body);
      return this;
    },
  };
}

/** botbuilder's CloudAdapter.process: authenticates the request, then runs `logic` for the activity. */
export type ProcessActivity = (req: BotRequest, res: BotResponse, logic: (ctx: TurnContext) => Promise<void>) => Promise<void>;

export interface MessagesRouteOptions {
  processActivity: ProcessActivity;
  logic: (ctx: TurnContext) => Promise<void>;
  /** false: the no-authentication demo mode, whose extra rules apply before anything else. */
  authenticated: boolean;
  /** The tenants served; empty: any (the demo without a configured tenant). */
  tenants: readonly string[];
  /** An authenticated activity from a tenant lockdesk does not serve: audited, answered 403. */
  onForeignTenant: (activity: CheckedActivity) => Promise<void>;
  logger: Logger;
}

const answer = (res: ServerResponse, status: number, error: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));

/**
 * The route. Before the SDK sees anything: the body must be a Bot Framework activity (400), and in the demo mode a
 * local client's request (403/415). After the SDK authenticated it: the tenant (403). botframework-connector 4.23
 * answers some invalid tokens (a bad signature, keys it cannot fetch) with 500 rather than 401: any failure before
 * the activity reached `logic` is an authentication failure, 401.
 */
export function messagesRoute(options: MessagesRouteOptions): Route {
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
      const headers = req.headers as Record<string, string | string[] | undefined>;
      // What cannot be a Bot Framework token is refused here, so the SDK (which prints what it rejects) never sees it.
      if (options.authenticated && !BEARER_JWT.test(String(headers.authorization ?? ''))) {
        refused.warn('auth-missing', 'Teams: refused a request without a Bot Framework token (answered 401)');
        answer(res, 401, 'unauthorized');
        return;
      }
      if (!options.authenticated) {
        const demo = demoRefusal(headers, parsed.activity);
        if (demo) {
          refused.warn(`demo-${demo.status}`, `Teams (demo mode, no authentication): refused a request because ${demo.reason}`, { status: demo.status });
          answer(res, demo.status, `refused: ${demo.reason}`);
          return;
        }
      }
      let reached = false;
      let foreign = false;
      const finalStatus = (status: number) => {
        if (foreign) return 403;
        // botbuilder answers 501 for an invoke no route handles (an unknown name, verb or command): bad input, 400.
        if (reached && status === 501) {
          refused.warn('invoke-501', 'Teams: an invoke lockdesk has no handler for (answered 400)');
          return 400;
        }
        if (reached || status < 500) {
          if (status === 401) refused.warn('auth-401', 'Teams: refused a request that failed authentication (answered 401)');
          return status;
        }
        refused.warn('auth-500', 'Teams: refused a request before it reached lockdesk (authentication failed); answered 401', { status });
        return 401;
      };
      await options.processActivity({ method: req.method ?? 'POST', headers, body }, responseShim(res, finalStatus), async (ctx) => {
        reached = true;
        if (!tenantAllowed(parsed.activity, options.tenants)) {
          foreign = true;
          await options.onForeignTenant(parsed.activity);
          return;
        }
        await options.logic(ctx);
      });
    },
  };
}
