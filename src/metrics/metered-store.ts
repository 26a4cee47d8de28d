// A store that counts, around the real one: each audit event once it is stored (by event, outcome, action and
// platform: the core audits every request, confirmation, click, dispatch and follow-up, so this is where they are
// counted without touching the core), and each store call that fails, by operation and error code.
import type { Store } from '../ports.js';
import type { StoreOperation } from './labels.js';
import type { Metrics } from './metrics.js';

export function meteredStore(store: Store, metrics: Pick<Metrics, 'audit' | 'storeError'>): Store {
  const counted =
    <A extends unknown[], R>(operation: StoreOperation, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        metrics.storeError(operation, error);
        throw error;
      }
    };
  const { confirmations: c, dispatches: d, audit: a } = store;
  const append = counted('audit.append', (event: Parameters<Store['audit']['append']>[0]) => a.append(event));
  return {
    confirmations: {
      create: counted('confirmations.create', (confirmation) => c.create(confirmation)),
      get: counted('confirmations.get', (id) => c.get(id)),
      resolve: counted('confirmations.resolve', (id, to, by, choice, now) => c.resolve(id, to, by, choice, now)),
      listExpired: counted('confirmations.listExpired', (now) => c.listExpired(now)),
    },
    // Approvals are few (a person's request each); their calls are not metered one by one.
    approvals: store.approvals,
    dispatches: {
      recordIntent: counted('dispatches.recordIntent', (record) => d.recordIntent(record)),
      transition: counted('dispatches.transition', (id, from, patch) => d.transition(id, from, patch)),
      get: counted('dispatches.get', (id) => d.get(id)),
      listOpen: counted('dispatches.listOpen', () => d.listOpen()),
    },
    audit: {
      async append(event) {
        await append(event);
        // Counted once stored (one the store refused did not happen, as far as the trail knows); a metric never
        // fails the action that was audited.
        try {
          metrics.audit(event);
        } catch {
          // ignored: see above
        }
      },
      read: (options) => a.read(options),
    },
    limits: { take: counted('limits.take', (buckets, now) => store.limits.take(buckets, now)) },
    pause: {
      get: counted('pause.get', () => store.pause.get()),
      pause: counted('pause.pause', (state) => store.pause.pause(state)),
      resume: counted('pause.resume', () => store.pause.resume()),
    },
    close: () => store.close(),
  };
}
