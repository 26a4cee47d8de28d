// Who Teams lockdesk believes: in the demo mode (no app id) only a local client's JSON, replying only on this
// machine; only the configured tenant; with a real Intune tenant behind it, no Teams at all without an app id.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { teamsMounts } from '../../../adapters/teams/mount.js';
import type { App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import type { AuditEvent } from '../../../src/core/index.js';
import { ALICE, capturingLogger, GUEST, message, startHarness, TENANT, type Harness } from './harness.js';

let h: Harness | undefined;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const OURS = '5b0c6e3e-1d8f-4c2a-9a47-0b7a3f1e2d44';
const THEIRS = '9f1e2d3c-4b5a-4697-8877-665544332211';

async function audit(harness: Harness): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const e of harness.app.store.audit.read()) events.push(e);
  return events;
}

async function postRaw(harness: Harness, body: string, headers: Record<string, string>) {
  const res = await fetch(`${harness.url}/api/messages`, { method: 'POST', headers, body });
  return res.status;
}

const inTenant = (tenant: string, activity = message(ALICE, "lock Alice's iPhone")) => ({
  ...activity,
  conversation: { ...activity.conversation, tenantId: tenant },
  channelData: { ...activity.channelData, tenant: { id: tenant } },
});

describe('Teams demo mode (no MICROSOFT_APP_ID)', () => {
  it('takes only application/json without an Origin header, from a client whose service URL is on this machine', async () => {
    h = await startHarness();
    const lock = JSON.stringify(message(ALICE, "lock Alice's iPhone"));
    // A web page on this machine can POST text/plain cross-site without a preflight; a browser always adds Origin.
    expect(await postRaw(h, lock, { 'content-type': 'text/plain' })).toBe(415);
    expect(await postRaw(h, lock, { 'content-type': 'application/x-www-form-urlencoded' })).toBe(415);
    expect(await postRaw(h, lock, { 'content-type': 'application/json', origin: 'https://evil.example' })).toBe(403);
    expect(await postRaw(h, lock, { 'content-type': 'application/json', origin: 'null' })).toBe(403);
    // Whoever names a service URL elsewhere would have lockdesk post device details there.
    const elsewhere = JSON.stringify({ ...message(ALICE, "lock Alice's iPhone"), serviceUrl: 'https://smba.example.test/' });
    expect(await postRaw(h, elsewhere, { 'content-type': 'application/json' })).toBe(403);
    const intranet = JSON.stringify({ ...message(ALICE, "lock Alice's iPhone"), serviceUrl: 'http://10.0.0.5/' });
    expect(await postRaw(h, intranet, { 'content-type': 'application/json' })).toBe(403);
    expect(h.sent).toEqual([]);
    expect(await audit(h)).toEqual([]);
    // What the Agents Playground sends is served.
    expect(await postRaw(h, lock, { 'content-type': 'application/json; charset=utf-8' })).toBe(200);
    expect(h.sent.filter((s) => s.method === 'POST')).toHaveLength(1);
  });

  it('never posts to a service URL off this machine, even from a stored reference', async () => {
    h = await startHarness();
    const sink = h.app.sinks.restore({
      platform: 'teams',
      data: {
        reference: { serviceUrl: 'https://smba.example.test/', channelId: 'msteams', conversation: { id: 'a:personal-29:alice', conversationType: 'personal' }, bot: { id: '28:lockdesk-bot' } },
        userId: ALICE.id,
        userName: ALICE.name,
        actorId: ALICE.aadObjectId,
      },
    });
    await expect(sink!.reply({ text: 'hello', blocks: [] })).rejects.toThrow(/service URL/);
    expect(h.sent).toEqual([]);
  });
});

describe('Teams tenant', () => {
  it('serves the configured tenant only; another tenant, a mixed or a missing one is refused with 403 and audited', async () => {
    h = await startHarness({ MICROSOFT_APP_TENANT_ID: OURS });
    expect((await h.post(inTenant(OURS))).status).toBe(200);
    const sentBefore = h.sent.length;
    const foreign = await h.post(inTenant(THEIRS));
    expect(foreign.status).toBe(403);
    const mixed = inTenant(OURS);
    mixed.channelData = { ...mixed.channelData, tenant: { id: THEIRS } };
    expect((await h.post(mixed)).status).toBe(403);
    const none = message(ALICE, 'help');
    expect((await h.post({ ...none, conversation: { ...none.conversation, tenantId: undefined }, channelData: {} })).status).toBe(403);
    // The harness's default tenant is not a GUID and not ours.
    expect((await h.post(message(ALICE, 'help'))).status).toBe(403);
    expect(h.sent.length).toBe(sentBefore); // nothing went into the other tenant, not even a roster look-up
    const refusals = (await audit(h)).filter((e) => e.event === 'refusal');
    expect(refusals).toHaveLength(4);
    expect(refusals[0]).toMatchObject({ outcome: 'refused', actor: { platform: 'teams', id: ALICE.aadObjectId }, reason: expect.stringContaining(`teams-tenant ${THEIRS}`) });
    expect(refusals[0]!.reason).toMatch(/outside the organisation/);
  });

  it('an app id needs a tenant; a domain is not a tenant id', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0', MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw' })).toThrow(/TEAMS_ALLOWED_TENANTS: Teams must know which tenant it serves/);
    expect(() => loadConfig({ HOST: '0.0.0.0', MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw', AZURE_TENANT_ID: 'contoso.onmicrosoft.com', BACKEND: 'simulated' })).toThrow(/is not a tenant id/);
    // A (legacy) multi-tenant bot lists the tenants it serves; a single-tenant one also needs its own tenant.
    expect(loadConfig({ HOST: '0.0.0.0', MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw', MICROSOFT_APP_TYPE: 'MultiTenant', TEAMS_ALLOWED_TENANTS: `${OURS}, ${THEIRS}` }).TEAMS_ALLOWED_TENANTS).toEqual([OURS, THEIRS]);
    expect(() => loadConfig({ HOST: '0.0.0.0', MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw', TEAMS_ALLOWED_TENANTS: OURS })).toThrow(/MICROSOFT_APP_TENANT_ID: is required when MICROSOFT_APP_TYPE is SingleTenant/);
    expect(loadConfig({ HOST: '127.0.0.1' }).TEAMS_ALLOWED_TENANTS).toBeUndefined();
    expect(TENANT).not.toBe(OURS);
  });
});

describe('Teams: a member of another tenant in a conversation of ours', () => {
  it('is refused by the home tenant the roster names, audited, and never gets a confirmation', async () => {
    h = await startHarness({ MICROSOFT_APP_TENANT_ID: OURS });
    // A guest in a shared channel: the activity names our tenant; the roster names theirs (and one of our emails).
    expect(GUEST.tenantId).toBe(THEIRS);
    const before = h.sent.length;
    expect((await h.post(inTenant(OURS, message(GUEST, "lock Alice's iPhone")))).status).toBe(200);
    await h.bot.idle();
    const answers = h.sent.slice(before).filter((s) => s.method === 'POST');
    expect(answers.map((s) => JSON.stringify(s.body))).toEqual([expect.stringMatching(/acts only for people of the organisation that installed it/)]);
    const events = await audit(h);
    expect(events.map((e) => [e.event, e.reason])).toEqual([['refusal', expect.stringContaining(`teams-tenant ${THEIRS}`)]]);
  });

  it('an invoke lockdesk has no handler for is bad input (400), not a server error', async () => {
    h = await startHarness();
    const base = message(ALICE, 'help');
    // signin/*: the SDK's own sign-in routes are replaced; lockdesk signs nobody in.
    for (const name of ['nothing/known', 'composeExtension/fetchTask', 'task/fetch', 'signin/tokenExchange', 'signin/verifyState']) expect((await h.post({ ...base, type: 'invoke', name, value: {} })).status, name).toBe(400);
    const unknownVerb = await h.post({ ...base, type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'nope' } } });
    expect(unknownVerb.status).toBe(400);
    // Without a value the SDK's router itself fails on some invokes (it reads value.<field>): still bad input.
    for (const name of ['composeExtension/submitAction', 'message/submitAction', 'fileConsent/invoke', 'adaptiveCard/action', 'composeExtension/query']) {
      expect((await h.post({ ...base, type: 'invoke', name })).status, name).toBe(400);
    }
    expect(h.logger.lines.filter((l) => l.startsWith('error '))).toEqual([]);
  });
});

describe('Teams with a real Intune tenant', () => {
  it('is not served without an app id, and start-up says so in plain words; the rest starts', () => {
    const graph = { BACKEND: 'graph', AZURE_TENANT_ID: OURS, AZURE_CLIENT_ID: 'client', AZURE_CLIENT_SECRET: 'secret' };
    const config = loadConfig({ HOST: '0.0.0.0', ...graph });
    const logger = capturingLogger();
    const mounts = teamsMounts({ config } as App, logger);
    expect(mounts).toHaveLength(1);
    expect(mounts[0]!.routes).toEqual([]);
    expect(mounts[0]!.describe).toMatch(/Microsoft Teams: OFF\. MICROSOFT_APP_ID is not set, and with a real Intune tenant \(BACKEND=graph\) Teams is served only with Bot Framework authentication/);
    expect(logger.lines.join('\n')).toMatch(/Teams: OFF/);
    expect(teamsMounts({ config: loadConfig({ HOST: '0.0.0.0', ...graph, TEAMS_ENABLED: 'false' }) } as App, logger)).toEqual([]);
  });
});
