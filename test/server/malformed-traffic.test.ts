// Hostile and broken HTTP against a real `npm start` process: request lines and headers that do not parse, URLs no
// route understands, Teams bodies that are not activities. Each gets a 4xx, the process goes on serving, and the
// log holds no error line (nor a stack) per request: anyone can send these.
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, collect, startTsx, type ProcessResult } from '../console/run-console.js';

let dir: string;
let child: ChildProcess;
let exited: Promise<ProcessResult>;
let base: URL;
let slack: Server;
const SIGNING_SECRET = 'malformed-traffic-secret';

/** Sends raw bytes and resolves with the status line's code (0 when the server closed without an answer). */
function raw(bytes: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(base.port), base.hostname);
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(bytes.slice(0, 60))}`));
    });
    socket.end(Buffer.from(bytes, 'latin1'));
  });
}

const request = (line: string, headers: string[] = [], body = '') =>
  raw(`${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`);

const teams = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(new URL('/api/messages', base), { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, text: await r.text() }));

/** A correctly signed Slack request: only Slack could send it, and it must still not stop the process. */
const signedSlack = (body: string, contentType: string) => {
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(new URL('/slack/events', base), { method: 'POST', headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature }, body }).then((r) => r.status);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lockdesk-malformed-'));
  slack = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, team_id: 'T0CONTOSO', user_id: 'U0LOCKDESK', bot_id: 'B0LOCKDESK' }));
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  const slackEnv = { SLACK_BOT_TOKEN: 'xoxb-malformed', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/` };
  child = startTsx('src/main.ts', [], childEnv(dir, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...slackEnv }), 'ignore');
  exited = collect(child);
  const banner = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (/no terminal attached/.test(seen)) resolve(seen);
    });
    void exited.then((r) => reject(new Error(`exited early:\n${r.stdout}\n${r.stderr}`)));
  });
  base = new URL(/lockdesk is running on (http:\/\/[^\s]+) /.exec(banner)![1]!);
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGTERM');
  await exited;
  await new Promise<void>((resolve) => slack.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('malformed traffic against npm start', () => {
  it('request targets no route understands get 400 or 404, never an answerless crash', async () => {
    const answers = {
      'GET //': await request('GET // HTTP/1.1'),
      'GET /\\': await request('GET /\\ HTTP/1.1'),
      'GET //evil.example/healthz': await request('GET //evil.example/healthz HTTP/1.1'),
      'absolute-form that does not parse': await request('GET http://[::1 HTTP/1.1'),
      'absolute-form': await request('GET http://example.com/healthz HTTP/1.1'),
      'asterisk-form': await request('OPTIONS * HTTP/1.1'),
      'percent garbage': await request('GET /%E0%A4%A HTTP/1.1'),
      'unknown path': await request('GET /nothing-here HTTP/1.1'),
      'wrong method': await request('DELETE /healthz HTTP/1.1'),
    };
    for (const [what, status] of Object.entries(answers)) expect([400, 404, 405], what).toContain(status);
    expect(answers['unknown path']).toBe(404);
    expect(answers['wrong method']).toBe(405);
    expect(answers['GET //']).toBe(400);
  });

  it('headers and request lines that do not parse get 400', async () => {
    const answers = [
      await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n'),
      await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'),
      await raw('POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello'),
      await raw('POST /api/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'),
      await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n'),
      await raw('NOT-HTTP\r\n\r\n'),
      await raw(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
    ];
    for (const status of answers) expect([400, 414, 431]).toContain(status);
  });

  it('Teams bodies that are not activities get 400, never 500', async () => {
    const answers = [
      await teams('[1,2'),
      await teams('null'),
      await teams('[]'),
      await teams('{}'),
      await teams('{"type":"message"}'),
      await teams('{"type":"message","text":"lock me","from":{},"conversation":{}}'),
      await teams('{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"verb":"lockdesk.click"}}}'),
      await teams(JSON.stringify({ type: 'message', text: 'help', from: { id: 42 }, conversation: { id: ['x'] }, serviceUrl: { href: 'x' } })),
      await teams('{"type":"message","text":"\\ud800","from":{"id":"\\u0000"},"conversation":{"id":"c"},"serviceUrl":"http://127.0.0.1:1/"}'),
    ];
    for (const { status, text } of answers) {
      expect(status, text).toBeGreaterThanOrEqual(400);
      expect(status, text).toBeLessThan(500);
    }
  });

  it('Slack bodies that are not Slack payloads get 4xx, even correctly signed (payload=null stopped the process)', async () => {
    const form = 'application/x-www-form-urlencoded';
    expect(await signedSlack('payload=null', form)).toBe(400);
    expect(await signedSlack('payload=not-json', form)).toBe(400);
    expect(await signedSlack('null', 'application/json')).toBe(400);
    expect(await signedSlack('[1]', 'application/json')).toBe(400);
    expect(await signedSlack('x'.repeat(100), 'text/plain')).toBe(400);
    // Unsigned: 401, whatever the body.
    const unsigned = await fetch(new URL('/slack/events', base), { method: 'POST', headers: { 'content-type': form }, body: 'payload=null' });
    expect(unsigned.status).toBe(401);
  });

  it('is still serving afterwards, and logged no error line or stack for any of it', async () => {
    const health = await fetch(new URL('/healthz', base));
    expect(health.status).toBe(200);
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    const result = await exited;
    const lines = result.stderr.split('\n').filter(Boolean);
    const errors = lines.filter((l) => /"level":(50|60)/.test(l));
    expect(errors, result.stderr).toEqual([]);
    expect(result.stderr).not.toMatch(/"stack"|\n\s+at /);
    // Sampled: a burst of refusals costs a few lines, not one each.
    expect(lines.length, result.stderr).toBeLessThan(12);
  });
});
