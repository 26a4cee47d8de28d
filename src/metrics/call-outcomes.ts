// What one command or click came to, for lockdesk_commands_total and lockdesk_clicks_total, read from what the core
// already does rather than by changing it: the audit events it appends while handling the call (tracked in an
// AsyncLocalStorage scope per call), and whether it answered with its failure reply ("… (reference <id>)").
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditEvent, Reply, ReplySink } from '../core/index.js';
import { decisiveRank, type CallOutcome } from './labels.js';

interface Scope {
  best?: { rank: number; means: CallOutcome };
  failed: boolean;
  /** Set once the call has returned: follow-up rounds it scheduled inherit the scope, and must not change it. */
  closed: boolean;
}

/** The handler's reply when a request failed: an error notice naming the correlation id (src/core/handler.ts). */
const FAILURE_REPLY = /\(reference [\w-]+\)$/;
const isFailureReply = (reply: Reply) => reply.blocks.some((b) => b.kind === 'notice' && b.tone === 'error' && FAILURE_REPLY.test(b.text));

export class CallOutcomes {
  readonly #scopes = new AsyncLocalStorage<Scope>();

  /** Runs one handler call with a sink that is watched for the failure reply; resolves with what the call came to. */
  async run(sink: ReplySink, work: (sink: ReplySink) => Promise<void>): Promise<CallOutcome> {
    const scope: Scope = { failed: false, closed: false };
    try {
      await this.#scopes.run(scope, () => work(watched(sink, scope)));
    } catch (error) {
      scope.failed = true;
      throw error;
    } finally {
      scope.closed = true;
    }
    if (scope.failed) return 'error';
    return scope.best?.means ?? 'answered';
  }

  /** An audit event appended: it counts towards the call being handled in this async context, if any. */
  noteAudit(event: AuditEvent): void {
    const scope = this.#scopes.getStore();
    if (!scope || scope.closed) return;
    const decisive = decisiveRank(event);
    if (decisive && (!scope.best || decisive.rank < scope.best.rank)) scope.best = decisive;
  }
}

function watched(sink: ReplySink, scope: Scope): ReplySink {
  const look = (reply: Reply) => {
    if (!scope.closed && isFailureReply(reply)) scope.failed = true;
  };
  return {
    ...(sink.ref ? { ref: () => sink.ref?.() } : {}),
    reply: (reply) => {
      look(reply);
      return sink.reply(reply);
    },
    update: (reply) => {
      look(reply);
      return sink.update(reply);
    },
    sendSecret: (message) => sink.sendSecret(message),
  };
}
