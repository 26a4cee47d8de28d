// state.json through lowdb: read and validated once at open, then rewritten whole on every change, durably (temp
// file, fsync, rename, fsync of the directory: durable-file.ts). A damaged file stops the store from opening; it is
// never reset or rewritten behind anyone's back.
import { Low } from 'lowdb';
import { ERROR_CODES, LockdeskError, isLockdeskError } from '../../core/errors.js';
import type { Approval, Confirmation, DispatchRecord } from '../../core/records.js';
import { DurableDataFile, type DurableFs } from './durable-file.js';
import { STATE_VERSION, stateFileSchema, type StateFileData } from './schema.js';

export interface LiveRecords {
  confirmations: Map<string, Confirmation>;
  dispatches: Map<string, DispatchRecord>;
  approvals: Map<string, Approval>;
}

export interface StateFileOptions {
  /** false only for the store bench, to measure what durability costs. Default true. */
  fsync?: boolean;
  /** A test records the file operations through this; the real fs otherwise. */
  fs?: DurableFs;
}

export class StateFile {
  readonly file: string;
  readonly #db: Low<StateFileData>;

  private constructor(file: string, db: Low<StateFileData>) {
    this.file = file;
    this.#db = db;
  }

  /** A missing file is a fresh store; anything unreadable throws store_corrupt and leaves the file as it was. */
  static async open(file: string, options: StateFileOptions = {}): Promise<{ state: StateFile; records: LiveRecords }> {
    // An adapter whose parse validates, instead of JSONFile: Low.read() keeps its defaults when a file parses to a
    // falsy value ("null"), which would be a silent reset. JSONFilePreset is avoided too (memory-only under NODE_ENV=test).
    const adapter = new DurableDataFile<StateFileData>(file, {
      parse: (text) => parseState(file, text),
      stringify: stateFileChunks,
      ...options,
    });
    const db = new Low<StateFileData>(adapter, { version: STATE_VERSION, confirmations: [], dispatches: [] });
    try {
      await db.read();
    } catch (error) {
      if (isLockdeskError(error)) throw error;
      throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `Could not read ${file}: ${String(error)}. Nothing was changed.`, { cause: error });
    }
    const records: LiveRecords = {
      confirmations: indexById(file, 'confirmation', db.data.confirmations),
      dispatches: indexById(file, 'dispatch', db.data.dispatches),
      approvals: indexById(file, 'approval', db.data.approvals ?? []),
    };
    return { state: new StateFile(file, db), records };
  }

  /** Serialises the records now (synchronously, before the first await) and resolves once the new file is durable. */
  write(records: LiveRecords): Promise<void> {
    this.#db.data = {
      version: STATE_VERSION,
      confirmations: [...records.confirmations.values()],
      dispatches: [...records.dispatches.values()],
      ...(records.approvals.size > 0 ? { approvals: [...records.approvals.values()] } : {}),
    };
    return this.#db.write();
  }
}

/**
 * What a record looks like inside state.json, encoded, kept per record object. Records in the store's maps are
 * replaced, never changed in place (confirmations.ts, dispatches.ts store copies and set new objects), so an object's
 * bytes stay true for as long as it is in a map, and a record that changes is a new object with no bytes yet.
 */
const recordBytes = new WeakMap<object, Uint8Array>();
// TextEncoder gives each record its own memory (Buffer.from would pin a shared 8 kB pool slab per kept record).
const encoder = new TextEncoder();
const OPEN = encoder.encode('[\n');
const BETWEEN = encoder.encode(',\n');
const CLOSE = encoder.encode('\n  ]');
const EMPTY = encoder.encode('[]');

function bytesOf(record: object): Uint8Array {
  let bytes = recordBytes.get(record);
  if (bytes === undefined) {
    // Two levels deep, as JSON.stringify(data, null, 2) puts it. JSON strings hold no raw newline, so only the
    // layout's own line breaks are indented (split/join, not replaceAll, whose result is a rope of every piece).
    bytes = encoder.encode(`    ${JSON.stringify(record, null, 2).split('\n').join('\n    ')}`);
    recordBytes.set(record, bytes);
  }
  return bytes;
}

function pushList(parts: Uint8Array[], records: readonly object[]): void {
  if (records.length === 0) {
    parts.push(EMPTY);
    return;
  }
  parts.push(OPEN);
  records.forEach((record, i) => {
    if (i > 0) parts.push(BETWEEN);
    parts.push(bytesOf(record));
  });
  parts.push(CLOSE);
}

/**
 * The bytes of state.json, the same as `${JSON.stringify(data, null, 2)}\n` in UTF-8, as chunks to write one after
 * the other; only records not written before are serialised. With thousands of pending confirmations (megabytes)
 * every write used to serialise and encode all of them again, tens of milliseconds of one synchronous stretch per
 * write that held up every other request; now a write costs the new records and an array of references.
 */
export function stateFileChunks(data: StateFileData): Uint8Array[] {
  const parts = [encoder.encode(`{\n  "version": ${JSON.stringify(data.version)},\n  "confirmations": `)];
  pushList(parts, data.confirmations);
  parts.push(encoder.encode(',\n  "dispatches": '));
  pushList(parts, data.dispatches);
  if (data.approvals !== undefined) {
    parts.push(encoder.encode(',\n  "approvals": '));
    pushList(parts, data.approvals);
  }
  parts.push(encoder.encode('\n}\n'));
  return parts;
}

function parseState(file: string, text: string): StateFileData {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, 'is not valid JSON', error);
  }
  const parsed = stateFileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
    throw corrupt(file, `does not have the expected shape (${first?.message ?? 'invalid'}${where})`, parsed.error);
  }
  return parsed.data;
}

function indexById<T extends { id: string }>(file: string, kind: string, list: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of list) {
    if (map.has(item.id)) throw corrupt(file, `holds the ${kind} id ${item.id} twice`);
    map.set(item.id, item);
  }
  return map;
}

function corrupt(file: string, what: string, cause?: unknown): LockdeskError {
  return new LockdeskError(ERROR_CODES.STORE_CORRUPT, `${file} ${what}. Nothing was changed: lockdesk will not start on a damaged store. Restore the file from a backup or move it aside to start empty.`, {
    userMessage: 'lockdesk cannot open its store because the state file is damaged; an administrator has to repair it.',
    cause,
  });
}

