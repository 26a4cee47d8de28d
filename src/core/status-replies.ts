// How a dispatched action's progress reads in chat.
import { ACTION_NOUN } from './replies.js';
import type { DispatchRecord, DispatchState } from './records.js';
import type { Block, Reply } from './reply.js';
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

export function statusReply(action: DeviceAction, confirmedBy: string, records: DispatchRecord[], footer?: string): Reply {
  const lines = records.map((r) => stateLine(action, r));
  const blocks: Block[] = [{ kind: 'heading', text: `${ACTION_NOUN[action][0]!.toUpperCase()}${ACTION_NOUN[action].slice(1)} confirmed by ${confirmedBy}` }];
  records.forEach((r, i) => blocks.push({ kind: 'notice', tone: TONE[r.state], text: lines[i]! }));
  if (footer) blocks.push({ kind: 'paragraph', text: footer });
  return { text: [...lines, ...(footer ? [footer] : [])].join('\n'), blocks };
}
