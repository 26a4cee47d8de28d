// Which device supports which action is data (data/platform-support.json); this file is its schema and its reading.
import { z } from 'zod';
import type { Device, DeviceAction, PlatformAction } from './types.js';

const version = z.string().regex(/^\d+(\.\d+)*$/, 'a version such as 7 or 6.3');
const names = z.array(z.string().min(1)).min(1);

const matchSchema = z
  .object({
    /** Compared case-insensitively with the device's operatingSystem. */
    operatingSystem: names.optional(),
    /** Inclusive lower bound and exclusive upper bound on osVersion. */
    osVersion: z.object({ from: version.optional(), below: version.optional() }).strict().optional(),
    deviceType: names.optional(),
    managementAgent: names.optional(),
    enrollmentType: names.optional(),
    ownerType: z.array(z.enum(['company', 'personal', 'unknown'])).min(1).optional(),
  })
  .strict()
  .refine((m) => Object.keys(m).length > 0, 'a match needs at least one field');

const conditionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('osVersionBelow'), version }).strict(),
  z.object({ kind: z.literal('sameUserAsEnroller') }).strict(),
  /** Apple supervision and corporate ownership, both as Intune reports them (Lost Mode). */
  z.object({ kind: z.literal('supervisedCompanyOwned') }).strict(),
  /** Intune reports the device in Lost Mode (which Apple allows only on supervised devices). */
  z.object({ kind: z.literal('inLostMode') }).strict(),
]);

const verdictSchema = z
  .object({
    verdict: z.enum(['supported', 'conditional', 'unsupported']),
    /** The sentence shown to the person (for rows from the seed, its cell verbatim). */
    text: z.string().min(1),
    condition: conditionSchema.optional(),
    /** Shown instead of `text` when the condition does not hold for this device. */
    conditionUnmet: z.string().min(1).optional(),
    /** What happens on the device, shown on the confirmation. */
    willHappen: z.string().min(1).optional(),
    /** An extra warning shown on the confirmation. */
    caution: z.string().min(1).optional(),
    /** The button's verb where the platform names the action differently (iOS: "Remove passcode"). */
    label: z.string().min(1).max(30).optional(),
    temporaryPasscode: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.verdict === 'conditional' && (!v.condition || !v.conditionUnmet)) {
      ctx.addIssue({ code: 'custom', message: 'a conditional verdict needs condition and conditionUnmet' });
    }
    if (v.verdict !== 'conditional' && v.condition) {
      ctx.addIssue({ code: 'custom', message: 'only a conditional verdict takes a condition' });
    }
    if (v.verdict !== 'unsupported' && !v.willHappen) {
      ctx.addIssue({ code: 'custom', message: 'a supported verdict needs willHappen' });
    }
  });

const rowSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
    /** The platform as the person knows it (the seed's wording where the row comes from the seed). */
    platform: z.string().min(1),
    /** The management mode, shown on the device card. */
    mode: z.string().min(1),
    /** Where the row comes from: the seed's tables, current Intune documentation, or both. */
    sources: z.array(z.enum(['seed', 'intune'])).min(1),
    match: matchSchema,
    lock: verdictSchema,
    resetPasscode: verdictSchema,
    enableLostMode: verdictSchema,
    disableLostMode: verdictSchema,
    locateDevice: verdictSchema,
    playLostModeSound: verdictSchema,
    /** What the lost-device playbook says where nothing can secure the device (no lock, no Lost Mode). */
    lostAdvice: z.string().min(1).optional(),
  })
  .strict() satisfies z.ZodType<Record<PlatformAction, unknown>>;

export const platformSupportSchema = z
  .object({ $comment: z.string().optional(), rows: z.array(rowSchema).min(1) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rows.forEach((row, index) => {
      if (seen.has(row.id)) ctx.addIssue({ code: 'custom', path: ['rows', index, 'id'], message: `duplicate row id "${row.id}"` });
      seen.add(row.id);
    });
  });

export type PlatformSupport = z.infer<typeof platformSupportSchema>;
export type PlatformRow = PlatformSupport['rows'][number];
export type PlatformVerdict = z.infer<typeof verdictSchema>;

/** What the core needs to know of one action on one device. */
export interface Support {
  rowId: string | null;
  platform: string;
  mode: string;
  supported: boolean;
  /** Why (shown to the person): the row's sentence, or why its condition does not hold. */
  reason: string;
  willHappen?: string;
  caution?: string;
  label?: string;
  temporaryPasscode: boolean;
}

/** Compares dotted numeric versions; undefined when either is not numeric. */
export function compareVersions(a: string, b: string): number | undefined {
  const parse = (v: string) => (/^\d+(\.\d+)*$/.test(v.trim()) ? v.trim().split('.').map(Number) : undefined);
  const left = parse(a);
  const right = parse(b);
  if (!left || !right) return undefined;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

const norm = (s: string) => s.trim().toLowerCase();
const sameText = (a: string, b: string) => norm(a) === norm(b);

const NAMED = ['operatingSystem', 'deviceType', 'managementAgent', 'enrollmentType'] as const;
type Named = Record<(typeof NAMED)[number], string>;

/**
 * A match's name lists as sets of their compared forms, made once per match object: a 600-device listing asks for
 * the row of ~700 devices, and folding every list entry for every device was most of what it allocated.
 */
const nameSets = new WeakMap<PlatformRow['match'], Partial<Record<keyof Named, ReadonlySet<string>>>>();

function namesOf(m: PlatformRow['match']): Partial<Record<keyof Named, ReadonlySet<string>>> {
  let sets = nameSets.get(m);
  if (!sets) {
    sets = {};
    for (const field of NAMED) {
      const list = m[field];
      if (list) sets[field] = new Set(list.map(norm));
    }
    nameSets.set(m, sets);
  }
  return sets;
}

function matches(row: PlatformRow, device: Device, named: Named): boolean {
  const m = row.match;
  const sets = namesOf(m);
  for (const field of NAMED) if (sets[field] && !sets[field].has(named[field])) return false;
  if (m.ownerType && !m.ownerType.includes(device.ownerType)) return false;
  if (m.osVersion) {
    const { from, below } = m.osVersion;
    if (from !== undefined && !((compareVersions(device.osVersion, from) ?? -1) >= 0)) return false;
    if (below !== undefined && !((compareVersions(device.osVersion, below) ?? 1) < 0)) return false;
  }
  return true;
}

/** The first row that matches the device, in file order (so more specific rows come first). */
export function findPlatformRow(table: PlatformSupport, device: Device): PlatformRow | undefined {
  const named: Named = {
    operatingSystem: norm(device.operatingSystem),
    deviceType: norm(device.deviceType),
    managementAgent: norm(device.managementAgent),
    enrollmentType: norm(device.enrollmentType),
  };
  for (const row of table.rows) if (matches(row, device, named)) return row;
  return undefined;
}

function conditionHolds(verdict: PlatformVerdict, device: Device): boolean {
  const condition = verdict.condition;
  if (!condition) return true;
  switch (condition.kind) {
    case 'osVersionBelow':
      return (compareVersions(device.osVersion, condition.version) ?? 1) < 0;
    case 'sameUserAsEnroller':
      // Unknown enroller means the condition cannot be shown to hold, so the action is refused.
      return device.enrolledByUserPrincipalName !== '' && sameText(device.enrolledByUserPrincipalName, device.userPrincipalName);
    // Unknown (a backend that does not say) cannot be shown to hold either.
    case 'supervisedCompanyOwned':
      return device.isSupervised === true && device.ownerType === 'company';
    case 'inLostMode':
      return device.lostModeState === 'enabled';
  }
}

/**
 * Signing out acts on the device's owner in Entra ID, not on the device: any platform, once the owner is known.
 * Frozen and shared like the rows' answers.
 */
const SIGN_OUT: Record<'known' | 'unknown', Omit<Support, 'platform' | 'mode' | 'rowId'>> = {
  known: Object.freeze({
    supported: true,
    reason: "Supported: ends every session of the device's owner in Microsoft Entra ID.",
    willHappen: "every session of the device's owner ends: they must sign in again everywhere, and apps may keep working for up to an hour until their access tokens expire",
    temporaryPasscode: false,
  }),
  unknown: Object.freeze({ supported: false, reason: 'Not supported: this device has no known user in Intune, so there is no one to sign out.', temporaryPasscode: false }),
};

export function supportFor(table: PlatformSupport, device: Device, action: DeviceAction): Support {
  if (action === 'signOut') {
    const row = findPlatformRow(table, device);
    return { rowId: row?.id ?? null, platform: row?.platform ?? (device.operatingSystem || 'unknown'), mode: row?.mode ?? 'unknown', ...SIGN_OUT[device.userId ? 'known' : 'unknown'] };
  }
  const row = findPlatformRow(table, device);
  if (!row) {
    const described = [device.operatingSystem || 'unknown OS', device.osVersion, device.managementAgent && `managed by ${device.managementAgent}`]
      .filter(Boolean)
      .join(' ');
    return {
      rowId: null,
      platform: device.operatingSystem || 'unknown',
      mode: 'unknown',
      supported: false,
      reason: `Not supported: lockdesk has no platform row for this device (${described}), so it sends nothing.`,
      temporaryPasscode: false,
    };
  }
  const verdict = row[action];
  const holds = verdict.verdict !== 'unsupported' && conditionHolds(verdict, device);
  let made = answers.get(verdict);
  if (!made) answers.set(verdict, (made = {}));
  const key = holds ? 'holds' : 'not';
  return (made[key] ??= Object.freeze(answer(row, verdict, holds)));
}

/**
 * The answer for a row's verdict depends only on whether its condition holds for the device, so each is made once
 * and shared (frozen): a 600-device listing asks ~700 times, and building a fresh one each time was most of what
 * the listing allocated.
 */
const answers = new WeakMap<PlatformVerdict, { holds?: Support; not?: Support }>();

function answer(row: PlatformRow, verdict: PlatformVerdict, holds: boolean): Support {
  const base = { rowId: row.id, platform: row.platform, mode: row.mode, temporaryPasscode: verdict.temporaryPasscode };
  if (verdict.verdict === 'unsupported') return { ...base, supported: false, reason: verdict.text, temporaryPasscode: false };
  if (!holds) return { ...base, supported: false, reason: verdict.conditionUnmet ?? verdict.text, temporaryPasscode: false };
  const support: Support = { ...base, supported: true, reason: verdict.text };
  if (verdict.willHappen) support.willHappen = verdict.willHappen;
  if (verdict.caution) support.caution = verdict.caution;
  if (verdict.label) support.label = verdict.label;
  return support;
}
