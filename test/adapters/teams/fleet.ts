// A Teams harness on a simulated tenant where one person has `count` devices (bulk tests), started and stopped
// around a test file, with the dispatches its audit trail holds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll } from 'vitest';
import type { AuditEvent } from '../../../src/core/index.js';
import { writeFleetTenant } from '../../fixtures/fleet-tenant.js';
import { startHarness, type Harness } from './harness.js';

export function fleetHarness(count: number): { harness: () => Harness; dispatches: () => Promise<AuditEvent[]> } {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1/);
    dir = await mkdtemp(join(tmpdir(), 'lockdesk-teams-fleet-'));
    h = await startHarness({ LOCKDESK_DEMO_TENANT: await writeFleetTenant(dir, count) });
  });
  afterAll(async () => {
    await h.close();
    nock.enableNetConnect();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    harness: () => h,
    async dispatches() {
      const events: AuditEvent[] = [];
      for await (const e of h.app.store.audit.read()) if (e.event === 'dispatch') events.push(e);
      return events;
    },
  };
}
