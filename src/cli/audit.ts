// `npm run audit -- --format jsonl|csv [--since ISO] [--confirmation <id>]`: prints the audit trail; with a
// confirmation id and no format, each of its devices with its latest outcome.
import { parseArgs } from 'node:util';
import dotenv from 'dotenv';
import { z } from 'zod';
import { describeIssues, loadConfig } from '../config/index.js';
import { isLockdeskError } from '../core/index.js';
import { readAuditTrail } from '../store/audit-reader.js';
import { ConfirmationDevices } from './audit-devices.js';
import { csvHeader, csvRow, jsonLine } from './audit-format.js';

const USAGE = 'usage: npm run audit -- [--format jsonl|csv|devices] [--since ISO] [--confirmation <id>]';

const argsSchema = z.object({
  format: z.enum(['jsonl', 'csv', 'devices']).optional(),
  confirmation: z.string().min(1).max(200).optional(),
  since: z
    .string()
    .refine((s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)), {
      message: '--since takes an ISO 8601 date or time such as 2026-11-27 or 2026-11-27T09:00:00Z',
    })
    .optional(),
}).refine((a) => a.format !== 'devices' || a.confirmation !== undefined, { message: '--format devices needs --confirmation <id>', path: ['format'] });

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { format: { type: 'string' }, since: { type: 'string' }, confirmation: { type: 'string' } }, strict: true });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(`${describeIssues(parsed.error, USAGE)}`);
  dotenv.config({ quiet: true });
  const config = loadConfig();
  const { confirmation } = parsed.data;
  const format = parsed.data.format ?? (confirmation ? 'devices' : 'jsonl');
  const since = parsed.data.since ? new Date(parsed.data.since) : undefined;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const devices = new ConfirmationDevices();
  if (format === 'csv') out(csvHeader());
  for await (const event of readAuditTrail(config, since ? { since } : {})) {
    if (confirmation !== undefined && event.confirmationId !== confirmation) continue;
    if (format === 'devices') devices.add(event);
    else out(format === 'csv' ? csvRow(event) : jsonLine(event));
  }
  if (format === 'devices') for (const line of devices.lines()) out(line);
}

main().catch((error: unknown) => {
  process.stderr.write(`${isLockdeskError(error) ? error.message : error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
