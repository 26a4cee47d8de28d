// Rate limits: the policy's rules, the counts a dispatch takes in the store, and what a person is told when one is full.
import { entraIdOf } from './same-person.js';
import { z } from 'zod';
import { auditEvent } from './audit.js';
import type { CoreDeps } from './deps.js';
import { ACTION_NOUN } from './action-words.js';
import type { Confirmation } from './records.js';
import { DEVICE_ACTIONS, type Actor, type ActorRef, type Device, type DeviceAction } from './types.js';
import type { LimitBucket } from '../ports.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const UNIT_WORD = { s: 'second', m: 'minute', h: 'hour', d: 'day' } as const;
const WINDOW = /^([1-9]\d{0,5})(s|m|h|d)$/;
/** As long as a window may be: the stores keep counts no longer (see LONGEST_WINDOW_MS). */
const MAX_WINDOW_MS = 31 * UNIT_MS.d;

export function windowMs(window: string): number {
  const [, n, unit] = WINDOW.exec(window)!;
  return Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

export const limitSchema = z
  .object({
    /** Whose count: the person who asked, each device, or everyone's together. */
    per: z.enum(['actor', 'device', 'all']),
    actions: z.array(z.enum(DEVICE_ACTIONS)).min(1),
    max: z.number().int().min(1).max(1_000_000),
    window: z
      .string()
      .regex(WINDOW, 'a window is a number and s, m, h or d: "30s", "15m", "1h", "1d"')
      .refine((w) => !WINDOW.test(w) || windowMs(w) <= MAX_WINDOW_MS, 'a window is at most 31 days'),
  })
  .strict();

export type LimitRule = z.infer<typeof limitSchema>;

/** "at most 10 remote locks per person per hour". */
export function describeRule(rule: LimitRule): string {
  const [, n, unit] = WINDOW.exec(rule.window)!;
  const word = UNIT_WORD[unit as keyof typeof UNIT_WORD];
  const per = { actor: ' per person', device: ' per device', all: ' in all' }[rule.per];
  const nouns = rule.actions.map((a) => `${ACTION_NOUN[a]}${rule.max === 1 ? '' : 's'}`).join(' or ');
  return `at most ${rule.max} ${nouns}${per} per ${n === '1' ? word : `${n} ${word}s`}`;
}

/** "the last hour", "the last 15 minutes". */
function lastWindow(rule: LimitRule): string {
  const [, n, unit] = WINDOW.exec(rule.window)!;
  const word = UNIT_WORD[unit as keyof typeof UNIT_WORD];
  return n === '1' ? `the last ${word}` : `the last ${n} ${word}s`;
}

/** A time a person can read anywhere: "2025-06-02 10:00:05 UTC" (rounded up: never earlier than the real one). */
export function readableTime(at: Date): string {
  const iso = new Date(Math.ceil(at.getTime() / 1000) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

interface Counted {
  bucket: LimitBucket;
  rule: LimitRule;
  device?: Device;
}

/**
 * Whose count a per-person limit takes: the person, not one of their chat identities. The Entra object id behind
 * them when known (Teams vouches for it; an email is resolved), else their email, else the chat's own id.
 */
async function personKey(deps: CoreDeps, requester: ActorRef): Promise<string> {
  const entra = await entraIdOf(deps, requester);
  if (entra) return `entra:${entra}`;
  return requester.email ? `email:${requester.email.trim().toLowerCase()}` : `${requester.platform}:${requester.id}`;
}

/**
 * The counts a dispatch of `action` to `targets`, asked for by `requester`, takes: one per rule that names the
 * action; per device, one for each device. The key names the rule by what it counts (not its place in the file), so
 * a rule whose max is changed keeps its counts.
 */
function bucketsFor(rules: readonly LimitRule[], action: DeviceAction, person: string, targets: readonly Device[]): Counted[] {
  const counted: Counted[] = [];
  for (const rule of rules) {
    if (!rule.actions.includes(action)) continue;
    const base = { max: rule.max, windowMs: windowMs(rule.window) };
    const key = (subject: string) => `${rule.per}|${[...rule.actions].sort().join(',')}|${rule.window}|${subject}`;
    if (rule.per === 'device') {
      for (const device of targets) counted.push({ rule, device, bucket: { ...base, key: key(`device:${device.id}`), units: 1 } });
    } else {
      const subject = rule.per === 'actor' ? person : 'all';
      counted.push({ rule, bucket: { ...base, key: key(subject), units: targets.length } });
    }
  }
  return counted;
}

export type LimitCheck = { ok: true } | { ok: false; text: string };

/**
 * Counts the dispatch against every rule, atomically for all replicas sharing the store; or, when one is full,
 * counts nothing, audits the refusal and says which rule, and when to try again.
 */
export async function takeLimits(deps: CoreDeps, confirmation: Confirmation, actor: Actor, requester: ActorRef, targets: readonly Device[]): Promise<LimitCheck> {
  const perActor = deps.policy.limits.some((r) => r.per === 'actor' && r.actions.includes(confirmation.action));
  const counted = bucketsFor(deps.policy.limits, confirmation.action, perActor ? await personKey(deps, requester) : '', targets);
  if (counted.length === 0) return { ok: true };
  const outcome = await deps.store.limits.take(counted.map((c) => c.bucket), deps.clock.now());
  if (outcome.ok) return { ok: true };
  const full = counted.find((c) => c.bucket.key === outcome.key) ?? counted[0]!;
  const rule = describeRule(full.rule);
  const units = full.bucket.units;
  const left = Math.max(0, full.rule.max - outcome.used);
  const where = full.device ? ` for "${full.device.name}"` : '';
  const used = `${outcome.used} in ${lastWindow(full.rule)}`;
  const need = units > 1 ? `these ${units} ${ACTION_NOUN[confirmation.action]}s need ${units}, and ${left} ${left === 1 ? 'is' : 'are'} left (${used})` : `it is reached${where} (${used})`;
  const when = outcome.retryAt ? `Ask again after ${readableTime(outcome.retryAt)}.` : `That many never fit: ask for at most ${full.rule.max} devices at a time.`;
  // The rule and this request's own numbers; never who else used the count.
  await deps.store.audit.append(
    auditEvent(deps.clock, {
      event: 'refusal',
      outcome: 'rate-limited',
      reason: `limit: ${rule}${full.device ? ' (this device)' : ''}; ${units} needed, ${left} left${outcome.retryAt ? `; room again at ${outcome.retryAt.toISOString()}` : ''}`,
      correlationId: confirmation.correlationId,
      actor,
      action: confirmation.action,
      device: full.device ?? (targets.length === 1 ? targets[0]! : null),
      confirmationId: confirmation.id,
      ...(targets.length > 1 ? { deviceIds: targets.map((d) => d.id) } : {}),
    }),
  );
  return { ok: false, text: `Nothing was sent: the limit of ${rule}: ${need}. ${when}` };
}
