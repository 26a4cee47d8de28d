// The Graph transport over node:http(s): what fetch used to do for the client, against a local HTTP server: the body
// sent with its length, compressed answers decoded, a timeout or a connection cut mid-answer is no answer at all.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphTransport } from '../../../src/backend/graph/transport.js';

describe('Graph transport', () => {
  let server: Server | undefined;
  const transport = new GraphTransport();
  afterEach(async () => {
    transport.close();
    server?.closeAllConnections();
    if (server) await new Promise((r) => server!.close(r));
    server = undefined;
  });

  async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => handler(req, body, res));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('sends the method, headers and body (with its length) and returns status, headers and text', async () => {
    let seen: { method?: string; auth?: string; length?: string; body?: string } = {};
    const base = await serve((req, body, res) => {
      seen = { method: req.method, auth: req.headers.authorization, length: req.headers['content-length'], body };
      res.writeHead(201, { 'content-type': 'application/json', 'request-id': 'req-1', 'retry-after': '2' }).end('{"ok":"Zoë"}');
    });
    const answer = await transport.exchange('POST', `${base}/v1.0/$batch`, { Authorization: 'Bearer t' }, '{"name":"Zoë"}', 5_000);
    expect(seen).toEqual({ method: 'POST', auth: 'Bearer t', length: String(Buffer.byteLength('{"name":"Zoë"}')), body: '{"name":"Zoë"}' });
    expect(answer.status).toBe(201);
    expect(answer.text).toBe('{"ok":"Zoë"}');
    expect(answer.headers.get('Request-Id')).toBe('req-1');
    expect(answer.headers.get('retry-after')).toBe('2');
    expect(answer.headers.get('x-missing')).toBeNull();
  });

  it('asks for compression and decodes a gzip answer; drops a byte-order mark', async () => {
    let accepted = '';
    const base = await serve((req, _body, res) => {
      accepted = String(req.headers['accept-encoding']);
      if (req.url === '/gz') res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('{"value":[1,2,3]}'));
      else res.writeHead(200).end('\uFEFF{"a":1}');
    });
    expect((await transport.exchange('GET', `${base}/gz`, {}, undefined, 5_000)).text).toBe('{"value":[1,2,3]}');
    expect(accepted).toContain('gzip');
    expect((await transport.exchange('GET', `${base}/bom`, {}, undefined, 5_000)).text).toBe('{"a":1}');
  });

  it('hands an answer over only after the other I/O that was ready in the same turn (a Slack request is not kept waiting)', async () => {
    let answer!: () => void;
    const requested = new Promise<void>((ready) => {
      void serve((_req, _body, res) => {
        answer = () => res.writeHead(200).end('{"value":[]}');
        ready();
      }).then((base) => void transport.exchange('GET', `${base}/v1.0/x`, {}, undefined, 5_000).then(() => order.push('graph answer')));
    });
    const order: string[] = [];
    // Another server, standing for the Slack endpoint, with a connection already open to it.
    const slack = createServer((_req, res) => {
      order.push('slack request');
      res.end();
    });
    slack.listen(0, '127.0.0.1');
    await once(slack, 'listening');
    const accepted = once(slack, 'connection');
    const client = connect((slack.address() as AddressInfo).port, '127.0.0.1');
    await Promise.all([once(client, 'connect'), accepted, requested]);
    // Both become ready while the loop is busy, as after a stall: the answer and a request arrive in the same turn.
    answer();
    client.write('POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    for (const until = Date.now() + 50; Date.now() < until; );
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual(['slack request', 'graph answer']);
    client.destroy();
    slack.closeAllConnections();
    await new Promise((r) => slack.close(r));
  });

  it('no answer within the timeout, or a connection cut mid-answer, rejects', async () => {
    const base = await serve((req, _body, res) => {
      if (req.url === '/slow') return; // never answers
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expect(transport.exchange('GET', `${base}/slow`, {}, undefined, 100)).rejects.toThrow(/no answer within 100 ms/);
    await expect(transport.exchange('GET', `${base}/cut`, {}, undefined, 5_000)).rejects.toThrow();
  });
});
