// Bulk in Slack: "Lock all 40 devices" opens a modal in which the person types the count; the submission acts on
// exactly the counted set, in the clicked message; a wrong count sends nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLEET_OWNER, writeFleetTenant } from '../../fixtures/fleet-tenant.js';
import { AUDIT_CHANNEL, buttonsIn, startHarness, textOf, waitFor, type Harness } from './harness.js';

let h: Harness;
let dir: string;
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  dir = await mkdtemp(join(tmpdir(), 'lockdesk-slack-bulk-'));
  h = await startHarness({ LOCKDESK_DEMO_TENANT: await writeFleetTenant(dir, 40) });
});
afterAll(async () => {
  await h.close();
  nock.cleanAll();
  nock.enableNetConnect();
  await rm(dir, { recursive: true, force: true });
});

const posts = (url: string) => h.hooks.filter((p) => p.path === new URL(url).pathname);

describe('bulk in Slack', () => {
  it('the click opens a modal; a wrong count sends nothing; the right count locks all 40 once, in the clicked message', async () => {
    const { responseUrl } = await h.command('U0GWEN', '/lock', FLEET_OWNER);
    const offer = await waitFor(() => posts(responseUrl)[0], 'the confirmation');
    expect(textOf(offer.body)).toMatch(/and 15 more: 15 Android Enterprise/);
    const all = buttonsIn(offer.body).find((b) => b.text === 'Lock all 40 devices')!;
    expect(all).toBeDefined();
    expect(all.confirm).toBeUndefined();

    const click = await h.click('U0GWEN', all.value);
    const opened = await waitFor(() => h.api.find((c) => c.method === 'views.open'), 'views.open');
    expect(opened.body.trigger_id).toMatch(/\.trigger$/);
    const view = (typeof opened.body.view === "string" ? JSON.parse(opened.body.view) : opened.body.view) as Record<string, unknown>;
    expect(view.callback_id).toBe('lockdesk-typed');
    expect(JSON.stringify(view.blocks)).toMatch(/type the number of devices, 40/);

    // Wrong: nothing is sent and the person is told, the confirmation still stands.
    expect((await h.submitView('U0GWEN', view, '4')).status).toBe(200);
    await waitFor(() => h.api.some((c) => c.method === 'chat.postEphemeral' && /covers 40 devices, so lockdesk sent nothing/.test(textOf(c.body))), 'the refusal');
    await h.mount.adapter.idle();
    expect((await auditEvents()).filter((e) => e.event === 'dispatch')).toHaveLength(0);

    // Someone else submitting the same modal (its metadata copied) is not the requester.
    await h.submitView('U0ALICE', view, '40');
    await waitFor(() => h.api.some((c) => c.method === 'chat.postEphemeral' && /Only gwen@contoso\.com, who asked/.test(textOf(c.body))), 'the stranger refused');

    // Right: the clicked message becomes the status, through the click's response URL.
    await h.submitView('U0GWEN', view, '40');
    const status = await waitFor(() => posts(click.responseUrl).find((p) => /^40 devices: /m.test(textOf(p.body))), 'the status in the clicked message');
    expect(status.body).toMatchObject({ replace_original: true });
    await h.mount.adapter.idle();
    const dispatched = (await auditEvents()).filter((e) => e.event === 'dispatch');
    expect(dispatched).toHaveLength(40);
    expect(new Set(dispatched.map((e) => e.deviceId)).size).toBe(40);

    // The same submission delivered again (a retry) sends nothing more.
    await h.submitView('U0GWEN', view, '40');
    await h.mount.adapter.idle();
    expect((await auditEvents()).filter((e) => e.event === 'dispatch')).toHaveLength(40);
  });

  it('a modal whose metadata was not lockdesk\'s is ignored', async () => {
    const before = h.api.length;
    expect((await h.submitView('U0GWEN', { type: 'modal', callback_id: 'lockdesk-typed', private_metadata: '{"value":1}' }, '40')).status).toBe(200);
    await h.mount.adapter.idle();
    // Nothing to the submitter (the audit channel may still hear of the earlier test's follow-up).
    expect(h.api.slice(before).filter((c) => c.method.startsWith('chat.') && c.body.channel !== AUDIT_CHANNEL)).toEqual([]);
  });
});

async function auditEvents() {
  const events = [];
  for await (const e of h.app.store.audit.read()) events.push(e);
  return events;
}
