// `approvals`: the requests waiting for a second person that the caller may decide, each with Approve and Deny. It
// is how an approver finds a request whose card they never got (a terminal, a lost DM, another chat), and it reads
// the store, so it lists what every replica holds.
import { pendingReply } from './approval-replies.js';
import type { CoreDeps } from './deps.js';
import { isApprovalApprover } from './policy.js';
import { noticeReply } from './replies.js';
import { whoIs } from './same-person.js';
import type { Reply } from './reply.js';
import type { Actor } from './types.js';

/** Requests listed at once; each is a line and two buttons, so every chat can show them in one message. */
export const PENDING_SHOWN = 5;
/** Read from the store at most: those the caller asked for themselves are left out of them. */
const PENDING_READ = 200;

export async function listApprovals(deps: CoreDeps, actor: Actor): Promise<Reply> {
  if (!isApprovalApprover(deps.policy, actor)) return noticeReply('warning', 'Only the approvers the policy names can see the requests waiting for approval.');
  const now = deps.clock.now();
  // One's own requests are never one's to decide, and one who cannot be told apart from the requester is not shown them.
  const pending = await deps.store.approvals.listPending(now, PENDING_READ);
  const decidable = await Promise.all(pending.map(async (a) => (await whoIs(deps, actor, a.requester)) === 'different' && (!a.confirmedBy || (await whoIs(deps, actor, a.confirmedBy)) === 'different')));
  const mayDecide = pending.filter((_, i) => decidable[i]);
  return pendingReply(mayDecide.slice(0, PENDING_SHOWN), mayDecide.length - Math.min(mayDecide.length, PENDING_SHOWN), now);
}
