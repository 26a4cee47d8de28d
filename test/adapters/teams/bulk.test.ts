// Bulk in Teams: "Lock all 40 devices" turns the card into an Adaptive Card with an Input.Text for the count; its
// Action.Execute carries what was typed; the right count locks exactly the counted set once.
import { describe, expect, it } from 'vitest';
import { FLEET_OWNER } from '../../fixtures/fleet-tenant.js';
import { fleetHarness } from './fleet.js';
import { ALICE, BOB, cardOf, cardText, click, executeActions, message } from './harness.js';

const fleet = fleetHarness(40);
const dispatches = fleet.dispatches;

describe('bulk in Teams', () => {
  it('the click asks for the count with Input.Text; a wrong count sends nothing; the right one locks all 40 once', async () => {
    const h = fleet.harness();
    await h.post(message(ALICE, `lock ${FLEET_OWNER}`));
    const offer = cardOf(h.sent.find((s) => s.method === 'POST')!);
    expect(cardText(offer)).toContain('and 15 more: 15 Android Enterprise');
    const all = executeActions(offer).find((a) => a.title === 'Lock all 40 devices')!;
    h.sent.length = 0;

    const asked = await h.post(click(ALICE, 'card-1', all.data));
    const prompt = asked.body.value;
    const input = JSON.stringify(prompt.body);
    expect(input).toContain('"type":"Input.Text"');
    expect(cardText(prompt)).toContain('type the number of devices, 40');
    const submit = executeActions(prompt).find((a) => a.title === 'Lock all 40 devices')!;
    expect(submit.verb).toBe('lockdesk.click');

    // Teams merges the input into the data by its id.
    const wrong = await h.post(click(ALICE, 'card-1', { ...submit.data, typed: '400' }));
    expect(cardText(wrong.body.value)).toMatch(/covers 40 devices, so lockdesk sent nothing/);
    expect(await dispatches()).toHaveLength(0);

    // Bob is not the requester: typing the count does not make him one.
    const stranger = await h.post(click(BOB, 'card-1', { ...submit.data, typed: '40' }));
    expect(cardText(stranger.body.value)).toMatch(/Only alice@contoso\.com, who asked/);
    expect(await dispatches()).toHaveLength(0);

    const right = await h.post(click(ALICE, 'card-1', { ...submit.data, typed: '40' }));
    expect(cardText(right.body.value)).toMatch(/40 devices: /);
    await h.bot.drain();
    const sent = await dispatches();
    expect(sent).toHaveLength(40);
    expect(new Set(sent.map((e) => e.deviceId)).size).toBe(40);

    const again = await h.post(click(ALICE, 'card-1', { ...submit.data, typed: '40' }));
    expect(cardText(again.body.value)).toMatch(/already used/);
    expect(await dispatches()).toHaveLength(40);
  });
});
