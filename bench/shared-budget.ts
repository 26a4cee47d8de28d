// `npm run bench:budget`: one Graph write budget for two replicas. Two lockdesk processes (bench/shared-budget-
// worker.ts: the real composition with the Graph backend and STORE=postgres) each lock the 300 devices of one user
// through the chat flow, clicked at the same moment, against the local fake Graph server (test/fakes/graph-server),
// which enforces Intune's 200 writes per 20 s per app as a sliding window and counts its 429s. Prints the 429s
// (goal 0), the elapsed time as a ratio to the budget's minimum (two windows for 600 writes; goal ≤ 1.1) and
// whether every device was written exactly once.
// `--quick` (or LOCKDESK_BENCH_QUICK=1) scales the window down to 2 s. `--compare` runs the same with STORE=lowdb
// after it (each process its own limiter: what the shared budget prevents). Prints figures; it is not a test.
//
// The fake runs here; each worker's Graph client trusts its certificate through NODE_EXTRA_CA_CERTS, which Node reads
// only when a process starts (as in bench/graph.ts).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { configSchema } from '../src/config/index.js';
import { createTestDatabase } from '../test/replicas/database.js';
import { installFollowUpQueue } from '../src/queue/pg-queue.js';
import { migrate } from '../src/store/postgres/migrate.js';
import { createSelfSignedCert, FakeTenant, generatedTenant, startFakeGraph, type FakeGraph } from '../test/fakes/graph-server/index.js';
import type { WorkerDone, WorkerReady } from './shared-budget-worker.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const BUDGET = 200;
const DEVICES = 300;
const USERS = [
  { upn: 'bulk.a@contoso.com', prefix: 'BULK-A-' },
  { upn: 'bulk.b@contoso.com', prefix: 'BULK-B-' },
];
const RATIO_GOAL = 1.1;
/** Both replicas click this long after both are ready, at the same epoch millisecond. */
const GO_AFTER_MS = 500;

export interface SharedBudgetResult {
  store: 'postgres' | 'lowdb';
  windowMs: number;
  minimumMs: number;
  elapsedMs: number;
  ratio: number;
  writeSpanMs: number;
  /** From the click to the first write at the fake (each device re-read, each intent recorded), and from the last write to the last status (each result recorded). */
  beforeFirstWriteMs: number;
  afterLastWriteMs: number;
  throttled: number;
  writes: number;
  devicesWritten: number;
  writtenOnce: boolean;
  replicas: Array<WorkerDone['done'] & { user: string; ms: number }>;
}

/** Two users of 300 devices each; the fake's generator makes one, the second is its copy under other ids and names. */
function twoUserTenant(): FakeTenant {
  const tenant = generatedTenant({ count: 0, bulkUser: { userPrincipalName: 'bulk.seed@contoso.com', devices: DEVICES } });
  const seed = [...tenant.devices];
  const out = new FakeTenant();
  USERS.forEach((user, u) => {
    const id = `00000003-0000-4000-8000-${String(100 + u).padStart(12, '0')}`;
    out.addUser({ id, userPrincipalName: user.upn, displayName: `Bulk ${user.prefix}`, mail: user.upn });
    seed.forEach((device, i) => {
      const n = String(i + 1).padStart(6, '0');
      const json = { ...device.json, id: `00000005-0000-4000-8${u}00-${String(i + 1).padStart(12, '0')}`, deviceName: `${user.prefix}${n}`, managedDeviceName: `${user.prefix}${n}`, serialNumber: `BK${u}${n}` };
      out.add({ ...device, json: { ...json, userId: id, userPrincipalName: user.upn, emailAddress: user.upn, enrolledByUserPrincipalName: user.upn } });
    });
  });
  return out;
}

function lines(child: ReturnType<typeof spawn>): AsyncIterableIterator<string> {
  return createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
}

async function next<T>(it: AsyncIterableIterator<string>, key: string, errors: () => string): Promise<T> {
  for (;;) {
    const { value, done } = await it.next();
    if (done) throw new Error(`a worker ended before saying "${key}":\n${errors()}`);
    if (value.startsWith('{') && key in JSON.parse(value)) return JSON.parse(value) as T;
  }
}

async function run(fake: FakeGraph, store: 'postgres' | 'lowdb', windowMs: number, databaseUrl: string, dir: string): Promise<SharedBudgetResult> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(configSchema.shape)) delete base[key];
  const workers = USERS.map((user, i) => {
    const env = {
      ...base, ...fake.env(), STORE: store, ...(store === 'postgres' ? { DATABASE_URL: databaseUrl } : {}),
      GRAPH_WRITE_BUDGET: String(BUDGET), GRAPH_WRITE_WINDOW_MS: String(windowMs),
      LOCKDESK_DATA_DIR: join(dir, `${store}-${i}`), LOCKDESK_POLICY: join(ROOT, 'bench/policy.json'),
      LOCKDESK_PLATFORM_SUPPORT: join(ROOT, 'data/platform-support.json'), LOCKDESK_DEMO_TENANT: join(ROOT, 'data/demo-tenant.json'), LOG_LEVEL: 'silent',
    };
    const child = spawn(TSX, ['bench/shared-budget-worker.ts', '--user', user.upn, '--devices', String(DEVICES), '--prefix', user.prefix], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    return { user, child, out: lines(child), errors: () => stderr };
  });
  try {
    await Promise.all(workers.map((w) => next<WorkerReady>(w.out, 'ready', w.errors)));
    const goAt = Date.now() + GO_AFTER_MS;
    for (const w of workers) w.child.stdin!.write(`go ${goAt}\n`);
    const done = await Promise.all(workers.map((w) => next<WorkerDone>(w.out, 'done', w.errors)));
    await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once('close', r)))));
    const writes = fake.writes;
    const perDevice = new Map<string, number>();
    for (const w of writes) perDevice.set(w.deviceId, (perDevice.get(w.deviceId) ?? 0) + 1);
    const total = USERS.length * DEVICES;
    const minimumMs = (Math.ceil(total / BUDGET) - 1) * windowMs;
    const elapsedMs = Math.max(...done.map((d) => d.done.statusAt)) - goAt;
    return {
      store, windowMs, minimumMs, elapsedMs, ratio: elapsedMs / minimumMs,
      writeSpanMs: writes.length > 0 ? writes.at(-1)!.at - writes[0]!.at : 0,
      beforeFirstWriteMs: writes.length > 0 ? writes[0]!.at - goAt : NaN,
      afterLastWriteMs: writes.length > 0 ? Math.max(...done.map((d) => d.done.statusAt)) - writes.at(-1)!.at : NaN,
      throttled: fake.counters.throttled,
      writes: writes.length,
      devicesWritten: perDevice.size,
      writtenOnce: perDevice.size === total && [...perDevice.values()].every((n) => n === 1),
      replicas: done.map((d, i) => ({ ...d.done, user: workers[i]!.user.upn, ms: d.done.statusAt - d.done.clickedAt })),
    };
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  }
}

function print(r: SharedBudgetResult, quick: boolean): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const how = r.store === 'postgres' ? 'shared through PostgreSQL' : 'each process its own (STORE=lowdb), for comparison';
  console.log(`\ntwo replicas, ${DEVICES} devices each, clicked at the same moment; budget ${BUDGET} writes per ${s(r.windowMs)} (sliding), ${how}${quick ? '  [--quick: scaled window]' : ''}`);
  console.log(`    go → last status (slowest replica)  ${s(r.elapsedMs).padStart(9)}   ratio to the ${s(r.minimumMs)} minimum: ${r.ratio.toFixed(3)}  (goal ≤ ${RATIO_GOAL}: ${r.ratio <= RATIO_GOAL ? 'meets' : 'MISSES'})`);
  console.log(`    first → last write at the fake      ${s(r.writeSpanMs).padStart(9)}   ratio ${(r.writeSpanMs / r.minimumMs).toFixed(3)}`);
  console.log(`    go → first write ${s(r.beforeFirstWriteMs)} (devices re-read, intents recorded); last write → last status ${s(r.afterLastWriteMs)} (results recorded)`);
  console.log(`    429s received: ${r.throttled} (goal 0: ${r.throttled === 0 ? 'meets' : 'MISSES'})`);
  console.log(`    writes accepted ${r.writes} on ${r.devicesWritten} devices; every device written exactly once: ${r.writtenOnce ? 'yes' : 'NO'}`);
  for (const p of r.replicas) {
    console.log(`    ${p.user.padEnd(20)} click → status ${s(p.ms).padStart(9)}; results ${p.sent} sent, ${p.notSent} not sent, ${p.other} other; waited for the budget ${p.waits} times, ${s(p.waitedMs)}`);
  }
}

export async function main(options: { quick?: boolean; compare?: boolean } = {}): Promise<SharedBudgetResult[]> {
  const quick = options.quick ?? (process.argv.includes('--quick') || process.env.LOCKDESK_BENCH_QUICK === '1');
  const compare = options.compare ?? process.argv.includes('--compare');
  const windowMs = quick ? 2_000 : 20_000;
  const dir = await mkdtemp(join(tmpdir(), 'lockdesk-bench-budget-'));
  const db = await createTestDatabase();
  // Once here, so that the two replicas starting together do not race to create the schema and pg-boss's.
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  await migrate({ url: db.url }, silent);
  await installFollowUpQueue({ url: db.url, logger: silent });
  const tls = await createSelfSignedCert(dir);
  try {
    const results: SharedBudgetResult[] = [];
    for (const store of compare ? (['postgres', 'lowdb'] as const) : (['postgres'] as const)) {
      // A fresh fake for each run: neither the previous run's writes nor its actions (which a client checking a
      // device's state after a 429 would take for its own) may count in this one.
      const fake = await startFakeGraph({ tls, tenant: twoUserTenant(), budget: { limit: BUDGET, windowMs }, actionSettleMs: 10 * 60_000 });
      try {
        const result = await run(fake, store, windowMs, db.url, dir);
        print(result, quick);
        results.push(result);
      } finally {
        await fake.close();
      }
    }
    return results;
  } finally {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
