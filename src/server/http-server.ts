// One HTTP server for lockdesk: /healthz now; the Slack and Teams adapters mount their routes on it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export async function startHttpServer(options: { host: string; port: number; routes: Route[]; onError: (err: unknown) => void }): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = options.routes.find((r) => r.path === pathname && r.method === req.method);
    if (!route) {
      const known = options.routes.some((r) => r.path === pathname);
      res.writeHead(known ? 405 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: known ? 'method not allowed' : 'not found' }));
      return;
    }
    Promise.resolve(route.listener(req, res)).catch((err) => {
      options.onError(err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal error' }));
    });
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function healthRoute(describe: () => Record<string, string>): Route {
  return {
    method: 'GET',
    path: '/healthz',
    listener: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', ...describe() }));
    },
  };
}
