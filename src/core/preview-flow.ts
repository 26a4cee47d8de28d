// `preview <command>` / `<command> --dry-run`: what a request would dispatch, device by device, and what the policy
// says, without a confirmation, without buttons. Audited as a request with outcome 'preview'.
import { ACTION_NOUN } from './action-words.js';
import { approvalFor } from './approval-flow.js';
import type { ApprovalVerdict } from './approval-policy.js';
import { approverNames } from './approval-replies.js';
import { describeQuery, type Query } from './commands.js';
import type { Core } from './deps.js';
import { pauseSentence } from './pause.js';
import { deviceCard } from './device-card.js';
import { supportFor } from './platform-support.js';
import { isApprover, mayActOn, memberMatches, scopeFor, type Policy } from './policy.js';
import { restSummary, tooManyNote } from './replies.js';
import type { Block, Reply } from './reply.js';
import { findPermitted } from './request-flow.js';
import type { Actor, DeviceAction } from './types.js';

export const PREVIEW_NOTHING_SENT = 'Preview only: nothing was sent and no confirmation was created.';

/** The roles that give the caller this action, and how far. */
export function policyVerdict(policy: Policy, actor: Actor, action: DeviceAction): string {
  const scope = scopeFor(policy, actor, action);
  const noun = ACTION_NOUN[action];
  if (scope === 'none') return `The policy does not allow you a ${noun}.`;
  const roles = policy.roles.filter((r) => r.actions.includes(action) && r.devices === scope && r.members.some((m) => memberMatches(m, actor))).map((r) => `"${r.name}"`);
  return `The policy allows you a ${noun} on ${scope === 'any' ? 'any device' : 'your own devices only'} (role ${roles.join(', ')}).`;
}

/** Who has to confirm, and whether a second person has to approve it after (policy "approval"), or it is refused. */
export function confirmationVerdict(policy: Policy, actor: Actor, approval: ApprovalVerdict = { kind: 'none' }): string {
  const confirm =
    policy.approvers.length === 0
      ? 'You would confirm it yourself'
      : isApprover(policy, actor)
        ? 'You would confirm it yourself (you are an approver)'
        : 'You would confirm it yourself, or one of the approvers the policy names';
  if (approval.kind === 'refused') return `It would be refused when confirmed (${approval.rule}): your role may not act on a protected person's device, and no approval rule covers this request.`;
  if (approval.kind === 'approval') return `${confirm}; then a second person has to approve it (${approval.rule}): ${approverNames(policy.approval?.approvers ?? [])}.`;
  return `${confirm}; no second person is needed.`;
}

export async function previewAction(deps: Core, actor: Actor, action: DeviceAction, query: Query, correlationId: string): Promise<Reply> {
  const noun = ACTION_NOUN[action];
  const found = await findPermitted(deps, actor, query, [action], correlationId, 'preview');
  if (!found.ok) return { text: `${found.reply.text} ${PREVIEW_NOTHING_SENT}`, blocks: [...found.reply.blocks, { kind: 'paragraph', text: PREVIEW_NOTHING_SENT }] };
  const now = deps.clock.now();
  const supports = found.all.map((device) => ({ device, support: supportFor(deps.platforms, device, action), allowed: mayActOn(deps.policy, actor, action, device) }));
  const offered = supports.filter((s) => s.support.supported && s.allowed);
  const shown = supports.slice(0, found.shown.length);
  const summary = restSummary(action, supports.slice(shown.length).map(({ support }) => support));

  const heading = `Preview of a ${noun} of ${describeQuery(query)}: ${offered.length === 0 ? 'no device here could take it' : `${offered.length} device${offered.length === 1 ? '' : 's'} would be offered`}.`;
  const verdicts = shown.map(({ device, support, allowed }) => `"${device.name}": ${support.supported ? `supported${support.willHappen ? ` (${support.willHappen})` : ''}` : `not supported: ${support.reason}`}; ${allowed ? 'the policy allows it' : 'the policy does not allow it'}.`);
  const bulk = found.byUser && offered.length > 1
    ? [`The confirmation would offer all ${offered.length} devices at once${offered.length > deps.policy.bulkConfirmAbove ? `; above ${deps.policy.bulkConfirmAbove} the click asks for the number to be typed` : ''}.`]
    : [];
  const approval = offered.length > 0 ? await approvalFor(deps, actor, action, offered.map((s) => s.device)) : ({ kind: 'none' } as const);
  const paused = await deps.pauseState();
  const lines = [
    policyVerdict(deps.policy, actor, action),
    ...(offered.length > 0 ? [confirmationVerdict(deps.policy, actor, approval), ...bulk] : []),
    ...(paused ? [`${pauseSentence(paused)}: while it is, a confirmation sends nothing.`] : []),
  ];

  const blocks: Block[] = [
    { kind: 'heading', text: heading },
    ...shown.map(({ device }): Block => ({ kind: 'device', card: deviceCard(device, deps.platforms, now, action), buttons: [] })),
    ...(summary ? [{ kind: 'notice', tone: 'info', text: summary } as Block] : tooManyNote(found.listing)),
    ...verdicts.map((text): Block => ({ kind: 'paragraph', text })),
    ...lines.map((text): Block => ({ kind: 'paragraph', text })),
    { kind: 'notice', tone: 'info', text: PREVIEW_NOTHING_SENT },
  ];
  return { text: [heading, ...verdicts, ...(summary ? [summary] : []), ...lines, PREVIEW_NOTHING_SENT].join(' '), blocks };
}
