// A full disk in the middle of an append to audit.jsonl or history.jsonl, through the real appender on a real file:
// the handle is the real FileHandle, wrapped to write half of the bytes and then throw ENOSPC, or to refuse a cut.
import { open, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { JsonlAuditLog } from '../../src/store/lowdb/audit-log.js';
import { HistoryArchive } from '../../src/store/lowdb/history-archive.js';
import type { AppendHandle } from '../../src/store/lowdb/jsonl-appender.js';
import { auditEvent, collect, confirmation } from './fixtures.js';

type LogFn = (obj: object, msg?: string) => void;
const recorder = () => ({ debug: vi.fn<LogFn>(), info: vi.fn<LogFn>(), warn: vi.fn<LogFn>(), error: vi.fn<LogFn>() });

interface Faults {
  /** The next write writes half of its bytes; the write after it throws ENOSPC. */
  halfThenFull: boolean;
  /** This many truncate calls throw EIO before they work again. */
  failedCuts: number;
}

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

function faultyOpen(faults: Faults): (file: string) => Promise<AppendHandle> {
  return async (file) => {
    const real = await open(file, 'a');
    let full = false;
    return {
      async write(buffer, offset, length, position) {
        if (full) {
          full = false;
          throw errno('ENOSPC');
        }
        if (faults.halfThenFull) {
          faults.halfThenFull = false;
          full = true;
          return real.write(buffer, offset, Math.floor(length / 2), position);
        }
        return real.write(buffer, offset, length, position);
      },
      async truncate(length) {
        if (faults.failedCuts > 0) {
          faults.failedCuts -= 1;
          throw errno('EIO');
        }
        return real.truncate(length);
      },
      stat: () => real.stat(),
      datasync: () => real.datasync(),
      close: () => real.close(),
    };
  };
}

describe('lowdb store: a failed or short append to a JSON-lines file', () => {
  let dir: string;
  let file: string;
  let faults: Faults;
  let logger: ReturnType<typeof recorder>;
  let audit: JsonlAuditLog | undefined;
  const lines = async () => (await readFile(file, 'utf8')).split('\n');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockdesk-jsonl-faults-'));
    file = join(dir, 'audit.jsonl');
    faults = { halfThenFull: false, failedCuts: 0 };
    logger = recorder();
  });
  afterEach(async () => {
    await audit?.close();
    audit = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const openAudit = async () => (audit = await JsonlAuditLog.open(file, logger, { openFile: faultyOpen(faults) }));

  /** Every line of the file parses, and the trail holds exactly these outcomes. */
  async function expectTrail(outcomes: string[]): Promise<void> {
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const parsed = text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as { outcome: string });
    expect(parsed.map((e) => e.outcome)).toEqual(outcomes);
    expect((await collect(audit!.read())).map((e) => e.outcome)).toEqual(outcomes);
  }

  it('cuts a half-written event off: the append fails with store_unavailable, the next one lands on a line of its own', async () => {
    await openAudit();
    await audit!.append(auditEvent({ outcome: 'before' }));
    faults.halfThenFull = true;
    await expect(audit!.append(auditEvent({ outcome: 'failed' }))).rejects.toMatchObject({ code: ERROR_CODES.STORE_UNAVAILABLE, message: expect.stringContaining('ENOSPC') });
    expect(faults.halfThenFull).toBe(false); // the fault did happen
    await expectTrail(['before']);
    await audit!.append(auditEvent({ outcome: 'after' }));
    await expectTrail(['before', 'after']);
  });

  it('when the cut fails too, the next append first cuts back to the last complete line', async () => {
    await openAudit();
    await audit!.append(auditEvent({ outcome: 'before' }));
    faults.halfThenFull = true;
    faults.failedCuts = 1;
    await expect(audit!.append(auditEvent({ outcome: 'failed' }))).rejects.toMatchObject({ code: ERROR_CODES.STORE_UNAVAILABLE });
    expect((await lines()).at(-1)).toMatch(/^\{"at":/); // the fragment is still there for now
    await audit!.append(auditEvent({ outcome: 'after' }));
    await expectTrail(['before', 'after']);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ file, droppedBytes: expect.any(Number) }), expect.stringMatching(/cut off what a failed append left/));
  });

  it('while the file cannot be cut, appends fail and write nothing after the fragment', async () => {
    await openAudit();
    await audit!.append(auditEvent({ outcome: 'before' }));
    faults.halfThenFull = true;
    faults.failedCuts = 2;
    await expect(audit!.append(auditEvent({ outcome: 'failed' }))).rejects.toMatchObject({ code: ERROR_CODES.STORE_UNAVAILABLE });
    const fragment = await readFile(file, 'utf8');
    await expect(audit!.append(auditEvent({ outcome: 'refused' }))).rejects.toMatchObject({ code: ERROR_CODES.STORE_UNAVAILABLE });
    expect(await readFile(file, 'utf8')).toBe(fragment);
    await audit!.append(auditEvent({ outcome: 'after' }));
    await expectTrail(['before', 'after']);
  });

  it('drops every line of a history batch that failed half-way, so no record is archived that stayed live', async () => {
    const historyFile = join(dir, 'history.jsonl');
    const history = await HistoryArchive.open(historyFile, logger, { openFile: faultyOpen(faults) });
    try {
      const kept = confirmation({ status: 'confirmed' });
      await history.append([{ kind: 'confirmation', archivedAt: kept.createdAt, record: kept }]);
      const batch = [confirmation(), confirmation(), confirmation()].map((c) => ({ kind: 'confirmation' as const, archivedAt: c.createdAt, record: { ...c, status: 'confirmed' as const } }));
      faults.halfThenFull = true; // half of three lines: the first whole, the second torn
      await expect(history.append(batch)).rejects.toMatchObject({ code: 'ENOSPC' });
      const text = await readFile(historyFile, 'utf8');
      expect(text.split('\n').slice(0, -1).map((l) => (JSON.parse(l) as { record: { id: string } }).record.id)).toEqual([kept.id]);
    } finally {
      await history.close();
    }
  });
});
