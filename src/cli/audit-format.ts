// Formats audit events as JSON lines or CSV for `npm run audit`.
import type { AuditEvent } from '../core/index.js';

export const CSV_COLUMNS = [
  'at',
  'event',
  'action',
  'deviceId',
  'deviceName',
  'actorPlatform',
  'actorId',
  'actorEmail',
  'requesterId',
  'requesterEmail',
  'outcome',
  'reason',
  'correlationId',
  'confirmationId',
  'dispatchId',
  'deviceIds',
  'query',
] as const;

function csvCell(value: string | null | undefined): string {
  let text = value ?? '';
  // A cell starting with = + - @ would run as a formula when the CSV is opened in a spreadsheet.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',');
}

export function csvRow(e: AuditEvent): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], string | null | undefined> = {
    at: e.at,
    event: e.event,
    action: e.action,
    deviceId: e.deviceId,
    deviceName: e.deviceName,
    actorPlatform: e.actor?.platform,
    actorId: e.actor?.id,
    actorEmail: e.actor?.email,
    requesterId: e.requester?.id,
    requesterEmail: e.requester?.email,
    outcome: e.outcome,
    reason: e.reason,
    correlationId: e.correlationId,
    confirmationId: e.confirmationId,
    dispatchId: e.dispatchId,
    deviceIds: e.deviceIds?.join(' '),
    query: e.query,
  };
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
}

export function jsonLine(e: AuditEvent): string {
  return JSON.stringify(e);
}
