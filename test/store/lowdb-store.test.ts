// The lowdb store: the shared contract on real files, plus what only a file-backed store can get wrong.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES, LockdeskError } from '../../src/core/errors.js';
import type { Logger, Store } from '../../src/ports.js';
import { AUDIT_FILE, HISTORY_FILE, STATE_FILE, openLowdbStore } from '../../src/store/lowdb/index.js';
import { ARCHIVE_BATCH } from '../../src/store/lowdb/live-state.js';
import { MINUTE, T0, alice, at, auditEvent, collect, confirmation, dispatch, iso } from './fixtures.js';
import { describeStoreContract } from './store-contract.js';

type LogFn = (obj: object, msg?: string) => void;
const quiet = () => ({ debug: vi.fn<LogFn>(), info: vi.fn<LogFn>(), warn: vi.fn<LogFn>(), error: vi.fn<LogFn>() });

describeStoreContract('lowdb', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lockdesk-store-'));
  const store = await openLowdbStore({ dir, logger: quiet() });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('lowdb store: files', () => {
  let root: string;
  let dir: string;
  const open: Store[] = [];
  let now = T0;
  const clock = { now: () => new Date(now) };
  const openStore = async (logger: Logger = quiet(), settledGraceMs?: number) => {
    const store = await openLowdbStore({ dir, logger, clock, ...(settledGraceMs === undefined ? {} : { settledGraceMs }) });
    open.push(store);
    return store;
  };
  const readState = async () => JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as { confirmations: { id: string }[]; dispatches: { id: string }[] };
  const historyLines = async () => (await readFile(join(dir, HISTORY_FILE), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; record: { id: string } });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lockdesk-store-'));
    dir = root;
    now = T0;
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => {});
    await rm(root, { recursive: true, force: true });
  });

  it('creates the directory of a fresh store', async () => {
    dir = join(dir, 'nested', 'data');
    const store = await openStore();
    await store.confirmations.create(confirmation());
    expect((await readState()).confirmations).toHaveLength(1);
  });

  it('keeps state and audit across a reopen', async () => {
    const store = await openStore();
    const c = confirmation();
    const d = dispatch({ confirmationId: c.id });
    await store.confirmations.create(c);
    await store.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(MINUTE));
    await store.dispatches.recordIntent(d);
    await store.dispatches.transition(d.id, d.state, { state: 'pending', updatedAt: iso(MINUTE) });
    await store.audit.append(auditEvent());
    await store.close();

    const again = await openStore();
    expect(await again.confirmations.get(c.id)).toMatchObject({ status: 'confirmed', resolvedBy: alice, choice: 'dev-1' });
    expect(await again.dispatches.listOpen()).toEqual([{ ...d, state: 'pending', updatedAt: iso(MINUTE) }]);
    expect(await collect(again.audit.read())).toEqual([auditEvent()]);
    expect((await again.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(MINUTE))).ok).toBe(false);
  });

  it('has a dispatch intent in state.json by the time recordIntent resolves', async () => {
    const store = await openStore();
    const d = dispatch();
    await store.dispatches.recordIntent(d);
    expect((await readState()).dispatches.map((r) => r.id)).toEqual([d.id]);
  });

  it('persists the single winner of concurrent resolves', async () => {
    const store = await openStore();
    const c = confirmation();
    await store.confirmations.create(c);
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => store.confirmations.resolve(c.id, 'confirmed', { platform: 'slack', id: `U${i}` }, 'dev-1', at(MINUTE))));
    const winner = outcomes.find((o) => o.ok)!.confirmation!;
    const onDisk = (await readState()).confirmations.find((r) => r.id === c.id);
    expect(onDisk).toEqual(winner);
  });

  for (const [label, content] of [
    ['not JSON', '{"version":1,"confirmations":['],
    ['JSON null', 'null'],
    ['the wrong shape', JSON.stringify({ version: 1, confirmations: [{ id: 'c-1', status: 'maybe' }], dispatches: [] })],
  ] as const) {
    it(`refuses to open when state.json is ${label}, naming the file and leaving it untouched`, async () => {
      const file = join(dir, STATE_FILE);
      await writeFile(file, content);
      const before = await stat(file);
      const error = await openLowdbStore({ dir, logger: quiet() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockdeskError);
      expect((error as LockdeskError).code).toBe(ERROR_CODES.STORE_CORRUPT);
      expect((error as LockdeskError).message).toContain(file);
      expect((error as LockdeskError).message).toContain('Nothing was changed');
      expect(await readFile(file, 'utf8')).toBe(content);
      expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
      await expect(stat(join(dir, AUDIT_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    });
  }

  it('cuts a torn last audit line at open, says so, and appends cleanly after it', async () => {
    const file = join(dir, AUDIT_FILE);
    const good = [auditEvent({ outcome: 'one' }), auditEvent({ outcome: 'two' })];
    await writeFile(file, `${good.map((e) => JSON.stringify(e)).join('\n')}\n{"at":"${iso(0)}","event":"req`);
    const logger = quiet();
    const store = await openStore(logger);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![0]).toMatchObject({ file, droppedBytes: expect.any(Number) });
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
    await store.audit.append(auditEvent({ outcome: 'three' }));
    expect((await collect(store.audit.read())).map((e) => e.outcome)).toEqual(['one', 'two', 'three']);
  });

  it('cuts a torn line that is the whole file', async () => {
    await writeFile(join(dir, AUDIT_FILE), '{"at":"2025-');
    const store = await openStore();
    expect(await readFile(join(dir, AUDIT_FILE), 'utf8')).toBe('');
    expect(await collect(store.audit.read())).toEqual([]);
  });

  it('throws store_corrupt naming the file and line when a middle audit line is damaged', async () => {
    const file = join(dir, AUDIT_FILE);
    await writeFile(file, `${JSON.stringify(auditEvent())}\nnot json at all\n${JSON.stringify(auditEvent())}\n`);
    const store = await openStore();
    const error = await collect(store.audit.read()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockdeskError);
    expect((error as LockdeskError).code).toBe(ERROR_CODES.STORE_CORRUPT);
    expect((error as LockdeskError).message).toContain(`${file} line 2`);
  });

  it('leaves out a last line still being written when reading', async () => {
    const file = join(dir, AUDIT_FILE);
    const store = await openStore();
    await store.audit.append(auditEvent({ outcome: 'whole' }));
    await appendFile(file, '{"at":"2030-01-01T00:00:00.000Z","eve');
    expect((await collect(store.audit.read())).map((e) => e.outcome)).toEqual(['whole']);
  });

  it('appends audit events to the end without rewriting what is there', async () => {
    const file = join(dir, AUDIT_FILE);
    const store = await openStore();
    await store.audit.append(auditEvent({ outcome: 'first' }));
    const head = await readFile(file, 'utf8');
    await store.audit.append(auditEvent({ outcome: 'second' }));
    const after = await readFile(file, 'utf8');
    expect(after.startsWith(head)).toBe(true);
    expect(after.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('a resolved confirmation answers "confirmed" until it expires, then leaves state.json for history', async () => {
    const store = await openStore();
    const c = confirmation({ expiresAt: iso(10 * MINUTE) });
    await store.confirmations.create(c);
    await store.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(MINUTE));
    now = T0 + 10 * MINUTE - 1;
    await store.confirmations.create(confirmation()); // a write, which may archive what is due
    expect(await store.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(2 * MINUTE))).toMatchObject({ ok: false, reason: 'confirmed' });
    expect((await readState()).confirmations.map((r) => r.id)).toContain(c.id);

    now = T0 + 10 * MINUTE;
    await store.confirmations.create(confirmation());
    expect(await store.confirmations.get(c.id)).toBeUndefined();
    expect((await readState()).confirmations.map((r) => r.id)).not.toContain(c.id);
    expect(await historyLines()).toEqual([{ kind: 'confirmation', archivedAt: new Date(now).toISOString(), record: expect.objectContaining({ id: c.id, status: 'confirmed' }) }]);
  });

  it('keeps a pending confirmation past its expiry live, for the expiry sweep', async () => {
    const store = await openStore();
    const c = confirmation({ expiresAt: iso(MINUTE) });
    await store.confirmations.create(c);
    now = T0 + 60 * MINUTE;
    await store.confirmations.create(confirmation({ expiresAt: iso(90 * MINUTE) }));
    expect((await store.confirmations.listExpired(at(60 * MINUTE))).map((x) => x.id)).toEqual([c.id]);
  });

  it('keeps a settled dispatch readable for the grace period, then archives it', async () => {
    const store = await openStore(quiet(), 5 * MINUTE);
    const d = dispatch();
    await store.dispatches.recordIntent(d);
    await store.dispatches.transition(d.id, d.state, { state: 'done', updatedAt: iso(0) });
    await store.dispatches.recordIntent(dispatch());
    expect((await store.dispatches.get(d.id))?.state).toBe('done');
    now = T0 + 5 * MINUTE;
    await store.dispatches.recordIntent(dispatch());
    expect(await store.dispatches.get(d.id)).toBeUndefined();
    expect((await historyLines()).map((l) => [l.kind, l.record.id])).toEqual([['dispatch', d.id]]);
  });

  it('keeps state.json small however much history accumulates, moving a bounded batch per write', async () => {
    const store = await openStore(quiet(), 0);
    const spent = 3 * ARCHIVE_BATCH;
    for (let i = 0; i < spent; i += 1) {
      const c = confirmation({ expiresAt: iso(MINUTE) });
      await store.confirmations.create(c);
      await store.confirmations.resolve(c.id, i % 3 === 0 ? 'cancelled' : 'confirmed', alice, 'dev-1', at(0));
      const d = dispatch({ confirmationId: c.id });
      await store.dispatches.recordIntent(d);
      await store.dispatches.transition(d.id, d.state, { state: i % 2 === 0 ? 'done' : 'failed', updatedAt: iso(0) });
    }
    const openOne = dispatch();
    await store.dispatches.recordIntent(openOne);
    now = T0 + 2 * MINUTE;
    const live = confirmation({ expiresAt: iso(30 * MINUTE) });
    await store.confirmations.create(live);
    // Settled dispatches (grace 0) already left during the loop; the confirmations leave a batch per write.
    expect((await readState()).confirmations.length).toBeGreaterThan(spent - ARCHIVE_BATCH - 1);
    for (let i = 0; i < 3; i += 1) await store.dispatches.transition(openOne.id, i === 0 ? openOne.state : 'sent', { state: 'sent', updatedAt: iso(i) });

    const state = await readState();
    expect(state.confirmations.map((r) => r.id)).toEqual([live.id]);
    expect(state.dispatches.map((r) => r.id)).toEqual([openOne.id]);
    const lines = await historyLines();
    expect(lines.filter((l) => l.kind === 'confirmation')).toHaveLength(spent);
    expect(lines.filter((l) => l.kind === 'dispatch')).toHaveLength(spent);
    expect(new Set(lines.map((l) => l.record.id)).size).toBe(2 * spent);
  });

  it('refuses use after close', async () => {
    const store = await openStore();
    await store.close();
    await expect(store.confirmations.create(confirmation())).rejects.toMatchObject({ code: ERROR_CODES.STORE_UNAVAILABLE });
  });
});

describe('lowdb store: one process per data directory', () => {
  it('refuses a second opener while the first holds the directory, and lets it in after close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockdesk-lock-'));
    try {
      const first = await openLowdbStore({ dir, logger: quiet() });
      const refused = await openLowdbStore({ dir, logger: quiet() }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'store_unavailable', message: expect.stringMatching(/Another lockdesk process \(pid \d+/) });
      await first.close();
      const second = await openLowdbStore({ dir, logger: quiet() });
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes over the lock of a process that is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockdesk-lock-'));
    try {
      const { writeFile } = await import('node:fs/promises');
      const { hostname } = await import('node:os');
      await writeFile(join(dir, 'lockdesk.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: '2020-01-01T00:00:00Z' }));
      const warnings: string[] = [];
      const store = await openLowdbStore({ dir, logger: { ...quiet(), warn: (_o: object, msg?: string) => void warnings.push(msg ?? '') } });
      expect(warnings.join()).toMatch(/no longer running/);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
