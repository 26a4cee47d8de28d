// The neutral domain model shared by the core, the backends, the stores and the adapters.

/**
 * Every action lockdesk can send. All but signOut act on the device, and data/platform-support.json says, row by row,
 * where each is supported; signOut acts on the device's owner in Entra ID (every session ended), on any platform.
 */
export const DEVICE_ACTIONS = ['lock', 'resetPasscode', 'enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound', 'signOut'] as const;
export type DeviceAction = (typeof DEVICE_ACTIONS)[number];
/** The actions whose support depends on the device's platform: each platform row has a verdict for each. */
export const PLATFORM_ACTIONS = ['lock', 'resetPasscode', 'enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound'] as const satisfies readonly DeviceAction[];
export type PlatformAction = (typeof PLATFORM_ACTIONS)[number];

/** What an iPhone in Lost Mode shows on its lock screen. Apple requires a message or a phone number. */
export interface LostModeMessage {
  message: string;
  phoneNumber: string;
  footer: string;
}

/** What some actions need besides the device: Lost Mode's lock-screen text; the owner whom signOut signs out. */
export interface ActionParameters {
  lostMode?: LostModeMessage;
  /** signOut: the Entra object id of the device's user, as lockdesk re-read it just before the send. */
  userId?: string;
}

/** A managed device as the core sees it; every backend maps its own shape onto this one. */
export interface Device {
  id: string;
  name: string;
  model: string;
  manufacturer: string;
  /** Free text as Intune reports it: "iOS", "iPadOS", "Android", "Windows", "macOS", … */
  operatingSystem: string;
  osVersion: string;
  /** Graph's deviceType (beta) where known: "iPhone", "windowsRT", "windowsPhone", …; "" when unknown. */
  deviceType: string;
  serialNumber: string;
  /** Entra object id of the device's user. */
  userId: string;
  userPrincipalName: string;
  userDisplayName: string;
  emailAddress: string;
  /** Graph's managementAgent: "mdm", "eas", "easMdm", "intuneAosp", … */
  managementAgent: string;
  /** Graph's deviceEnrollmentType: "androidEnterpriseFullyManaged", "userEnrollment", … */
  enrollmentType: string;
  ownerType: 'company' | 'personal' | 'unknown';
  lastSyncDateTime: string;
  /** Who enrolled the device; "" when the backend cannot tell (the Windows RT / 8.1 lock condition needs it). */
  enrolledByUserPrincipalName: string;
  /** Apple supervision (Graph's isSupervised); absent when the backend does not say. Lost Mode needs it. */
  isSupervised?: boolean;
  /** Graph's lostModeState (beta); absent when the backend does not say. */
  lostModeState?: 'enabled' | 'disabled';
}

export const ACTION_STATES = ['none', 'pending', 'active', 'done', 'failed', 'canceled', 'notSupported'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

/**
 * A value that must never be written anywhere but to the person it is for.
 * It serialises, prints and inspects as "[secret]"; only reveal() gives the value.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[secret]';
  }
  toString(): string {
    return '[secret]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[secret]';
  }
}

/** The latest state of one action on one device, as the backend reports it. */
export interface ActionStatus {
  state: ActionState;
  startedAt?: string;
  updatedAt?: string;
  /** A temporary passcode created by a reset (Android); handed to the requester only. */
  passcode?: Secret;
  /** The six-digit PIN that opens a Mac after a finished remote lock; handed to the requester only. */
  unlockPin?: Secret;
  /** Where a finished locateDevice found the device (see location.ts); handed to the requester only, never kept. */
  location?: Secret;
}

export const CHAT_PLATFORMS = ['console', 'slack', 'teams'] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

/** The person behind an event, as the adapter identified them. */
export interface Actor {
  platform: ChatPlatform;
  /** The platform's own user id (Slack U…, Teams from.id, the console's --as). */
  id: string;
  /** Email or UPN, when the platform tells it. */
  email?: string;
  /** Entra object id, when the platform tells it (Teams). */
  aadObjectId?: string;
  displayName?: string;
  /** Group selectors the adapter resolved for this person, e.g. "slack-group:S0123", "aad-group:…". */
  groups?: readonly string[];
}

/** What is kept of an actor in records and the audit trail. */
export interface ActorRef {
  platform: ChatPlatform;
  id: string;
  email?: string;
  aadObjectId?: string;
}

export function actorRef(actor: Actor): ActorRef {
  const ref: ActorRef = { platform: actor.platform, id: actor.id };
  if (actor.email) ref.email = actor.email;
  if (actor.aadObjectId) ref.aadObjectId = actor.aadObjectId;
  return ref;
}

export function sameActor(a: ActorRef, b: ActorRef): boolean {
  return a.platform === b.platform && a.id === b.id;
}
