// POST /api/messages on lockdesk's plain node:http server: botbuilder wants an express-like request with a
// parsed body and a response with status/header/send/end; this is that shim, with a body size limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request as BotRequest, Response as BotResponse, TurnContext } from 'botbuilder';
import type { Route } from '../../src/server/http-server.js';

export const MESSAGES_PATH = '/api/messages';
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
      if (final !== status) body = JSON.stringify({ error: 'unauthorized' });
      if (!res.headersSent) res.writeHead(final);
      res.end(body);
      return this;
    },
  };
}

/** botbuilder's CloudAdapter.process: authenticates the request, then runs `logic` for the activity. */
export type ProcessActivity = (req: BotRequest, res: BotResponse, logic: (ctx: TurnContext) => Promise<void>) => Promise<void>;

/**
 * The route. botframework-connector 4.23 answers some invalid tokens (a bad signature, keys it cannot fetch)
 * with 500 rather than 401: any failure before the activity reached `logic` is an authentication failure, 401.
 */
export function messagesRoute(processActivity: ProcessActivity, logic: (ctx: TurnContext) => Promise<void>, onRejected: (status: number) => void): Route {
  return {
    method: 'POST',
    path: MESSAGES_PATH,
    async listener(req, res) {
      let body: Record<string, unknown>;
      try {
        body = await readJson(req);
      } catch (error) {
        const status = error instanceof BodyError ? error.status : 400;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
        return;
      }
      const headers = req.headers as Record<string, string | string[] | undefined>;
      let reached = false;
      const finalStatus = (status: number) => {
        if (reached || status < 500) return status;
        onRejected(status);
        return 401;
      };
      await processActivity({ method: req.method ?? 'POST', headers, body }, responseShim(res, finalStatus), async (ctx) => {
        reached = true;
        await logic(ctx);
      });
    },
  };
}
