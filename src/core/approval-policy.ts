// Second-person approval and protected people: the policy's rules, and which of them a request falls under.
import { z } from 'zod';
import { DEVICE_ACTIONS, type Actor, type Device, type DeviceAction } from './types.js';

const SELECTOR = /^(\*|(email|slack|slack-group|teams|aad-group):\S+)$/;
const selector = z.string().regex(SELECTOR, 'a member is "*" or one of email:, slack:, slack-group:, teams:, aad-group: followed by an id');

/**
 * One rule: a request that meets every condition it names needs a second person. `devices`: "others" (a device
 * that is not the requester's own), "own" (self-service), "any". `bulkAbove`: more than this many devices at once.
 * `targets: "protected"`: a device of a protected person (see `protected`), other than the requester's own.
 */
const ruleSchema = z
  .object({
    name: z.string().min(1).max(80).optional(),
    actions: z.array(z.enum(DEVICE_ACTIONS)).min(1).optional(),
    devices: z.enum(['others', 'own', 'any']).optional(),
    bulkAbove: z.number().int().min(1).max(100_000).optional(),
    targets: z.literal('protected').optional(),
  })
  .strict()
  .refine((r) => r.devices !== undefined || r.bulkAbove !== undefined || r.targets !== undefined || r.actions !== undefined, {
    message: 'a rule names at least one of actions, devices, bulkAbove, targets',
  });
export type ApprovalRule = z.infer<typeof ruleSchema>;

export const approvalSchema = z
  .object({
    /** Who may approve (never the requester, whatever identity they use). */
    approvers: z
      .array(selector)
      .min(1)
      .refine((list) => !list.includes('*'), '"*" would let anyone approve anyone else\'s request: name the approvers'),
    expireMinutes: z.number().int().min(1).max(24 * 60).default(30),
    /** Requests one person may have waiting at once: a stolen account cannot bury the approvers in cards. */
    maxPendingPerPerson: z.number().int().min(1).max(100).default(5),
    rules: z.array(ruleSchema).default([]),
  })
  .strict();
export type ApprovalPolicy = z.infer<typeof approvalSchema>;

/** People whom only a second person (or a role with mayActOnProtected) may act on: UPNs, emails, Entra object ids; aad-group: selectors. */
export const protectedSchema = z
  .object({
    users: z.array(z.string().min(1)).default([]),
    groups: z.array(z.string().regex(/^aad-group:\S+$/, 'a protected group is aad-group:<Entra group id>')).default([]),
  })
  .strict();
export type ProtectedPolicy = z.infer<typeof protectedSchema>;

/** The name a rule is known by in refusals and the audit: its own, or its place and what it says. */
export function ruleName(rule: ApprovalRule, index: number): string {
  if (rule.name) return rule.name;
  const parts = [
    rule.actions ? `actions ${rule.actions.join(', ')}` : '',
    rule.devices ? `devices "${rule.devices}"` : '',
    rule.bulkAbove !== undefined ? `more than ${rule.bulkAbove} devices` : '',
    rule.targets ? 'protected people' : '',
  ].filter(Boolean);
  return `approval rule ${index + 1} (${parts.join('; ')})`;
}

/** What the policy says of a request about to be sent. */
export type ApprovalVerdict =
  | { kind: 'none' }
  | { kind: 'approval'; rule: string }
  /** A protected person's device, no approval rule covers it, and the requester's roles may not act on protected people. */
  | { kind: 'refused'; rule: string };

export const PROTECTED_RULE = 'the policy\'s "protected" people';

export interface ApprovalQuestion {
  action: DeviceAction;
  targets: readonly Device[];
  /** Whether the device is the requester's own (policy.ts isOwnDevice). */
  isOwn: (device: Device) => boolean;
  /** Whether the device's owner is protected (one that could not be told counts as protected). */
  isProtected: (device: Device) => boolean;
  /** Whether one of the requester's roles giving this action says mayActOnProtected. */
  mayActOnProtected: boolean;
}

export function approvalVerdict(approval: ApprovalPolicy | undefined, question: ApprovalQuestion): ApprovalVerdict {
  const { action, targets } = question;
  const own = targets.map((d) => question.isOwn(d));
  const protectedOthers = targets.some((d, i) => !own[i] && question.isProtected(d));
  for (const [index, rule] of (approval?.rules ?? []).entries()) {
    if (rule.actions && !rule.actions.includes(action)) continue;
    if (rule.devices === 'others' && own.every(Boolean)) continue;
    if (rule.devices === 'own' && !own.some(Boolean)) continue;
    if (rule.bulkAbove !== undefined && targets.length <= rule.bulkAbove) continue;
    if (rule.targets === 'protected' && !protectedOthers) continue;
    return { kind: 'approval', rule: ruleName(rule, index) };
  }
  if (protectedOthers && !question.mayActOnProtected) return { kind: 'refused', rule: PROTECTED_RULE };
  return { kind: 'none' };
}

const same = (a: string | undefined, b: string | undefined) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Whether a device's owner is one of the protected users (by UPN, email or Entra object id). */
export function isProtectedUser(protectedPolicy: ProtectedPolicy | undefined, device: Device): boolean {
  return (protectedPolicy?.users ?? []).some((u) => same(u, device.userId) || same(u, device.userPrincipalName) || same(u, device.emailAddress));
}

/**
 * Whether two identities may be the same person, from what they carry: the same platform user, or the same
 * email/UPN or Entra object id, is the same; two Entra object ids that differ are two people. Anything else is
 * "unknown": two emails that differ may be one person's aliases, so same-person.ts asks the directory.
 */
export function samePerson(a: Pick<Actor, 'platform' | 'id' | 'email' | 'aadObjectId'>, b: Pick<Actor, 'platform' | 'id' | 'email' | 'aadObjectId'>): 'same' | 'different' | 'unknown' {
  if (a.platform === b.platform && a.id === b.id) return 'same';
  if (same(a.email, b.email) || same(a.aadObjectId, b.aadObjectId)) return 'same';
  // Only immutable ids tell two people apart: one person may have several addresses (aliases, a second account).
  return a.aadObjectId && b.aadObjectId ? 'different' : 'unknown';
}
