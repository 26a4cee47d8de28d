// Rate limits, through the handler: per person, per device, in all, the time to try again, and a bulk request whole.
import { describe, expect, it } from 'vitest';
import { buttonsOf, policySchema, type Policy } from '../../src/core/index.js';
import { actor, helpdeskPolicy, makeHarness } from './harness.js';
import { all, fleetOf } from './fixtures.js';

const help = actor('help@contoso.com');
const slackHelp = actor('other-help@contoso.com', { platform: 'slack', id: 'U0OTHER', groups: ['slack-group:S0HELP'] });

const withLimits = (limits: unknown[]): Policy => policySchema.parse({ ...helpdeskPolicy, limits });

async function lock(h: ReturnType<typeof makeHarness>, who: typeof help, query: string, label = 'Lock "') {
  const offer = await h.say(who, `lock ${query}`);
  return h.click(who, offer.lastReply, label);
}

describe('rate limits', () => {
  it('per person: the third lock in an hour is refused, sends nothing, names the rule and when to ask again; others are not held back', async () => {
    const h = makeHarness(all(), { policy: withLimits([{ per: 'actor', actions: ['lock'], max: 2, window: '1h' }]) });
    await lock(h, help, "Pat's iPhone");
    h.clock.advance(10 * 60_000);
    await lock(h, help, "Pat's Pixel");
    const third = await lock(h, help, "Sam's iPhone");
    expect(third.lastUpdate.text).toBe('Nothing was sent: the limit of at most 2 remote locks per person per hour: it is reached (2 in the last hour). Ask again after 2025-06-02 10:00:00 UTC.');
    expect(h.backend.dispatched.map((d) => d.deviceIds).flat()).toEqual(['dev-pat-iphone', 'dev-pat-pixel']);
    const refusal = (await h.audit()).find((e) => e.outcome === 'rate-limited')!;
    expect(refusal).toMatchObject({ event: 'refusal', action: 'lock', deviceId: 'dev-sam-iphone', actor: { id: help.id } });
    expect(refusal.reason).toBe('limit: at most 2 remote locks per person per hour; 1 needed, 0 left; room again at 2025-06-02T10:00:00.000Z');
    // Someone else has a count of their own.
    expect((await lock(h, slackHelp, "Sam's iPhone")).lastUpdate.text).toMatch(/sent/);
    // An hour after the first lock there is room again.
    h.clock.advance(50 * 60_000);
    expect((await lock(h, help, "Sam's iPhone")).lastUpdate.text).toMatch(/sent/);
  });

  it('per device: a second lock of one device within a day is refused whoever asks; another device is fine', async () => {
    const h = makeHarness(all(), { policy: withLimits([{ per: 'device', actions: ['lock', 'resetPasscode'], max: 1, window: '1d' }]) });
    await lock(h, help, "Pat's iPhone");
    h.clock.advance(60 * 60_000);
    const again = await lock(h, slackHelp, "Pat's iPhone");
    expect(again.lastUpdate.text).toBe(
      'Nothing was sent: the limit of at most 1 remote lock or passcode reset per device per day: it is reached for "Pat\'s iPhone" (1 in the last day). Ask again after 2025-06-03 09:00:00 UTC.',
    );
    expect((await lock(h, slackHelp, "Pat's Pixel")).lastUpdate.text).toMatch(/sent/);
    expect(h.backend.dispatched.map((d) => d.deviceIds).flat()).toEqual(['dev-pat-iphone', 'dev-pat-pixel']);
    expect((await h.audit()).filter((e) => e.outcome === 'rate-limited').map((e) => e.reason)).toEqual([
      'limit: at most 1 remote lock or passcode reset per device per day (this device); 1 needed, 0 left; room again at 2025-06-03T09:00:00.000Z',
    ]);
  });

  it('in all: everyone together; the time to retry is when the oldest count leaves the window', async () => {
    const h = makeHarness(all(), { policy: withLimits([{ per: 'all', actions: ['lock'], max: 2, window: '15m' }]) });
    await lock(h, help, "Pat's iPhone");
    h.clock.advance(5 * 60_000);
    await lock(h, slackHelp, "Pat's Pixel");
    h.clock.advance(60_000);
    const refused = await lock(h, help, "Sam's iPhone");
    expect(refused.lastUpdate.text).toBe('Nothing was sent: the limit of at most 2 remote locks in all per 15 minutes: it is reached (2 in the last 15 minutes). Ask again after 2025-06-02 09:15:00 UTC.');
    h.clock.advance(9 * 60_000); // 09:15: the first lock left the window
    expect((await lock(h, help, "Sam's iPhone")).lastUpdate.text).toMatch(/sent/);
  });

  it('a bulk request over a limit is refused whole, with the count it would need; one that can never fit says so', async () => {
    const OWNER = 'fleet@contoso.com';
    const h = makeHarness(fleetOf(12, OWNER), { policy: withLimits([{ per: 'actor', actions: ['lock'], max: 12, window: '1h' }]) });
    await lock(h, help, 'Fleet-0001');
    h.clock.advance(60_000);
    const offer = await h.say(help, `lock ${OWNER}`);
    const bulk = await h.click(help, offer.lastReply, 'Lock all 12 devices');
    expect(bulk.lastUpdate.text).toBe('Nothing was sent: the limit of at most 12 remote locks per person per hour: these 12 remote locks need 12, and 11 are left (1 in the last hour). Ask again after 2025-06-02 10:00:00 UTC.');
    expect(h.backend.dispatched.map((d) => d.deviceIds).flat()).toEqual(['dev-fleet-0001']);
    const refusal = (await h.audit()).find((e) => e.outcome === 'rate-limited')!;
    expect(refusal.deviceIds).toHaveLength(12);
    expect(refusal.reason).toMatch(/^limit: at most 12 remote locks per person per hour; 12 needed, 11 left/);

    const small = makeHarness(fleetOf(12, OWNER), { policy: withLimits([{ per: 'all', actions: ['lock'], max: 5, window: '1h' }]) });
    const offer2 = await small.say(help, `lock ${OWNER}`);
    expect(buttonsOf(offer2.lastReply).some((b) => b.label === 'Lock all 12 devices')).toBe(true);
    const never = await small.click(help, offer2.lastReply, 'Lock all 12 devices');
    expect(never.lastUpdate.text).toBe('Nothing was sent: the limit of at most 5 remote locks in all per hour: these 12 remote locks need 12, and 5 are left (0 in the last hour). That many never fit: ask for at most 5 devices at a time.');
    expect(small.backend.dispatched).toEqual([]);
  });

  it('the policy refuses a window it cannot read, a window over 31 days and an unknown kind of count', () => {
    expect(() => withLimits([{ per: 'actor', actions: ['lock'], max: 1, window: '1w' }])).toThrow(/a window is a number and s, m, h or d/);
    expect(() => withLimits([{ per: 'actor', actions: ['lock'], max: 1, window: '32d' }])).toThrow(/at most 31 days/);
    expect(() => withLimits([{ per: 'team', actions: ['lock'], max: 1, window: '1h' }])).toThrow();
  });
});
