// A request (lock, reset passcode, lost, devices): find the devices, check policy and platform, and offer a confirmation.
import { auditEvent } from './audit.js';
import { encodeButton } from './buttons.js';
import { describeQuery, type Query } from './commands.js';
import type { CoreDeps } from './deps.js';
import { actionLabel, deviceCard } from './device-card.js';
import { supportFor } from './platform-support.js';
import { playbookFor } from './playbook.js';
import { isOwnDevice, mayActOn, scopeFor } from './policy.js';
import type { Confirmation } from './records.js';
import { allDevicesButton, cancelButton, confirmButton, confirmationReply, lookupReply, notFoundReply, refusalReply, restSummary, unsupportedReply, ACTION_NOUN, type ConfirmEntry, type Listing } from './replies.js';
import type { Button, Reply } from './reply.js';
import { resolveQuery } from './resolve.js';
import { actorRef, DEVICE_ACTIONS, type Actor, type Device, type DeviceAction } from './types.js';

/**
 * `all`: every permitted device that matched (a user's devices: all of them; a device query: cut at the limit);
 * `shown`: the first maxListed of them, which get cards; `listing` says how many more there are, when there are.
 */
export type Found = { ok: true; all: Device[]; shown: Device[]; listing: Listing; byUser: boolean } | { ok: false; reply: Reply };
/**
 * Resolves the query to the devices this person may see; audits the request and any refusal. A caller who may act
 * on their own devices only is answered from among those, and hears "nothing matches" whether a device exists but
 * is someone else's or does not exist at all: lockdesk tells no one what exists. The audit keeps the true reason.
 * `foundOutcome`: how the request is audited when devices are found ('preview' for a preview, which offers nothing).
 */
export async function findPermitted(deps: CoreDeps, actor: Actor, query: Query, actions: readonly DeviceAction[], correlationId: string, foundOutcome: 'found' | 'preview' = 'found'): Promise<Found> {
  const audit = (event: 'request' | 'refusal', outcome: string, reason?: string, deviceIds?: string[]) =>
    deps.store.audit.append(
      auditEvent(deps.clock, { event, outcome, reason, correlationId, actor, action: actions.length === 1 ? actions[0] : null, query: describeQuery(query), deviceIds }),
    );

  const scopes = actions.map((a) => scopeFor(deps.policy, actor, a));
  if (scopes.every((scope) => scope === 'none')) {
    const reason = `Your role does not allow a ${actions.map((a) => ACTION_NOUN[a]).join(' or ')}.`;
    await audit('refusal', 'refused', reason);
    return { ok: false, reply: refusalReply(reason) };
  }
  const resolution = await resolveQuery(deps.backend, query, actor, {
    limit: deps.settings.maxListed,
    // mayActOn for each action, with the scopes worked out once above rather than per device.
    permit: (d) => scopes.some((scope) => scope === 'any' || (scope === 'own' && isOwnDevice(d, actor))),
    ownOnly: !scopes.includes('any'),
  });
  if (resolution.kind === 'unknownCaller') {
    const reason = 'lockdesk does not know who you are in the directory (neither your Entra object id nor your email), so it cannot tell which devices are yours.';
    await audit('refusal', 'refused', reason);
    return { ok: false, reply: refusalReply(reason) };
  }
  if (resolution.dropped > 0) {
    deps.logger.warn({ correlationId, dropped: resolution.dropped }, 'the backend returned devices that the query or the policy does not allow; they were dropped');
  }
  if (resolution.devices.length === 0) {
    if (resolution.hidden.length > 0) {
      await audit('refusal', 'refused', 'matches only devices that are not the caller\'s (they may act on their own devices only); told that nothing matches', resolution.hidden.map((d) => d.id));
    } else {
      await audit('request', 'not-found');
    }
    return { ok: false, reply: notFoundReply(query) };
  }
  await audit('request', foundOutcome, undefined, resolution.devices.map((d) => d.id));
  const shown = resolution.devices.slice(0, deps.settings.maxListed);
  // A user's devices are all in hand, so their number is known; a device query was cut at the limit.
  const listing: Listing = { shown: shown.length, total: resolution.byUser ? resolution.devices.length : undefined, more: resolution.more || shown.length < resolution.devices.length };
  return { ok: true, all: resolution.devices, shown, listing, byUser: resolution.byUser };
}

export async function requestAction(deps: CoreDeps, actor: Actor, action: DeviceAction, query: Query, correlationId: string, heading?: string): Promise<Reply> {
  const found = await findPermitted(deps, actor, query, [action], correlationId);
  if (!found.ok) return found.reply;
  const now = deps.clock.now();
  // Every device that matched, not only those with a card: "all" acts on exactly what was counted here.
  const supports = found.all.map((device) => ({ device, support: supportFor(deps.platforms, device, action) }));
  const offered = supports.filter((s) => s.support.supported);
  const shown = supports.slice(0, found.shown.length);
  const rest = supports.slice(shown.length);
  const summary = restSummary(action, rest.map(({ support }) => support));
  if (offered.length === 0) {
    for (const { device, support } of supports) {
      await deps.store.audit.append(
        auditEvent(deps.clock, { event: 'refusal', outcome: 'not-supported', reason: support.reason, correlationId, actor, action, device }),
      );
    }
    return unsupportedReply(action, shown.map(({ device }) => deviceCard(device, deps.platforms, now, action)), summary);
  }

  const confirmation: Confirmation = {
    id: deps.ids.secretId(),
    correlationId,
    action,
    requester: actorRef(actor),
    ...(actor.groups && actor.groups.length > 0 ? { requesterGroups: [...actor.groups] } : {}),
    devices: supports.map(({ device, support }) => ({ id: device.id, name: device.name, userId: device.userId, offered: support.supported })),
    allowAll: found.byUser && offered.length > 1,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.policy.confirmTtlSeconds * 1000).toISOString(),
    status: 'pending',
  };
  await deps.store.confirmations.create(confirmation);
  await deps.store.audit.append(
    auditEvent(deps.clock, {
      event: 'confirmation',
      outcome: 'offered',
      correlationId,
      actor,
      action,
      device: offered.length === 1 ? offered[0]!.device : null,
      confirmationId: confirmation.id,
      deviceIds: offered.map((o) => o.device.id),
    }),
  );

  const entries: ConfirmEntry[] = shown.map(({ device, support }) => {
    const card = deviceCard(device, deps.platforms, now, action);
    const label = `${actionLabel(action, support)} "${device.name}"`;
    return support.supported ? { card, button: confirmButton(confirmation.id, device.id, label, device.name, support.willHappen) } : { card };
  });
  const allButton = confirmation.allowAll ? allDevicesButton(confirmation.id, action, offered.map((o) => o.device.name), deps.policy.bulkConfirmAbove) : undefined;
  const noun = ACTION_NOUN[action];
  return confirmationReply({
    action,
    heading: heading ?? (offered.length === 1 && supports.length === 1 ? `Confirm the ${noun} of this device.` : `Choose the device for the ${noun}.`),
    entries,
    ...(allButton ? { allButton } : {}),
    cancel: cancelButton(confirmation.id),
    expiresInMinutes: Math.round(deps.policy.confirmTtlSeconds / 60),
    listing: found.listing,
    ...(summary ? { summary } : {}),
    offeredCount: offered.length,
  });
}

/** `devices <query>`: a look-up; each button starts a request that needs its own confirmation. */
export async function lookUp(deps: CoreDeps, actor: Actor, query: Query, correlationId: string): Promise<Reply> {
  const found = await findPermitted(deps, actor, query, DEVICE_ACTIONS, correlationId);
  if (!found.ok) return found.reply;
  const now = deps.clock.now();
  const entries = found.shown.map((device) => {
    const buttons: Button[] = DEVICE_ACTIONS.filter((a) => mayActOn(deps.policy, actor, a, device))
      .map((a) => ({ action: a, support: supportFor(deps.platforms, device, a) }))
      .filter(({ support }) => support.supported)
      .map(({ action, support }) => ({ label: `${actionLabel(action, support)}…`, value: encodeButton({ kind: 'start', action, deviceId: device.id }), style: 'default' }));
    return { card: deviceCard(device, deps.platforms, now), buttons };
  });
  const rest = found.all.slice(found.shown.length).map((d) => supportFor(deps.platforms, d, 'lock'));
  return lookupReply(`Devices matching ${describeQuery(query)}:`, entries, found.listing, restSummary(undefined, rest));
}

/** The actions of the lost-device playbook: a caller who may use none of them has no playbook. */
const LOST_ACTIONS: readonly DeviceAction[] = ['enableLostMode', 'lock', 'locateDevice', 'playLostModeSound', 'disableLostMode'];

const lostButton = (device: Device, label: string): Button => ({ label, value: encodeButton({ kind: 'lost', deviceId: device.id }), style: 'danger' });

/**
 * The self-service view (Slack's App Home, a personal chat): the caller's own devices, each with "I lost this
 * device" (the playbook for it) and "I forgot my passcode" where a reset fits. A button only starts a request; it
 * still needs its own confirmation.
 */
export async function selfService(deps: CoreDeps, actor: Actor, correlationId: string): Promise<Reply> {
  const found = await findPermitted(deps, actor, { kind: 'me' }, DEVICE_ACTIONS, correlationId);
  if (!found.ok) return found.reply;
  const now = deps.clock.now();
  const entries = found.shown.map((device) => {
    const buttons: Button[] = [];
    if (LOST_ACTIONS.some((a) => mayActOn(deps.policy, actor, a, device))) buttons.push(lostButton(device, 'I lost this device'));
    if (mayActOn(deps.policy, actor, 'resetPasscode', device) && supportFor(deps.platforms, device, 'resetPasscode').supported) {
      buttons.push({ label: 'I forgot my passcode', value: encodeButton({ kind: 'start', action: 'resetPasscode', deviceId: device.id }), style: 'default' });
    }
    return { card: deviceCard(device, deps.platforms, now), buttons };
  });
  const rest = found.all.slice(found.shown.length).map((d) => supportFor(deps.platforms, d, 'lock'));
  return lookupReply('Your devices', entries, found.listing, restSummary(undefined, rest));
}

const SORRY = 'Sorry you lost a device.';

/**
 * `lost`: the caller's own devices. With one, its playbook at once; with several, which one ("I lost this one"
 * opens its playbook).
 */
export async function lostRequest(deps: CoreDeps, actor: Actor, correlationId: string): Promise<Reply> {
  const found = await findPermitted(deps, actor, { kind: 'me' }, LOST_ACTIONS, correlationId);
  if (!found.ok) return found.reply;
  if (found.all.length === 1) return playbookReply(deps, actor, found.all[0]!);
  const now = deps.clock.now();
  const entries = found.shown.map((device) => ({ card: deviceCard(device, deps.platforms, now), buttons: [lostButton(device, 'I lost this one')] }));
  const rest = found.all.slice(found.shown.length).map((d) => supportFor(deps.platforms, d, 'lock'));
  return lookupReply(`${SORRY} Which device is it?`, entries, found.listing, restSummary(undefined, rest));
}

/** "I lost this device" on one device: its playbook, checked like any request (the caller's own devices only). */
export async function lostPlaybook(deps: CoreDeps, actor: Actor, deviceId: string, correlationId: string): Promise<Reply> {
  const found = await findPermitted(deps, actor, { kind: 'deviceId', id: deviceId }, LOST_ACTIONS, correlationId);
  if (!found.ok) return found.reply;
  const device = found.all[0]!;
  if (!isOwnDevice(device, actor)) return refusalReply('"I lost this device" is for your own devices; the helpdesk uses lost-mode, lock, locate and sound.');
  return playbookReply(deps, actor, device);
}

function playbookReply(deps: CoreDeps, actor: Actor, device: Device): Reply {
  const { buttons, advice } = playbookFor(deps, actor, device);
  const card = deviceCard(device, deps.platforms, deps.clock.now());
  const heading = device.lostModeState === 'enabled' ? `"${device.name}"` : `${SORRY} What to do about "${device.name}":`;
  return {
    text: `${heading} ${advice}`,
    blocks: [{ kind: 'heading', text: heading }, { kind: 'paragraph', text: advice }, { kind: 'device', card, buttons }, { kind: 'paragraph', text: 'Each step asks you to confirm before anything is sent.' }],
  };
}
