// One replica of `npm run bench:budget`, started by bench/shared-budget.ts with NODE_EXTRA_CA_CERTS (so its Graph
// client trusts the fake Graph server) and the whole configuration in its environment: the real composition
// (buildApp: Graph backend, the configured store and, with PostgreSQL, the shared write budget), a handler built on
// it that may list every device, and the chat flow of a helpdesk member locking every device of one user.
// Speaks JSON lines: {"ready":…} once the confirmation is shown; then waits for "go <epoch ms>" on stdin, clicks
// "Lock all" at that moment and prints {"done":…} when the click's status is back.
// Usage: tsx bench/shared-budget-worker.ts --user <upn> --devices <n> --prefix <the user's device names' prefix>
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import type { GraphBackend } from '../src/backend/graph/index.js';
import { loadConfig } from '../src/config/index.js';
import { buttonsOf, createHandler, DEFAULT_SETTINGS, type Actor, type Reply, type ReplySink } from '../src/core/index.js';
import type { Logger } from '../src/ports.js';
import { MemoryQueue } from '../src/queue/memory-queue.js';
import { systemClock, systemIds } from '../src/system.js';

export interface WorkerReady {
  ready: { offered: number };
}

export interface WorkerDone {
  done: { clickedAt: number; statusAt: number; waits: number; waitedMs: number; sent: number; notSent: number; other: number };
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const helpdesk: Actor = { platform: 'console', id: 'helpdesk@contoso.com', email: 'helpdesk@contoso.com' };
const say = (line: WorkerReady | WorkerDone) => process.stdout.write(`${JSON.stringify(line)}\n`);

function sink(): ReplySink & { replies: Reply[] } {
  const s: ReplySink & { replies: Reply[] } = { replies: [], reply: async (r) => void s.replies.push(r), update: async (r) => void s.replies.push(r), sendSecret: async () => {} };
  return s;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { user: { type: 'string' }, devices: { type: 'string' }, prefix: { type: 'string' } } });
  if (!values.user || !values.devices || !values.prefix) throw new Error('usage: tsx bench/shared-budget-worker.ts --user <upn> --devices <n> --prefix <device name prefix>');
  const prefix = values.prefix;
  const devices = Number(values.devices);
  const app = await buildApp(loadConfig(process.env), silent);
  // buildApp's own handler lists at most 25 devices, so "Lock all" could not cover them all: this one may list every
  // device; everything below it (backend, store, registry, budget) is the app's.
  const queue = new MemoryQueue(systemClock, silent);
  const handler = createHandler({
    queue,
    backend: app.backend, store: app.store, platforms: app.platforms, policy: app.policy, clock: systemClock, ids: systemIds, logger: silent,
    ...(app.processes ? { processes: app.processes } : {}),
    // Follow-up rounds would add Graph reads during the measurement; the first comes long after it.
    settings: { ...DEFAULT_SETTINGS, maxListed: devices, pollInitialMs: 10 * 60_000 },
  });
  queue.start((job) => handler.runFollowUp(job));
  try {
    const asked = sink();
    await handler.handleMessage(helpdesk, `lock ${values.user}`, asked);
    const all = buttonsOf(asked.replies[0] ?? { text: '', blocks: [] }).find((b) => /^Lock all/.test(b.label));
    if (!all || !all.label.includes(String(devices))) throw new Error(`no "Lock all ${devices}" button in: ${asked.replies[0]?.text.slice(0, 300)}`);
    say({ ready: { offered: devices } });

    const go = await new Promise<string>((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
    const at = Number(/^go (\d+)$/.exec(go)?.[1]);
    if (!Number.isFinite(at)) throw new Error(`expected "go <epoch ms>", got ${go}`);
    await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
    const clicked = sink();
    const clickedAt = Date.now();
    await handler.handleClick(helpdesk, all.value, clicked);
    const statusAt = Date.now();

    const states = { sent: 0, notSent: 0, other: 0 };
    for await (const event of app.store.audit.read({ since: new Date(clickedAt - 1_000) })) {
      if (event.event !== 'result' || event.actor?.id !== helpdesk.id || !(event.deviceName ?? '').startsWith(prefix)) continue;
      if (event.outcome === 'sent') states.sent += 1;
      else if (event.outcome === 'notSent') states.notSent += 1;
      else states.other += 1;
    }
    const limiter = (app.backend as GraphBackend).writeLimiter;
    say({ done: { clickedAt, statusAt, waits: limiter.waits, waitedMs: limiter.waitedMs, ...states } });
  } finally {
    queue.stop();
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
