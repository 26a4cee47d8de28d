// What the lowdb store fsyncs, on a real temp dir through the real file operations, each wrapped only to record
// the call: state.json is written to a temp file, fsynced, renamed over, and the directory fsynced, before the
// write resolves; an append to audit.jsonl or history.jsonl resolves after an fdatasync that began once its bytes
// were written, and concurrent appends share one.
import { mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../src/core/records.js';
import { JsonlAuditLog } from '../../src/store/lowdb/audit-log.js';
import { DurableDataFile, nodeFs, type DurableFs } from '../../src/store/lowdb/durable-file.js';
import type { AppendHandle } from '../../src/store/lowdb/jsonl-appender.js';
import { StateFile } from '../../src/store/lowdb/state-file.js';
import { auditEvent, dispatch } from './fixtures.js';

type LogFn = (obj: object, msg?: string) => void;
const quiet = () => ({ debug: vi.fn<LogFn>(), info: vi.fn<LogFn>(), warn: vi.fn<LogFn>(), error: vi.fn<LogFn>() });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lockdesk-fsync-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The real fs, recording each call as "op name" with names relative to the temp dir ("." is the dir itself). */
function recordingFs(log: string[]): DurableFs {
  const name = (path: string) => (path === dir ? '.' : basename(path));
  return {
    async open(path, flags) {
      const handle = await nodeFs.open(path, flags);
      log.push(`open ${name(path)}`);
      return {
        writeFile: async (data, encoding) => {
          await handle.writeFile(data, encoding);
          log.push(`write ${name(path)}`);
        },
        writev: async (chunks) => {
          const written = await handle.writev(chunks);
          log.push(`write ${name(path)}`);
          return written;
        },
        sync: async () => {
          await handle.sync();
          log.push(`fsync ${name(path)}`);
        },
        close: async () => {
          await handle.close();
          log.push(`close ${name(path)}`);
        },
      };
    },
    rename: async (from, to) => {
      await rename(from, to);
      log.push(`rename ${name(from)} ${name(to)}`);
    },
    readFile: (path, encoding) => readFile(path, encoding),
  };
}

describe('lowdb store: state.json is replaced durably', () => {
  it('writes a temp file, fsyncs it, renames it over state.json, then fsyncs the directory, before write resolves', async () => {
    const log: string[] = [];
    const file = join(dir, 'state.json');
    const adapter = new DurableDataFile<{ n: number }>(file, { parse: (t) => JSON.parse(t) as { n: number }, stringify: (d) => JSON.stringify(d), fs: recordingFs(log) });
    await adapter.write({ n: 1 });
    expect(log).toEqual(['open .state.json.tmp', 'write .state.json.tmp', 'fsync .state.json.tmp', 'close .state.json.tmp', 'rename .state.json.tmp state.json', 'open .', 'fsync .', 'close .']);
    expect(await adapter.read()).toEqual({ n: 1 });
  });

  it('has recorded the fsyncs by the time a StateFile write (what recordIntent waits for) resolves', async () => {
    const log: string[] = [];
    const file = join(dir, 'state.json');
    const { state, records } = await StateFile.open(file, { fs: recordingFs(log) });
    const d = dispatch();
    records.dispatches.set(d.id, d);
    await state.write(records);
    expect(log.filter((l) => l.startsWith('fsync') || l.startsWith('rename'))).toEqual(['fsync .state.json.tmp', 'rename .state.json.tmp state.json', 'fsync .']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ dispatches: [{ id: d.id }] });
  });

  it('runs overlapping writes one at a time, the last one winning', async () => {
    const log: string[] = [];
    const adapter = new DurableDataFile<number>(join(dir, 'state.json'), { parse: Number, stringify: String, fs: recordingFs(log) });
    await Promise.all([1, 2, 3].map((n) => adapter.write(n)));
    expect(await adapter.read()).toBe(3);
    expect(log.filter((l) => l.startsWith('open .state')).length).toBe(3);
    // Each rename comes after its own fsync, never interleaved with another write's.
    expect(log.filter((l) => /^(open \.state|fsync \.state|rename)/.test(l))).toEqual(Array.from({ length: 3 }, () => ['open .state.json.tmp', 'fsync .state.json.tmp', 'rename .state.json.tmp state.json']).flat());
  });

  it('skips the fsyncs only when told to (the bench), still replacing the file by rename', async () => {
    const log: string[] = [];
    const adapter = new DurableDataFile<number>(join(dir, 'state.json'), { parse: Number, stringify: String, fs: recordingFs(log), fsync: false });
    await adapter.write(7);
    expect(log).toEqual(['open .state.json.tmp', 'write .state.json.tmp', 'close .state.json.tmp', 'rename .state.json.tmp state.json']);
  });
});

describe('lowdb store: appends are fdatasynced before they resolve', () => {
  /** The real handle; each datasync records the file size when it began (what it covers) and takes a while. */
  function syncRecordingOpen(syncs: number[], delayMs: number): (file: string) => Promise<AppendHandle> {
    return async (file) => {
      const real = await open(file, 'a');
      return {
        write: (buffer, offset, length, position) => real.write(buffer, offset, length, position),
        truncate: (length) => real.truncate(length),
        stat: () => real.stat(),
        close: () => real.close(),
        async datasync() {
          const covers = (await real.stat()).size;
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          await real.datasync();
          syncs.push(covers);
        },
      };
    };
  }
  const lineBytes = (e: AuditEvent) => Buffer.byteLength(`${JSON.stringify(e)}\n`);

  it('an audit append resolves after an fdatasync that covers its line', async () => {
    const syncs: number[] = [];
    const audit = await JsonlAuditLog.open(join(dir, 'audit.jsonl'), quiet(), { openFile: syncRecordingOpen(syncs, 0) });
    try {
      const e = auditEvent();
      await audit.append(e);
      expect(syncs).toEqual([lineBytes(e)]);
    } finally {
      await audit.close();
    }
  });

  it('fifty concurrent appends share a few fdatasyncs, and each resolves only once one covers it', async () => {
    const syncs: number[] = [];
    const audit = await JsonlAuditLog.open(join(dir, 'audit.jsonl'), quiet(), { openFile: syncRecordingOpen(syncs, 20) });
    try {
      const events = Array.from({ length: 50 }, (_, i) => auditEvent({ outcome: `e${i}` }));
      let end = 0;
      const ends = events.map((e) => (end += lineBytes(e)));
      const coveredWhenResolved = await Promise.all(events.map((e) => audit.append(e).then(() => Math.max(0, ...syncs))));
      coveredWhenResolved.forEach((covered, i) => expect(covered, `append ${i}`).toBeGreaterThanOrEqual(ends[i]!));
      expect(syncs.length).toBeGreaterThanOrEqual(1);
      expect(syncs.length).toBeLessThanOrEqual(3);
    } finally {
      await audit.close();
    }
  });
});
