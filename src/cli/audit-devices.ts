// `npm run audit -- --confirmation <id>`: each device of one confirmation with its latest outcome, one line each,
// then the counts; what a helpdesk lead reads after a bulk action.
import type { AuditEvent } from '../core/index.js';

/** The events that say where a device's dispatch stands: its intent, its results, or why it was not sent. */
const DEVICE_EVENTS = new Set(['dispatch', 'result', 'recovery', 'refusal']);

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
    const out = rows.map((r) => [r.at, r.outcome.padEnd(14), r.deviceId, JSON.stringify(r.deviceName), r.reason ?? ''].join('  ').trimEnd());
    out.push(`${rows.length} devices: ${[...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'none'}`);
    return out;
  }
}
