// The guardrails across replicas: two handlers, each with a PostgreSQL store of its own on one schema, share the
// rate limits' counts and the kill switch.
import { afterEach, describe, expect, it } from 'vitest';
import { policySchema } from '../../src/core/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/open-store.js';
import { DATABASE_URL, dropSchema, postgresOrSkip, testSchemaName } from '../store/postgres.js';
import { actor, helpdeskPolicy, makeHarness } from './harness.js';
import { all } from './fixtures.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const availability = await postgresOrSkip();
const help = actor('help@contoso.com');
const lead = actor('lead@contoso.com');
const policy = policySchema.parse({ ...helpdeskPolicy, pausers: ['email:lead@contoso.com'], limits: [{ per: 'all', actions: ['lock'], max: 2, window: '1h' }] });

async function twoReplicas() {
  const schema = testSchemaName();
  const a = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent });
  const b = await openPostgresStore({ url: DATABASE_URL, schema, logger: silent, migrate: false });
  opened.push({ stores: [a, b], schema });
  // Ids of their own, as two processes' would be.
  return [makeHarness(all(), { policy, store: a, processes: a.processes, idPrefix: 'a' }), makeHarness(all(), { policy, store: b, processes: b.processes, idPrefix: 'b' })] as const;
}

const opened: Array<{ stores: PostgresStore[]; schema: string }> = [];
afterEach(async () => {
  for (const { stores, schema } of opened.splice(0)) {
    for (const s of stores) await s.close();
    await dropSchema(schema);
  }
});

// Skipped only where no PostgreSQL answers; CI sets LOCKDESK_REQUIRE_POSTGRES=1, which makes postgresOrSkip() throw
// instead, so there these tests always run.
describe.skipIf(availability.skip)('guardrails shared by replicas (PostgreSQL)', () => {
  it('the counts are shared: a lock on each replica fills the limit for both', async () => {
    const [a, b] = await twoReplicas();
    const offerA = await a.say(help, "lock Pat's iPhone");
    expect((await a.click(help, offerA.lastReply, 'Lock "')).lastUpdate.text).toMatch(/sent/);
    const offerB = await b.say(help, "lock Pat's Pixel");
    expect((await b.click(help, offerB.lastReply, 'Lock "')).lastUpdate.text).toMatch(/sent/);
    const third = await a.say(help, "lock Sam's iPhone");
    expect((await a.click(help, third.lastReply, 'Lock "')).lastUpdate.text).toMatch(/^Nothing was sent: the limit of at most 2 remote locks in all per hour: it is reached \(2 in the last hour\)/);
    expect(a.backend.dispatched.map((d) => d.deviceIds).flat()).toEqual(['dev-pat-iphone']);
    expect(b.backend.dispatched.map((d) => d.deviceIds).flat()).toEqual(['dev-pat-pixel']);
  });

  it('a pause on one replica stops a click on the other; a resume there lets it through', async () => {
    const [a, b] = await twoReplicas();
    const offer = await b.say(help, "lock Pat's iPhone");
    await a.say(lead, 'pause investigating a bad script');
    const refused = await b.click(help, offer.lastReply, 'Lock "');
    expect(refused.lastReply.text).toMatch(/^lockdesk is paused by lead@contoso\.com since 2025-06-02 09:00:00 UTC: investigating a bad script; nothing was sent/);
    expect(b.backend.dispatched).toEqual([]);
    expect(await b.handler.paused()).toMatchObject({ by: 'lead@contoso.com', reason: 'investigating a bad script' });
    await a.say(lead, 'resume');
    expect((await b.click(help, offer.lastReply, 'Lock "')).lastUpdate.text).toMatch(/sent/);
    expect(b.backend.dispatched.map((d) => d.deviceIds).flat()).toEqual(['dev-pat-iphone']);
  });
});
