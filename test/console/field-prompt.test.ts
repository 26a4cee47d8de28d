// A prompt with fields in the terminal chat: each field asked in turn with its current text; an empty line keeps
// it, "-" clears an optional one; the answers go to the core as one record. A refusal that carries the prompt asks
// again with what was typed. The real console chat with a stand-in handler, then the real CLI on the real core.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runConsoleChat } from '../../adapters/console/console-chat.js';
import type { AuditEvent, Handler, PromptField, TypedAnswer, TypedPrompt } from '../../src/core/index.js';
import { childEnv, runConsole } from './run-console.js';

const FIELDS: PromptField[] = [
  { id: 'message', label: 'Message on the lock screen', initial: 'Please call\nthe helpdesk.', maxLength: 300, optional: true, multiline: true },
  { id: 'phoneNumber', label: 'Phone number to call', initial: '+1 555 0100', maxLength: 40, optional: true },
  { id: 'footer', label: 'Footer (optional)', initial: '', maxLength: 120, optional: true },
  { id: 'count', label: 'Number of devices', initial: '', maxLength: 20, optional: false },
];
const PROMPT: TypedPrompt = { title: 'Enable Lost Mode?', text: 'This is what the device will show.', label: 'Lock-screen text', submitLabel: 'Enable Lost Mode', value: 'confirm:c1:d1', fields: FIELDS };

/** The real console chat on piped lines, with a handler that offers one button and answers its click as `onClick` says. */
async function chat(lines: string[], onClick: Handler['handleClick']): Promise<string> {
  let out = '';
  const output = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  const handler = {
    handleMessage: async (_actor, _text, sink) => sink.reply({ text: 'confirm', blocks: [{ kind: 'actions', buttons: [{ label: 'Enable Lost Mode', value: PROMPT.value, style: 'danger' }] }] }),
    handleClick: onClick,
  } as Pick<Handler, 'handleMessage' | 'handleClick'> as Handler;
  await runConsoleChat({ handler, actor: { platform: 'console', id: 'dana@contoso.com', email: 'dana@contoso.com' }, input: Readable.from(lines.map((l) => `${l}\n`)), output });
  return out;
}

describe('a prompt with fields in the terminal chat', () => {
  it('asks each field showing its text; Enter keeps it, "-" clears an optional one; one record goes to the core; a refusal asks again with what was typed', async () => {
    const answers: TypedAnswer[] = [];
    const out = await chat(['lost mode x', '1', '', 'call me', '-', '-', '', '+1 555 0199', '', ''], async (_actor, value, sink, typed) => {
      if (typed === undefined) return sink.askToType!(PROMPT);
      expect(value).toBe(PROMPT.value);
      answers.push(typed);
      const answer = typed as Record<string, string>;
      if (/[a-z]/.test(answer.phoneNumber!)) {
        const text = `"${answer.phoneNumber}" is not a phone number. Nothing was sent.`;
        return sink.reply({ text, blocks: [{ kind: 'notice', tone: 'error', text }], prompt: { ...PROMPT, fields: FIELDS.map((f) => ({ ...f, initial: answer[f.id] ?? '' })) } });
      }
      return sink.update({ text: 'sent', blocks: [{ kind: 'notice', tone: 'success', text: 'Lost Mode sent' }] });
    });
    expect(out).toContain('Enable Lost Mode?\nThis is what the device will show.\nMessage on the lock screen (now: "Please call the helpdesk."; Enter keeps it; "-" clears it):');
    expect(out).toContain('Phone number to call (now: "+1 555 0100"; Enter keeps it; "-" clears it):');
    expect(out).toContain('Footer (optional) (now empty; Enter leaves it empty):');
    expect(out).toContain('Number of devices:');
    expect(answers[0]).toEqual({ message: 'Please call\nthe helpdesk.', phoneNumber: 'call me', footer: '', count: '-' });
    // Asked again, each field showing what was typed.
    expect(out).toContain('✗ "call me" is not a phone number. Nothing was sent.\nMessage on the lock screen (now: "Please call the helpdesk."');
    expect(out).toContain('Phone number to call (now: "call me"; Enter keeps it; "-" clears it):');
    expect(out).toContain('Number of devices (now: "-"; Enter keeps it):');
    expect(answers[1]).toEqual({ message: 'Please call\nthe helpdesk.', phoneNumber: '+1 555 0199', footer: '', count: '-' });
    expect(out).toContain('✓ Lost Mode sent');
    expect(answers).toHaveLength(2);
  });

  it('a prompt without fields is asked as today: one line, handed back as the typed text', async () => {
    const answers: Array<TypedAnswer | undefined> = [];
    const out = await chat(['lock all', '1', '40'], async (_actor, _value, sink, typed) => {
      if (typed === undefined) return sink.askToType!({ ...PROMPT, fields: undefined, label: 'Number of devices' });
      answers.push(typed);
    });
    expect(out).toContain('Number of devices (anything else sends nothing):');
    expect(answers).toEqual(['40']);
  });
});

describe('Lost Mode in the terminal chat, on the real core', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("the confirm click asks the fields with the policy's text; both emptied is refused and asked again; then it is sent", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockdesk-console-lost-mode-'));
    dirs.push(dir);
    const run = await runConsole('dana@contoso.com', ["lost mode Dana's iPhone 15", '1', '-', '', '', 'Found me? Please call the helpdesk.', '', ''], childEnv(dir));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\[1\] Enable Lost Mode "Dana's iPhone 15"/);
    expect(run.stdout).toMatch(/Message on the lock screen \(now: "This device belongs to Dana Whitfield[^"]*"; Enter keeps it; "-" clears it\):/);
    expect(run.stdout).toMatch(/✗ Lost Mode needs a message or a phone number/);
    // Asked again with what was typed: the message emptied.
    expect(run.stdout).toMatch(/needs a message or a phone number[^\n]*\nMessage on the lock screen \(now empty; Enter leaves it empty\):/);
    expect(run.stdout).toMatch(/Lost Mode request confirmed by dana@contoso\.com/);
    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
    expect(audit.filter((e) => e.event === 'click-refused').map((e) => e.reason)).toEqual(['lostModeText']);
    expect(audit.filter((e) => e.event === 'dispatch' && e.action === 'enableLostMode')).toHaveLength(1);
  }, 30_000);
});
