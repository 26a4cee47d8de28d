// The kill switch: `pause [reason]` and `resume` for the policy's pausers, and LOCKDESK_PAUSED for the operators. While
// paused nothing is dispatched; what was already sent is still followed. The state is in the store, so every replica
// that shares it honours a pause at its next click.
import { auditEvent } from './audit.js';
import type { CoreDeps } from './deps.js';
import { readableTime } from './limits.js';
import { isPauser } from './policy.js';
import { noticeReply, refusalReply } from './replies.js';
import type { Reply } from './reply.js';
import { actorRef, type Actor } from './types.js';
import type { PauseState } from '../ports.js';

/** A pause in force, as people and operators see it. */
export interface PauseView {
  /** LOCKDESK_PAUSED=true: only a restart without it lifts it, never a command. */
  byEnvironment: boolean;
  by: string;
  since: string;
  reason: string;
}

export const ENVIRONMENT_PAUSE = 'its configuration (LOCKDESK_PAUSED=true)';
const NO_REASON = 'no reason given';

/** "lockdesk is paused by lead@contoso.com since 2025-06-02 09:00:00 UTC: a script is locking phones". */
export function pauseSentence(view: PauseView): string {
  return `lockdesk is paused by ${view.by} since ${readableTime(new Date(view.since))}: ${view.reason}`;
}

function viewOf(state: PauseState): PauseView {
  return { byEnvironment: false, by: state.by.email ?? state.by.id, since: state.since, reason: state.reason };
}

/** The pause in force: the environment's first (a command cannot lift it), else the store's. */
export async function readPause(deps: CoreDeps, startedAt: Date): Promise<PauseView | undefined> {
  if (deps.settings.pausedByEnvironment) return { byEnvironment: true, by: ENVIRONMENT_PAUSE, since: startedAt.toISOString(), reason: 'set in the environment by an operator' };
  const state = await deps.store.pause.get();
  return state && viewOf(state);
}

/** A confirmation shown while paused says so above everything else: a click will send nothing until resumed. */
export function withPauseNotice(reply: Reply, view: PauseView | undefined): Reply {
  if (!view) return reply;
  const text = `${pauseSentence(view)}. A click sends nothing until lockdesk is resumed.`;
  return { ...reply, text: `${text} ${reply.text}`, blocks: [{ kind: 'notice', tone: 'warning', text }, ...reply.blocks] };
}

async function refuseUnlessPauser(deps: CoreDeps, actor: Actor, word: 'pause' | 'resume', correlationId: string): Promise<Reply | undefined> {
  if (isPauser(deps.policy, actor)) return undefined;
  await deps.store.audit.append(auditEvent(deps.clock, { event: 'refusal', outcome: 'refused', reason: `${word}: not among the policy's pausers`, correlationId, actor }));
  return refusalReply(`Only the people the policy names as pausers may ${word} lockdesk.`);
}

export async function pauseCommand(deps: CoreDeps, actor: Actor, reason: string, correlationId: string): Promise<Reply> {
  const refused = await refuseUnlessPauser(deps, actor, 'pause', correlationId);
  if (refused) return refused;
  const asked: PauseState = { by: actorRef(actor), since: deps.clock.now().toISOString(), reason: reason || NO_REASON };
  const inForce = await deps.store.pause.pause(asked);
  const mine = inForce.since === asked.since && inForce.by.platform === asked.by.platform && inForce.by.id === asked.by.id && inForce.reason === asked.reason;
  if (!mine) return noticeReply('info', `${pauseSentence(viewOf(inForce))}. It stays so until someone resumes it.`);
  await deps.store.audit.append(auditEvent(deps.clock, { event: 'pause', outcome: 'paused', reason: asked.reason, correlationId, actor }));
  const alsoEnvironment = deps.settings.pausedByEnvironment ? ` This process is paused by ${ENVIRONMENT_PAUSE} as well.` : '';
  return noticeReply('warning', `${pauseSentence(viewOf(inForce))}. Nothing will be sent, by any lockdesk sharing this store, until someone says "resume"; what was already sent is still followed.${alsoEnvironment}`);
}

export async function resumeCommand(deps: CoreDeps, actor: Actor, correlationId: string): Promise<Reply> {
  const refused = await refuseUnlessPauser(deps, actor, 'resume', correlationId);
  if (refused) return refused;
  const lifted = await deps.store.pause.resume();
  if (lifted) {
    await deps.store.audit.append(
      auditEvent(deps.clock, { event: 'resume', outcome: 'resumed', reason: `lifted the pause by ${lifted.by.email ?? lifted.by.id} since ${lifted.since}: ${lifted.reason}`, correlationId, actor }),
    );
  }
  if (deps.settings.pausedByEnvironment) {
    return noticeReply('error', `lockdesk stays paused: it is paused by ${ENVIRONMENT_PAUSE}, which a command cannot lift. An operator removes it and restarts lockdesk.${lifted ? ' The pause by command was lifted.' : ''}`);
  }
  if (!lifted) return noticeReply('info', 'lockdesk is not paused.');
  return noticeReply('success', `lockdesk is resumed by ${actor.email ?? actor.id}: confirmations send again, including those shown while it was paused.`);
}
