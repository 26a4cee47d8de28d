// One replica's Graph backend, as a process of its own: the real Graph client (started with NODE_EXTRA_CA_CERTS, so
// it trusts the fake Graph server's certificate) on a write budget shared through PostgreSQL. It says "ready", waits
// for a line on stdin (so that several start at one instant), dispatches a lock to its devices, says "waited" once
// the budget has made it wait, and prints one JSON line of results.
// Run: node --import tsx test/backend/graph/budget-child.ts '<json: url, schema, env, ids, timings?>'
import { createInterface } from 'node:readline';
import { createGraphBackend, graphSettingsFrom } from '../../../src/backend/graph/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { PostgresWriteWindow } from '../../../src/store/postgres/write-window.js';
import { systemClock } from '../../../src/system.js';

interface ChildInput {
  url: string;
  schema: string;
  env: Record<string, string>;
  ids: string[];
  timings?: Record<string, number>;
}

const input = JSON.parse(process.argv[2]!) as ChildInput;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const settings = graphSettingsFrom(loadConfig(input.env));
const window = new PostgresWriteWindow({ url: input.url, schema: input.schema, owner: `budget-child-${process.pid}` });
const backend = await createGraphBackend({ settings, clock: systemClock, logger: silent, writeWindow: window, ...(input.timings ? { sharedTimings: input.timings } : {}) });
process.stdout.write('ready\n');
await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
const watch = setInterval(() => {
  if (backend.writeLimiter.waits === 0) return;
  process.stdout.write('waited\n');
  clearInterval(watch);
}, 10);
const results = await backend.dispatch('lock', input.ids);
clearInterval(watch);
process.stdout.write(`${JSON.stringify(results.map((r) => ({ deviceId: r.deviceId, ok: r.ok, code: r.ok ? undefined : r.error.code })))}\n`);
await backend.close();
await window.close();
process.exit(0);
