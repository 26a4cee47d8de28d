// Chat adapters register how to turn a stored SinkRef back into a sink, so a follow-up taken by any process
// (or after a restart) can keep the chat message up to date.
import type { ChatPlatform, ReplySink, SinkRef, SinkRestorer } from './core/index.js';

export class SinkRestorers implements SinkRestorer {
  readonly #byPlatform = new Map<ChatPlatform, (data: Record<string, unknown>) => ReplySink | undefined>();

  register(platform: ChatPlatform, restore: (data: Record<string, unknown>) => ReplySink | undefined): void {
    this.#byPlatform.set(platform, restore);
  }

  restore(ref: SinkRef): ReplySink | undefined {
    return this.#byPlatform.get(ref.platform)?.(ref.data);
  }
}
