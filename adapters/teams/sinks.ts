// The ReplySinks of Teams events. A message's answers are new cards; a click's first answer is the card in the
// invoke response, and what follows updates the card in place. In channels and group chats the details stay
// with the requester (refresh.userIds), and secrets always go to the personal chat.
import { randomUUID } from 'node:crypto';
import { SECRET_NAMES, type Actor, type Reply, type ReplySink, type SecretMessage, type SinkRef, type TypedPrompt } from '../../src/core/index.js';
import { emptyCard, privateStubCard, renderCard, workingCard, type AdaptiveCardJson } from './card.js';
import type { Outbox, Reference } from './outbox.js';
import type { PrivateViews } from './private-views.js';
import { storedReference } from './stored-reference.js';

/** Where an event came from and who sent it. */
export interface EventScope {
  actor: Actor;
  /** Teams' user id of the sender (refresh.userIds and 1:1 conversations take it). */
  userId: string;
  userName: string;
  reference: Reference;
  /** The roster gave no answer for this sender (see actorOf): they may not decide for someone else. */
  rosterUnconfirmed?: boolean;
}

export interface SinkDeps {
  outbox: Outbox;
  views: PrivateViews;
}

export const isPersonal = (reference: Reference) => reference.conversation?.conversationType === 'personal' || reference.conversation?.isGroup === false;

/** The card everyone in the conversation sees: the reply itself in a personal chat, a stub elsewhere. */
export function publicCard(deps: SinkDeps, scope: EventScope, reply: Reply, viewId?: string): { card: AdaptiveCardJson; viewId?: string } {
  const card = renderCard(reply);
  if (isPersonal(scope.reference)) return { card };
  const id = deps.views.put(scope.actor.id, card, viewId);
  return { card: privateStubCard(scope.userName, scope.userId, id), viewId: id };
}

export function secretCard(message: SecretMessage): AdaptiveCardJson {
  return emptyCard([
    { type: 'TextBlock', text: `🔒 ${message.text}`, wrap: true },
    { type: 'TextBlock', text: message.passcode.reveal(), fontType: 'Monospace', size: 'ExtraLarge', weight: 'Bolder' },
  ]);
}

export async function deliverSecret(deps: SinkDeps, scope: EventScope, message: SecretMessage): Promise<void> {
  const { recipient } = message;
  if (recipient.platform !== 'teams') throw new Error('the requester is not on Teams');
  // An approver may have clicked for the requester: then the passcode goes to a 1:1 chat with the requester, not
  // to the approver's conversation (Teams accepts the Entra object id as the member of a new 1:1 chat).
  const forClicker = recipient.id === scope.actor.id;
  const send = forClicker
    ? () => deps.outbox.sendPrivately(scope.reference, scope.userId, secretCard(message))
    : () => deps.outbox.sendPrivately(scope.reference, recipient.aadObjectId ?? recipient.id, secretCard(message), { otherPerson: true });
  const name = SECRET_NAMES[message.kind];
  const ok = await deps.outbox.attempt(`send the ${name} to the requester`, send);
  if (!ok) throw new Error(`the ${name} for "${message.deviceName}" could not be delivered to the requester's personal chat`);
}

/** A message's sink: every answer is a new card (a message has no earlier card of lockdesk's to update). */
export function messageSink(deps: SinkDeps, scope: EventScope): ReplySink {
  const post = async (reply: Reply) => {
    await deps.outbox.send(scope.reference, publicCard(deps, scope, reply).card);
  };
  return { reply: post, update: post, sendSecret: (message) => deliverSecret(deps, scope, message) };
}

type First = { kind: 'reply' | 'update'; reply: Reply };

/**
 * A click's sink. `invokeCard(waitMs)` gives the card for the invoke response: the first answer if it comes in
 * time (a `reply` is for the clicker alone; an `update` also replaces the card for everyone), else a "working…"
 * card, after which the answers go out as updates and private messages.
 */
export class ClickSession {
  readonly sink: ReplySink;
  readonly #deps: SinkDeps;
  readonly #scope: EventScope;
  readonly #cardId: string | undefined;
  #viewId: string | undefined;
  readonly #shared: boolean;
  /** The last update, whose words a prompt that follows keeps (a "waiting for approval" stays in sight). */
  #lastUpdate: Reply | undefined;
  #responded = false;
  #first: First | undefined;
  #onFirst: ((first: First) => void) | undefined;
  /** Updates leave in the order the handler made them. */
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * `shared`: a card whose outcome everyone in the conversation is to see (an approval card, when Approve or Deny is
   * clicked): the first answer replaces it for all (the invoke response, no private view); later updates are left to
   * the approval's own stored cards, since the card id a click names is the client's word. A prompt goes to the
   * clicker alone (the invoke response, else their personal chat), so the other approvers keep the card and buttons.
   */
  constructor(deps: SinkDeps, scope: EventScope, cardId: string | undefined, viewId: string | undefined, options: { shared?: boolean } = {}) {
    this.#deps = deps;
    this.#scope = scope;
    this.#cardId = cardId;
    this.#viewId = viewId;
    this.#shared = options.shared === true;
    this.sink = {
      ref: () => this.#ref(),
      reply: (reply) => this.#answer({ kind: 'reply', reply }),
      update: (reply) => {
        this.#lastUpdate = reply;
        return this.#answer({ kind: 'update', reply });
      },
      sendSecret: (message) => deliverSecret(deps, scope, message),
      // The card becomes the prompt (privately, like any answer outside a personal chat); its button submits.
      askToType: (prompt) => this.#answer({ kind: this.#shared ? 'reply' : 'update', reply: this.#promptReply(prompt) }),
    };
  }

  /** The prompt, beneath the words (not the buttons) of what this card last said. */
  #promptReply(prompt: TypedPrompt): Reply {
    const kept = (this.#lastUpdate?.blocks ?? []).filter((b) => b.kind === 'notice' || b.kind === 'paragraph');
    return { text: `${prompt.title} ${prompt.text}`, blocks: [...kept, { kind: 'heading', text: prompt.title }, { kind: 'paragraph', text: prompt.text }], prompt };
  }

  async invokeCard(waitMs: number): Promise<AdaptiveCardJson> {
    const first =
      this.#first ??
      (await new Promise<First | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), waitMs);
        this.#onFirst = (f) => {
          clearTimeout(timer);
          resolve(f);
        };
      }));
    this.#responded = true;
    return first ? renderCard(first.reply) : workingCard();
  }

  /** Resolves when every update queued so far has been sent (tests, shutdown). */
  settled(): Promise<unknown> {
    return this.#queue;
  }

  /**
   * What another process needs to keep this card up to date (see sink-ref.ts): the conversation, the card, the
   * clicker and, outside a personal chat, the id its private view will have (chosen now, used by the updates).
   * Picked field by field: the reference holds no token, and nothing else of the activity rides along.
   */
  #ref(): SinkRef {
    const { reference, userId, userName, actor } = this.#scope;
    if (!isPersonal(reference)) this.#viewId ??= randomUUID();
    const data = {
      reference: storedReference(reference),
      userId,
      userName,
      actorId: actor.id,
      ...(this.#cardId ? { cardId: this.#cardId } : {}),
      ...(this.#viewId ? { viewId: this.#viewId } : {}),
    };
    return { platform: 'teams', data };
  }

  async #answer(answer: First): Promise<void> {
    if (!this.#responded && !this.#first) {
      this.#first = answer;
      this.#onFirst?.(answer);
      if (answer.kind === 'reply') return; // the invoke response shows it to the clicker alone
    }
    // A decision's later updates go to the approval's own cards, by the ids stored when they were posted (the core
    // updates each one): the card id a click names is the client's word, and could name another request's card.
    if (this.#shared && answer.kind === 'update') return;
    const send = answer.kind === 'update' && this.#cardId ? () => this.#updateCard(answer.reply) : () => this.#sendPrivately(answer.reply);
    const next = this.#queue.then(send);
    this.#queue = next.catch(() => undefined);
    await next;
  }

  async #updateCard(reply: Reply): Promise<void> {
    const { card, viewId } = publicCard(this.#deps, this.#scope, reply, this.#viewId);
    this.#viewId = viewId ?? this.#viewId;
    await this.#deps.outbox.update(this.#scope.reference, this.#cardId!, card);
  }

  async #sendPrivately(reply: Reply): Promise<void> {
    await this.#deps.outbox.sendPrivately(this.#scope.reference, this.#scope.userId, renderCard(reply));
  }
}
