// audit.jsonl: who did what, one JSON object a line, append-only. History is never rewritten; an append costs the
// same with ten lines or ten million because it only writes at the end through a handle kept open.
import { ERROR_CODES, LockdeskError, isLockdeskError } from '../../core/errors.js';
import type { AuditEvent } from '../../core/records.js';
import type { AuditLog, Logger } from '../../ports.js';
import { JsonlAppender, type AppenderOptions } from './jsonl-appender.js';
import { corruptLine, fileSize, readJsonl } from './jsonl-file.js';
import { auditLineSchema } from './schema.js';

export class JsonlAuditLog implements AuditLog {
  readonly #appender: JsonlAppender;

  private constructor(appender: JsonlAppender) {
    this.#appender = appender;
  }

  static async open(file: string, logger: Logger, options: AppenderOptions = {}): Promise<JsonlAuditLog> {
    return new JsonlAuditLog(await JsonlAppender.open(file, logger, options));
  }

  async append(event: AuditEvent): Promise<void> {
    try {
      await this.#appender.append([event]);
    } catch (error) {
      throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `Could not append to ${this.#appender.file}: ${String(error)}`, { cause: error });
    }
  }

  async *read(options: { since?: Date } = {}): AsyncGenerator<AuditEvent> {
    const since = options.since?.getTime() ?? Number.NEGATIVE_INFINITY;
    // Everything appended before this read began is included; later appends are not (a consistent snapshot).
    await this.#appender.flushed();
    const end = await fileSize(this.#appender.file);
    try {
      for await (const { lineNumber, value } of readJsonl(this.#appender.file, end)) {
        const parsed = auditLineSchema.safeParse(value);
        if (!parsed.success) throw corruptLine(this.#appender.file, lineNumber, 'is not an audit event (it needs "at" and "event")');
        if (Date.parse(parsed.data.at) >= since) yield value as AuditEvent;
      }
    } catch (error) {
      if (isLockdeskError(error)) throw error;
      throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `Could not read ${this.#appender.file}: ${String(error)}`, { cause: error });
    }
  }

  close(): Promise<void> {
    return this.#appender.close();
  }
}
