// What an action needs for each device besides its id, worked out just before the send from the devices as they
// were re-read: Lost Mode's text filled in with each device's owner, signOut's user.
import { auditEvent } from './audit.js';
import type { CoreDeps } from './deps.js';
import { checkLostMode, fillLostMode } from './lost-mode.js';
import type { Confirmation } from './records.js';
import type { ActionParameters, Actor, Device, LostModeMessage } from './types.js';

export interface Parameterised {
  targets: Device[];
  skipped: Array<{ name: string; reason: string }>;
  parameters?: Map<string, ActionParameters>;
}

export async function withParameters(deps: CoreDeps, actor: Actor, confirmation: Confirmation, devices: Device[], lostMode: LostModeMessage | undefined): Promise<Parameterised> {
  if (confirmation.action !== 'enableLostMode' && confirmation.action !== 'signOut') return { targets: devices, skipped: [] };
  const parameters = new Map<string, ActionParameters>();
  const targets: Device[] = [];
  const skipped: Parameterised['skipped'] = [];
  const signedOut = new Map<string, string>();
  for (const device of devices) {
    if (confirmation.action === 'signOut') {
      // Once per person: several devices of one owner are one sign-out, sent with the first of them.
      const first = signedOut.get(device.userId);
      if (first !== undefined) {
        skipped.push({ name: device.name, reason: `its owner is signed out once, with "${first}"` });
        continue;
      }
      signedOut.set(device.userId, device.name);
      // The owner as just re-read (recheck made sure it is still the one shown).
      parameters.set(device.id, { userId: device.userId });
      targets.push(device);
      continue;
    }
    // A long owner name can make a text that fit the template too long for this one device.
    const checked = checkLostMode(fillLostMode(lostMode ?? deps.policy.lostMode, device, deps.policy.helpdeskPhone));
    if (!checked.ok) {
      skipped.push({ name: device.name, reason: checked.problem.replace(/\.$/, '') });
      await deps.store.audit.append(
        auditEvent(deps.clock, { event: 'refusal', outcome: 'not-dispatched', reason: checked.problem, correlationId: confirmation.correlationId, actor, action: confirmation.action, device, confirmationId: confirmation.id }),
      );
      continue;
    }
    parameters.set(device.id, { lostMode: checked.text });
    targets.push(device);
  }
  return { targets, skipped, parameters };
}
