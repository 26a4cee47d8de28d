// The process registry as a lease: a replica whose database session is lost for a moment stays alive to the others
// (and sends nothing meanwhile), one killed with kill -9 is dead once its lease and landing time have run out, and
// one that closes is dead at once.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/open-store.js';
import { withDefaultUser } from '../../src/store/postgres/pool.js';
import { REPO_ROOT } from '../console/run-console.js';
import { startTcpProxy } from '../replicas/tcp-proxy.js';
import { DATABASE_URL, dropSchema, postgresOrSkip, testSchemaName } from './postgres.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const availability = await postgresOrSkip();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

function recordingLogger() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string | undefined }> = [];
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A session of the test's own, outside any store, to look at and interfere with the others. */
async function withAdmin<T>(schema: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDefaultUser(DATABASE_URL), options: `-c search_path="${schema}"` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The session holding the advisory lock a process takes for its id (pg_locks shows the key split in two halves). */
const lockHolder = (c: pg.Client, id: string) =>
  c
    .query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks l, hashtextextended($1, 7245) AS h
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid::bigint = (h >> 32) & 4294967295 AND l.objid::bigint = h & 4294967295`,
      [id],
    )
    .then((r) => r.rows[0]?.pid);
const holdsLock = async (c: pg.Client, id: string) => (await lockHolder(c, id)) !== undefined;

if (availability.skip) {
  // Skipped only where no PostgreSQL answers (the reason is in the name); .ci/run sets LOCKDESK_REQUIRE_POSTGRES=1,
  // which makes postgresOrSkip() throw instead, so CI never skips it.
  describe.skip(`postgres process registry (skipped: ${availability.reason})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  describe('postgres process registry: a lease, not just a lock', () => {
    it("a process whose dedicated session is terminated stays alive to the others, may not send until it has registered again, then may", async () => {
      const schema = testSchemaName();
      const a = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent });
      const { lines, logger } = recordingLogger();
      const b = await openPostgresStore({ url: DATABASE_URL, schema, logger, migrate: false });
      try {
        expect(b.processes.maySend()).toBe(true);
        await withAdmin(schema, async (admin) => {
          const pid = await lockHolder(admin, b.processes.id);
          expect(pid).toBeTypeOf('number');
          await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        });
        await until(() => !b.processes.maySend(), 'B to stop sending once its session is gone', 5_000);
        expect(await a.processes.isAlive(b.processes.id)).toBe(true);
        await until(() => b.processes.maySend(), 'B to register again');
        expect(await a.processes.isAlive(b.processes.id)).toBe(true);
        await withAdmin(schema, async (admin) => expect(await holdsLock(admin, b.processes.id)).toBe(true));

        const warns = lines.filter((l) => l.level === 'warn');
        expect(warns).toHaveLength(1);
        expect(warns[0]!.msg).toMatch(/lost the database session/);
        expect(JSON.stringify(warns[0]!.obj)).not.toMatch(/\n|stack/);
        expect(lines.some((l) => l.level === 'info' && /registered again/.test(l.msg ?? ''))).toBe(true);
      } finally {
        await b.close();
        await a.close();
        await dropSchema(schema);
      }
    });

    it('a process cut off from the database for 4 s (its lock gone) is alive to the others throughout, and sends nothing until it is back', async () => {
      const schema = testSchemaName();
      const proxy = await startTcpProxy({ host: new URL(DATABASE_URL).hostname || '127.0.0.1', port: Number(new URL(DATABASE_URL).port || 5432) });
      const viaProxy = new URL(DATABASE_URL);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      const a = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent });
      let b: PostgresStore | undefined;
      try {
        b = await openPostgresStore({ url: viaProxy.toString(), schema, logger: silent, migrate: false });
        const id = b.processes.id;
        await proxy.down();
        const downAt = Date.now();
        await until(() => !b!.processes.maySend(), 'B to stop sending', 5_000);
        await withAdmin(schema, async (admin) => {
          await until(async () => !(await holdsLock(admin, id)), "B's lock to go with its session", 5_000);
          // Sampled through the cut: never taken for dead, never allowed to send.
          while (Date.now() - downAt < 4_000) {
            expect(await a.processes.isAlive(id)).toBe(true);
            expect(b!.processes.maySend()).toBe(false);
            await sleep(250);
          }
        });
        await proxy.up();
        await until(() => b!.processes.maySend(), 'B to register again once the database is back', 10_000);
        expect(await a.processes.isAlive(id)).toBe(true);
        await withAdmin(schema, async (admin) => expect(await holdsLock(admin, id)).toBe(true));
      } finally {
        await b?.close();
        await a.close();
        await proxy.close();
        await dropSchema(schema);
      }
    }, 30_000);

    it('a process killed with kill -9 frees its lock at once but is alive to the others until its lease and landing time have run out', async () => {
      const schema = testSchemaName();
      const lease = { heartbeatMs: 250, leaseMs: 3_000, safetyMs: 500, landingMs: 2_000 };
      const aliveFor = lease.leaseMs + lease.landingMs;
      const a = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent });
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/store/registry-child.ts', DATABASE_URL, schema, JSON.stringify(lease)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
      try {
        await until(() => out.includes('\n'), 'the child to register', 20_000);
        const { id } = JSON.parse(out.split('\n')[0]!) as { id: string };
        expect(await a.processes.isAlive(id)).toBe(true);
        await sleep(1_000); // a few renewals

        const { ageMs, killedAt } = await withAdmin(schema, async (admin) => {
          const age = await admin.query<{ ms: number }>("SELECT extract(epoch FROM now() - beat_at) * 1000 AS ms FROM lockdesk_processes WHERE id = $1", [id]);
          const at = Date.now();
          child.kill('SIGKILL');
          await once(child, 'exit');
          return { ageMs: Number(age.rows[0]!.ms), killedAt: at };
        });
        // The last renewal the database stamped is no older than that; the child is dead aliveFor after it.
        const deadNoEarlierThan = killedAt - ageMs - lease.heartbeatMs + aliveFor;
        await withAdmin(schema, async (admin) => until(async () => !(await holdsLock(admin, id)), "the child's lock to go with its session", 5_000));
        expect(Date.now()).toBeLessThan(deadNoEarlierThan - 1_000);
        expect(await a.processes.isAlive(id)).toBe(true);

        await until(async () => !(await a.processes.isAlive(id)), 'the child to be known dead', aliveFor + 10_000);
        const deadAt = Date.now();
        expect(deadAt).toBeGreaterThanOrEqual(deadNoEarlierThan - 100);
        console.info(`[registry] kill -9 with lease ${lease.leaseMs} ms + landing ${lease.landingMs} ms: known dead ${deadAt - killedAt} ms after the kill`);
      } finally {
        child.kill('SIGKILL');
        await a.close();
        await dropSchema(schema);
      }
    }, 40_000);

    it('a process that closes is dead at once, and one never seen is dead', async () => {
      const schema = testSchemaName();
      const a = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent });
      const b = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent, migrate: false });
      try {
        const id = b.processes.id;
        expect(await a.processes.isAlive(id)).toBe(true);
        await b.close();
        expect(b.processes.maySend()).toBe(false);
        expect(await a.processes.isAlive(id)).toBe(false);
        expect(await a.processes.isAlive('lockdesk-never-existed')).toBe(false);
        await withAdmin(schema, async (admin) => expect((await admin.query('SELECT 1 FROM lockdesk_processes WHERE id = $1', [id])).rowCount).toBe(0));
      } finally {
        await a.close();
        await dropSchema(schema);
      }
    });
  });
}
