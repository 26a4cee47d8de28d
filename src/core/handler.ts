// The one device-action handler every adapter calls. Adapters turn payloads into these calls and render the replies.
import { decodeButton } from './buttons.js';
import { handleApprovalClick } from './approval-click.js';
import { sweepApprovals } from './approval-flow.js';
import { handleDecision, expire } from './click-flow.js';
import { parseCommand } from './commands.js';
import { singleProcess, type Core, type HandlerDeps } from './deps.js';
import { policySourceOf } from './policy-source.js';
import { toLockdeskError, ERROR_CODES } from './errors.js';
import { FollowUp } from './follow-up.js';
import { previewAction } from './preview-flow.js';
import { mayBeInFlight, resolveInterrupted } from './recovery.js';
import { auditEvent } from './audit.js';
import { helpFor } from './help.js';
import { noticeReply, outsiderReply, usageReply } from './replies.js';
import type { Reply, ReplySink, TypedAnswer } from './reply.js';
import { lookUp, lostPlaybook, lostRequest, requestAction, selfService } from './request-flow.js';
import type { Actor } from './types.js';
import type { DispatchRecord } from './records.js';
import type { FollowUpJob } from '../ports.js';
import { listApprovals } from './approvals-command.js';
import { pauseCommand, readPause, resumeCommand, withPauseNotice, type PauseView } from './pause.js';

/**
 * Where an outsider came from: the platform's own name for their organisation; for `teams-identity`, the Entra
 * object id the conversation's roster gives the sender, who claimed another one.
 */
export interface Outsider {
  kind: 'teams-tenant' | 'teams-identity' | 'slack-workspace' | 'slack-organisation';
  id: string;
}

export interface RecoverySummary {
  resolved: number;
  unresolved: number;
  following: number;
}

export interface Handler {
  /** A message or slash command: "lock Alice's iPhone", "lost", "help", … */
  handleMessage(actor: Actor, text: string, sink: ReplySink): Promise<void>;
  /**
   * A button click; `value` is what the button carried. `typed`: what the person typed in a second step the click
   * asked for (ReplySink.askToType), handed back with that prompt's value.
   */
  handleClick(actor: Actor, value: string, sink: ReplySink, typed?: TypedAnswer): Promise<void>;
  /**
   * Someone from outside the organisation lockdesk serves (another Teams tenant, another Slack workspace or a Slack
   * Connect partner) reached it: audited with where they came from, and told politely (when there is a sink).
   */
  refuseOutsider(actor: Actor, origin: Outsider, sink?: ReplySink): Promise<void>;
  /** The caller's own devices with self-service buttons ("I lost this device", "I forgot my passcode"). */
  selfService(actor: Actor): Promise<Reply>;
  /** Marks confirmations and approval requests whose time ran out as expired (audited once each). */
  sweepExpired(): Promise<number>;
  /**
   * Settles dispatches a crash interrupted and resumes following the open ones. At start-up every
   * "dispatching" record is from a dead process; later sweeps pass olderThanMs so in-flight ones are left alone.
   */
  recover(options?: { olderThanMs?: number }): Promise<RecoverySummary>;
  /** One round of following sent actions; the job queue calls it, on whichever process takes the job. */
  runFollowUp(job: FollowUpJob): Promise<void>;
  /** Resolves once no follow-up of this process is still updating a chat message. */
  idle(): Promise<void>;
  /** The pause in force, if any (the banner, GET /readyz, the lockdesk_paused gauge). */
  paused(): Promise<PauseView | undefined>;
  /** What this handler holds in memory: sinks of clicks being followed, sends inside a backend call. */
  stats(): { liveSinks: number; inFlight: number };
}

export function createHandler(input: HandlerDeps): Handler {
  const source = policySourceOf(input.policy);
  const { policy: _given, ...rest } = input;
  // Since when LOCKDESK_PAUSED has held, for those it refuses.
  const startedAt = input.clock.now();
  // Long-lived readers (follow-up) see the policy in force whenever they look; a request takes one at its start
  // (now()) and keeps it to its end, so a reload in between cannot give it half of each.
  const core: Core = {
    ...rest,
    processes: input.processes ?? singleProcess(input.ids),
    inFlight: new Set(),
    get policy() {
      return source.current();
    },
    pauseState: () => readPause(core, startedAt),
  };
  const pauseState = () => core.pauseState();
  const now = (): Core => ({ ...core, policy: source.current() });
  const followUp = new FollowUp(core);

  async function guarded(actor: Actor, sink: ReplySink, work: (correlationId: string) => Promise<void>): Promise<void> {
    const correlationId = core.ids.id();
    // Everything logged while this request is handled (adapters and backends too) carries its correlation id.
    return core.correlation ? core.correlation.run(correlationId, () => handled(correlationId, actor, sink, work)) : handled(correlationId, actor, sink, work);
  }

  async function handled(correlationId: string, actor: Actor, sink: ReplySink, work: (correlationId: string) => Promise<void>): Promise<void> {
    try {
      await work(correlationId);
    } catch (thrown) {
      const error = toLockdeskError(thrown);
      core.logger.error({ correlationId, code: error.code, err: thrown, actor: actor.id }, 'request failed');
      const text =
        error.code === ERROR_CODES.STORE_UNAVAILABLE || error.code === ERROR_CODES.STORE_CORRUPT
          ? 'lockdesk cannot reach its storage right now, so it did nothing. Try again shortly.'
          : error.describe();
      await sink.reply(noticeReply('error', `${text} (reference ${correlationId})`)).catch((e) => core.logger.error({ err: e }, 'could not send the error reply'));
    }
  }

  async function answer(actor: Actor, text: string, correlationId: string): Promise<Reply> {
    const parsed = parseCommand(text);
    if (!parsed.ok) return usageReply(parsed.problem, parsed.topic);
    const command = parsed.command;
    const deps = now();
    switch (command.kind) {
      case 'help':
        return helpFor(deps.policy, actor, command.topic);
      case 'lost':
        return lostRequest(deps, actor, correlationId);
      case 'action':
        return withPauseNotice(await requestAction(deps, actor, command.action, command.query, correlationId), await pauseState());
      case 'pause':
        return pauseCommand(deps, actor, command.reason, correlationId);
      case 'resume':
        return resumeCommand(deps, actor, correlationId);
      case 'approvals':
        return listApprovals(deps, actor);
      case 'devices':
        return lookUp(deps, actor, command.query, correlationId);
      case 'preview':
        return previewAction(deps, actor, command.action, command.query, correlationId);
    }
  }

  return {
    handleMessage: (actor, text, sink) => guarded(actor, sink, async (correlationId) => sink.reply(await answer(actor, text, correlationId))),

    handleClick: (actor, value, sink, typed) =>
      guarded(actor, sink, async (correlationId) => {
        const click = decodeButton(value);
        if (!click) {
          await sink.reply(noticeReply('error', 'lockdesk does not recognise that button. Nothing was done.'));
          return;
        }
        const deps = now();
        if (click.kind === 'start') {
          await sink.reply(withPauseNotice(await requestAction(deps, actor, click.action, { kind: 'deviceId', id: click.deviceId }, correlationId), await pauseState()));
          return;
        }
        if (click.kind === 'lost') {
          await sink.reply(await lostPlaybook(deps, actor, click.deviceId, correlationId));
          return;
        }
        if (click.kind === 'approve' || click.kind === 'deny' || click.kind === 'why' || click.kind === 'withdraw') {
          await handleApprovalClick(deps, followUp, actor, click, sink, typed);
          return;
        }
        await handleDecision(deps, followUp, actor, click, sink, click.kind === 'confirm' ? typed : undefined);
      }),

    async refuseOutsider(actor, origin, sink) {
      const correlationId = core.ids.id();
      await core.store.audit.append(
        auditEvent(core.clock, { event: 'refusal', outcome: 'refused', reason: `from outside the organisation (${origin.kind} ${origin.id.slice(0, 64)})`, correlationId, actor }),
      );
      await sink?.reply(outsiderReply()).catch((e) => core.logger.warn({ err: { message: String((e as Error)?.message ?? e) } }, 'could not send the refusal'));
    },

    async selfService(actor) {
      const correlationId = core.ids.id();
      try {
        return await selfService(now(), actor, correlationId);
      } catch (thrown) {
        const error = toLockdeskError(thrown);
        core.logger.error({ correlationId, code: error.code, err: thrown }, 'self-service view failed');
        return noticeReply('error', `${error.describe()} (reference ${correlationId})`);
      }
    },

    async sweepExpired() {
      let count = 0;
      for (const confirmation of await core.store.confirmations.listExpired(core.clock.now())) {
        if (await expire(core, confirmation)) count++;
      }
      return count + (await sweepApprovals(core));
    },

    async recover(options = {}) {
      const open = await core.store.dispatches.listOpen();
      // Interrupted: not a send in flight (this process's own not inside a backend call, another's owner dead).
      const dispatching = open.filter((r) => r.state === 'dispatching');
      const interrupted: DispatchRecord[] = [];
      for (const r of dispatching) if (!(await mayBeInFlight(core, r, options.olderThanMs ?? 0))) interrupted.push(r);
      const resolved = await resolveInterrupted(core, interrupted);
      // Every open dispatch gets a follow-up job; the queue keeps one per key, so one already queued (here or
      // on another replica) is not doubled.
      const stillOpen = (await core.store.dispatches.listOpen()).filter((r) => r.state !== 'dispatching');
      const groups = new Map<string, DispatchRecord[]>();
      for (const record of stillOpen) groups.set(record.confirmationId, [...(groups.get(record.confirmationId) ?? []), record]);
      for (const records of groups.values()) {
        // The message keeps its heading and its chat window: who confirmed, and until when it is kept up to date.
        const confirmation = await core.store.confirmations.get(records[0]!.confirmationId);
        const by = confirmation?.resolvedBy;
        const sentAt = Math.min(...records.map((r) => Date.parse(r.createdAt)));
        await followUp.track(records, {
          confirmedBy: by ? (by.email ?? by.id) : 'an earlier lockdesk process',
          chatUntil: new Date(Math.max(core.clock.now().getTime(), sentAt + core.settings.followUpMs)),
        });
      }
      if (resolved.length > 0 || interrupted.length > 0) {
        core.logger.info({ resolved: resolved.length, unresolved: interrupted.length - resolved.length }, 'crash recovery');
      }
      return { resolved: resolved.length, unresolved: interrupted.length - resolved.length, following: stillOpen.length };
    },

    runFollowUp: (job) => followUp.run(job),

    paused: pauseState,

    stats: () => ({ liveSinks: followUp.liveSinks, inFlight: core.inFlight.size }),

    idle: async () => {
      await core.queue.idle?.();
    },
  };
}


