// A minimal fetch-like HTTPS client that trusts one CA, for tests that talk to the fake in-process (Node 20's
// fetch cannot be given a CA, and NODE_EXTRA_CA_CERTS is only read when a process starts).
import { request } from 'node:https';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface WireRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export function httpsFetch(url: string, ca: string, init: WireRequest = {}): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
