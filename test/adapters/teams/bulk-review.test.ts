// Review of bulk in Teams: the prompt replaced the confirmation card, so whatever answers a typed count must leave
// the person a way on: type again, or cancel.
import { describe, expect, it } from 'vitest';
import { FLEET_OWNER } from '../../fixtures/fleet-tenant.js';
import { fleetHarness } from './fleet.js';
import { ALICE, cardOf, cardText, click, executeActions, message } from './harness.js';

const fleet = fleetHarness(40);
const dispatches = fleet.dispatches;

describe('bulk in Teams, after a wrong count', () => {
  it('the answer still holds the input and its button, so the person can type again (the card has nothing else)', async () => {
    const h = fleet.harness();
    await h.post(message(ALICE, `lock ${FLEET_OWNER}`));
    const offer = cardOf(h.sent.find((s) => s.method === 'POST')!);
    const all = executeActions(offer).find((a) => a.title === 'Lock all 40 devices')!;
    const prompt = (await h.post(click(ALICE, 'card-1', all.data))).body.value;
    const submit = executeActions(prompt).find((a) => a.title === 'Lock all 40 devices')!;

    const wrong = (await h.post(click(ALICE, 'card-1', { ...submit.data, typed: '4' }))).body.value;
    expect(cardText(wrong)).toMatch(/covers 40 devices, so lockdesk sent nothing/);
    expect(cardText(wrong)).toContain('"type":"Input.Text"');
    const again = executeActions(wrong).find((a) => a.title === 'Lock all 40 devices');
    expect(again?.data).toEqual(submit.data);
    expect(await dispatches()).toHaveLength(0);
  });
});

describe('bulk in Teams, the prompt', () => {
  it('can be cancelled: the card it replaced held the Cancel button, and nothing else can cancel the request', async () => {
    const h = fleet.harness();
    h.sent.length = 0;
    await h.post(message(ALICE, `lock ${FLEET_OWNER}`));
    const offer = cardOf(h.sent.find((s) => s.method === 'POST')!);
    const all = executeActions(offer).find((a) => a.title === 'Lock all 40 devices')!;
    const prompt = (await h.post(click(ALICE, 'card-2', all.data))).body.value;
    const cancel = executeActions(prompt).find((a) => a.title === 'Cancel');
    expect(cancel).toBeDefined();
    // Teams would not send it while the required input is empty, unless the action takes no inputs.
    expect((cancel as unknown as { associatedInputs?: string }).associatedInputs).toBe('none');
    const cancelled = (await h.post(click(ALICE, 'card-2', cancel!.data))).body.value;
    expect(cardText(cancelled)).toMatch(/Cancelled by alice@contoso\.com\. Nothing was sent\./);
    const submit = executeActions(prompt).find((a) => a.title === 'Lock all 40 devices')!;
    const late = (await h.post(click(ALICE, 'card-2', { ...submit.data, typed: '40' }))).body.value;
    expect(cardText(late)).toMatch(/cancelled/i);
    expect(await dispatches()).toHaveLength(0);
  });
});
