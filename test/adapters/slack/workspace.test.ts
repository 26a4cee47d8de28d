// Only the installed workspace: a signed request from another workspace, another Grid organisation or a Slack
// Connect partner in a shared channel gets a polite refusal, is audited, and changes nothing.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/index.js';
import { buttonsIn, startHarness, textOf, waitFor, type Harness, type HookPost } from './harness.js';

let h: Harness;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h.close();
  nock.cleanAll();
});

const postsTo = (url: string): HookPost[] => h.hooks.filter((p) => p.path === new URL(url).pathname);
const answerTo = (url: string) => waitFor(() => postsTo(url)[0], `a post to ${url}`);

async function audit(): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const e of h.app.store.audit.read()) events.push(e);
  return events;
}

const REFUSAL = /acts only for people of the organisation that installed it.*Nothing was done/;

describe('Slack workspace', () => {
  it('refuses a command from another workspace, politely, audited, before asking who the person is', async () => {
    h = await startHarness();
    const { res, responseUrl } = await h.command('U0ALICE', '/lock', "Alice's iPhone", { fields: { team_id: 'T0OTHER' } });
    expect(res.status).toBe(200);
    expect(textOf((await answerTo(responseUrl)).body)).toMatch(REFUSAL);
    await h.mount.adapter.idle();
    const events = await audit();
    expect(events).toEqual([expect.objectContaining({ event: 'refusal', outcome: 'refused', actor: { platform: 'slack', id: 'U0ALICE' }, reason: expect.stringContaining('slack-workspace T0OTHER') })]);
    expect(h.api.filter((c) => c.method === 'users.info')).toEqual([]);
  });

  it('refuses a command naming another Grid organisation', async () => {
    h = await startHarness();
    const { responseUrl } = await h.command('U0ALICE', '/lost', '', { fields: { enterprise_id: 'E0ELSEWHERE' } });
    expect(textOf((await answerTo(responseUrl)).body)).toMatch(REFUSAL);
    await h.mount.adapter.idle();
    expect((await audit())[0]!.reason).toContain('slack-organisation E0ELSEWHERE');
  });

  it('refuses a Slack Connect partner in a shared channel: by the payload\'s user team, or by users.info', async () => {
    h = await startHarness({ LOCKDESK_POLICY: '' });
    // Alice asks; a partner clicks her confirmation (their payload says their own team).
    const { responseUrl } = await h.command('U0ALICE', '/lock', "Alice's iPhone");
    const [confirm] = buttonsIn((await answerTo(responseUrl)).body);
    await h.click('U0ALICE', confirm!.value, { kind: 'ephemeral' }, { user: { id: 'U0ALICE', username: 'alice', team_id: 'T0PARTNER' } });
    // A click's answer is a new ephemeral message to the clicker; the confirmation itself is left as it was.
    await waitFor(() => h.api.find((c) => c.method === 'chat.postEphemeral' && REFUSAL.test(textOf(c.body))), 'the refusal');
    // Payload ids all ours, but users.info says the person belongs to the partner's workspace.
    const partner = await h.command('U0PARTNER', '/lost', '');
    expect(textOf((await answerTo(partner.responseUrl)).body)).toMatch(REFUSAL);
    await h.mount.adapter.idle();
    const refusals = (await audit()).filter((e) => e.event === 'refusal');
    expect(refusals.map((e) => e.reason)).toEqual([expect.stringContaining('slack-workspace T0PARTNER'), expect.stringContaining('slack-workspace T0PARTNER')]);
    expect((await audit()).some((e) => e.event === 'confirmed' || e.event === 'dispatch')).toBe(false);
  });

  it('fails closed for someone users.info does not know: refused as an outsider, not served by a "*" role', async () => {
    h = await startHarness();
    const { responseUrl } = await h.command('U0STRANGER', '/lost', '');
    expect(textOf((await answerTo(responseUrl)).body)).toMatch(REFUSAL);
    await h.mount.adapter.idle();
    expect((await audit()).map((e) => [e.event, e.reason])).toEqual([['refusal', expect.stringContaining('unknown to users.info')]]);
  });

  it('a Home tab opened from another workspace stays empty; the refusal is audited', async () => {
    h = await startHarness();
    expect((await h.homeOpened('U0ALICE', 'Ev-foreign', 'T0OTHER')).status).toBe(200);
    await h.mount.adapter.idle();
    expect(h.api.filter((c) => c.method === 'views.publish')).toEqual([]);
    expect((await audit()).map((e) => e.event)).toEqual(['refusal']);
  });

  it('serves its own workspace as before', async () => {
    h = await startHarness();
    const { responseUrl } = await h.command('U0ALICE', '/lock', "Alice's iPhone");
    expect(textOf((await answerTo(responseUrl)).body)).not.toMatch(REFUSAL);
    expect(buttonsIn((await answerTo(responseUrl)).body).length).toBeGreaterThan(0);
  });
});
