// The guardrails across two real lockdesk processes (`npm start`'s entry point) on one PostgreSQL database, one fake
// Microsoft Graph and one Slack stub: a request held for approval on replica A is approved on replica B (sent once,
// the card in SLACK_APPROVALS_CHANNEL and the requester's message updated by B from their stored references), and
// a pause typed on A stops the next click on B, which sends again once resumed there.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv } from '../console/run-console.js';
import { generatedTenant, startFakeGraph, type FakeGraph } from '../fakes/graph-server/index.js';
import { DEFAULT_ROLES, USER_READ_ROLE } from '../fakes/graph-server/identity.js';
import { sleep, waitFor } from '../server/ops-helpers.js';
import { postgresOrSkip } from '../store/postgres.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startReplica, type Replica } from './replica.js';
import { buttonValues, clickBody, commandBody, postSigned, SIGNING_SECRET, textOf } from './slack-requests.js';
import { startSlackStub, type SlackStub } from './slack-stub.js';

const availability = await postgresOrSkip();

const GWEN = 'U0GWEN';
const LEAD = 'U0LEAD';
const APPROVALS = 'C0APPROVALS';

if (availability.skip) {
  // Skipped only where no PostgreSQL answers, with the reason in the name; CI sets LOCKDESK_REQUIRE_POSTGRES=1,
  // which makes postgresOrSkip() throw instead, so there these tests always run.
  describe.skip(`guardrails across two lockdesk replicas (skipped: ${availability.reason})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  describe('guardrails across two lockdesk replicas on one PostgreSQL database', () => {
    let fake: FakeGraph;
    let slack: SlackStub;
    let db: TestDatabase;
    let dir: string;
    let a: Replica;
    let b: Replica;

    const envFor = (name: string) =>
      childEnv(join(dir, name), {
        PORT: '0',
        HOST: '127.0.0.1',
        STORE: 'postgres',
        DATABASE_URL: db.url,
        LOG_LEVEL: 'warn',
        TEAMS_ENABLED: 'false',
        LOCKDESK_POLICY: join(dir, 'policy.json'),
        LOCKDESK_POLL_INTERVAL_MS: '2000',
        SLACK_BOT_TOKEN: 'xoxb-replicas',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl(name),
        SLACK_APPROVALS_CHANNEL: APPROVALS,
        ...fake.env(),
      });
    const deviceId = (name: string) => fake.tenant.byName.get(name.toLowerCase())![0]!.json.id;
    const writesTo = (name: string) => fake.writes.filter((w) => w.deviceId === deviceId(name));

    /** A slash command on one replica; resolves with its response URL's first answer. */
    async function command(replica: Replica, user: string, name: string, text: string) {
      const hook = slack.newResponseUrl();
      expect(await postSigned(replica.url, commandBody({ user, command: name, text, responseUrl: hook.url }))).toBe(200);
      const post = await waitFor(() => slack.hooks.find((h) => h.id === hook.id), `the answer to ${name} ${text} on ${replica.name}`);
      return { hook, post };
    }
    /** `/lock <device>` by Gwen on one replica; resolves with the confirm button's value. */
    async function lockOffer(replica: Replica, device: string) {
      const { hook, post } = await command(replica, GWEN, '/lock', device);
      const value = buttonValues(post.body).find((v) => v.startsWith('confirm:'));
      if (!value) throw new Error(`no confirm button for ${device}: ${textOf(post.body)}`);
      return { value, hook };
    }
    let clicks = 0;
    const click = (replica: Replica, user: string, value: string, where: { responseUrl?: string; messageTs?: string }) =>
      postSigned(replica.url, clickBody({ user, value, actionTs: `${1700100000 + ++clicks}.000001`, ...where }));

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lockdesk-guardrails-replicas-'));
      const policy = {
        roles: [{ name: 'helpdesk', members: [`slack:${GWEN}`], actions: ['lock'], devices: 'any' }],
        pausers: [`slack:${LEAD}`],
        approval: { approvers: [`slack:${LEAD}`], rules: [{ targets: 'protected' }] },
        protected: { users: ['vip@contoso.com'] },
      };
      await writeFile(join(dir, 'policy.json'), JSON.stringify(policy));
      const tenant = generatedTenant({ count: 4, bulkUser: { userPrincipalName: 'vip@contoso.com', devices: 2 } });
      // The helpdesk and the lead are Entra ID users: lockdesk resolves their Slack emails to tell them apart.
      tenant.addUser({ id: '6b2e1d00-0000-4000-8000-000000000001', userPrincipalName: 'gwen@contoso.com', displayName: 'Gwen', mail: 'gwen@contoso.com' });
      tenant.addUser({ id: '6b2e1d00-0000-4000-8000-000000000002', userPrincipalName: 'lead@contoso.com', displayName: 'Lee', mail: 'lead@contoso.com' });
      fake = await startFakeGraph({ tenant, actionSettleMs: 500, roles: [...DEFAULT_ROLES, USER_READ_ROLE] });
      slack = await startSlackStub();
      db = await createTestDatabase();
      [a, b] = await Promise.all([startReplica('a', envFor('a')), startReplica('b', envFor('b'))]);
    }, 90_000);

    afterAll(async () => {
      await Promise.all([a, b].filter(Boolean).map((r) => r.kill()));
      await slack?.close();
      await fake?.close();
      await db?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    }, 30_000);

    it("a protected person's device held on A is approved on B: sent once; B turns the card and the requester's message into the outcome", async () => {
      const { value } = await lockOffer(a, 'BULK-000001');
      const confirmUrl = slack.newResponseUrl();
      expect(await click(a, GWEN, value, { responseUrl: confirmUrl.url })).toBe(200);
      await waitFor(() => slack.hooks.find((h) => h.id === confirmUrl.id && /^Waiting for approval by Slack user U0LEAD/.test(textOf(h.body))), "Gwen's message to say it waits");
      const card = await waitFor(() => slack.api.find((c) => c.replica === 'a' && c.method === 'chat.postMessage' && c.body.channel === APPROVALS), 'the approval card from A');
      const approve = buttonValues(card.body).find((v) => v.startsWith('approve:'))!;
      expect(approve).toBeDefined();
      expect(writesTo('BULK-000001')).toEqual([]);

      expect(await click(b, GWEN, approve, { messageTs: '1700200000.000100' })).toBe(200);
      await waitFor(() => slack.api.find((c) => c.replica === 'b' && c.method === 'chat.postEphemeral' && /Only the approvers the policy names/.test(textOf(c.body))), "the refusal of Gwen, who is no approver, on B");
      expect(await click(b, LEAD, approve, { messageTs: '1700200000.000100' })).toBe(200);
      await waitFor(() => writesTo('BULK-000001').length === 1, 'B to send the lock');
      await waitFor(() => slack.api.find((c) => c.replica === 'b' && c.method === 'chat.update' && c.body.channel === APPROVALS && /^Approved by lead@contoso\.com/.test(textOf(c.body))), 'B to update the card in the approvals channel');
      await waitFor(() => slack.hooks.find((h) => h.id === confirmUrl.id && /approved by lead@contoso\.com/.test(textOf(h.body))), "B to update Gwen's message");
      await sleep(1_000);
      expect(writesTo('BULK-000001')).toHaveLength(1);
      const events = await db.audit();
      expect(events.filter((e) => e.event === 'approval').map((e) => `${e.outcome}:${e.actor?.id ?? 'lockdesk'}`)).toEqual(['requested:U0GWEN', 'approved:U0LEAD']);
    }, 60_000);

    it('/lockdesk pause on A: the very next click on B sends nothing, B says so and its /readyz shows it; /lockdesk resume on B lets the same confirmation go', async () => {
      const { value } = await lockOffer(b, 'DEV-000001');
      const paused = await command(a, LEAD, '/lockdesk', 'pause drill');
      expect(textOf(paused.post.body)).toMatch(/^lockdesk is paused by lead@contoso\.com/);
      const pausedAt = Date.now();
      const confirmUrl = slack.newResponseUrl();
      expect(await click(b, GWEN, value, { responseUrl: confirmUrl.url })).toBe(200);
      const refusal = await waitFor(() => slack.api.find((c) => c.replica === 'b' && c.method === 'chat.postEphemeral' && /paused by lead@contoso\.com.*drill; nothing was sent/.test(textOf(c.body))), 'B to refuse the click');
      const ready = (await (await fetch(`${b.url}/readyz`)).json()) as { paused?: string };
      expect(ready.paused).toMatch(/^lockdesk is paused by lead@contoso\.com/);
      await sleep(1_000);
      expect(writesTo('DEV-000001')).toEqual([]);
      console.info(`[replicas] pause typed on A to the refusal of a click on B: ${refusal.at - pausedAt} ms`);

      const resumed = await command(b, LEAD, '/lockdesk', 'resume');
      expect(textOf(resumed.post.body)).toMatch(/resumed/i);
      expect(await click(b, GWEN, value, { responseUrl: confirmUrl.url })).toBe(200);
      await waitFor(() => writesTo('DEV-000001').length === 1, 'the lock to be sent after resume');
    }, 60_000);
  });
}
