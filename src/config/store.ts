// Environment variables of storage: lowdb files (one process) or PostgreSQL (several replicas).
import { z } from 'zod';
import { optionalText } from './core.js';

export const storeEnv = {
  STORE: z.enum(['lowdb', 'postgres']).default('lowdb'),
  /** A standard libpq URL: postgres://user:password@host:5432/database */
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .refine((url) => /^postgres(ql)?:\/\//.test(url), 'DATABASE_URL must be a postgres:// URL')
      .optional(),
  ),
};

export function refineStore(env: { STORE: 'lowdb' | 'postgres'; DATABASE_URL?: string | undefined }, ctx: z.RefinementCtx): void {
  if (env.STORE === 'postgres' && !env.DATABASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'required with STORE=postgres (e.g. postgres://lockdesk@db.internal:5432/lockdesk)' });
  }
}
