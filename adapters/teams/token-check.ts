// What lockdesk reads of a bearer token before the Teams SDK verifies it: its issuer, to refuse what Bot Framework
// did not issue, and the id of the key that signed it, to refuse a key Bot Framework does not publish. Nothing read
// here is believed; refusing on it grants nothing.
import type { Logger } from '../../src/ports.js';

/** One part (0: header, 1: payload) of a JWT as JSON, unverified; undefined when it does not decode. */
function partOf(jwt: string, index: 0 | 1): Record<string, unknown> | undefined {
  const part = jwt.split('.')[index];
  if (!part) return undefined;
  try {
    const json: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `iss` claim of a JWT, unverified; undefined when the token does not decode. */
export function issuerOf(jwt: string): string | undefined {
  const iss = partOf(jwt, 1)?.iss;
  return typeof iss === 'string' ? iss : undefined;
}

/** The `kid` of a JWT's header, unverified; undefined when it names none. */
export function keyIdOf(jwt: string): string | undefined {
  const kid = partOf(jwt, 0)?.kid;
  return typeof kid === 'string' && kid !== '' ? kid : undefined;
}

/** Bot Framework's key set, as the Teams SDK finds it from the cloud's OpenID metadata URL. */
export const keySetUrlOf = (openIdMetadataUrl: string) => openIdMetadataUrl.replace(/\/openidconfiguration$/, '/keys');

/** A key id lockdesk does not know makes it read the key set again, but not more often than this. */
export const KEY_SET_READ_AT_MOST_EVERY_MS = 60_000;
/** After a read that failed, the next may come sooner: before a first read succeeds, no token is served. */
export const KEY_SET_RETRY_AFTER_FAILURE_MS = 10_000;
const READ_TIMEOUT_MS = 10_000;

/**
 * The ids of the keys Bot Framework publishes. The SDK (jwks-rsa without a rate limit) fetches the whole key set for
 * every kid it does not know, so a token with a made-up kid would cost a request to Bot Framework each, as many at
 * once as anyone sends: such tokens are refused here, and the key set is read at most once a minute (a new key is
 * published well before Bot Framework signs with it). Only ids are kept: the SDK still verifies each signature.
 */
export class PublishedKeyIds {
  readonly #url: string;
  readonly #logger: Logger;
  readonly #now: () => number;
  #ids = new Set<string>();
  #readAt: number | undefined;
  #reading: Promise<void> | undefined;

  constructor(url: string, logger: Logger, now: () => number = Date.now) {
    this.#url = url;
    this.#logger = logger;
    this.#now = now;
  }

  /** Whether `kid` names a published key (reading the key set first if it does not and it may be read again). */
  async has(kid: string | undefined): Promise<boolean> {
    if (kid === undefined) return false;
    if (this.#ids.has(kid)) return true;
    if (!this.#reading && (this.#readAt === undefined || this.#now() - this.#readAt >= KEY_SET_READ_AT_MOST_EVERY_MS)) {
      this.#reading = this.#read().finally(() => {
        this.#reading = undefined;
      });
    }
    await this.#reading;
    return this.#ids.has(kid);
  }

  async #read(): Promise<void> {
    this.#readAt = this.#now();
    try {
      const res = await fetch(this.#url, { signal: AbortSignal.timeout(READ_TIMEOUT_MS), redirect: 'error' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { keys?: unknown };
      const ids = (Array.isArray(body?.keys) ? body.keys : []).map((k: { kid?: unknown } | null) => k?.kid).filter((k): k is string => typeof k === 'string' && k !== '');
      // An empty answer leaves the ids known so far: the SDK refuses a key that is really gone.
      if (ids.length > 0) this.#ids = new Set(ids);
    } catch (error) {
      this.#readAt -= KEY_SET_READ_AT_MOST_EVERY_MS - KEY_SET_RETRY_AFTER_FAILURE_MS;
      this.#logger.warn({ err: { message: String((error as Error)?.message ?? error).slice(0, 300) } }, "Teams: could not read Bot Framework's signing keys");
    }
  }
}
