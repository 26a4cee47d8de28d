// The lowdb store's public entry.
export { openLowdbStore, STATE_FILE, HISTORY_FILE, AUDIT_FILE, type LowdbStoreOptions } from './open-store.js';
