// A terminal chat (like Hubot's shell): one line in, the replies out; type a number to click a button.
// It reads line by line, so it works piped as well as typed.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { memberMatches, samePerson, type Actor, type Button, type ChatPlatform, type Handler, type Reply, type ReplySink, type SecretMessage, type TypedPrompt } from '../../src/core/index.js';
import type { ApprovalNotifier } from '../../src/ports.js';
import { FieldQuestions, hasFields, type FieldPrompt } from './field-prompt.js';
import { renderText } from './render-text.js';

export interface ConsoleChatOptions {
  handler: Handler;
  actor: Actor;
  input: Readable;
  output: Writable;
  /** Show a prompt (an interactive terminal). */
  prompt?: boolean;
  /** Where the chat registers itself to show approval cards to the person at the keyboard, when they approve. */
  approvals?: { register(platform: ChatPlatform, notifier: ApprovalNotifier): void };
}

export async function runConsoleChat(options: ConsoleChatOptions): Promise<void> {
  const { handler, actor, input, output } = options;
  const write = (text: string): void => {
    output.write(`${text}\n`);
  };
  /** The choices on screen: those of the latest message. A newer message without buttons leaves nothing to click. */
  let choices: { owner: number; buttons: Button[] } = { owner: -1, buttons: [] };
  let messageCount = 0;
  /**
   * A second step a click asked for: the next line is what the person types (or, a prompt with fields, the next
   * lines are each field's text), handed back with the prompt's value.
   */
  let asked: { prompt: TypedPrompt; owner: number; fields?: FieldQuestions } | undefined;
  const askFields = (prompt: FieldPrompt, owner: number) => {
    const fields = new FieldQuestions(prompt);
    asked = { prompt, owner, fields };
    write(fields.question());
  };

  const show = (reply: Reply, owner: number) => {
    const rendered = renderText(reply);
    write(rendered.text);
    if (owner >= choices.owner) choices = { owner, buttons: rendered.buttons };
  };

  /** Each event gets a sink; update() re-renders the message the event came from. */
  const sinkFor = (origin: number): ReplySink => ({
    reply: async (reply) => show(reply, ++messageCount),
    update: async (reply) => show(reply, origin),
    sendSecret: async (message: SecretMessage) => write(`🔒 (only you see this) ${message.text}\n   ${message.passcode.reveal()}`),
    askToType: async (prompt: TypedPrompt) => {
      if (hasFields(prompt)) {
        write(`${prompt.title}\n${prompt.text}`);
        askFields(prompt, origin);
        return;
      }
      asked = { prompt, owner: origin };
      write(`${prompt.title}\n${prompt.text}\n${prompt.label} (anything else sends nothing):`);
    },
  });

  /**
   * The answer to a prompt: a refusal without buttons leaves the prompted message's choices clickable again; one
   * that carries a prompt with fields (what was typed, to correct) asks them again.
   */
  const answerSink = (origin: number): ReplySink => ({
    ...sinkFor(origin),
    reply: async (reply) => {
      const rendered = renderText(reply);
      write(rendered.text);
      if (rendered.buttons.length > 0) choices = { owner: ++messageCount, buttons: rendered.buttons };
      if (hasFields(reply.prompt)) askFields(reply.prompt, origin);
    },
  });

  // An approval card is shown here when the person at the keyboard is one of its approvers and is not plainly the
  // requester (the core, which asks the directory, refuses the click of a second identity of theirs); this chat
  // knows their email only, so email: selectors count.
  options.approvals?.register('console', {
    async notify(notice) {
      if (samePerson(actor, notice.requester) === 'same' || !notice.approvers.some((s) => s.startsWith('email:') && memberMatches(s, actor))) return [];
      const owner = ++messageCount;
      show(notice.card, owner);
      return [
        {
          reply: async (reply) => show(reply, ++messageCount),
          update: async (reply) => show(reply, owner),
          sendSecret: async () => {
            throw new Error('an approval card is no place for a secret');
          },
        },
      ];
    },
  });

  const lines = createInterface({ input, terminal: false });
  const prompt = () => options.prompt && output.write('> ');
  write(`lockdesk terminal chat, signed in as ${actor.email ?? actor.id}. Type "help"; type a number to click a button.`);
  prompt();
  for await (const raw of lines) {
    const line = raw.trim();
    if (asked?.fields) {
      // An empty line is an answer here: it keeps the text shown.
      const { prompt: question, owner, fields } = asked;
      const answers = fields.answer(line);
      if (answers) {
        asked = undefined;
        await handler.handleClick(actor, question.value, answerSink(owner), answers);
      } else write(fields.question());
      prompt();
      continue;
    }
    if (line === '') {
      prompt();
      continue;
    }
    if (asked) {
      const { prompt: question, owner } = asked;
      asked = undefined;
      await handler.handleClick(actor, question.value, answerSink(owner), line);
    } else if (/^\d+$/.test(line)) {
      const button = choices.buttons[Number(line) - 1];
      if (!button) write(choices.buttons.length ? `There is no choice ${line}; pick 1 to ${choices.buttons.length}.` : 'There is nothing to click right now.');
      else await handler.handleClick(actor, button.value, sinkFor(choices.owner));
    } else {
      await handler.handleMessage(actor, line, sinkFor(-1));
    }
    prompt();
  }
}
