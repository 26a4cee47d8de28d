// `npm run bench:store`: confirmation claims per second, audit appends per second and claim latency p99, on lowdb
// and on PostgreSQL, with one and with two processes, side by side. Prints figures; it is not a test.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { migrate } from '../src/store/postgres/migrate.js';
import { withDefaultUser } from '../src/store/postgres/pool.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const DURATION_MS = Number(process.env.BENCH_STORE_MS ?? 5_000);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface WorkerResult {
  claims: number;
  appends: number;
  claimMs: number[];
}

function runWorker(kind: string, where: string, worker: number): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['bench/store-worker.ts', kind, where, String(DURATION_MS), String(worker)], { cwd: ROOT, env: { ...process.env, DATABASE_URL } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as WorkerResult) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(values.length * 0.99) - 1)] ?? NaN;

async function measure(kind: 'lowdb' | 'postgres', processes: number): Promise<string> {
  if (kind === 'lowdb' && processes > 1) return 'n/a: one process per data directory';
  let where: string;
  let cleanup: () => Promise<void>;
  if (kind === 'lowdb') {
    where = await mkdtemp(join(tmpdir(), 'lockdesk-bench-store-'));
    cleanup = () => rm(where, { recursive: true, force: true });
  } else {
    where = `lockdesk_bench_${process.pid}`;
    await migrate({ url: DATABASE_URL, schema: where }, silent);
    cleanup = async () => {
      const client = new pg.Client({ connectionString: withDefaultUser(DATABASE_URL) });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${where}" CASCADE`);
      await client.end();
    };
  }
  try {
    const results = await Promise.all(Array.from({ length: processes }, (_, i) => runWorker(kind, where, i)));
    const seconds = DURATION_MS / 1000;
    const claims = results.reduce((n, r) => n + r.claims, 0) / seconds;
    const appends = results.reduce((n, r) => n + r.appends, 0) / seconds;
    const latency = p99(results.flatMap((r) => r.claimMs));
    return `${claims.toFixed(0).padStart(8)} claims/s ${appends.toFixed(0).padStart(8)} appends/s   claim p99 ${latency.toFixed(2)} ms`;
  } finally {
    await cleanup();
  }
}

export async function main(): Promise<void> {
  console.log(`store throughput: each process claims a confirmation (create + resolve) then appends an audit event, for ${DURATION_MS / 1000} s`);
  for (const kind of ['lowdb', 'postgres'] as const) {
    for (const processes of [1, 2]) {
      let line: string;
      try {
        line = await measure(kind, processes);
      } catch (error) {
        line = `failed: ${(error as Error).message.split('\n')[0]}`;
      }
      console.log(`${kind.padEnd(9)} ${processes} process${processes > 1 ? 'es' : '  '}  ${line}`);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
