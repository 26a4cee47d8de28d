// Replicas as real processes, each with the real Graph client against the local fake Graph server (which enforces
// Intune's write budget as a sliding window and counts its 429s), sharing one write budget through PostgreSQL: two
// started at the same instant never meet a 429 and write each device once; one whose database is cut while it waits
// for its turn sends nothing and says so (not_sent).
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../src/store/postgres/migrate.js';
import { PostgresWriteWindow } from '../../../src/store/postgres/write-window.js';
import { REPO_ROOT } from '../../console/run-console.js';
import { createSelfSignedCert, generatedTenant, startFakeGraph, type FakeGraph, type TlsMaterial } from '../../fakes/graph-server/index.js';
import { startTcpProxy } from '../../replicas/tcp-proxy.js';
import { DATABASE_URL, dropSchema, postgresOrSkip, testSchemaName } from '../../store/postgres.js';

const availability = await postgresOrSkip();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const BUDGET = 10;
const WINDOW_MS = 1_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  process: ChildProcess;
  output(): string;
  /** Resolves once the child has printed this line. */
  line(text: string | RegExp, timeoutMs?: number): Promise<string>;
}

function startChild(fake: FakeGraph, url: string, schema: string, ids: string[], timings?: Record<string, number>): Child {
  const env = { ...fake.env(), GRAPH_WRITE_BUDGET: String(BUDGET), GRAPH_WRITE_WINDOW_MS: String(WINDOW_MS), LOG_LEVEL: 'silent' };
  const input = JSON.stringify({ url, schema, env, ids, ...(timings ? { timings } : {}) });
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/backend/graph/budget-child.ts', input], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: fake.tls.certFile },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  return {
    process: child,
    output: () => out,
    async line(text, timeoutMs = 30_000) {
      for (const until = Date.now() + timeoutMs; ; await sleep(10)) {
        const found = out.split('\n').find((l) => (typeof text === 'string' ? l === text : text.test(l)));
        if (found !== undefined) return found;
        if (child.exitCode !== null || Date.now() > until) throw new Error(`no line ${String(text)} from the child:\n${out}`);
      }
    },
  };
}

type ChildResult = { deviceId: string; ok: boolean; code?: string };
const results = async (child: Child) => JSON.parse(await child.line(/^\[/)) as ChildResult[];

if (availability.skip) {
  // Skipped only where no PostgreSQL answers (the reason is in the name); .ci/run sets LOCKDESK_REQUIRE_POSTGRES=1,
  // which makes postgresOrSkip() throw instead, so CI never skips it.
  describe.skip(`shared write budget across processes (skipped: ${availability.reason})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  let tls: TlsMaterial;
  beforeAll(async () => {
    tls = await createSelfSignedCert();
  });
  afterAll(async () => {
    await rm(tls.dir, { recursive: true, force: true });
  });

  describe('shared write budget: replicas as processes against the fake Graph server', () => {
    it('two replicas locking 20 devices each at the same instant under a budget of 10 per second: no 429, each device written once', async () => {
      const schema = testSchemaName();
      await migrate({ url: DATABASE_URL, schema }, silent);
      const tenant = generatedTenant({ count: 40 });
      const fake = await startFakeGraph({ tls, tenant, budget: { limit: BUDGET, windowMs: WINDOW_MS }, refuseWindowsLock: false, actionSettleMs: 60_000 });
      const ids = tenant.devices.map((d) => d.json.id);
      const children = [startChild(fake, DATABASE_URL, schema, ids.slice(0, 20)), startChild(fake, DATABASE_URL, schema, ids.slice(20))];
      try {
        await Promise.all(children.map((c) => c.line('ready')));
        for (const c of children) c.process.stdin!.write('go\n');
        const all = (await Promise.all(children.map(results))).flat();
        expect(all.filter((r) => !r.ok)).toEqual([]);
        expect(fake.counters.throttled).toBe(0);
        const written = fake.writes.map((w) => w.deviceId);
        expect([...written].sort()).toEqual([...ids].sort());
        // Both had to wait their turn: the budget was really shared, not split or doubled.
        await Promise.all(children.map((c) => c.line('waited')));
      } finally {
        for (const c of children) c.process.kill('SIGKILL');
        await fake.close();
        await dropSchema(schema);
      }
    }, 60_000);

    it('a replica whose database is cut while it waits for its turn sends nothing and reports every device as not sent', async () => {
      const schema = testSchemaName();
      await migrate({ url: DATABASE_URL, schema }, silent);
      const tenant = generatedTenant({ count: 5 });
      const fake = await startFakeGraph({ tls, tenant, budget: { limit: BUDGET, windowMs: WINDOW_MS }, refuseWindowsLock: false, actionSettleMs: 60_000 });
      const target = new URL(DATABASE_URL);
      const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const viaProxy = new URL(DATABASE_URL);
      viaProxy.port = String(proxy.port);
      // Another replica's writes fill the window and stay in flight.
      const other = new PostgresWriteWindow({ url: DATABASE_URL, schema, owner: 'other' });
      const child = startChild(fake, viaProxy.toString(), schema, tenant.devices.map((d) => d.json.id), { unreachableMs: 500, retryFirstMs: 50, retryMaxMs: 100 });
      try {
        expect((await other.reserve({ count: BUDGET, budget: BUDGET, windowMs: WINDOW_MS, answerWithinMs: 60_000 })).reserved).toBe(true);
        await child.line('ready');
        const before = { ...fake.counters };
        child.process.stdin!.write('go\n');
        await child.line('waited');
        await proxy.down();
        const outcome = await results(child);
        expect(outcome.map((r) => r.code)).toEqual(Array(5).fill('not_sent'));
        expect(fake.writes).toEqual([]);
        expect(fake.counters.write + fake.counters.batch).toBe(before.write + before.batch);
      } finally {
        child.process.kill('SIGKILL');
        await proxy.close();
        await other.close();
        await fake.close();
        await dropSchema(schema);
      }
    }, 60_000);
  });
}
