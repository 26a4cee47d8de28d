// lockdesk with two database roles: an owner that migrates (DATABASE_MIGRATION_URL) and a runtime role
// (DATABASE_URL) that can do only what src/store/postgres/runtime-grants.sql gives it. The store contract and the
// pg-boss queue run as the runtime role; the audit trail refuses it every change by privilege, not by the trigger
// alone; and the README shows the very file that is applied.
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { FollowUpJob } from '../../src/ports.js';
import { PgQueue } from '../../src/queue/pg-queue.js';
import { readAuditTrail } from '../../src/store/audit-reader.js';
import { RUNTIME_GRANTS_FILE } from '../../src/store/postgres/grants.js';
import { openPostgresStore } from '../../src/store/postgres/open-store.js';
import { withDefaultUser } from '../../src/store/postgres/pool.js';
import { collect, startTsx } from '../console/run-console.js';
import { auditEvent, collect as collectAll } from './fixtures.js';
import { DATABASE_URL, postgresOrSkip } from './postgres.js';
import { describeStoreContract } from './store-contract.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const availability = await postgresOrSkip();
const RUN = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const OWNER = `lockdesk_owner_${RUN}`;
const RUNTIME = `lockdesk_app_${RUN}`;
/** A role that may only read the audit trail, as an auditor's would. */
const AUDITOR = `lockdesk_audit_${RUN}`;
let databases = 0;

async function asAdmin<T>(work: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const url = new URL(withDefaultUser(DATABASE_URL));
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function urlFor(role: string, database: string): string {
  const url = new URL(DATABASE_URL);
  url.username = role;
  url.password = '';
  url.pathname = `/${database}`;
  return url.toString();
}

/** A database of its own, owned by the owner role, as the README has an administrator create it. */
async function freshDatabase(): Promise<{ name: string; ownerUrl: string; runtimeUrl: string; drop(): Promise<void> }> {
  const name = `lockdesk_roles_${RUN}_${++databases}`;
  await asAdmin((c) => c.query(`CREATE DATABASE "${name}" OWNER "${OWNER}"`));
  return {
    name,
    ownerUrl: urlFor(OWNER, name),
    runtimeUrl: urlFor(RUNTIME, name),
    drop: () => asAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function asRole<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** What PostgreSQL says when a role lacks the privilege (or does not own the object): 42501, whatever the wording. */
async function refusedByPrivilege(c: pg.Client, sql: string): Promise<void> {
  const error = (await c.query(sql).then(
    () => undefined,
    (e: unknown) => e,
  )) as { code?: string; message?: string } | undefined;
  expect(error, `${sql} was allowed`).toBeDefined();
  expect(error?.code, `${sql}: ${error?.message}`).toBe('42501');
  expect(error?.message).not.toMatch(/append-only/);
}

const ownedBy = (c: pg.Client, role: string) =>
  c
    .query<{ name: string }>("SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)", [role])
    .then((r) => r.rows.map((row) => row.name));

const job = (key: string): FollowUpJob => ({ key, dispatchIds: [key], confirmedBy: 'test', chatUntil: new Date().toISOString(), phase: 'chat', attempt: 0 });

if (availability.skip) {
  // Skipped only where no PostgreSQL answers (the reason is in the name); .ci/run sets LOCKDESK_REQUIRE_POSTGRES=1,
  // which makes postgresOrSkip() throw instead, so CI never skips it.
  describe.skip(`postgres roles (skipped: ${availability.reason})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  beforeAll(async () => {
    await asAdmin(async (c) => {
      await c.query(`CREATE ROLE "${OWNER}" LOGIN`);
      await c.query(`CREATE ROLE "${RUNTIME}" LOGIN`);
      await c.query(`CREATE ROLE "${AUDITOR}" LOGIN`);
    });
  });
  afterAll(async () => {
    // Each test drops its database, and the privileges and default privileges in it go with it.
    await asAdmin(async (c) => {
      await c.query(`DROP ROLE IF EXISTS "${AUDITOR}"`);
      await c.query(`DROP ROLE IF EXISTS "${RUNTIME}"`);
      await c.query(`DROP ROLE IF EXISTS "${OWNER}"`);
    });
  });

  describeStoreContract('postgres as the runtime role', async () => {
    const db = await freshDatabase();
    const store = await openPostgresStore({ url: db.runtimeUrl, migrationUrl: db.ownerUrl, logger: silent });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await db.drop();
      },
    };
  });

  describe('postgres with an owner role and a runtime role', () => {
    it('the runtime role cannot change the audit trail, nor drop or disable its trigger, nor create anything', async () => {
      const db = await freshDatabase();
      const store = await openPostgresStore({ url: db.runtimeUrl, migrationUrl: db.ownerUrl, logger: silent });
      try {
        await store.audit.append(auditEvent());
        await asRole(db.runtimeUrl, async (c) => {
          await refusedByPrivilege(c, "UPDATE lockdesk_audit SET event = '{}'");
          await refusedByPrivilege(c, 'DELETE FROM lockdesk_audit');
          await refusedByPrivilege(c, 'TRUNCATE lockdesk_audit');
          await refusedByPrivilege(c, 'ALTER TABLE lockdesk_audit DISABLE TRIGGER ALL');
          await refusedByPrivilege(c, 'DROP TRIGGER lockdesk_audit_no_change ON lockdesk_audit');
          await refusedByPrivilege(c, 'DROP TABLE lockdesk_audit');
          await refusedByPrivilege(c, 'CREATE TABLE lockdesk_sneaky (x int)');
          await refusedByPrivilege(c, 'CREATE TABLE lockdesk_boss.sneaky (x int)');
          // Nothing was created as the runtime role: every DDL ran as the owner.
          expect(await ownedBy(c, RUNTIME)).toEqual([]);
        });
        // What the contract suite does not cover, as the runtime role: the inventory index is replaced whole.
        await store.inventoryIndex.replaceAll([{ id: 'dev-1', serialNumber: 'SN-1' }], new Date());
        await store.inventoryIndex.replaceAll([{ id: 'dev-2', serialNumber: 'SN-1' }], new Date(Date.now() + 1_000));
        expect(await store.inventoryIndex.idsBySerial('sn-1')).toEqual(['dev-2']);
        // The owner is refused too, by the trigger, which is still there.
        await asRole(db.ownerUrl, async (c) => {
          await expect(c.query('DELETE FROM lockdesk_audit')).rejects.toThrow(/append-only/);
        });
        expect(await collectAll(store.audit.read())).toHaveLength(1);
      } finally {
        await store.close();
        await db.drop();
      }
    });

    it('the runtime role reserves, stamps and gives back Graph writes in the shared window, and can do nothing else to it', async () => {
      const db = await freshDatabase();
      const store = await openPostgresStore({ url: db.runtimeUrl, migrationUrl: db.ownerUrl, logger: silent });
      try {
        const request = { budget: 10, windowMs: 60_000, answerWithinMs: 60_000 };
        const sent = await store.writeWindow.reserve({ ...request, count: 5 });
        if (!sent.reserved) throw new Error('the runtime role could not reserve in an empty window');
        await store.writeWindow.answered(sent.id);
        const unsent = await store.writeWindow.reserve({ ...request, count: 5 });
        if (!unsent.reserved) throw new Error('the runtime role could not reserve what fits');
        await store.writeWindow.withdraw(unsent.id);
        expect((await store.writeWindow.reserve({ ...request, count: 6 })).reserved).toBe(false);
        await asRole(db.runtimeUrl, async (c) => {
          await refusedByPrivilege(c, 'TRUNCATE lockdesk_graph_writes');
          await refusedByPrivilege(c, 'ALTER TABLE lockdesk_graph_writes ADD COLUMN sneaky int');
          await refusedByPrivilege(c, 'DROP TABLE lockdesk_graph_writes');
          await refusedByPrivilege(c, 'DROP FUNCTION lockdesk_reserve_graph_writes(uuid, integer, integer, integer, integer, text)');
          await refusedByPrivilege(
            c,
            'CREATE OR REPLACE FUNCTION lockdesk_reserve_graph_writes(p_id uuid, p_count integer, p_budget integer, p_window_ms integer, p_answer_within_ms integer, p_owner text) RETURNS TABLE (reserved boolean, wait_ms integer) LANGUAGE sql AS $$ SELECT true, 0 $$',
          );
          expect(await ownedBy(c, RUNTIME)).toEqual([]);
        });
        // Reserving is granted to the runtime role, not to every role that can log in.
        await asRole(urlFor(AUDITOR, db.name), (c) => refusedByPrivilege(c, "SELECT * FROM lockdesk_reserve_graph_writes(gen_random_uuid(), 1, 10, 1000, 1000, 'sneaky')"));
      } finally {
        await store.close();
        await db.drop();
      }
    });

    it('the follow-up queue runs as the runtime role: pg-boss installed and the queue created by the owner, jobs and maintenance by the runtime role', async () => {
      const db = await freshDatabase();
      const warnings: string[] = [];
      const logger = { ...silent, warn: (obj: object, msg?: string) => warnings.push(`${msg}: ${JSON.stringify(obj)}`) };
      const store = await openPostgresStore({ url: db.runtimeUrl, migrationUrl: db.ownerUrl, logger });
      const queue = await PgQueue.open({ url: db.runtimeUrl, migrationUrl: db.ownerUrl, logger, maintenanceIntervalSeconds: 1 });
      try {
        const ran: string[] = [];
        await queue.start(async (j) => {
          ran.push(j.key);
        });
        await queue.schedule(job('k-runtime'), 0);
        await queue.idle();
        expect(ran).toEqual(['k-runtime']);
        await new Promise((r) => setTimeout(r, 2_500)); // a maintenance pass or two, as the runtime role
        expect(warnings).toEqual([]);

        // pg-boss's maintenance (expire, archive, delete), run directly as the runtime role.
        const boss = new PgBoss({ connectionString: db.runtimeUrl, schema: 'lockdesk_boss', migrate: false, schedule: false, supervise: false });
        boss.on('error', () => undefined);
        await boss.start();
        try {
          await expect(boss.maintain()).resolves.toBeDefined();
        } finally {
          await boss.stop({ graceful: false, wait: true });
        }
        await asRole(db.runtimeUrl, async (c) => expect(await ownedBy(c, RUNTIME)).toEqual([]));
      } finally {
        await queue.stop();
        await store.close();
        await db.drop();
      }
    }, 40_000);

    it('npm run migrate uses DATABASE_MIGRATION_URL for the migrations, the grants and pg-boss; the runtime role then starts without running any DDL', async () => {
      const db = await freshDatabase();
      try {
        const env = { ...process.env, STORE: 'postgres', DATABASE_URL: db.runtimeUrl, DATABASE_MIGRATION_URL: db.ownerUrl, LOG_LEVEL: 'warn' };
        const result = await collect(startTsx('src/cli/migrate.ts', [], env, 'ignore'));
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toMatch(/applied .*inventory-index/);
        await asRole(db.ownerUrl, async (c) => expect(await ownedBy(c, OWNER)).toEqual(expect.arrayContaining(['public.lockdesk_audit', 'lockdesk_boss.job'])));

        // Without a migration URL and with migrate: false, as a runtime that has no right to create anything.
        const store = await openPostgresStore({ url: db.runtimeUrl, logger: silent, migrate: false });
        const queue = await PgQueue.open({ url: db.runtimeUrl, logger: silent });
        try {
          await store.audit.append(auditEvent());
          await queue.start(async () => undefined);
          await queue.schedule(job('k-after-migrate'), 0);
          await queue.idle();
        } finally {
          await queue.stop();
          await store.close();
        }
        await asRole(db.runtimeUrl, async (c) => expect(await ownedBy(c, RUNTIME)).toEqual([]));
      } finally {
        await db.drop();
      }
    }, 40_000);

    it("npm run audit's reader needs nothing but SELECT on the audit trail (it registers no process)", async () => {
      const db = await freshDatabase();
      const store = await openPostgresStore({ url: db.runtimeUrl, migrationUrl: db.ownerUrl, logger: silent });
      try {
        await store.audit.append(auditEvent({ outcome: 'for-the-auditor' }));
        await asRole(db.ownerUrl, (c) => c.query(`GRANT SELECT ON lockdesk_audit TO "${AUDITOR}"`));
        const config = loadConfig({ STORE: 'postgres', DATABASE_URL: urlFor(AUDITOR, db.name) });
        expect((await collectAll(readAuditTrail(config))).map((e) => e.outcome)).toEqual(['for-the-auditor']);
      } finally {
        await store.close();
        await db.drop();
      }
    });

    it('DATABASE_MIGRATION_URL is read once with the rest of the configuration, and must be a postgres:// URL', () => {
      const base = { STORE: 'postgres', DATABASE_URL: 'postgres://lockdesk_app@db:5432/lockdesk' };
      expect(loadConfig({ ...base, DATABASE_MIGRATION_URL: 'postgres://lockdesk_owner@db:5432/lockdesk' }).DATABASE_MIGRATION_URL).toBe('postgres://lockdesk_owner@db:5432/lockdesk');
      expect(loadConfig(base).DATABASE_MIGRATION_URL).toBeUndefined();
      expect(() => loadConfig({ ...base, DATABASE_URL: 'mysql://x', DATABASE_MIGRATION_URL: 'http://db' })).toThrow(/DATABASE_URL[\s\S]*DATABASE_MIGRATION_URL/);
    });

    it('the README shows the grants file exactly as it is applied', async () => {
      const [readme, grants] = await Promise.all([readFile('README.md', 'utf8'), readFile(RUNTIME_GRANTS_FILE, 'utf8')]);
      const section = readme.slice(readme.indexOf('## Several replicas (PostgreSQL)'), readme.indexOf('\n## ', readme.indexOf('## Several replicas (PostgreSQL)') + 3));
      expect(section).toContain(`\`\`\`sql\n${grants.trimEnd()}\n\`\`\``);
    });
  });
}

