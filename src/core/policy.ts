// Who may do what: the policy file's schema and the checks made against it.
import { z } from 'zod';
import { limitSchema } from './limits.js';
import { approvalSchema, protectedSchema } from './approval-policy.js';
import { LOST_MODE_LIMITS, PHONE_NUMBER } from './lost-mode.js';
import { DEVICE_ACTIONS, type Actor, type ActorRef, type Device, type DeviceAction } from './types.js';

const SELECTOR = /^(\*|(email|slack|slack-group|teams|aad-group):\S+)$/;
const selector = z.string().regex(SELECTOR, 'a member is "*" or one of email:, slack:, slack-group:, teams:, aad-group: followed by an id');

const roleSchema = z
  .object({
    name: z.string().min(1),
    members: z.array(selector).min(1),
    actions: z.array(z.enum(DEVICE_ACTIONS)).min(1),
    /** "own": only devices whose Intune user is the caller. */
    devices: z.enum(['any', 'own']),
    /** May act on protected people's devices without a second person (unless an approval rule covers the request). */
    mayActOnProtected: z.boolean().optional(),
  })
  .strict();

/** The placeholders a Lost Mode text may hold; any other {word} is a typo the policy is refused for. */
export const LOST_MODE_PLACEHOLDERS = ['ownerName', 'helpdeskPhone'] as const;
const lostModeText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((t) => [...t.matchAll(/\{(\w*)\}/g)].every((m) => (LOST_MODE_PLACEHOLDERS as readonly string[]).includes(m[1]!)), {
      message: `the only placeholders are ${LOST_MODE_PLACEHOLDERS.map((p) => `{${p}}`).join(' and ')}`,
    });

/** The lock-screen text of a device put in Lost Mode, before the requester changes it in the confirmation. */
const lostModeSchema = z
  .object({
    message: lostModeText(LOST_MODE_LIMITS.message).default('This device belongs to {ownerName} and has been reported lost. If you found it, please call the number below. Thank you.'),
    phoneNumber: lostModeText(LOST_MODE_LIMITS.phoneNumber).default('{helpdeskPhone}'),
    footer: lostModeText(LOST_MODE_LIMITS.footer).default(''),
  })
  .strict();

export const policySchema = z
  .object({
    $comment: z.string().optional(),
    confirmTtlSeconds: z.number().int().min(30).max(3600).default(300),
    /** A click on "all N devices" with N above this asks the person to type N first, so a misclick cannot act on many. */
    bulkConfirmAbove: z.number().int().min(1).max(100_000).default(25),
    /** People who may confirm a request made by someone else (as well as the requester). */
    approvers: z.array(selector).default([]),
    /** {helpdeskPhone} in the Lost Mode texts. */
    helpdeskPhone: z.string().max(LOST_MODE_LIMITS.phoneNumber).regex(PHONE_NUMBER, 'a phone number: digits, spaces and + ( ) - . / only').default(''),
    lostMode: lostModeSchema.default(() => lostModeSchema.parse({})),
    roles: z.array(roleSchema),
    /** Rate limits on what is dispatched, checked when a confirmation is clicked (see limits.ts). */
    limits: z.array(limitSchema).default([]),
    /** People who may pause and resume lockdesk (the kill switch). */
    pausers: z.array(selector).default([]),
    /** Second-person approval: who approves, for how long a request waits, and the rules that need it. */
    approval: approvalSchema.optional(),
    /** People whose devices need a second person, or a role with mayActOnProtected. */
    protected: protectedSchema.optional(),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;

/**
 * With no policy file, everyone may act on their own devices only, with every lost-device action but signOut (which
 * a policy turns on for a role, as it ends every session of a person).
 */
export const DEFAULT_POLICY: Policy = policySchema.parse({
  roles: [{ name: 'everyone', members: ['*'], actions: ['lock', 'resetPasscode', 'enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound'], devices: 'own' }],
});

const same = (a: string | undefined, b: string | undefined) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

export function memberMatches(member: string, actor: Actor): boolean {
  if (member === '*') return true;
  const colon = member.indexOf(':');
  const kind = member.slice(0, colon);
  const value = member.slice(colon + 1);
  switch (kind) {
    case 'email':
      return same(actor.email, value);
    case 'slack':
      return actor.platform === 'slack' && actor.id === value;
    case 'teams':
      // The Entra object id Teams vouched for; never an email.
      return actor.aadObjectId !== undefined && same(actor.aadObjectId, value);
    case 'slack-group':
    case 'aad-group':
      return actor.groups?.includes(member) ?? false;
    default:
      return false;
  }
}

export type Scope = 'any' | 'own' | 'none';

/** The widest scope any of the actor's roles gives for the action. */
export function scopeFor(policy: Policy, actor: Actor, action: DeviceAction): Scope {
  let scope: Scope = 'none';
  for (const role of policy.roles) {
    if (!role.actions.includes(action) || !role.members.some((m) => memberMatches(m, actor))) continue;
    if (role.devices === 'any') return 'any';
    scope = 'own';
  }
  return scope;
}

/**
 * Ownership. When both the person's Entra object id (Teams tells it) and the device's Intune user id are known, those
 * immutable ids decide and nothing else: an email from a roster can be reassigned or mistyped. Only where an id is
 * missing do the UPN and email decide — never a display name.
 */
export function isOwnDevice(device: Device, person: Pick<Actor, 'email' | 'aadObjectId'>): boolean {
  if (person.aadObjectId && device.userId) return same(person.aadObjectId, device.userId);
  return same(person.email, device.userPrincipalName) || same(person.email, device.emailAddress);
}

export function mayActOn(policy: Policy, actor: Actor, action: DeviceAction, device: Device): boolean {
  const scope = scopeFor(policy, actor, action);
  return scope === 'any' || (scope === 'own' && isOwnDevice(device, actor));
}

/**
 * Every selector that names people who may do something: role members, confirmers, approvers and pausers. The
 * adapters resolve the group selectors among them (slack-group:, aad-group:) for each person; a list that missed
 * one would leave that group's members without the right the policy gives them.
 */
export function peopleSelectors(policy: Policy): string[] {
  return [...new Set([...policy.approvers, ...policy.roles.flatMap((r) => r.members), ...policy.pausers, ...(policy.approval?.approvers ?? [])])];
}

/** The ids of the policy's group selectors of one kind (slack-group:, aad-group:), without the prefix. */
export function policyGroupIdsOf(policy: Policy, prefix: 'slack-group:' | 'aad-group:'): string[] {
  return peopleSelectors(policy)
    .filter((s) => s.startsWith(prefix))
    .map((s) => s.slice(prefix.length));
}

export function isApprover(policy: Policy, actor: Actor): boolean {
  return policy.approvers.some((m) => memberMatches(m, actor));
}

export function isPauser(policy: Policy, actor: Actor): boolean {
  return policy.pausers.some((m) => memberMatches(m, actor));
}

/** Whether this person may click the confirmation that `requester` asked for. */
export function mayConfirm(policy: Policy, actor: Actor, requester: ActorRef): boolean {
  const isRequester = actor.platform === requester.platform && actor.id === requester.id;
  return isRequester || isApprover(policy, actor);
}

/** Whether one of the actor's roles that gives this action may act on protected people without a second person. */
export function mayActOnProtected(policy: Policy, actor: Actor, action: DeviceAction): boolean {
  return policy.roles.some((r) => r.mayActOnProtected === true && r.actions.includes(action) && r.members.some((m) => memberMatches(m, actor)));
}

/** Whether this person may approve another's request (the requester never may; see approval-flow.ts). */
export function isApprovalApprover(policy: Policy, actor: Actor): boolean {
  return (policy.approval?.approvers ?? []).some((m) => memberMatches(m, actor));
}
