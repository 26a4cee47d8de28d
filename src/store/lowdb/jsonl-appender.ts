// Appends to a JSON-lines file through one kept-open handle. Appending never touches what is already written, so
// its cost does not grow with the file. A failed append leaves no fragment behind: a later line must never glue
// onto half of an earlier one, or the trail would no longer read. An append resolves once fdatasync has put it on
// disk; appends that finish while a sync runs share the next one, so a burst costs a few syncs, not one each.
import { open } from 'node:fs/promises';
import type { Logger } from '../../ports.js';
import { GroupCommit } from './group-commit.js';
import { completeLinesEnd, repairTornTail } from './jsonl-file.js';

/** What the appender needs of a file handle; a test wraps the real one to inject faults. */
export interface AppendHandle {
  write(buffer: Buffer, offset: number, length: number, position: null): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export interface AppenderOptions {
  /** Opens the file for appending (creating it); the real fs unless a test injects faults. */
  openFile?: (file: string) => Promise<AppendHandle>;
  /** false skips fdatasync; only the store bench sets it, to measure what it costs. Default true. */
  fsync?: boolean;
}

/** Appends lines in call order; concurrent calls are queued so lines never interleave. */
export class JsonlAppender {
  readonly file: string;
  readonly #handle: AppendHandle;
  readonly #logger: Logger;
  /** Null when fsync is off. */
  readonly #sync: GroupCommit | null;
  /** Where the complete lines end: each append starts here, and a failed one is cut back to here. */
  #size: number;
  /** A failed append could not be cut back: the file may end in a fragment, to cut before the next write. */
  #torn = false;
  #tail: Promise<void> = Promise.resolve();

  private constructor(file: string, handle: AppendHandle, size: number, logger: Logger, fsync: boolean) {
    this.file = file;
    this.#handle = handle;
    this.#size = size;
    this.#logger = logger;
    this.#sync = fsync ? new GroupCommit(() => handle.datasync()) : null;
  }

  /** Repairs a torn tail first, then opens for appending (creating the file). */
  static async open(file: string, logger: Logger, options: AppenderOptions = {}): Promise<JsonlAppender> {
    await repairTornTail(file, logger);
    const handle = await (options.openFile ?? ((f) => open(f, 'a')))(file);
    try {
      return new JsonlAppender(file, handle, (await handle.stat()).size, logger, options.fsync ?? true);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** Writes the values as one chunk, one line each; resolves when the bytes are on disk (fdatasync). */
  append(values: readonly unknown[]): Promise<void> {
    const bytes = Buffer.from(values.map((v) => `${JSON.stringify(v)}\n`).join(''), 'utf8');
    const run = this.#tail.then(() => this.#append(bytes));
    // A failed append must not block every later one; its caller still sees the error through `run`.
    this.#tail = run.catch(() => {});
    // The next write need not wait for this sync: a sync requested once this write is done covers it.
    const sync = this.#sync;
    return sync ? run.then(() => sync.request()) : run;
  }

  /** Waits for every append issued so far to be written (not necessarily synced): what a reader can see. */
  flushed(): Promise<void> {
    return this.#tail;
  }

  async close(): Promise<void> {
    await this.#tail;
    await this.#sync?.idle();
    await this.#handle.close();
  }

  async #append(bytes: Buffer): Promise<void> {
    if (this.#torn) await this.#cutToCompleteLines();
    const before = this.#size;
    try {
      await this.#writeAll(bytes);
    } catch (error) {
      // Part of the chunk may be in the file (a full disk takes half a write): cut it off, all of it, so neither a
      // fragment nor a whole line of an append that failed stays behind.
      try {
        await this.#handle.truncate(before);
      } catch (cutError) {
        this.#torn = true;
        this.#logger.warn({ file: this.file, err: cutError }, 'could not cut off a failed append; the next append cuts it first');
      }
      throw error;
    }
    this.#size = before + bytes.length;
  }

  /** After a failed cut: back to the last complete line at or before where the last good append ended. */
  async #cutToCompleteLines(): Promise<void> {
    const { size } = await this.#handle.stat();
    const keep = await completeLinesEnd(this.file, Math.min(size, this.#size));
    if (keep < size) {
      await this.#handle.truncate(keep);
      this.#logger.warn({ file: this.file, droppedBytes: size - keep, keptBytes: keep }, 'cut off what a failed append left; earlier lines are intact');
    }
    this.#size = keep;
    this.#torn = false;
  }

  async #writeAll(bytes: Buffer): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      // Position null: append mode writes at the end whatever the handle's position.
      const { bytesWritten } = await this.#handle.write(bytes, offset, bytes.length - offset, null);
      if (bytesWritten <= 0) throw Object.assign(new Error(`write to ${this.file} wrote nothing`), { code: 'EIO' });
      offset += bytesWritten;
    }
  }
}
