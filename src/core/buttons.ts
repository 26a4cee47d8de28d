// What a button carries. Values go out in chat payloads and come back on click, so they are parsed like any input.
import { z } from 'zod';
import { DEVICE_ACTIONS, type DeviceAction } from './types.js';

export type ButtonAction =
  /** Confirm a pending confirmation for one offered device, or "*" for all offered devices. */
  | { kind: 'confirm'; confirmationId: string; target: string }
  | { kind: 'cancel'; confirmationId: string }
  /** Start a request for one device (from a look-up list); it still needs its own confirmation. */
  | { kind: 'start'; action: DeviceAction; deviceId: string }
  /** "I lost this device": the lost-device playbook for one of the caller's devices (what fits it, best first). */
  | { kind: 'lost'; deviceId: string }
  /** A second person's answer to a request held for approval (approval-flow.ts); "why": the requester's reason. */
  | { kind: 'approve'; approvalId: string }
  | { kind: 'deny'; approvalId: string }
  | { kind: 'why'; approvalId: string }
  | { kind: 'withdraw'; approvalId: string };

// A NUL or a lone surrogate is no id lockdesk ever made, and no store could look it up.
const part = z.string().min(1).max(200).refine((v) => !/[\u0000\p{Cs}]/u.test(v));
const schema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('confirm'), confirmationId: part, target: part }),
  z.object({ kind: z.literal('cancel'), confirmationId: part }),
  z.object({ kind: z.literal('start'), action: z.enum(DEVICE_ACTIONS), deviceId: part }),
  z.object({ kind: z.literal('lost'), deviceId: part }),
  z.object({ kind: z.literal('approve'), approvalId: part }),
  z.object({ kind: z.literal('deny'), approvalId: part }),
  z.object({ kind: z.literal('why'), approvalId: part }),
  z.object({ kind: z.literal('withdraw'), approvalId: part }),
]);

const enc = encodeURIComponent;

export function encodeButton(action: ButtonAction): string {
  switch (action.kind) {
    case 'confirm':
      return `confirm:${enc(action.confirmationId)}:${enc(action.target)}`;
    case 'cancel':
      return `cancel:${enc(action.confirmationId)}`;
    case 'start':
      return `start:${action.action}:${enc(action.deviceId)}`;
    case 'lost':
      return `lost:${enc(action.deviceId)}`;
    case 'approve':
    case 'deny':
    case 'why':
    case 'withdraw':
      return `${action.kind}:${enc(action.approvalId)}`;
  }
}

export function decodeButton(value: string): ButtonAction | undefined {
  if (value.length > 500) return undefined;
  const [kind, a, b] = value.split(':');
  let decoded: Record<string, string | undefined>;
  try {
    const dec = (s: string | undefined) => (s === undefined ? undefined : decodeURIComponent(s));
    if (kind === 'confirm') decoded = { kind, confirmationId: dec(a), target: dec(b) };
    else if (kind === 'cancel') decoded = { kind, confirmationId: dec(a) };
    else if (kind === 'start') decoded = { kind, action: a, deviceId: dec(b) };
    else if (kind === 'lost') decoded = { kind, deviceId: dec(a) };
    else if (kind === 'approve' || kind === 'deny' || kind === 'why' || kind === 'withdraw') decoded = { kind, approvalId: dec(a) };
    else return undefined;
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(decoded);
  return parsed.success ? parsed.data : undefined;
}
