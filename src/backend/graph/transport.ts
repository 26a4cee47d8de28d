// One HTTP exchange with Graph over node:https (or node:http) and a keep-alive agent. Node's fetch did the same with about twice
// the CPU per request (web streams for both bodies, an AbortSignal, Request and Headers objects): 0.8 ms against
// 0.35 ms for a $batch here, and lockdesk sends hundreds of Graph requests a second under load, in slices of the
// event loop that every Slack ack has to wait behind.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** What http.ts reads of an answer's headers. */
export interface GraphHeaders {
  get(name: string): string | null;
}

export interface RawAnswer {
  status: number;
  headers: GraphHeaders;
  /** The body as text (decompressed, UTF-8). */
  text: string;
}

const DECODERS: Record<string, (b: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

export function headersOf(raw: IncomingHttpHeaders): GraphHeaders {
  return {
    get(name) {
      const value = raw[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

export class GraphTransport {
  readonly #https = new https.Agent({ keepAlive: true });
  /** GRAPH_BASE_URL may be plain http (a local gateway, a test double). */
  readonly #http = new http.Agent({ keepAlive: true });

  /**
   * Sends the request and reads the whole answer, within `timeoutMs` for all of it; rejects when there is no
   * complete answer (a timeout, a refused or dropped connection), as fetch did.
   */
  exchange(method: string, url: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<RawAnswer> {
    return new Promise<RawAnswer>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
      const secure = url.startsWith('https:');
      const req = (secure ? https : http).request(url, {
        method,
        agent: secure ? this.#https : this.#http,
        headers: { 'Accept-Encoding': 'gzip, deflate, br', ...headers, ...(payload ? { 'Content-Length': String(payload.length) } : {}) },
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        let ended = false;
        res.on('error', fail);
        res.on('close', () => {
          if (!ended) fail(new Error('the connection closed before the answer was complete'));
        });
        res.on('end', () => {
          ended = true;
          clearTimeout(timer);
          const raw = Buffer.concat(chunks);
          const decode = DECODERS[String(res.headers['content-encoding'] ?? '').trim().toLowerCase()];
          (decode ? decode(raw) : Promise.resolve(raw)).then((bytes) => {
            const text = bytes.toString('utf8');
            const answer: RawAnswer = { status: res.statusCode ?? 0, headers: headersOf(res.headers), text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
            // Handed over after this turn's I/O (setImmediate, not a microtask): when answers and Slack requests
            // are ready together (a burst, a stall of the process), every ack goes out before the parsing of the
            // answers and the work they resume.
            setImmediate(resolve, answer);
          }, reject);
        });
      });
      req.end(payload);
    });
  }

  close(): void {
    this.#https.destroy();
    this.#http.destroy();
  }
}
