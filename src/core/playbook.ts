// The lost-device playbook: for one device, what fits it, best first; and after an action, the next useful step.
// Only actions the device supports and the person may use are offered; each button still needs its own
// confirmation, so nothing here sends anything.
import { encodeButton } from './buttons.js';
import type { CoreDeps } from './deps.js';
import { findPlatformRow, supportFor } from './platform-support.js';
import { isOwnDevice, mayActOn } from './policy.js';
import type { Button } from './reply.js';
import type { Actor, Device, DeviceAction } from './types.js';

/** A device not in Lost Mode: secure it first (Lost Mode says who to call; a lock only locks), then find it. */
const WHILE_LOST: readonly DeviceAction[] = ['enableLostMode', 'lock', 'locateDevice', 'playLostModeSound', 'signOut'];
/** A device already in Lost Mode: it may have been found; else find it. */
const IN_LOST_MODE: readonly DeviceAction[] = ['disableLostMode', 'locateDevice', 'playLostModeSound', 'signOut'];

/** What each playbook step says on its button, to the device's owner and to anyone else. */
function stepLabel(action: DeviceAction, device: Device, forOwner: boolean): string {
  switch (action) {
    case 'enableLostMode':
      return forOwner ? 'Enable Lost Mode (shows your message and phone number)' : 'Enable Lost Mode (shows a message and phone number)';
    case 'lock':
      return 'Lock';
    case 'locateDevice':
      return 'Locate';
    case 'playLostModeSound':
      return 'Play a sound';
    case 'disableLostMode':
      return 'I found it';
    case 'signOut':
      return forOwner ? 'Sign me out everywhere' : `Sign ${device.userDisplayName || device.userPrincipalName || 'the owner'} out everywhere`;
    case 'resetPasscode':
      return 'Reset passcode';
  }
}

function offered(deps: CoreDeps, actor: Actor, device: Device, actions: readonly DeviceAction[]): DeviceAction[] {
  return actions.filter((a) => mayActOn(deps.policy, actor, a, device) && supportFor(deps.platforms, device, a).supported);
}

function buttons(actions: DeviceAction[], actor: Actor, device: Device): Button[] {
  const forOwner = isOwnDevice(device, actor);
  return actions.map((action, i) => ({
    label: stepLabel(action, device, forOwner),
    value: encodeButton({ kind: 'start', action, deviceId: device.id }),
    style: i === 0 ? 'primary' : 'default',
  }));
}

export interface PlaybookSteps {
  buttons: Button[];
  /** Said above the buttons: what the first one does, or, where nothing secures the device, what can be done. */
  advice: string;
}

/** The playbook for one device: what fits it, best first. */
export function playbookFor(deps: CoreDeps, actor: Actor, device: Device): PlaybookSteps {
  const inLostMode = device.lostModeState === 'enabled';
  let actions = offered(deps, actor, device, inLostMode ? IN_LOST_MODE : WHILE_LOST);
  // Intune did not say whether the device is in Lost Mode already (beta reads off): Lost Mode is not put first.
  const stateUnknown = device.lostModeState === undefined && actions.includes('enableLostMode');
  if (stateUnknown && actions.includes('lock')) actions = ['lock', ...actions.filter((a) => a !== 'lock')];
  const first = actions[0];
  const then = [actions.includes('locateDevice') && 'locate it', actions.includes('playLostModeSound') && 'play a sound'].filter(Boolean).join(' or ');
  const thenText = then ? ` Then ${then}.` : '';
  let advice: string;
  if (inLostMode) {
    const found = actions.includes('disableLostMode') ? ' Found it? Click "I found it" to turn Lost Mode off.' : '';
    advice = `"${device.name}" is in Lost Mode.${found}${then ? ` Still missing? ${then[0]!.toUpperCase()}${then.slice(1)}.` : ''}`;
  } else if (first === 'enableLostMode') advice = `Best first: Lost Mode locks the device and shows a message and a phone number on its lock screen, so whoever finds it can call.${thenText}`;
  else if (first === 'lock') {
    const unknown = stateUnknown ? ' Intune does not say whether it is in Lost Mode already, so check before enabling it.' : '';
    advice = `Best first: lock the device, so nobody can use it. Your data stays on it.${unknown}${thenText}`;
  } else {
    const row = findPlatformRow(deps.platforms, device);
    advice =
      row?.lostAdvice ??
      `Intune cannot lock or put this device in Lost Mode (${supportFor(deps.platforms, device, 'lock').reason}). Ask the helpdesk: they can retire or wipe it in the Intune admin center.`;
  }
  return { buttons: buttons(actions, actor, device), advice };
}

/** After an action, what is worth doing next on the same device (none after a bulk action). */
const NEXT: Partial<Record<DeviceAction, readonly DeviceAction[]>> = {
  lock: ['locateDevice', 'playLostModeSound', 'signOut'],
  enableLostMode: ['locateDevice', 'playLostModeSound', 'signOut', 'disableLostMode'],
  locateDevice: ['playLostModeSound', 'disableLostMode', 'signOut'],
  playLostModeSound: ['locateDevice', 'disableLostMode'],
};

/**
 * The next steps after `action` on `device`, for the person who asked. After Lost Mode is asked for, the steps that
 * need it are offered as for a device in Lost Mode (it is, once it checks in; each step checks again on its click).
 */
export function nextSteps(deps: CoreDeps, requester: Actor, action: DeviceAction, device: Device): Button[] {
  const after: Device = action === 'enableLostMode' ? { ...device, lostModeState: 'enabled' } : action === 'disableLostMode' ? { ...device, lostModeState: 'disabled' } : device;
  return buttons(offered(deps, requester, after, NEXT[action] ?? []), requester, after).map((b) => ({ ...b, style: 'default' }));
}
