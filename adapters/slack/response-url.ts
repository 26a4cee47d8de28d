// Posts to a Slack response URL, within its budget (5 posts in 30 minutes per URL), with a small retry of its own.
// The posted text is never logged: a response URL may carry a temporary passcode.
import { setTimeout as delay } from 'node:timers/promises';
import { ResponseUrlError } from './slack-errors.js';

export const RESPONSE_URL_POSTS = 5;
export const RESPONSE_URL_WINDOW_MS = 30 * 60_000;
const ATTEMPTS = 3;
const MAX_WAIT_MS = 5_000;
const MAX_TRACKED = 10_000;

export interface ResponseUrlOptions {
  now?: () => number;
  fetch?: typeof fetch;
  /** First retry delay; it doubles. */
  backoffMs?: number;
}

export class ResponseUrls {
  readonly #uses = new Map<string, number[]>();
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #backoffMs: number;

  constructor(options: ResponseUrlOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#backoffMs = options.backoffMs ?? 250;
  }

  /** Posts the URL still has in its 30-minute window. */
  remaining(url: string): number {
    return RESPONSE_URL_POSTS - this.#recent(url).length;
  }

  /**
   * Posts `body` when the budget allows and resolves true; resolves false, posting nothing, when it is spent.
   * Throws ResponseUrlError when Slack refuses or cannot be reached after the retries.
   */
  async post(url: string, body: Record<string, unknown>): Promise<boolean> {
    const recent = this.#recent(url);
    if (recent.length >= RESPONSE_URL_POSTS) return false;
    // Reserved before sending: a post Slack may have received counts, so the budget is never overrun.
    recent.push(this.#now());
    this.#uses.set(url, recent);
    this.#trim();
    const payload = JSON.stringify(body);
    let lastCode = 'network';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      let wait = this.#backoffMs * 2 ** (attempt - 1);
      try {
        const response = await this.#fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload, redirect: 'error' });
        const text = await response.text();
        if (response.ok) {
          const refused = refusal(text);
          if (!refused) return true;
          throw new ResponseUrlError(refused, `the response URL refused the post (${refused})`);
        }
        lastCode = response.status === 429 ? 'ratelimited' : `http_${response.status}`;
        if (response.status === 429) wait = Math.max(wait, Number(response.headers.get('retry-after') ?? 0) * 1000);
        else if (response.status < 500) throw new ResponseUrlError(refusal(text) ?? lastCode, `the response URL refused the post (HTTP ${response.status})`);
      } catch (error) {
        if (error instanceof ResponseUrlError) throw error;
        lastCode = 'network';
      }
      if (attempt < ATTEMPTS) await delay(Math.min(wait, MAX_WAIT_MS));
    }
    throw new ResponseUrlError(lastCode, `the response URL post failed after ${ATTEMPTS} attempts (${lastCode})`);
  }

  #recent(url: string): number[] {
    const since = this.#now() - RESPONSE_URL_WINDOW_MS;
    return (this.#uses.get(url) ?? []).filter((t) => t > since);
  }

  #trim(): void {
    if (this.#uses.size <= MAX_TRACKED) return;
    const oldest = this.#uses.keys().next().value;
    if (oldest !== undefined) this.#uses.delete(oldest);
  }
}

/** Slack answers some refusals with 200 and {"ok":false,"error":"…"}; others with a bare error word. */
function refusal(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'ok') return undefined;
  try {
    const parsed = JSON.parse(trimmed) as { ok?: boolean; error?: string };
    return parsed.ok === false ? (parsed.error ?? 'refused') : undefined;
  } catch {
    return /^[a-z_]+$/.test(trimmed) ? trimmed : undefined;
  }
}
