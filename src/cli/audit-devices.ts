// `npm run audit -- --confirmation <id>`: each device of one confirmation with its latest outcome, one line each,
// then the counts; what a helpdesk lead reads after a bulk action.
import type { AuditEvent } from '../core/index.js';

/** The events that say where a device's dispatch stands: its intent, its results, or why it was not sent. */
const DEVICE_EVENTS = new Set(['dispatch', 'result', 'recovery', 'refusal']);

/** Controls (C0, DEL, C1) and bidirectional overrides: a terminal would act on them, or show what follows reversed. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text as JSON quotes it, with every unsafe character escaped too: one line per device, shown as it is. */
const quoted = (text: string) => JSON.stringify(text).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
/** The same without the quotes (a reason is lockdesk's own words, but it may quote what Intune said). */
const plain = (text: string) => quoted(text).slice(1, -1);

export interface DeviceOutcome {
  deviceId: string;
  deviceName: string;
  outcome: string;
  at: string;
  reason?: string;
}

export class ConfirmationDevices {
  readonly #latest = new Map<string, DeviceOutcome>();

  add(event: AuditEvent): void {
    if (!event.deviceId || !DEVICE_EVENTS.has(event.event)) return;
    this.#latest.set(event.deviceId, {
      deviceId: event.deviceId,
      deviceName: event.deviceName ?? '',
      outcome: event.outcome,
      at: event.at,
      ...(event.reason ? { reason: event.reason } : {}),
    });
  }

  lines(): string[] {
    const rows = [...this.#latest.values()].sort((a, b) => a.deviceName.localeCompare(b.deviceName) || a.deviceId.localeCompare(b.deviceId));
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    const out = rows.map((r) => [plain(r.at), plain(r.outcome).padEnd(14), plain(r.deviceId), quoted(r.deviceName), plain(r.reason ?? '')].join('  ').trimEnd());
    out.push(`${rows.length} devices: ${[...counts].map(([outcome, n]) => `${n} ${plain(outcome)}`).join(', ') || 'none'}`);
    return out;
  }
}
