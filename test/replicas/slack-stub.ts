// One local stand-in for everything Slack-side that several lockdesk processes talk to: the Web API (each replica
// gets its own path prefix through SLACK_API_URL, so a call says which replica made it) and the response URLs the
// test puts in its payloads. Everything listens on 127.0.0.1.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The workspace's people, as users.info tells them. */
export const PEOPLE: Record<string, { email: string; name: string }> = {
  U0GWEN: { email: 'gwen@contoso.com', name: 'Gwen (helpdesk)' },
  U0LEAD: { email: 'lead@contoso.com', name: 'Lee (IT lead)' },
};

export interface ApiCall {
  /** The replica whose SLACK_API_URL was used. */
  replica: string;
  method: string;
  body: Record<string, unknown>;
  at: number;
}

export interface HookPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface SlackStub {
  url: string;
  /** What a replica's SLACK_API_URL should be. */
  apiUrl(replica: string): string;
  /** A fresh response URL on this stub. */
  newResponseUrl(): { id: string; url: string };
  api: ApiCall[];
  hooks: HookPost[];
  close(): Promise<void>;
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = (k === 'blocks' || k === 'view') && v.startsWith('[') ? JSON.parse(v) : v;
  return out;
}

let ts = 1000;

function answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
  switch (method) {
    case 'auth.test':
      return { ok: true, url: 'https://contoso.slack.com/', team: 'Contoso', user: 'lockdesk', team_id: 'T0CONTOSO', user_id: 'U0LOCKDESK', bot_id: 'B0LOCKDESK' };
    case 'users.info': {
      const person = PEOPLE[String(body.user)];
      if (!person) return { ok: false, error: 'user_not_found' };
      return { ok: true, user: { id: body.user, name: person.name, real_name: person.name, profile: { email: person.email, display_name: person.name } } };
    }
    case 'usergroups.users.list':
      return { ok: true, users: [] };
    case 'chat.postMessage':
      return { ok: true, channel: body.channel, ts: `${++ts}.000100` };
    case 'chat.postEphemeral':
      return { ok: true, message_ts: `${++ts}.000200` };
    case 'chat.update':
      return { ok: true, channel: body.channel, ts: body.ts };
    default:
      return { ok: true };
  }
}

export async function startSlackStub(): Promise<SlackStub> {
  const api: ApiCall[] = [];
  const hooks: HookPost[] = [];
  let hookCount = 0;

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = parseBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const apiCall = /^\/([a-z]+)\/api\/([\w.]+)$/.exec(path);
    if (req.method === 'POST' && apiCall) {
      api.push({ replica: apiCall[1]!, method: apiCall[2]!, body, at: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(apiCall[2]!, body)));
      return;
    }
    const hook = /^\/hooks\/(\w+)$/.exec(path);
    if (req.method === 'POST' && hook) {
      hooks.push({ id: hook[1]!, body, at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    res.writeHead(404).end();
  };
  const server = createServer((req, res) => {
    serve(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiUrl: (replica) => `${url}/${replica}/api/`,
    newResponseUrl() {
      const id = `r${++hookCount}`;
      return { id, url: `${url}/hooks/${id}` };
    },
    api,
    hooks,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
