// Configuration from the environment, parsed once at start-up. Every problem is listed in one message.
import path from 'node:path';
import { z } from 'zod';
import { ERROR_CODES, LockdeskError } from './core/errors.js';

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const configSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intFrom(0, 65535).default(3978),
  LOCKDESK_DATA_DIR: z.string().min(1).default('./data/run'),
  LOCKDESK_POLICY: optionalText,
  LOCKDESK_PLATFORM_SUPPORT: z.string().min(1).default('data/platform-support.json'),
  LOCKDESK_DEMO_TENANT: z.string().min(1).default('data/demo-tenant.json'),
  BACKEND: z.enum(['simulated']).default('simulated'),
  STORE: z.enum(['lowdb']).default('lowdb'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOCKDESK_SIM_SETTLE_MS: intFrom(0, 3_600_000).default(4000),
  LOCKDESK_SIM_LATENCY_MS: intFrom(0, 600_000).default(0),
  LOCKDESK_FOLLOW_UP_MINUTES: intFrom(1, 24 * 60).default(30),
  LOCKDESK_POLL_INTERVAL_MS: intFrom(10, 600_000).default(2000),
  LOCKDESK_CONSOLE_AS: optionalText.pipe(z.email('LOCKDESK_CONSOLE_AS must be an email address').optional()),
});

export type Config = z.infer<typeof configSchema>;

/** Lists every problem, one per line, naming the variable. */
export function describeIssues(error: z.ZodError, where: string): string {
  const lines = error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return `${where}:\n${lines.join('\n')}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new LockdeskError(ERROR_CODES.CONFIG_INVALID, describeIssues(parsed.error, 'lockdesk cannot start: the configuration has problems'));
  }
  return parsed.data;
}

/** Paths in the configuration are relative to the directory lockdesk was started in. */
export function resolvePath(p: string, cwd = process.cwd()): string {
  return path.resolve(cwd, p);
}
