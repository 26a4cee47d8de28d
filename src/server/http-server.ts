// One HTTP server for lockdesk: /healthz, and the routes the Slack and Teams adapters mount on it. Anything a route
// does not understand, or that fails, is answered here; no request, however malformed, can stop the process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../ports.js';
import { SampledLog } from './sampled-log.js';

export type RouteListener = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  listener: RouteListener;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  routes: Route[];
  logger: Logger;
}

/**
 * The path of an origin-form request target ("/slack/events?x=1" → "/slack/events"), or undefined for anything
 * else: an absolute-form URL, "*", a backslash, a path that does not start with a single slash. Routes are matched
 * on this exact string, so nothing here needs a URL parser that could throw.
 */
export function routePath(target: string | undefined): string | undefined {
  if (!target || target.length > 8192 || !target.startsWith('/') || target.startsWith('//')) return undefined;
  const path = target.split(/[?#]/, 1)[0]!;
  return path.includes('\\') ? undefined : path;
}

const json = (res: ServerResponse, status: number, body: object) => {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  // Anyone can send these, so they are logged at most once a minute each (with a count), never with a stack.
  const refused = new SampledLog(options.logger, 60_000);
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const path = routePath(req.url);
    if (path === undefined) {
      refused.warn('bad-target', 'refused a request whose target is not a plain path (answered 400)');
      json(res, 400, { error: 'bad request' });
      return;
    }
    const route = options.routes.find((r) => r.path === path && r.method === req.method);
    if (!route) {
      const known = options.routes.some((r) => r.path === path);
      json(res, known ? 405 : 404, { error: known ? 'method not allowed' : 'not found' });
      return;
    }
    const failed = (err: unknown) => {
      options.logger.error({ err: { message: (err as Error)?.message ?? String(err) }, path }, 'an HTTP route failed');
      json(res, 500, { error: 'internal error' });
    };
    try {
      Promise.resolve(route.listener(req, res)).catch(failed);
    } catch (err) {
      failed(err);
    }
  };
  const server = createServer((req, res) => {
    // The last line of defence: whatever the request, the process goes on.
    try {
      serve(req, res);
    } catch (err) {
      options.logger.error({ err: { message: (err as Error)?.message ?? String(err) } }, 'an HTTP request could not be handled');
      json(res, 400, { error: 'bad request' });
    }
  });
  // A request Node's parser refuses (a header that does not parse, a bad request line) never reaches `serve`.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    refused.warn(`client-${err.code ?? 'error'}`, 'refused a request that does not parse as HTTP (answered 400)');
    // As Node itself does without a listener: answer unless a response has already started on this socket.
    const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (err.code !== 'ECONNRESET' && socket.writable && !started) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

export function healthRoute(describe: () => Record<string, unknown>): Route {
  return {
    method: 'GET',
    path: '/healthz',
    listener: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', node: process.versions.node, ...describe() }));
    },
  };
}
