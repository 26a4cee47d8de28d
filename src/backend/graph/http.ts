// Graph over node:https (transport.ts): bearer token (one refresh and retry on 401), a timeout per attempt, retries of
// 429/503/504 and lost connections after Retry-After or capped exponential backoff within a total deadline, and
// the write limiter. Reads retry on their own; an action POST asks for no retry and settles its outcome itself.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { Clock, Logger } from '../../ports.js';
import type { TokenSource } from './auth.js';
import { errorCodeOf, lostError, requestIdOf, translateGraphError, type CallKind } from './graph-errors.js';
import { backoffMs, parseRetryAfter, RETRYABLE } from './retry.js';
import type { GraphSettings } from './settings.js';
import { GraphTransport, type GraphHeaders } from './transport.js';
import type { WriteBudget, WriteTicket } from './write-budget.js';

export interface GraphResponse {
  status: number;
  headers: GraphHeaders;
  body: unknown;
  requestId?: string;
}

/** One HTTP attempt as it ended, for metrics: its status, or "lost" (a timeout, a dropped connection). */
export interface GraphAttempt {
  kind: CallKind;
  status: number | 'lost';
  seconds: number;
}
export type GraphObserver = (attempt: GraphAttempt) => void;

/** One exchange: an answer (any status), none at all (a timeout or a dropped connection), or not sent (the gate). */
export type Exchange = { kind: 'response'; response: GraphResponse } | { kind: 'lost'; cause: unknown } | { kind: 'withheld' };

export interface CallOptions {
  kind: CallKind;
  /** A few words for logs and error messages: "look-up by name", "remoteLock". */
  what: string;
  body?: unknown;
  /** How many writes this call counts against the limiter (0 for reads; each $batch item counts). */
  writes?: number;
  /** Retry 429/503/504 and lost exchanges here (default true). */
  retry?: boolean;
  /** Epoch ms after which no further attempt starts (default: now + deadlineMs). */
  deadlineAt?: number;
  /** Asked just before the request leaves, after any wait: false withholds it (nothing is sent). */
  gate?: () => boolean;
  /** The permission a 403 names, when the call needs another than its kind's (see translateGraphError). */
  permission?: string;
}

export class GraphHttp {
  readonly #settings: GraphSettings;
  readonly #tokens: TokenSource;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #budget: WriteBudget;
  readonly #origin: string;
  readonly #observe: GraphObserver | undefined;
  readonly #transport = new GraphTransport();
  /** Requests sent (every attempt), for the bench and doctor. */
  requests = 0;

  constructor(settings: GraphSettings, tokens: TokenSource, clock: Clock, logger: Logger, budget: WriteBudget, observe?: GraphObserver) {
    this.#settings = settings;
    this.#tokens = tokens;
    this.#clock = clock;
    this.#logger = logger;
    this.#budget = budget;
    this.#origin = new URL(settings.graphBaseUrl).origin;
    this.#observe = observe;
  }

  /** An absolute URL for a path such as /v1.0/…; an absolute URL (a nextLink) must stay on the Graph host. */
  url(pathOrUrl: string): string {
    if (!/^https?:\/\//i.test(pathOrUrl)) return `${this.#settings.graphBaseUrl}${pathOrUrl}`;
    if (new URL(pathOrUrl).origin !== this.#origin) throw new Error(`Graph returned a link to another host (${new URL(pathOrUrl).host}); it is not followed`);
    return pathOrUrl;
  }

  /** Sends and returns the final exchange, after retries when asked; never throws for an HTTP status. */
  async send(method: string, pathOrUrl: string, options: CallOptions): Promise<Exchange> {
    const url = this.url(pathOrUrl);
    const deadlineAt = options.deadlineAt ?? this.#clock.now().getTime() + this.#settings.deadlineMs;
    for (let attempt = 0; ; attempt++) {
      const exchange = await this.#withToken(method, url, options);
      if (exchange.kind === 'withheld') return exchange;
      const status = exchange.kind === 'response' ? exchange.response.status : undefined;
      if (options.retry === false || (status !== undefined && !RETRYABLE.has(status))) return exchange;
      const now = this.#clock.now().getTime();
      const waitMs = (exchange.kind === 'response' ? this.retryAfterOf(exchange.response) : undefined) ?? backoffMs(attempt, this.#settings.retryBaseMs, this.#settings.retryCapMs);
      if (now + waitMs > deadlineAt) {
        this.#logger.warn({ method, what: options.what, status: status ?? 'no answer', attempts: attempt + 1 }, 'Graph call gave up at its deadline');
        return exchange;
      }
      this.#logger.info({ method, what: options.what, status: status ?? 'no answer', waitMs, attempt: attempt + 1 }, 'Graph call will be retried');
      await this.#clock.sleep(waitMs);
    }
  }

  /** Sends (with retries) and returns a 2xx answer; anything else becomes a LockdeskError. */
  async call(method: string, pathOrUrl: string, options: CallOptions): Promise<GraphResponse> {
    const exchange = await this.send(method, pathOrUrl, options);
    if (exchange.kind === 'withheld') throw new LockdeskError(ERROR_CODES.NOT_SENT, `Graph ${options.what}: withheld before it was sent`);
    if (exchange.kind === 'lost') throw lostError(options.what, exchange.cause);
    const { response } = exchange;
    if (response.status >= 200 && response.status < 300) return response;
    throw translateGraphError(
      { status: response.status, requestId: response.requestId, code: errorCodeOf(response.body), retryAfterMs: this.retryAfterOf(response) },
      options.kind,
      options.what,
      options.permission,
    );
  }

  /**
   * Waits before a throttled $batch item is asked again: its Retry-After (a header of the item, in any case),
   * else the backoff of this attempt.
   */
  async waitForItem(attempt: number, headers: Record<string, unknown> | undefined): Promise<void> {
    const hinted = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
    const waitMs = (typeof hinted === 'string' ? parseRetryAfter(hinted, this.#clock.now().getTime()) : undefined) ?? backoffMs(attempt, this.#settings.retryBaseMs, this.#settings.retryCapMs);
    await this.#clock.sleep(waitMs);
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.#transport.close();
  }

  retryAfterOf(response: GraphResponse): number | undefined {
    return parseRetryAfter(response.headers.get('retry-after'), this.#clock.now().getTime());
  }

  /** One attempt; on 401 one fresh token and one more attempt (a 401 means Graph did nothing). */
  async #withToken(method: string, url: string, options: CallOptions): Promise<Exchange> {
    let exchange = await this.#attempt(method, url, options, await this.#tokens.getToken());
    if (exchange.kind === 'response' && exchange.response.status === 401) {
      // A 401 means Graph did nothing; the retry is a new send, so it passes the gate again.
      this.#logger.info({ method, what: options.what, requestId: exchange.response.requestId }, 'Graph refused the token; getting a fresh one');
      exchange = await this.#attempt(method, url, options, await this.#tokens.getToken({ fresh: true }));
    }
    return exchange;
  }

  async #attempt(method: string, url: string, options: CallOptions, token: string): Promise<Exchange> {
    const writes = options.writes ?? 0;
    const ticket = writes > 0 ? await this.#reserve(writes) : undefined;
    if (options.gate && !options.gate()) {
      ticket?.unsent();
      return { kind: 'withheld' };
    }
    this.requests += 1;
    const started = performance.now();
    try {
      const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
      if (options.body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await this.#transport.exchange(method, url, headers, options.body === undefined ? undefined : JSON.stringify(options.body), this.#settings.requestTimeoutMs);
      const text = res.text;
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const requestId = requestIdOf(res.headers, body);
      const response: GraphResponse = { status: res.status, headers: res.headers, body, ...(requestId ? { requestId } : {}) };
      this.#logger.debug({ method, what: options.what, status: res.status, requestId }, 'Graph answered');
      this.#observed(options.kind, res.status, started);
      return { kind: 'response', response };
    } catch (cause) {
      this.#logger.warn({ method, what: options.what, error: (cause as Error)?.message }, 'Graph did not answer');
      this.#observed(options.kind, 'lost', started);
      return { kind: 'lost', cause };
    } finally {
      ticket?.sent();
    }
  }

  /** A reservation still good at this moment: the request leaves right after, with nothing awaited in between. */
  async #reserve(writes: number): Promise<WriteTicket> {
    for (;;) {
      const ticket = await this.#budget.acquire(writes);
      if (ticket.usable()) return ticket;
      ticket.unsent();
    }
  }

  /** Metrics must never fail or change a Graph call. */
  #observed(kind: CallKind, status: number | 'lost', started: number): void {
    try {
      this.#observe?.({ kind, status, seconds: (performance.now() - started) / 1000 });
    } catch {
      // ignored: see above
    }
  }
}
