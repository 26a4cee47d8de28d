// Chat adapters register where they post approval cards (a Slack channel or DMs, a Teams conversation, the terminal);
// the core's one ApprovalNotifier posts through every one registered and keeps every card posted.
import type { ChatPlatform, ReplySink } from './core/index.js';
import type { ApprovalNotice, ApprovalNotifier, Logger } from './ports.js';

export class ApprovalNotifiers implements ApprovalNotifier {
  readonly #byPlatform = new Map<ChatPlatform, ApprovalNotifier>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  register(platform: ChatPlatform, notifier: ApprovalNotifier): void {
    this.#byPlatform.set(platform, notifier);
  }

  async notify(notice: ApprovalNotice): Promise<ReplySink[]> {
    const posted = await Promise.allSettled([...this.#byPlatform].map(async ([platform, n]) => ({ platform, sinks: await n.notify(notice) })));
    return posted.flatMap((p, i) => {
      if (p.status === 'fulfilled') return p.value.sinks;
      this.#logger.warn({ platform: [...this.#byPlatform.keys()][i], err: { message: String((p.reason as Error)?.message ?? p.reason) } }, 'could not post an approval card');
      return [];
    });
  }
}
