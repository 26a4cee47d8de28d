// A lowdb adapter that replaces its file durably: write a temp file, fsync it, rename it over the file, fsync the
// directory. lowdb's own writer (steno) does the temp file and the rename but no fsync, so after a power loss the
// rename can be on disk while the content is not (an empty or old state.json), or the rename itself can be lost,
// and a dispatch intent that recordIntent had reported as written would be gone.
import { open, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';

/** The few file operations the adapter uses; a test passes a recording wrapper around the real ones. */
export interface DurableFs {
  open(path: string, flags: 'w' | 'r'): Promise<SyncableHandle>;
  rename(from: string, to: string): Promise<void>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
}

export interface SyncableHandle {
  writeFile(data: string, encoding: 'utf8'): Promise<void>;
  /** Writes the chunks in order, as one call (libuv writes them all, or fails). */
  writev(chunks: readonly Uint8Array[]): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export const nodeFs: DurableFs = { open, rename, readFile };

export interface DurableDataFileOptions<T> {
  /** Validates as it parses: what it throws is what read() throws. */
  parse: (text: string) => T;
  /**
   * The file's content: text, or chunks already encoded in UTF-8 (as read() decodes them), which are written as they
   * are, never joined into one buffer first.
   */
  stringify: (data: T) => string | readonly Uint8Array[];
  /** false skips both fsyncs; only the store bench sets it, to measure what they cost. Default true. */
  fsync?: boolean;
  fs?: DurableFs;
}

export class DurableDataFile<T> implements Adapter<T> {
  readonly #file: string;
  readonly #temp: string;
  readonly #options: DurableDataFileOptions<T>;
  readonly #fs: DurableFs;
  #last: Promise<void> = Promise.resolve();

  constructor(file: string, options: DurableDataFileOptions<T>) {
    this.#file = file;
    this.#temp = join(dirname(file), `.${basename(file)}.tmp`);
    this.#options = options;
    this.#fs = options.fs ?? nodeFs;
  }

  /** null when the file does not exist (a fresh store); anything else goes through the validating parse. */
  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await this.#fs.readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return this.#options.parse(text);
  }

  /** Serialises `data` now; writes run one at a time (they share the temp file) and resolve once durable. */
  write(data: T): Promise<void> {
    const text = this.#options.stringify(data);
    const run = this.#last.catch(() => {}).then(() => this.#replace(text));
    this.#last = run;
    return run;
  }

  async #replace(content: string | readonly Uint8Array[]): Promise<void> {
    const fsync = this.#options.fsync ?? true;
    const handle = await this.#fs.open(this.#temp, 'w');
    try {
      if (typeof content === 'string') await handle.writeFile(content, 'utf8');
      else {
        const length = content.reduce((n, chunk) => n + chunk.byteLength, 0);
        const { bytesWritten } = await handle.writev(content);
        if (bytesWritten !== length) throw new Error(`wrote ${bytesWritten} of ${length} bytes to ${this.#temp}`);
      }
      // The content is on disk before any name points to it.
      if (fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await this.#fs.rename(this.#temp, this.#file);
    // The rename is a change to the directory: without this it may be lost, leaving the old state.json.
    if (fsync) await syncDir(dirname(this.#file), this.#fs);
  }
}

/** Makes the directory's entries (a rename, a new file) durable. Windows cannot open a directory: nothing to do. */
export async function syncDir(dir: string, fs: DurableFs = nodeFs): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
