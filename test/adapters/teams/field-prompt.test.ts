// A prompt with fields in Teams: one Input.Text per field (its text to edit), the submit's Action.Execute carries
// the field ids and Teams merges the inputs into its data; the bot hands the core a record of exactly those ids,
// strings only and bounded, whatever the client sent. A refusal that carries the prompt shows it again, with what
// was typed. The card renderer and the data reading directly, the real Teams SDK app with a stand-in handler, and
// the real core's Lost Mode flow.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderCard } from '../../../adapters/teams/card.js';
import { answerOf, FIELD_TEXT_MAX } from '../../../adapters/teams/prompt-answer.js';
import type { ActionParameters, Handler, PromptField, Reply, TypedAnswer, TypedPrompt } from '../../../src/core/index.js';
import { ALICE, cardOf, cardText, click, executeActions, message, startHarness, waitFor, type Harness } from './harness.js';

const FIELDS: PromptField[] = [
  { id: 'message', label: 'Message on the lock screen', initial: 'Please call the helpdesk.', maxLength: 300, optional: true, multiline: true },
  { id: 'phoneNumber', label: 'Phone number to call', initial: '+1 555 0100', maxLength: 40, optional: true },
  { id: 'footer', label: 'Footer (optional)', initial: '', maxLength: 120, optional: true },
  { id: 'count', label: 'Number of devices', initial: '', maxLength: 20, optional: false },
];
const PROMPT: TypedPrompt = {
  title: 'Enable Lost Mode?',
  text: 'This is what the device will show on its lock screen.',
  label: 'Lock-screen text',
  submitLabel: 'Enable Lost Mode',
  value: 'confirm:c-field:dev-1',
  cancel: { label: 'Cancel', value: 'cancel:c-field', style: 'default' },
  fields: FIELDS,
};
const asPrompt = (prompt: TypedPrompt): Reply => ({ text: prompt.title, blocks: [{ kind: 'heading', text: prompt.title }], prompt });

/** Every Input.Text of a card, wherever it sits. */
function inputsOf(card: unknown): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if ((node as { type?: unknown }).type === 'Input.Text') found.push(node as Record<string, unknown>);
      Object.values(node).forEach(walk);
    }
  };
  walk((card as { body?: unknown }).body);
  return found;
}

describe('the card of a prompt with fields', () => {
  it('has one Input.Text per field, required only where the field is not optional; the submit carries the field ids', () => {
    const card = renderCard(asPrompt(PROMPT));
    expect(inputsOf(card)).toEqual([
      { type: 'Input.Text', id: 'field.message', label: 'Message on the lock screen', value: 'Please call the helpdesk.', maxLength: 300, isMultiline: true },
      { type: 'Input.Text', id: 'field.phoneNumber', label: 'Phone number to call', value: '+1 555 0100', maxLength: 40 },
      { type: 'Input.Text', id: 'field.footer', label: 'Footer (optional)', value: '', maxLength: 120 },
      { type: 'Input.Text', id: 'field.count', label: 'Number of devices', value: '', maxLength: 20, isRequired: true, errorMessage: 'Number of devices is needed.' },
    ]);
    const [submit, cancel] = executeActions(card) as Array<Record<string, unknown>>;
    expect(submit).toMatchObject({ title: 'Enable Lost Mode', verb: 'lockdesk.click', associatedInputs: 'auto', data: { value: PROMPT.value, fields: ['message', 'phoneNumber', 'footer', 'count'] } });
    expect(cancel).toMatchObject({ title: 'Cancel', associatedInputs: 'none', data: { value: 'cancel:c-field' } });
  });

  it('a prompt without fields is the card of today: one required input for the count', () => {
    const card = renderCard(asPrompt({ ...PROMPT, fields: undefined }));
    expect(inputsOf(card)).toEqual([{ type: 'Input.Text', id: 'typed', label: 'Lock-screen text', isRequired: true, errorMessage: 'Lock-screen text is needed.', maxLength: 20 }]);
    expect((executeActions(card)[0] as Record<string, unknown>).data).toEqual({ value: PROMPT.value });
  });
});

describe("reading a prompt's answer from the client's data", () => {
  const ids = ['message', 'phoneNumber', 'footer', 'count'];

  it('takes only the listed fields, strings only: a number, an object or an array is \'\'; unknown keys are dropped', () => {
    const data = { value: PROMPT.value, fields: ids, 'field.message': 42, 'field.phoneNumber': { text: '+1' }, 'field.footer': ['x'], 'field.count': '1', 'field.evil': 'x', evil: 'y', typed: '40' };
    expect(answerOf(data)).toEqual({ message: '', phoneNumber: '', footer: '', count: '1' });
  });

  it('a 10 kB text is cut to a bound, still longer than any field allows (the core refuses it)', () => {
    const answer = answerOf({ fields: ids, 'field.message': 'x'.repeat(10_000) }) as Record<string, string>;
    expect(answer.message).toHaveLength(FIELD_TEXT_MAX);
    expect(answer.message!.length).toBeGreaterThan(300);
    // Never half of an emoji at the cut.
    const emoji = answerOf({ fields: ['message'], 'field.message': `${'x'.repeat(FIELD_TEXT_MAX - 1)}😀😀` }) as Record<string, string>;
    expect(emoji.message).toBe('x'.repeat(FIELD_TEXT_MAX - 1));
  });

  it('a field list that is not one of letters is read for what it holds that is; a missing input is \'\'', () => {
    expect(answerOf({ fields: ['message', 7, { id: 'x' }, 'bad id', '__proto__', 'message'], 'field.message': 'hi' })).toEqual({ message: 'hi' });
    expect(answerOf({ fields: ids })).toEqual({ message: '', phoneNumber: '', footer: '', count: '' });
  });

  it('without a field list the answer is the typed text, as today (or nothing)', () => {
    expect(answerOf({ value: 'v', typed: '40' })).toBe('40');
    expect(answerOf({ value: 'v', typed: 40 })).toBeUndefined();
    expect(answerOf({ value: 'v', fields: 'message', 'field.message': 'hi' })).toBeUndefined();
  });
});

describe('a prompt with fields through the Teams SDK app', () => {
  let h: Harness;
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1/);
  });
  afterAll(() => nock.enableNetConnect());
  afterEach(async () => {
    await h?.close();
  });

  /** A stand-in handler: no answer asks; an answer without a phone number is refused with the prompt again; else done. */
  function standIn(harness: Harness): Array<{ value: string; typed: TypedAnswer | undefined }> {
    const clicks: Array<{ value: string; typed: TypedAnswer | undefined }> = [];
    const handleClick: Handler['handleClick'] = async (_actor, value, sink, typed) => {
      clicks.push({ value, typed });
      if (typed === undefined) return sink.askToType!(PROMPT);
      const answer = typed as Record<string, string>;
      if (!answer.phoneNumber) {
        const text = 'A phone number is needed. Nothing was sent; change the text and send again.';
        return sink.reply({ text, blocks: [{ kind: 'notice', tone: 'error', text }], prompt: { ...PROMPT, fields: FIELDS.map((f) => ({ ...f, initial: answer[f.id] ?? '' })) } });
      }
      return sink.update({ text: 'Lost Mode sent', blocks: [{ kind: 'notice', tone: 'success', text: 'Lost Mode sent' }] });
    };
    harness.app.handler.handleClick = handleClick;
    return clicks;
  }

  it('the click turns the card into the fields; hostile data reaches the core as the listed fields, strings, bounded', async () => {
    h = await startHarness();
    const clicks = standIn(h);
    const asked = await h.post(click(ALICE, 'card-1', { value: PROMPT.value }));
    expect(inputsOf(asked.body.value).map((i) => [i.id, i.value])).toEqual([
      ['field.message', 'Please call the helpdesk.'],
      ['field.phoneNumber', '+1 555 0100'],
      ['field.footer', ''],
      ['field.count', ''],
    ]);
    const submit = executeActions(asked.body.value).find((a) => a.title === 'Enable Lost Mode')!;

    const hostile = { ...submit.data, 'field.message': 'x'.repeat(10_000), 'field.phoneNumber': 5551234, 'field.footer': { $ne: '' }, 'field.count': ['1'], 'field.admin': 'yes', admin: true };
    const res = await h.post(click(ALICE, 'card-1', hostile));
    expect(res.status).toBe(200);
    const got = clicks.at(-1)!;
    expect(got.value).toBe(PROMPT.value);
    expect(got.typed).toEqual({ message: 'x'.repeat(FIELD_TEXT_MAX), phoneNumber: '', footer: '', count: '' });
    // The refusal carries the prompt: the card shows the fields again, with what arrived.
    expect(cardText(res.body.value)).toContain('A phone number is needed');
    expect(inputsOf(res.body.value).map((i) => [i.id, i.value])).toEqual([
      ['field.message', 'x'.repeat(FIELD_TEXT_MAX)],
      ['field.phoneNumber', ''],
      ['field.footer', ''],
      ['field.count', ''],
    ]);

    const right = await h.post(click(ALICE, 'card-1', { ...submit.data, 'field.message': 'Found it? Call us.', 'field.phoneNumber': '+1 555 0199', 'field.count': '1' }));
    expect(clicks.at(-1)!.typed).toEqual({ message: 'Found it? Call us.', phoneNumber: '+1 555 0199', footer: '', count: '1' });
    expect(cardText(right.body.value)).toContain('Lost Mode sent');
  });
});

describe('Lost Mode from Teams, on the real core', () => {
  let h: Harness;
  let dir: string;
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1/);
  });
  afterAll(async () => {
    await h?.close();
    nock.enableNetConnect();
    await rm(dir, { recursive: true, force: true });
  });

  it("the confirm click shows the fields with the policy's text; a wrong one comes back as typed; the right one is sent", async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockdesk-teams-lost-mode-'));
    const policy = join(dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ helpdeskPhone: '+1 555 0100', roles: [{ name: 'helpdesk', members: [`teams:${ALICE.aadObjectId}`], actions: ['lock', 'enableLostMode'], devices: 'any' }] }));
    h = await startHarness({ LOCKDESK_POLICY: policy });
    const sent: Array<ReadonlyMap<string, ActionParameters> | undefined> = [];
    const backend = h.app.backend;
    const dispatch = backend.dispatch.bind(backend);
    backend.dispatch = async (action, ids, options) => {
      if (action === 'enableLostMode') sent.push(options?.parameters);
      return dispatch(action, ids, options);
    };
    const dana = (await backend.findDevices({ by: 'name', value: "Dana's iPhone 15" }))[0]!;

    await h.post(message(ALICE, "lost mode Dana's iPhone 15"));
    const offer = cardOf(await waitFor(() => h.sent.find((s) => s.method === 'POST')));
    const confirm = executeActions(offer).find((a) => /^Enable Lost Mode/.test(a.title))!;
    expect(confirm).toBeDefined();

    const asked = await h.post(click(ALICE, 'card-1', confirm.data));
    const inputs = inputsOf(asked.body.value);
    expect(inputs.map((i) => i.id)).toEqual(['field.message', 'field.phoneNumber', 'field.footer']);
    expect(String(inputs[0]!.value)).toContain('Dana Whitfield');
    expect(inputs[1]!.value).toBe('+1 555 0100');
    const submit = executeActions(asked.body.value).find((a) => (a.data as { fields?: unknown }).fields)!;

    const wrong = await h.post(click(ALICE, 'card-1', { ...submit.data, 'field.message': 'Found me? Call the helpdesk.', 'field.phoneNumber': 'call me', 'field.footer': '' }));
    expect(cardText(wrong.body.value)).toMatch(/is not a phone number/);
    expect(inputsOf(wrong.body.value).map((i) => i.value)).toEqual(['Found me? Call the helpdesk.', 'call me', '']);
    expect(sent).toEqual([]);

    const again = executeActions(wrong.body.value).find((a) => (a.data as { fields?: unknown }).fields)!;
    const right = await h.post(click(ALICE, 'card-1', { ...again.data, 'field.message': 'Found me? Call the helpdesk.', 'field.phoneNumber': '+1 555 0199', 'field.footer': '' }));
    expect(cardText(right.body.value)).toMatch(/confirmed by alice@contoso\.com/);
    await waitFor(() => sent[0]);
    expect(sent[0]!.get(dana.id)?.lostMode).toEqual({ message: 'Found me? Call the helpdesk.', phoneNumber: '+1 555 0199', footer: '' });
  });
});
