// How the lowdb store's hot paths scale with stored history: the mean cost of one audit append and of one claim
// (create + resolve) with 0, 100k and 1M records already in history.jsonl and audit.jsonl. Goal: ratio to N=0 ≤ 1.2.
// And what durability costs: the same two at N=0 on a store opened with fsync off (the store's bench-only option),
// beside the real, fsyncing one.
// Run: npx tsx bench/store.ts (-- --quick: 0 and 100k records, 3 rounds). Prints figures; it is not a test.
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { AuditEvent, Confirmation, DispatchRecord } from '../src/core/records.js';
import type { Logger, Store } from '../src/ports.js';
import { AUDIT_FILE, HISTORY_FILE, STATE_FILE, openLowdbStore } from '../src/store/lowdb/index.js';

const GOAL = 1.2;
const WARM_UP = 200;
const OPS_PER_ROUND = 200; // 2,000 measured operations of each kind per size

export interface StoreBenchOptions {
  sizes?: readonly number[];
  rounds?: number;
}
const FULL = { sizes: [0, 100_000, 1_000_000], rounds: 10 } as const;
const QUICK = { sizes: [0, 100_000], rounds: 3 } as const;
const SEED_CHUNK = 20_000;
const LIVE_CONFIRMATIONS = 20;
const LIVE_DISPATCHES = 10;

export interface StoreBenchRow {
  records: number;
  auditAppendUs: number;
  claimUs: number;
  auditRatio: number;
  claimRatio: number;
}

/** The same operations at N=0 with fsync (as lockdesk runs) and without (what durability costs). */
export interface FsyncCost {
  auditAppendUs: { fsync: number; none: number };
  claimUs: { fsync: number; none: number };
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const actor = { platform: 'slack' as const, id: 'U0BENCH', email: 'bench@example.com' };

export function confirmation(id: string, createdMs: number, expiresMs: number, requester: Confirmation['requester'] = actor): Confirmation {
  return {
    id,
    correlationId: `corr-${id}`,
    action: 'lock',
    requester,
    devices: [{ id: `dev-${id}`, name: 'Bench iPhone', userId: 'user-bench', offered: true }],
    allowAll: false,
    createdAt: new Date(createdMs).toISOString(),
    expiresAt: new Date(expiresMs).toISOString(),
    status: 'pending',
  };
}

function dispatch(id: string, state: DispatchRecord['state']): DispatchRecord {
  const at = new Date(T0).toISOString();
  return { id, confirmationId: `c-${id}`, correlationId: `corr-${id}`, action: 'lock', deviceId: `dev-${id}`, deviceName: 'Bench iPhone', requester: actor, state, createdAt: at, updatedAt: at };
}

function event(i: number): AuditEvent {
  return { at: new Date(T0 + i).toISOString(), event: 'dispatch', action: 'lock', deviceId: `dev-${i}`, deviceName: 'Bench iPhone', actor, outcome: 'sent', correlationId: `corr-${i}`, dispatchId: `d-${i}` };
}

/** Writes `count` lines in large chunks: seeding must not dominate the run. */
async function seedLines(file: string, count: number, line: (i: number) => unknown): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let start = 0; start < count; start += SEED_CHUNK) {
      const parts: string[] = [];
      for (let i = start; i < Math.min(count, start + SEED_CHUNK); i += 1) parts.push(JSON.stringify(line(i)));
      await handle.write(`${parts.join('\n')}\n`);
    }
    // Flushed now, so the kernel is not still writing hundreds of MB back while the measured writes run.
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface Subject {
  records: number;
  fsync: boolean;
  store: Store;
  clock: { t: number };
  seq: number;
  audit: number[];
  claim: number[];
}

async function prepare(root: string, records: number, fsync = true): Promise<Subject> {
  const dir = join(root, `n${records}${fsync ? '' : '-nofsync'}`);
  await mkdir(dir);
  const archivedAt = new Date(T0).toISOString();
  await seedLines(join(dir, HISTORY_FILE), records, (i) =>
    i % 2 === 0 ? { kind: 'confirmation', archivedAt, record: { ...confirmation(`h${i}`, T0, T0), status: 'confirmed' } } : { kind: 'dispatch', archivedAt, record: dispatch(`h${i}`, 'done') },
  );
  await seedLines(join(dir, AUDIT_FILE), records, event);
  const live = {
    version: 1,
    confirmations: Array.from({ length: LIVE_CONFIRMATIONS }, (_, i) => confirmation(`live-${i}`, T0, T0 + 365 * 86_400_000)),
    dispatches: Array.from({ length: LIVE_DISPATCHES }, (_, i) => dispatch(`live-${i}`, 'sent')),
  };
  await writeFile(join(dir, STATE_FILE), JSON.stringify(live, null, 2));
  const clock = { t: T0 };
  const store = await openLowdbStore({ dir, logger: silent, clock: { now: () => new Date(clock.t) }, fsync });
  return { records, fsync, store, clock, seq: 0, audit: [], claim: [] };
}

async function appendOnce(s: Subject): Promise<void> {
  await s.store.audit.append(event(s.seq++));
}

/** One claim as the handler makes it. Time then moves past expiry, so the next write archives it to history. */
async function claimOnce(s: Subject): Promise<void> {
  const id = `bench-${s.seq++}`;
  await s.store.confirmations.create(confirmation(id, s.clock.t, s.clock.t + 1_000));
  const outcome = await s.store.confirmations.resolve(id, 'confirmed', actor, `dev-${id}`, new Date(s.clock.t));
  if (!outcome.ok) throw new Error(`claim ${id} failed: ${outcome.reason}`);
  s.clock.t += 2_000;
}

async function meanUs(ops: number, op: () => Promise<void>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < ops; i += 1) await op();
  return ((performance.now() - start) * 1000) / ops;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function main(options: StoreBenchOptions = {}): Promise<{ rows: StoreBenchRow[]; fsyncCost: FsyncCost }> {
  const sizes = options.sizes ?? FULL.sizes;
  const rounds = options.rounds ?? FULL.rounds;
  const root = await mkdtemp(join(tmpdir(), 'lockdesk-bench-store-'));
  const subjects: Subject[] = [];
  try {
    const seeding = performance.now();
    for (const n of sizes) subjects.push(await prepare(root, n));
    subjects.push(await prepare(root, 0, false));
    console.log(`seeded ${sizes.join(', ')} records in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
    for (const s of subjects) {
      await meanUs(WARM_UP, () => appendOnce(s));
      await meanUs(WARM_UP, () => claimOnce(s));
    }
    // Rounds interleave the sizes, in a rotating order, so that drift in the machine (cache, other load, disk
    // write-back) hits all of them alike; the median of the rounds then drops the odd disturbed one.
    for (let round = 0; round < rounds; round += 1) {
      for (let k = 0; k < subjects.length; k += 1) {
        const s = subjects[(round + k) % subjects.length]!;
        s.audit.push(await meanUs(OPS_PER_ROUND, () => appendOnce(s)));
        s.claim.push(await meanUs(OPS_PER_ROUND, () => claimOnce(s)));
      }
    }
    const base = subjects[0]!;
    const unsynced = subjects.find((s) => !s.fsync)!;
    const rows = subjects.filter((s) => s.fsync).map((s) => ({
      records: s.records,
      auditAppendUs: median(s.audit),
      claimUs: median(s.claim),
      auditRatio: median(s.audit) / median(base.audit),
      claimRatio: median(s.claim) / median(base.claim),
    }));
    const fsyncCost: FsyncCost = {
      auditAppendUs: { fsync: median(base.audit), none: median(unsynced.audit) },
      claimUs: { fsync: median(base.claim), none: median(unsynced.claim) },
    };
    print(rows, fsyncCost, rounds);
    return { rows, fsyncCost };
  } finally {
    for (const s of subjects) await s.store.close();
    await rm(root, { recursive: true, force: true });
  }
}

function print(rows: StoreBenchRow[], cost: FsyncCost, rounds: number): void {
  console.log(`\nlowdb store: median of ${rounds} rounds × ${OPS_PER_ROUND} ops (mean per op)`);
  console.log('records stored   audit append   ratio   claim (create+resolve)   ratio');
  for (const r of rows) {
    console.log(`${r.records.toLocaleString('en').padStart(14)}   ${r.auditAppendUs.toFixed(1).padStart(9)} µs   ${r.auditRatio.toFixed(2).padStart(5)}   ${r.claimUs.toFixed(1).padStart(18)} µs     ${r.claimRatio.toFixed(2).padStart(5)}`);
  }
  const last = rows[rows.length - 1]!;
  const verdict = (ratio: number) => (ratio <= GOAL ? 'meets' : 'MISSES');
  console.log(`goal ratio ≤ ${GOAL} at ${last.records.toLocaleString('en')}: audit append ${verdict(last.auditRatio)}, claim ${verdict(last.claimRatio)}`);
  const us = (v: number) => `${v.toFixed(1)} µs`;
  console.log('\nwhat fsync costs, at 0 records     with fsync   without (bench only)');
  console.log(`audit append (fdatasync)          ${us(cost.auditAppendUs.fsync).padStart(10)}   ${us(cost.auditAppendUs.none).padStart(10)}`);
  console.log(`claim (create+resolve)            ${us(cost.claimUs.fsync).padStart(10)}   ${us(cost.claimUs.none).padStart(10)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.includes('--quick') ? QUICK : FULL).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
