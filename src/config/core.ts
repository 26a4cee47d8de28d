// Environment variables of the core, the HTTP server, storage and the simulated tenant.
import { z } from 'zod';

export const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** An optional variable; set but empty counts as unset. */
export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const coreEnv = {
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intFrom(0, 65535).default(3978),
  LOCKDESK_DATA_DIR: z.string().min(1).default('./data/run'),
  LOCKDESK_POLICY: optionalText,
  LOCKDESK_PLATFORM_SUPPORT: z.string().min(1).default('data/platform-support.json'),
  LOCKDESK_DEMO_TENANT: z.string().min(1).default('data/demo-tenant.json'),
  /** Unset: graph when AZURE_TENANT_ID and AZURE_CLIENT_ID are set, else simulated (decided in ./index.ts). */
  BACKEND: optionalText.pipe(z.enum(['simulated', 'graph']).optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOCKDESK_SIM_SETTLE_MS: intFrom(0, 3_600_000).default(4000),
  LOCKDESK_SIM_LATENCY_MS: intFrom(0, 600_000).default(0),
  LOCKDESK_FOLLOW_UP_MINUTES: intFrom(1, 24 * 60).default(30),
  LOCKDESK_POLL_INTERVAL_MS: intFrom(10, 600_000).default(2000),
  /** The operators' kill switch: true sends nothing until lockdesk is restarted without it (no command lifts it). */
  LOCKDESK_PAUSED: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], 'LOCKDESK_PAUSED must be true or false')
    .default('false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  LOCKDESK_CONSOLE_AS: optionalText.pipe(z.email('LOCKDESK_CONSOLE_AS must be an email address').optional()),
};
