// The PostgreSQL store: the shared contract against a real server, plus what only a shared database can get wrong.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/open-store.js';
import { migrate } from '../../src/store/postgres/migrate.js';
import { withDefaultUser } from '../../src/store/postgres/pool.js';
import { alice, approval, at, auditEvent, bob, confirmation, dispatch, MINUTE } from './fixtures.js';
import { DATABASE_URL, dropSchema, postgresOrSkip, testSchemaName } from './postgres.js';
import { describeStoreContract } from './store-contract.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const availability = await postgresOrSkip();

async function freshStore(schema = testSchemaName()) {
  const store = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent });
  return { store, schema, cleanup: async () => { await store.close(); await dropSchema(schema); } };
}

if (availability.skip) {
  // Skipped only where no PostgreSQL answers, with the reason in the name; CI sets LOCKDESK_REQUIRE_POSTGRES=1,
  // which makes postgresOrSkip() throw instead, so there these tests always run.
  describe.skip(`postgres store (skipped: ${availability.reason})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  describeStoreContract('postgres', freshStore);

  describe('postgres store: shared by replicas', () => {
    it('two stores (two replicas) claiming one confirmation at once: exactly one wins, every time', async () => {
      const { store: a, schema, cleanup } = await freshStore();
      const b = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent, migrate: false });
      try {
        for (let i = 0; i < 20; i++) {
          const c = confirmation({ id: `race-${i}` });
          await a.confirmations.create(c);
          const results = await Promise.all([a, b, a, b].map((s) => s.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(MINUTE))));
          expect(results.filter((r) => r.ok)).toHaveLength(1);
        }
      } finally {
        await b.close();
        await cleanup();
      }
    });

    it('two stores (two replicas) approving one request at once: exactly one wins, every time', async () => {
      const { store: a, schema, cleanup } = await freshStore();
      const b = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent, migrate: false });
      try {
        for (let i = 0; i < 20; i++) {
          const request = approval({ id: `approval-race-${i}` });
          await a.approvals.create(request);
          const results = await Promise.all([a, b, a, b].map((s, n) => (n % 2 ? s.approvals.resolve(request.id, 'denied', bob, at(MINUTE), 'no') : s.approvals.resolve(request.id, 'approved', bob, at(MINUTE)))));
          expect(results.filter((r) => r.ok)).toHaveLength(1);
          expect((await b.approvals.get(request.id))?.status).not.toBe('pending');
        }
      } finally {
        await b.close();
        await cleanup();
      }
    });

    it('the audit trail refuses updates and deletes', async () => {
      const { store, schema, cleanup } = await freshStore();
      try {
        await store.audit.append(auditEvent());
        const client = new pg.Client({ connectionString: withDefaultUser(DATABASE_URL), options: `-c search_path="${schema}"` });
        await client.connect();
        try {
          await expect(client.query("UPDATE lockdesk_audit SET event = '{}'")).rejects.toThrow(/append-only/);
          await expect(client.query('DELETE FROM lockdesk_audit')).rejects.toThrow(/append-only/);
          await expect(client.query('TRUNCATE lockdesk_audit')).rejects.toThrow(/append-only/);
        } finally {
          await client.end();
        }
      } finally {
        await cleanup();
      }
    });

    it('migrations are applied once, however many replicas start together', async () => {
      const schema = testSchemaName();
      try {
        const runs = await Promise.all([1, 2, 3].map(() => migrate({ url: DATABASE_URL, schema }, silent)));
        // Each migration applied once, by one of the three.
        const names = runs.flat();
        expect(names.sort()).toEqual([...new Set(names)].sort());
        expect(names.length).toBeGreaterThan(0);
        expect(runs.filter((r) => r.length > 0)).toHaveLength(1);
      } finally {
        await dropSchema(schema);
      }
    });

    it('an unreachable database is a store_unavailable error naming the host, and no password', async () => {
      const error = await openPostgresStore({ url: 'postgres://lockdesk:hunter2@127.0.0.1:1/nowhere', logger: silent }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'store_unavailable', message: expect.stringContaining('127.0.0.1:1/nowhere') });
      expect(String((error as Error).message)).not.toContain('hunter2');
    });

    it('the inventory index is shared: one replica refreshes, the other reads it; an older read never overwrites a newer one', async () => {
      const { store: a, schema, cleanup } = await freshStore();
      const b = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent, migrate: false });
      try {
        const entries = Array.from({ length: 2_500 }, (_, i) => ({ id: `dev-${i}`, serialNumber: `SN-${i}` }));
        entries.push({ id: 'dev-blank', serialNumber: '  ' }, { id: 'dev-twin', serialNumber: 'sn-7' });
        const t1 = new Date('2030-01-01T00:00:00Z');
        await a.inventoryIndex.replaceAll(entries, t1);
        expect(a.inventoryIndex.refreshedAt).toEqual(t1);
        expect(b.inventoryIndex.refreshedAt).toBeUndefined();
        await b.inventoryIndex.reload?.();
        expect(b.inventoryIndex.refreshedAt).toEqual(t1);
        expect(b.inventoryIndex.size).toBe(entries.length);
        expect(await b.inventoryIndex.idsBySerial(' SN-7 ')).toEqual(['dev-7', 'dev-twin']);
        expect(await b.inventoryIndex.idsBySerial('')).toEqual([]);

        // B's read started before A's: A's stays.
        await b.inventoryIndex.replaceAll([{ id: 'dev-old', serialNumber: 'SN-7' }], new Date(t1.getTime() - 1_000));
        expect(await a.inventoryIndex.idsBySerial('sn-7')).toEqual(['dev-7', 'dev-twin']);
        expect(b.inventoryIndex.refreshedAt).toEqual(t1);
        // A later read replaces it whole.
        await b.inventoryIndex.replaceAll([{ id: 'dev-new', serialNumber: 'SN-7' }], new Date(t1.getTime() + 1_000));
        expect(await a.inventoryIndex.idsBySerial('SN-7')).toEqual(['dev-new']);
        expect(await a.inventoryIndex.idsBySerial('SN-8')).toEqual([]);
      } finally {
        await b.close();
        await cleanup();
      }
    });

    it('a process is alive while its session holds its lock, and dead as soon as it ends', async () => {
      const { store: a, schema, cleanup } = await freshStore();
      const b = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent, migrate: false });
      try {
        expect(a.processes.id).not.toBe(b.processes.id);
        expect(await a.processes.isAlive(b.processes.id)).toBe(true);
        expect(await a.processes.isAlive(a.processes.id)).toBe(true);
        await b.close();
        expect(await a.processes.isAlive(b.processes.id)).toBe(false);
        expect(await a.processes.isAlive('lockdesk-never-existed')).toBe(false);
      } finally {
        await cleanup();
      }
    });

    it('reads dispatch records written by another replica', async () => {
      const { store: a, schema, cleanup } = await freshStore();
      const b = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent, migrate: false });
      try {
        await a.dispatches.recordIntent(dispatch({ id: 'd-shared' }));
        expect((await b.dispatches.listOpen()).map((d) => d.id)).toEqual(['d-shared']);
      } finally {
        await b.close();
        await cleanup();
      }
    });
  });
}
