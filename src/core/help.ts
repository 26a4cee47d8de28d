// `help`, as the caller's roles see it: only the commands they may use, and for one they may not, that they may not.
import { ACTION_NOUN } from './action-words.js';
import type { CommandWord } from './commands.js';
import { isApprovalApprover, isPauser, scopeFor, type Policy } from './policy.js';
import { helpReply, noticeReply, USAGE } from './replies.js';
import type { Reply } from './reply.js';
import { DEVICE_ACTIONS, type Actor, type DeviceAction } from './types.js';

/** The actions a command word starts; a command is shown when the caller may take any of them. */
const COMMAND_ACTIONS: Record<CommandWord, readonly DeviceAction[]> = {
  lock: ['lock'],
  'reset-passcode': ['resetPasscode'],
  // The playbook is for the caller's own devices: any lost-device action on them ("own" or "any") opens it.
  lost: ['enableLostMode', 'lock', 'locateDevice', 'playLostModeSound', 'disableLostMode'],
  'lost-mode': ['enableLostMode'],
  found: ['disableLostMode'],
  locate: ['locateDevice'],
  sound: ['playLostModeSound'],
  'sign-out': ['signOut'],
  devices: DEVICE_ACTIONS,
  preview: DEVICE_ACTIONS,
  // The kill switch is for the policy's pausers, whatever actions they have (see mayUse).
  pause: [],
  resume: [],
  // For the policy's approvers (see mayUse).
  approvals: [],
  help: [],
};

/** Slack has a slash command for each action; the others are typed after /lockdesk. */
const SLACK_NOTE = 'In Slack, type each command as its slash command (/lock, /reset-passcode, /lost, /devices, …) or after /lockdesk: /lockdesk approvals, /lockdesk preview lock me.';

export function mayUse(policy: Policy, actor: Actor, word: CommandWord): boolean {
  if (word === 'pause' || word === 'resume') return isPauser(policy, actor);
  if (word === 'approvals') return isApprovalApprover(policy, actor);
  const actions = COMMAND_ACTIONS[word];
  return actions.length === 0 || actions.some((a) => scopeFor(policy, actor, a) !== 'none');
}

export function helpFor(policy: Policy, actor: Actor, topic?: CommandWord): Reply {
  if (topic) {
    if (mayUse(policy, actor, topic)) return helpReply(topic);
    if (topic === 'pause' || topic === 'resume') return noticeReply('warning', `You may not use "${topic}": only the people the policy names as pausers may.`);
    if (topic === 'approvals') return noticeReply('warning', 'You may not use "approvals": only the approvers the policy names may.');
    const nouns = COMMAND_ACTIONS[topic].map((a) => ACTION_NOUN[a]);
    const list = nouns.length > 2 ? `${nouns.slice(0, -1).join(', ')} or ${nouns.at(-1)}` : nouns.join(' or ');
    return noticeReply('warning', `You may not use "${topicName(topic)}": your role does not allow a ${list}.`);
  }
  const words = (Object.keys(USAGE) as CommandWord[]).filter((w) => mayUse(policy, actor, w));
  const none = words.every((w) => COMMAND_ACTIONS[w].length === 0 && w !== 'pause' && w !== 'resume' && w !== 'approvals');
  const notes = [none ? 'Your role allows no device action; ask your IT helpdesk.' : undefined, actor.platform === 'slack' ? SLACK_NOTE : undefined].filter((n) => n !== undefined);
  return helpReply(undefined, words, notes.length > 0 ? notes.join(' ') : undefined);
}

/** How the command is typed: "sign out", "lost mode", "reset passcode". */
function topicName(word: CommandWord): string {
  return word === 'reset-passcode' || word === 'lost-mode' || word === 'sign-out' ? word.replace('-', ' ') : word;
}
