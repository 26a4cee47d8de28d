// The neutral reply: what the handler says, before an adapter renders it as Block Kit, an Adaptive Card or text.
import type { ActorRef, ChatPlatform, DeviceAction, Secret } from './types.js';

export interface Button {
  label: string;
  /** Opaque to adapters: they hand it back on click (see buttons.ts). */
  value: string;
  style: 'danger' | 'primary' | 'default';
  /** A second "are you sure" where the platform has one (Slack's confirm dialog). */
  confirm?: { title: string; text: string; ok: string; cancel: string };
}

export interface SupportLine {
  action: DeviceAction;
  supported: boolean;
  /** The platform row's sentence, or why its condition does not hold. */
  text: string;
}

/** Everything a person needs to be sure which device they act on. */
export interface DeviceCard {
  id: string;
  name: string;
  model: string;
  /** "iOS 17.5" */
  os: string;
  owner: string;
  /** The last four characters of the serial number: enough to tell two devices apart, not enough to leak it. */
  serialTail: string;
  lastCheckIn: string;
  /** "12 minutes ago" */
  lastCheckInAgo: string;
  platform: string;
  managementMode: string;
  support: SupportLine[];
  /** What the pending action will do to this device. */
  willHappen?: string;
  /** Warnings: offline for days, macOS PIN, … */
  cautions: string[];
}

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'notice'; tone: 'info' | 'success' | 'warning' | 'error'; text: string }
  | { kind: 'device'; card: DeviceCard; buttons: Button[] }
  | { kind: 'actions'; buttons: Button[] };

export interface Reply {
  /** A plain-text summary: notifications, screen readers, logs of what was said. */
  text: string;
  blocks: Block[];
  /** A reply that asks the person to type (an adapter that renders a prompt in a message, as Teams does). */
  prompt?: TypedPrompt;
  /**
   * A status on its way (not every action has its result yet): an adapter that must ration its updates (Slack's
   * response URL allows 5 posts) may skip it, keeping what it has for the outcome. Never set on an outcome.
   */
  transient?: boolean;
}

/** What a SecretMessage carries: a reset's temporary passcode, or the PIN that opens a Mac after a remote lock. */
export type SecretKind = 'passcode' | 'unlockPin' | 'location';

/** How a secret of each kind is named to a person, e.g. in a notification preview or a note that it did not arrive. */
export const SECRET_NAMES: Record<SecretKind, string> = { passcode: 'temporary passcode', unlockPin: 'unlock PIN', location: 'device location' };

/** A temporary passcode, a Mac's unlock PIN or a device's location for the person who asked; adapters deliver it privately and never log it. */
export interface SecretMessage {
  kind: SecretKind;
  /** Who may see it: the person who asked for the action (not an approver who clicked for them). */
  recipient: ActorRef;
  deviceId: string;
  deviceName: string;
  /** The passcode, the PIN, or the location (coordinates, accuracy, time and a map link) itself. */
  passcode: Secret;
  text: string;
}

/**
 * Where an event's answers go, written down so that another lockdesk process can reach the same message later
 * (a Slack response URL and message, a Teams conversation reference and card id). Opaque to the core.
 */
export interface SinkRef {
  platform: ChatPlatform;
  data: Record<string, unknown>;
}

/** Turns a SinkRef back into a sink; each chat adapter registers how (see SinkRestorers). */
export interface SinkRestorer {
  restore(ref: SinkRef): ReplySink | undefined;
}

/**
 * A second step in which the person types what they confirm (the number of devices of a bulk action), so that a
 * misclick cannot act on hundreds of devices: a Slack modal, an Adaptive Card input, a terminal prompt.
 */
export interface TypedPrompt {
  title: string;
  text: string;
  /** The input's label, e.g. "Number of devices". */
  label: string;
  submitLabel: string;
  /** Opaque to adapters: handed back, with what was typed, to Handler.handleClick. */
  value: string;
  /** Cancels the request: for a chat where the prompt replaces the message that held the Cancel button (Teams). */
  cancel?: Button;
  /**
   * Several inputs, each shown with its current value to edit (Lost Mode's message, phone number and footer);
   * absent: one input, `label`. The answer is then a record of what each field holds, by field id.
   */
  fields?: PromptField[];
}

export interface PromptField {
  /** The key of this field's text in the answer; letters only. */
  id: string;
  label: string;
  /** Shown in the input, for the person to keep or change. */
  initial: string;
  maxLength: number;
  /** May be left empty (the core still decides whether the whole answer will do). */
  optional: boolean;
  multiline?: boolean;
}

/** What a person typed in a prompt: one text, or (a prompt with fields) each field's text by its id. */
export type TypedAnswer = string | Readonly<Record<string, string>>;

/** What an adapter gives the handler for one event: where its answers go. */
export interface ReplySink {
  /** The reference to store with what this event started, when the adapter can restore it elsewhere. */
  ref?(): SinkRef | undefined;
  /** A new message, seen only by the person who sent the event. */
  reply(reply: Reply): Promise<void>;
  /** Replaces the message the event came from (a confirmation becomes its outcome, then its status). */
  update(reply: Reply): Promise<void>;
  /** Privately to the person who asked; never to a channel. */
  sendSecret(message: SecretMessage): Promise<void>;
  /** Asks the person who clicked to type a confirmation (see TypedPrompt); absent where the chat cannot. */
  askToType?(prompt: TypedPrompt): Promise<void>;
}

export function buttonsOf(reply: Reply): Button[] {
  return reply.blocks.flatMap((b) => (b.kind === 'device' || b.kind === 'actions' ? b.buttons : []));
}
