// In channels and group chats a card's details are for the requester only: the channel gets a stub whose
// refresh.userIds names them, and their Teams client asks for the details with the refresh verb. The details
// wait here, in memory: after a restart the requester is told to ask again.
import { randomUUID } from 'node:crypto';
import type { AdaptiveCardJson } from './card.js';

interface View {
  ownerId: string;
  card: AdaptiveCardJson;
  until: number;
}

const TTL_MS = 2 * 60 * 60_000;
const MAX_VIEWS = 5000;

export class PrivateViews {
  readonly #views = new Map<string, View>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Stores the details under a new id, or replaces those of an existing view (a card updated in place). */
  put(ownerId: string, card: AdaptiveCardJson, viewId: string = randomUUID()): string {
    this.#views.delete(viewId);
    if (this.#views.size >= MAX_VIEWS) this.#views.delete(this.#views.keys().next().value!);
    this.#views.set(viewId, { ownerId, card, until: this.#now() + TTL_MS });
    return viewId;
  }

  /** Whether this process still holds a view (they live in memory: another process or a restart has none). */
  holds(viewId: string): boolean {
    const view = this.#views.get(viewId);
    return view !== undefined && view.until >= this.#now();
  }

  /** The details, only for their owner; "gone" once forgotten. */
  get(viewId: string, actorId: string): { kind: 'card'; card: AdaptiveCardJson } | { kind: 'notOwner' } | { kind: 'gone' } {
    const view = this.#views.get(viewId);
    if (!view || view.until < this.#now()) return { kind: 'gone' };
    return view.ownerId === actorId ? { kind: 'card', card: view.card } : { kind: 'notOwner' };
  }
}
