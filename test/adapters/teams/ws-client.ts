// Just enough of a WebSocket client (RFC 6455) to listen to the Agents Playground's conversation stream:
// Node 20 has no global WebSocket, and the project has no WebSocket package of its own.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

export interface TextStream {
  messages: string[];
  close(): void;
}

export function listen(url: string): Promise<TextStream> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: hostname,
      port,
      path: pathname,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
    });
    req.on('error', reject);
    req.on('response', (res) => reject(new Error(`no WebSocket upgrade: HTTP ${res.statusCode}`)));
    req.on('upgrade', (_res, socket: Socket) => {
      const messages: string[] = [];
      let buffer = Buffer.alloc(0);
      let partial: Buffer[] = [];
      socket.on('data', (data: Buffer) => {
        buffer = Buffer.concat([buffer, data]);
        for (;;) {
          if (buffer.length < 2) return;
          const fin = (buffer[0]! & 0x80) !== 0;
          const opcode = buffer[0]! & 0x0f;
          let length = buffer[1]! & 0x7f;
          let offset = 2;
          if (length === 126) {
            if (buffer.length < 4) return;
            length = buffer.readUInt16BE(2);
            offset = 4;
          } else if (length === 127) {
            if (buffer.length < 10) return;
            length = Number(buffer.readBigUInt64BE(2));
            offset = 10;
          }
          if (buffer.length < offset + length) return;
          const payload = buffer.subarray(offset, offset + length);
          buffer = buffer.subarray(offset + length);
          if (opcode === 0x1 || opcode === 0x0) {
            partial.push(Buffer.from(payload));
            if (fin) {
              messages.push(Buffer.concat(partial).toString('utf8'));
              partial = [];
            }
          }
        }
      });
      socket.on('error', () => undefined);
      resolve({ messages, close: () => socket.destroy() });
    });
    req.end();
  });
}
