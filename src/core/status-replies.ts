// How a dispatched action's progress reads in chat.
import { ACTION_NOUN } from './replies.js';
import { isSettled, type DispatchRecord, type DispatchState } from './records.js';
import type { Block, Button, Reply } from './reply.js';
import type { DeviceAction } from './types.js';

const STATE_TEXT: Record<DispatchState, string> = {
  dispatching: 'sending to Intune…',
  sent: 'sent: Intune has queued it; it happens when the device next checks in.',
  pending: 'pending: queued in Intune, waiting for the device to check in.',
  active: 'in progress on the device.',
  done: 'done: Intune reports the device carried it out.',
  failed: 'failed.',
  canceled: 'canceled in Intune.',
  notSupported: 'the device reported that it does not support this action.',
  notSent: 'not sent.',
  unknown: 'unknown: lockdesk could not learn what happened; check the device in Intune.',
};

const TONE: Record<DispatchState, 'info' | 'success' | 'warning' | 'error'> = {
  dispatching: 'info',
  sent: 'info',
  pending: 'info',
  active: 'info',
  done: 'success',
  failed: 'error',
  canceled: 'warning',
  notSupported: 'error',
  notSent: 'error',
  unknown: 'warning',
};

export function stateLine(action: DeviceAction, record: Pick<DispatchRecord, 'deviceName' | 'state' | 'detail'>): string {
  const noun = ACTION_NOUN[action];
  const base = `${noun[0]!.toUpperCase()}${noun.slice(1)} of "${record.deviceName}": ${STATE_TEXT[record.state]}`;
  return record.detail ? `${base} ${record.detail}` : base;
}

/** Above this many devices the status is a summary with the problems named, not a line per device. */
export const SUMMARISE_ABOVE = 10;
/** Devices named in a summary because something went wrong with them, at most. */
const PROBLEMS_NAMED = 10;

/** The counts a person reads at a glance, in the order they care about; "not sent" is always said. */
const SUMMARY_GROUPS: Array<{ words: string; states: DispatchState[]; always?: boolean }> = [
  { words: 'done', states: ['done'], always: true },
  { words: 'pending', states: ['sent', 'pending', 'active'], always: true },
  { words: 'being sent', states: ['dispatching'] },
  { words: 'failed', states: ['failed', 'notSupported'], always: true },
  { words: 'canceled', states: ['canceled'] },
  { words: 'unknown', states: ['unknown'] },
  { words: 'not sent', states: ['notSent'], always: true },
];
const PROBLEM: ReadonlySet<DispatchState> = new Set(['failed', 'notSupported', 'canceled', 'notSent', 'unknown']);

/** "600 devices: 412 done, 150 pending, 38 failed, 0 not sent" */
export function summaryLine(records: Array<Pick<DispatchRecord, 'state'>>): string {
  const parts = SUMMARY_GROUPS.map(({ words, states, always }) => ({ words, always, n: records.filter((r) => states.includes(r.state)).length }))
    .filter((g) => g.always || g.n > 0)
    .map((g) => `${g.n} ${g.words}`);
  return `${records.length} devices: ${parts.join(', ')}`;
}

export function statusReply(action: DeviceAction, confirmedBy: string, records: DispatchRecord[], footer?: string, nextSteps: Button[] = []): Reply {
  const made = records.length > SUMMARISE_ABOVE ? summaryReply(action, confirmedBy, records, footer) : perDeviceReply(action, confirmedBy, records, footer);
  // The playbook's next steps, beneath the status once the action is done (a step offered while the action is
  // pending, or after it failed, would be refused: Locate needs the Lost Mode that has not happened yet).
  const reply = nextSteps.length > 0 && records.every((r) => r.state === 'done') ? { ...made, blocks: [...made.blocks, { kind: 'paragraph', text: 'Next:' } as Block, { kind: 'actions', buttons: nextSteps } as Block] } : made;
  // Until every action has its result the status is on its way (Reply.transient).
  return records.some((r) => !isSettled(r.state)) ? { ...reply, transient: true } : reply;
}

function perDeviceReply(action: DeviceAction, confirmedBy: string, records: DispatchRecord[], footer?: string): Reply {
  const lines = records.map((r) => stateLine(action, r));
  const blocks: Block[] = [{ kind: 'heading', text: `${ACTION_NOUN[action][0]!.toUpperCase()}${ACTION_NOUN[action].slice(1)} confirmed by ${confirmedBy}` }];
  records.forEach((r, i) => blocks.push({ kind: 'notice', tone: TONE[r.state], text: lines[i]! }));
  if (footer) blocks.push({ kind: 'paragraph', text: footer });
  return { text: [...lines, ...(footer ? [footer] : [])].join('\n'), blocks };
}

function summaryReply(action: DeviceAction, confirmedBy: string, records: DispatchRecord[], footer?: string): Reply {
  const heading = `${ACTION_NOUN[action][0]!.toUpperCase()}${ACTION_NOUN[action].slice(1)} confirmed by ${confirmedBy}`;
  const summary = summaryLine(records);
  const problems = records.filter((r) => PROBLEM.has(r.state));
  const settled = records.every((r) => isSettled(r.state));
  const tone = problems.length > 0 ? 'warning' : settled ? 'success' : 'info';
  const listed = problems.slice(0, PROBLEMS_NAMED);
  const named = listed.map((r) => stateLine(action, r));
  if (problems.length > listed.length) named.push(`…and ${problems.length - listed.length} more with a problem.`);
  const trail = `Each device's result is in the audit trail (confirmation ${records[0]!.confirmationId}).`;
  const blocks: Block[] = [{ kind: 'heading', text: heading }, { kind: 'notice', tone, text: summary }];
  named.forEach((line, i) => blocks.push({ kind: 'notice', tone: listed[i] ? TONE[listed[i].state] : 'warning', text: line }));
  blocks.push({ kind: 'paragraph', text: footer ? `${footer} ${trail}` : trail });
  return { text: [summary, ...named, ...(footer ? [footer] : []), trail].join('\n'), blocks };
}

/** What a status message shows, in short: two digests differ exactly when the message would read differently. */
export function statusDigest(records: Array<Pick<DispatchRecord, 'state' | 'detail'>>): string {
  if (records.length > SUMMARISE_ABOVE) return `${summaryLine(records)}|${records.filter((r) => PROBLEM.has(r.state)).length}`;
  return records.map((r) => `${r.state}:${r.detail ?? ''}`).join('|');
}
