// `npm run audit -- --format jsonl|csv [--since ISO]`: prints the audit trail.
import { parseArgs } from 'node:util';
import dotenv from 'dotenv';
import { z } from 'zod';
import { describeIssues, loadConfig } from '../config/index.js';
import { isLockdeskError } from '../core/index.js';
import { readAuditTrail } from '../store/audit-reader.js';
import { csvHeader, csvRow, jsonLine } from './audit-format.js';

const argsSchema = z.object({
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
  since: z
    .string()
    .refine((s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)), {
      message: '--since takes an ISO 8601 date or time such as 2026-11-27 or 2026-11-27T09:00:00Z',
    })
    .optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { format: { type: 'string' }, since: { type: 'string' } }, strict: true });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(`${describeIssues(parsed.error, 'usage: npm run audit -- --format jsonl|csv [--since ISO]')}`);
  dotenv.config({ quiet: true });
  const config = loadConfig();
  const since = parsed.data.since ? new Date(parsed.data.since) : undefined;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (parsed.data.format === 'csv') out(csvHeader());
  for await (const event of readAuditTrail(config, since ? { since } : {})) out(parsed.data.format === 'csv' ? csvRow(event) : jsonLine(event));
}

main().catch((error: unknown) => {
  process.stderr.write(`${isLockdeskError(error) ? error.message : error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
