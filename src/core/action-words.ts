// How each action is named to a person: in a sentence, as a title, on its button, and as "all N devices".
import type { DeviceAction } from './types.js';

interface ActionWords {
  /** In a sentence: "Your role does not allow a remote lock", "Remote lock of "X": done". */
  noun: string;
  /** On its own, capitalised: a card's support line, the audit channel. */
  title: string;
  /** The button's verb, before the device's name: "Lock "Alice's iPhone"". */
  label: string;
  /** "Confirm to lock "X"". */
  verb: string;
  /** "Lock all 600 devices". */
  all: (count: number) => string;
}

export const ACTION_WORDS: Record<DeviceAction, ActionWords> = {
  lock: { noun: 'remote lock', title: 'Remote lock', label: 'Lock', verb: 'lock', all: (n) => `Lock all ${n} devices` },
  resetPasscode: { noun: 'passcode reset', title: 'Passcode reset', label: 'Reset passcode', verb: 'reset the passcode of', all: (n) => `Reset the passcode of all ${n} devices` },
  enableLostMode: { noun: 'Lost Mode request', title: 'Lost Mode', label: 'Enable Lost Mode', verb: 'put in Lost Mode', all: (n) => `Enable Lost Mode on all ${n} devices` },
  disableLostMode: { noun: 'end of Lost Mode', title: 'End Lost Mode', label: 'Disable Lost Mode', verb: 'take out of Lost Mode', all: (n) => `Disable Lost Mode on all ${n} devices` },
  locateDevice: { noun: 'location request', title: 'Locate', label: 'Locate', verb: 'locate', all: (n) => `Locate all ${n} devices` },
  playLostModeSound: { noun: 'lost-mode sound', title: 'Lost-mode sound', label: 'Play a sound on', verb: 'play a sound on', all: (n) => `Play a sound on all ${n} devices` },
  signOut: { noun: 'sign-out everywhere', title: 'Sign out everywhere', label: 'Sign out the owner of', verb: 'sign out everywhere the owner of', all: (n) => `Sign out the owners of all ${n} devices` },
};

/** The noun for a sentence: "remote lock". */
export const ACTION_NOUN: Record<DeviceAction, string> = Object.fromEntries(Object.entries(ACTION_WORDS).map(([a, w]) => [a, w.noun])) as Record<DeviceAction, string>;

/** Capitalised: "Remote lock". */
export function actionTitle(action: DeviceAction): string {
  return ACTION_WORDS[action].title;
}
