// One process of `npm run bench:store`: claims confirmations and appends audit events for a fixed time, then
// prints its counts and claim latencies as JSON. Started by bench/store-throughput.ts.
import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '../src/core/records.js';
import { confirmation } from './store.js';
import type { Logger, Store } from '../src/ports.js';
import { openLowdbStore } from '../src/store/lowdb/index.js';
import { openPostgresStore } from '../src/store/postgres/open-store.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const [kind, where, durationText, worker] = process.argv.slice(2);
const durationMs = Number(durationText);
const actor = { platform: 'slack' as const, id: `U0BENCH${worker}`, email: 'bench@example.com' };


function event(i: number): AuditEvent {
  return { at: new Date().toISOString(), event: 'result', action: 'lock', deviceId: `dev-${i}`, deviceName: 'Bench iPhone', actor, outcome: 'sent', correlationId: `corr-${worker}-${i}` };
}

async function open(): Promise<Store> {
  if (kind === 'postgres') return openPostgresStore({ url: process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test', schema: where!, logger: silent, migrate: false });
  return openLowdbStore({ dir: where!, logger: silent });
}

const store = await open();
const claimMs: number[] = [];
let appends = 0;
const end = performance.now() + durationMs;
let i = 0;
// Half the time claims, half appends, interleaved, so both see the same load.
while (performance.now() < end) {
  const id = `w${worker}-${i++}`;
  await store.confirmations.create(confirmation(id, Date.now(), Date.now() + 300_000, actor));
  const t = performance.now();
  const outcome = await store.confirmations.resolve(id, 'confirmed', actor, `dev-${id}`, new Date());
  claimMs.push(performance.now() - t);
  if (!outcome.ok) throw new Error(`claim of ${id} failed: ${outcome.reason}`);
  await store.audit.append(event(i));
  appends++;
}
await store.close();
process.stdout.write(JSON.stringify({ claims: claimMs.length, appends, claimMs }));
