// Telling the requester from an approver (or from whoever the rate limit counts): two identities are two people
// only when the Entra object ids behind them differ. Teams vouches for its user's object id; an email (Slack, the
// terminal) is resolved to the one user who has it as UPN, mail or proxy address. When that cannot be done the
// answer is "unknown", and an approval is refused: the approver may be the requester under a second address.
import { samePerson } from './approval-policy.js';
import type { CoreDeps } from './deps.js';
import { toLockdeskError } from './errors.js';
import type { ActorRef } from './types.js';

export const IDENTITY_CACHE_MS = 5 * 60_000;
const MAX_CACHED = 10_000;

type Person = Pick<ActorRef, 'platform' | 'id' | 'email' | 'aadObjectId'>;
type Cached = { at: number; id: Promise<string | undefined> };

// By the handler's store, which every request of one handler shares (each request gets its own copy of the deps).
const cacheByStore = new WeakMap<object, Map<string, Cached>>();

/** The Entra object id of a person: the one Teams vouched for, else the one their email resolves to. */
export async function entraIdOf(deps: CoreDeps, person: Person): Promise<string | undefined> {
  if (person.aadObjectId) return person.aadObjectId.toLowerCase();
  const address = person.email?.trim().toLowerCase();
  if (!address || !deps.identities) return undefined;
  let cache = cacheByStore.get(deps.store);
  if (!cache) cacheByStore.set(deps.store, (cache = new Map()));
  const now = deps.clock.now().getTime();
  const hit = cache.get(address);
  if (hit && now - hit.at < IDENTITY_CACHE_MS) return hit.id;
  const id = deps.identities.entraIdOf(address).then((found) => found?.toLowerCase());
  cache.set(address, { at: now, id });
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  try {
    return await id;
  } catch (error) {
    // Not remembered: the next question asks again.
    if (cache.get(address)?.id === id) cache.delete(address);
    deps.logger.warn({ code: toLockdeskError(error).code }, 'could not resolve an address to an Entra user; the person cannot be told apart');
    return undefined;
  }
}

/** "same", "different", or "unknown" when lockdesk cannot tell (then no one may decide for the other). */
export async function whoIs(deps: CoreDeps, a: Person, b: Person): Promise<'same' | 'different' | 'unknown'> {
  const quick = samePerson(a, b);
  if (quick !== 'unknown') return quick;
  const [ia, ib] = await Promise.all([entraIdOf(deps, a), entraIdOf(deps, b)]);
  if (!ia || !ib) return 'unknown';
  return ia === ib ? 'same' : 'different';
}
