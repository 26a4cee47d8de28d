// Reads the audit trail of whichever store is configured, without opening it for writing, so that
// `npm run audit` is safe while lockdesk runs.
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { resolvePath } from '../config/index.js';
import type { AuditEvent } from '../core/index.js';
import type { Logger } from '../ports.js';
import { AUDIT_FILE } from './lowdb/index.js';
import { fileSize, readJsonl } from './lowdb/jsonl-file.js';
import { openPostgresAuditReader } from './postgres/open-audit-reader.js';

export async function* readAuditTrail(config: Config, options: { since?: Date; logger?: Logger } = {}): AsyncGenerator<AuditEvent> {
  if (config.STORE === 'postgres') {
    const store = await openPostgresAuditReader({ url: config.DATABASE_URL! });
    try {
      yield* store.audit.read(options.since ? { since: options.since } : {});
    } finally {
      await store.close();
    }
    return;
  }
  const file = join(resolvePath(config.LOCKDESK_DATA_DIR), AUDIT_FILE);
  const since = options.since?.getTime();
  for await (const { value } of readJsonl(file, await fileSize(file))) {
    const event = value as AuditEvent;
    if (since === undefined || Date.parse(event.at) >= since) yield event;
  }
}
