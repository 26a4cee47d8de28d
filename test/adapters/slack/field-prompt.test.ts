// A prompt with fields in Slack: one input block per field in the modal views.open opens, each showing its text to
// keep or change; the view_submission hands the core a record by field id, with the prompt's value and the clicked
// message's reference; a refused answer is said in the message and the modal opens again with what was typed.
// The adapter pieces directly, the real Bolt app with a stand-in handler, and the real core's Lost Mode flow.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSubmission, typedModal } from '../../../adapters/slack/typed-modal.js';
import { encodeButton, type ActionParameters, type Handler, type PromptField, type TypedAnswer, type TypedPrompt } from '../../../src/core/index.js';
import { buttonsIn, startHarness, textOf, waitFor, type Harness } from './harness.js';

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
  fields: FIELDS,
};
const REF = { userId: 'U0ALICE', channelId: 'C0HELPDESK', responseUrl: 'https://hooks.slack.com/actions/T0CONTOSO/1/a1' };

type Input = { type: string; block_id: string; optional?: boolean; label: { text: string }; element: Record<string, unknown> };
const inputsOf = (view: { blocks: unknown[] }) => (view.blocks as Input[]).filter((b) => b.type === 'input');
const stateOf = (texts: Record<string, string | null>) => ({
  values: Object.fromEntries(Object.entries(texts).map(([id, value]) => [`field.${id}`, { value: { type: 'plain_text_input', value } }])),
});

/** The nth views.open the Web API stand-in got. */
const openedIn = (h: Harness, n: number) => waitFor(() => h.api.filter((c) => c.method === 'views.open')[n], `views.open #${n + 1}`);
const viewOf = (call: { body: Record<string, unknown> }) => (typeof call.body.view === 'string' ? JSON.parse(call.body.view) : call.body.view) as Record<string, unknown> & { blocks: unknown[] };

describe('typedModal with fields', () => {
  it('has one input per field: its text to edit, multiline where asked, max_length, optional where the field is', () => {
    const view = typedModal(PROMPT, REF)!;
    expect(view.title.text).toBe('Enable Lost Mode?');
    expect(view.submit!.text).toBe('Enable Lost Mode');
    const inputs = inputsOf(view);
    expect(inputs.map((b) => b.block_id)).toEqual(['field.message', 'field.phoneNumber', 'field.footer', 'field.count']);
    expect(inputs.map((b) => b.label.text)).toEqual(FIELDS.map((f) => f.label));
    expect(inputs[0]!.element).toEqual({ type: 'plain_text_input', action_id: 'value', max_length: 300, multiline: true, initial_value: 'Please call the helpdesk.' });
    expect(inputs[1]!.element).toEqual({ type: 'plain_text_input', action_id: 'value', max_length: 40, initial_value: '+1 555 0100' });
    // An empty text is no initial_value at all.
    expect(inputs[2]!.element).toEqual({ type: 'plain_text_input', action_id: 'value', max_length: 120 });
    expect(inputs.map((b) => b.optional)).toEqual([true, true, true, undefined]);
  });

  it('carries the value, the reference and the field ids in private_metadata, never a field text', () => {
    const long = { ...PROMPT, fields: FIELDS.map((f) => (f.id === 'message' ? { ...f, initial: 'x'.repeat(2900), maxLength: 3000 } : f)) };
    const view = typedModal(long, REF)!;
    expect(view).toBeDefined();
    expect(JSON.parse(view.private_metadata!)).toEqual({ value: PROMPT.value, ref: REF, fields: ['message', 'phoneNumber', 'footer', 'count'] });
    expect(view.private_metadata!.length).toBeLessThan(3000);
    expect(inputsOf(view)[0]!.element.initial_value).toHaveLength(2900);
  });

  it('keeps the title and the submit within 24 characters, and an initial text within its max_length', () => {
    const view = typedModal({ ...PROMPT, title: 'Enable Lost Mode on all 1200 devices?', submitLabel: 'Enable Lost Mode on all 1200 devices', fields: [{ ...FIELDS[1]!, initial: '1'.repeat(60) }] }, REF)!;
    expect(view.title.text).toBe('Check and confirm');
    expect(view.submit!.text).toBe('Confirm');
    expect(view.close!.text.length).toBeLessThanOrEqual(24);
    expect(String(inputsOf(view)[0]!.element.initial_value).length).toBeLessThanOrEqual(40);
  });

  it('shows why an answer was refused above the fields when it opens again', () => {
    const view = typedModal(PROMPT, REF, 'That is not a phone number.')!;
    expect(JSON.stringify(view.blocks[0])).toContain('That is not a phone number.');
  });

  it('a prompt without fields is the modal of today: one input, the count', () => {
    const view = typedModal({ ...PROMPT, fields: undefined }, REF)!;
    expect(view.title.text).toBe('Confirm with a number');
    expect(inputsOf(view).map((b) => [b.block_id, b.element])).toEqual([['typed', { type: 'plain_text_input', action_id: 'value', max_length: 20 }]]);
    expect(JSON.parse(view.private_metadata!)).toEqual({ value: PROMPT.value, ref: REF });
  });
});

describe('readSubmission with fields', () => {
  const metadata = typedModal(PROMPT, REF)!.private_metadata!;

  it('reads each field the metadata names; empty, null or missing is \'\'; other blocks are dropped', () => {
    const state = stateOf({ message: 'Found it? Call us.', phoneNumber: null, count: '1', evil: 'not a field' });
    expect(readSubmission({ private_metadata: metadata, state })).toEqual({
      metadata: { value: PROMPT.value, ref: REF, fields: ['message', 'phoneNumber', 'footer', 'count'] },
      typed: { message: 'Found it? Call us.', phoneNumber: '', footer: '', count: '1' },
    });
  });

  it('a submission without state is a record of empty texts (the core refuses it)', () => {
    expect(readSubmission({ private_metadata: metadata })?.typed).toEqual({ message: '', phoneNumber: '', footer: '', count: '' });
    expect(readSubmission({ private_metadata: metadata, state: {} })?.typed).toEqual({ message: '', phoneNumber: '', footer: '', count: '' });
  });

  it('metadata whose field ids are not letters is not lockdesk\'s', () => {
    expect(readSubmission({ private_metadata: JSON.stringify({ value: 'confirm:a:b', ref: REF, fields: ['__proto__'] }) })).toBeUndefined();
    expect(readSubmission({ private_metadata: JSON.stringify({ value: 'confirm:a:b', ref: REF, fields: 'message' }) })).toBeUndefined();
  });

  it('without fields the answer is the one typed text, as today', () => {
    const view = typedModal({ ...PROMPT, fields: undefined }, REF)!;
    expect(readSubmission({ private_metadata: view.private_metadata!, state: { values: { typed: { value: { value: '40' } } } } })?.typed).toBe('40');
  });
});

describe('a prompt with fields through the Bolt app', () => {
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

  /** The handler's clicks, answered by a stand-in: no answer asks; a phone number of letters is refused with the prompt; else done. */
  function standIn(harness: Harness): Array<{ value: string; typed: TypedAnswer | undefined }> {
    const clicks: Array<{ value: string; typed: TypedAnswer | undefined }> = [];
    const handleClick: Handler['handleClick'] = async (_actor, value, sink, typed) => {
      clicks.push({ value, typed });
      if (typed === undefined) return sink.askToType!(PROMPT);
      const answer = typed as Record<string, string>;
      if (/[a-z]/i.test(answer.phoneNumber ?? '')) {
        const text = `"${answer.phoneNumber}" is not a phone number. Nothing was sent; change the text and send again.`;
        const again = { ...PROMPT, fields: FIELDS.map((f) => ({ ...f, initial: answer[f.id] ?? '' })) };
        return sink.reply({ text, blocks: [{ kind: 'notice', tone: 'error', text }], prompt: again });
      }
      return sink.update({ text: 'Lost Mode sent', blocks: [{ kind: 'notice', tone: 'success', text: 'Lost Mode sent' }] });
    };
    harness.app.handler.handleClick = handleClick;
    return clicks;
  }

  const opened = (n: number) => openedIn(h, n);

  it('the click opens the modal; the submission hands the core the record, the value, and the clicked message', async () => {
    h = await startHarness();
    const clicks = standIn(h);
    const click = await h.click('U0ALICE', PROMPT.value);
    const open = await opened(0);
    const view = viewOf(open);
    expect(inputsOf(view).map((b) => [b.block_id, b.element.initial_value])).toEqual([
      ['field.message', 'Please call the helpdesk.'],
      ['field.phoneNumber', '+1 555 0100'],
      ['field.footer', undefined],
      ['field.count', undefined],
    ]);
    expect(view.private_metadata).not.toContain('Please call');

    const { res } = await h.submitState('U0ALICE', view, stateOf({ message: 'Found it? Call us.', phoneNumber: '+1 555 0199', footer: null, count: '1' }));
    expect(res.status).toBe(200);
    const answered = await waitFor(() => clicks.find((c) => c.typed !== undefined), 'the submission at the handler');
    expect(answered).toEqual({ value: PROMPT.value, typed: { message: 'Found it? Call us.', phoneNumber: '+1 555 0199', footer: '', count: '1' } });
    // The answer replaces the clicked message, through the click's response URL the metadata carried.
    const post = await waitFor(() => h.hooks.find((p) => p.path === new URL(click.responseUrl).pathname && /Lost Mode sent/.test(textOf(p.body))), 'the update');
    expect(post.body).toMatchObject({ replace_original: true });
  });

  it('a submission without state reaches the core as empty texts; a refusal is said in the message and the modal opens again with what was typed', async () => {
    h = await startHarness();
    const clicks = standIn(h);
    await h.click('U0ALICE', PROMPT.value);
    const view = viewOf(await opened(0));

    await h.submitState('U0ALICE', view, undefined);
    await waitFor(() => clicks.find((c) => c.typed !== undefined), 'the stateless submission');
    expect(clicks.at(-1)!.typed).toEqual({ message: '', phoneNumber: '', footer: '', count: '' });

    const { triggerId } = await h.submitState('U0ALICE', view, stateOf({ message: 'Call me', phoneNumber: 'call me maybe', footer: 'Thanks', count: '1' }));
    await waitFor(() => h.api.find((c) => c.method === 'chat.postEphemeral' && /"call me maybe" is not a phone number/.test(textOf(c.body))), 'the refusal in the channel');
    const again = await opened(1);
    expect(again.body.trigger_id).toBe(triggerId);
    const reopened = viewOf(again);
    expect(JSON.stringify(reopened.blocks[0])).toContain('is not a phone number');
    expect(inputsOf(reopened).map((b) => b.element.initial_value)).toEqual(['Call me', 'call me maybe', 'Thanks', '1']);
    expect(JSON.parse(String(reopened.private_metadata))).toMatchObject({ value: PROMPT.value, fields: ['message', 'phoneNumber', 'footer', 'count'] });
  });

  it('when the modal cannot open again, the refusal in the message is the answer', async () => {
    h = await startHarness();
    standIn(h);
    await h.click('U0ALICE', PROMPT.value);
    const view = viewOf(await opened(0));
    h.failNext('views.open', { status: 200, body: { ok: false, error: 'expired_trigger_id' } });
    await h.submitState('U0ALICE', view, stateOf({ message: '', phoneNumber: 'letters', footer: '', count: '1' }));
    await waitFor(() => h.api.find((c) => c.method === 'chat.postEphemeral' && /"letters" is not a phone number/.test(textOf(c.body))), 'the refusal');
    await h.mount.adapter.idle();
    expect(h.api.filter((c) => c.method === 'views.open')).toHaveLength(2);
    expect(h.logger.lines.some((l) => /could not open the modal again/.test(l))).toBe(true);
  });
});

describe("Lost Mode from Slack, on the real core", () => {
  const opened = (n: number) => openedIn(h, n);
  let h: Harness;
  let dir: string;
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(async () => {
    await h?.close();
    nock.cleanAll();
    nock.enableNetConnect();
    await rm(dir, { recursive: true, force: true });
  });

  it("the confirm click opens the fields with the policy's text; a wrong one is refused and shown again; the right one is sent with it", async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockdesk-slack-lost-mode-'));
    const policy = join(dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ helpdeskPhone: '+1 555 0100', roles: [{ name: 'helpdesk', members: ['slack-group:S0HELP'], actions: ['lock', 'enableLostMode'], devices: 'any' }] }));
    h = await startHarness({ LOCKDESK_POLICY: policy });
    const sent: Array<ReadonlyMap<string, ActionParameters> | undefined> = [];
    const backend = h.app.backend;
    const dispatch = backend.dispatch.bind(backend);
    backend.dispatch = async (action, ids, options) => {
      if (action === 'enableLostMode') sent.push(options?.parameters);
      return dispatch(action, ids, options);
    };
    const dana = (await backend.findDevices({ by: 'name', value: "Dana's iPhone 15" }))[0]!;

    await h.click('U0GWEN', encodeButton({ kind: 'start', action: 'enableLostMode', deviceId: dana.id }));
    const offer = await waitFor(() => h.api.find((c) => c.method === 'chat.postEphemeral' && buttonsIn(c.body).length > 0), 'the confirmation');
    const confirm = buttonsIn(offer.body).find((b) => /^Enable Lost Mode/.test(b.text))!;
    expect(confirm).toBeDefined();

    await h.click('U0GWEN', confirm.value);
    const view = viewOf(await opened(0));
    const inputs = inputsOf(view);
    expect(inputs.map((b) => b.block_id)).toEqual(['field.message', 'field.phoneNumber', 'field.footer']);
    expect(String(inputs[0]!.element.initial_value)).toContain('Dana Whitfield');
    expect(inputs[1]!.element.initial_value).toBe('+1 555 0100');
    expect(String(view.title && (view.title as { text: string }).text).length).toBeLessThanOrEqual(24);

    await h.submitState('U0GWEN', view, stateOf({ message: 'Found me? Call the helpdesk.', phoneNumber: 'call me', footer: null }));
    await waitFor(() => h.api.find((c) => c.method === 'chat.postEphemeral' && /is not a phone number/.test(textOf(c.body))), 'the refusal');
    const again = viewOf(await opened(1));
    expect(inputsOf(again).map((b) => b.element.initial_value)).toEqual(['Found me? Call the helpdesk.', 'call me', undefined]);
    expect(sent).toEqual([]);

    await h.submitState('U0GWEN', again, stateOf({ message: 'Found me? Call the helpdesk.', phoneNumber: '+1 555 0199', footer: null }));
    await waitFor(() => sent[0], 'the dispatch');
    expect(sent[0]!.get(dana.id)?.lostMode).toEqual({ message: 'Found me? Call the helpdesk.', phoneNumber: '+1 555 0199', footer: '' });
  });
});
