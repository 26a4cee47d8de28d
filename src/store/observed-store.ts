// Lets others hear of each audit event once it is stored (Slack's audit channel), without the core knowing.
import type { AuditEvent } from '../core/index.js';
import type { Logger, Store } from '../ports.js';

export type AuditListener = (event: AuditEvent) => void | Promise<void>;

export interface ObservedStore extends Store {
  onAudit(listener: AuditListener): void;
}

export function observeAudit(store: Store, logger: Logger): ObservedStore {
  const listeners: AuditListener[] = [];
  return {
    confirmations: store.confirmations,
    approvals: store.approvals,
    dispatches: store.dispatches,
    limits: store.limits,
    pause: store.pause,
    audit: {
      async append(event) {
        await store.audit.append(event);
        // A listener's failure (Slack down) must never fail or slow the action that was audited.
        for (const listener of listeners) {
          void Promise.resolve()
            .then(() => listener(event))
            .catch((err) => logger.warn({ err, event: event.event }, 'an audit listener failed'));
        }
      },
      read: (options) => store.audit.read(options),
    },
    close: () => store.close(),
    onAudit: (listener) => {
      listeners.push(listener);
    },
  };
}
