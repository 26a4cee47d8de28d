// GET /readyz against a real `npm start` on real PostgreSQL reached through a TCP proxy: ready; the proxy cut, not
// ready, naming the store (and the failed probe counted as a store error); the proxy back, ready again, without a
// restart. /healthz says alive throughout. The database is one of its own (pg-boss's schema lives in it too).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv } from '../console/run-console.js';
import { valueOf } from '../metrics/prom-text.js';
import { createTestDatabase, type TestDatabase } from '../replicas/database.js';
import { startReplica, type Replica } from '../replicas/replica.js';
import { startTcpProxy, type TcpProxy } from '../replicas/tcp-proxy.js';
import { postgresOrSkip } from '../store/postgres.js';
import { readyz, scrape, waitFor } from './ops-helpers.js';

const availability = await postgresOrSkip();

if (availability.skip) {
  // Skipped only where no PostgreSQL answers, with the reason in the name; CI sets LOCKDESK_REQUIRE_POSTGRES=1,
  // which makes postgresOrSkip() throw instead, so there these tests always run.
  describe.skip(`/readyz on PostgreSQL (skipped: ${availability.reason})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  describe('/readyz with the database cut and restored', () => {
    let dir: string;
    let db: TestDatabase;
    let proxy: TcpProxy;
    let lockdesk: Replica;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lockdesk-readyz-'));
      db = await createTestDatabase();
      proxy = await startTcpProxy({ host: db.host, port: db.port });
      lockdesk = await startReplica(
        'readyz',
        childEnv(dir, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', TEAMS_ENABLED: 'false', STORE: 'postgres', DATABASE_URL: db.urlVia(proxy.port), METRICS_ENABLED: 'true' }),
      );
    }, 60_000);

    afterAll(async () => {
      await lockdesk?.kill();
      await proxy?.close();
      await db?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    }, 30_000);

    it('200 while the store answers, 503 naming the store while it does not, 200 again once it is back', async () => {
      expect(await readyz(lockdesk.url)).toEqual({ status: 200, body: { status: 'ready', checks: { store: 'ok', backend: 'ok' } } });

      await proxy.down();
      const cut = await waitFor(async () => {
        const r = await readyz(lockdesk.url);
        return r.status === 503 && r;
      }, '/readyz to say not ready');
      expect(cut.body).toEqual({ status: 'not ready', checks: { store: expect.stringMatching(/^store_unavailable: /), backend: 'ok' } });
      expect(JSON.stringify(cut.body)).not.toMatch(/postgres:\/\//);
      const health = await fetch(`${lockdesk.url}/healthz`);
      expect(health.status).toBe(200);
      await health.body?.cancel();
      const metrics = await scrape(`${lockdesk.url}/metrics`);
      expect(valueOf(metrics, 'lockdesk_store_errors_total', { operation: 'confirmations.get', code: 'store_unavailable' })).toBeGreaterThanOrEqual(1);

      await proxy.up();
      const back = await waitFor(async () => {
        const r = await readyz(lockdesk.url);
        return r.status === 200 && r;
      }, '/readyz to say ready again');
      expect(back.body.checks).toEqual({ store: 'ok', backend: 'ok' });
      expect(lockdesk.alive()).toBe(true);
    }, 60_000);
  });
}
